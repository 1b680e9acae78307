//! The read planner over the link model: APDUs, bytes on the wire, modelled read time and the ratio to the
//! lower bound for the `brp` profile (16.5 KB JPEG 2000 face) on six chip configurations and four bit
//! rates, plus a fixed 0xDF-block reader for comparison. Prints a Markdown table for docs/performance.md.
//! Run with `cargo bench -p icao9303-emu --bench link`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::reader::ReaderOptions;
use icao9303_emu::chip::ExtendedLengthBehaviour;
use icao9303_emu::link::{LinkModel, measure_read};
use icao9303_emu::profile::Profile;

fn brp(behaviour: ExtendedLengthBehaviour) -> Profile {
    let mut profile = Profile::brp();
    behaviour.apply(&mut profile.options);
    profile
}

fn main() {
    let mut limited = Profile::brp();
    limited.options.max_read = 160;
    let fixed = ReaderOptions {
        max_read_block: Some(0xDF),
        use_short_file_ids: false,
        ..ReaderOptions::default()
    };
    println!(
        "| chip | reader | kbit/s | APDUs | bytes on the wire | modelled time | lower bound | ratio | without the resume |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (chip, profile) in [
        (
            "extended length, announced",
            brp(ExtendedLengthBehaviour::Announced),
        ),
        ("short APDUs only", Profile::brp()),
        ("limited to 160 bytes", limited),
        (
            "extended length, not announced",
            brp(ExtendedLengthBehaviour::Silent),
        ),
        (
            "not announced, 6700 to extended",
            brp(ExtendedLengthBehaviour::Refused),
        ),
        (
            "not announced, mute on extended",
            brp(ExtendedLengthBehaviour::Mute),
        ),
    ] {
        for (reader, options) in [
            ("planned", ReaderOptions::default()),
            ("fixed 0xDF + SELECT", fixed.clone()),
        ] {
            for kbit in [106, 212, 424, 848] {
                let m = measure_read(&profile, LinkModel::new(kbit), options.clone()).unwrap();
                let without_resume = if m.resume.apdus > 0 {
                    format!(
                        "{:.3} ({} APDUs, {:.1} ms resuming)",
                        m.ratio_without_resume(),
                        m.resume.apdus,
                        m.resume.time.as_secs_f64() * 1000.0
                    )
                } else {
                    "-".into()
                };
                println!(
                    "| {chip} | {reader} | {kbit} | {} | {} | {:.1} ms | {} APDUs, {:.1} ms | {:.3} | {without_resume} |",
                    m.stats.apdus,
                    m.stats.bytes(),
                    m.stats.time.as_secs_f64() * 1000.0,
                    m.lower_bound.apdus,
                    m.lower_bound.time.as_secs_f64() * 1000.0,
                    m.ratio()
                );
            }
        }
    }
}
