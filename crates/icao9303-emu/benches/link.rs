//! The read planner over the link model: APDUs, bytes on the wire, modelled read time and the ratio to the
//! lower bound for the `brp` profile (16.5 KB JPEG 2000 face) on three chip configurations and four bit
//! rates, plus a fixed 0xDF-block reader for comparison. Prints a Markdown table for docs/performance.md.
//! Run with `cargo bench -p icao9303-emu --bench link`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::reader::ReaderOptions;
use icao9303_emu::link::{LinkModel, measure_read};
use icao9303_emu::profile::Profile;

fn main() {
    let mut extended = Profile::brp();
    extended.options.extended_length = true;
    extended.options.max_read = 65_536;
    let short = Profile::brp();
    let mut limited = Profile::brp();
    limited.options.max_read = 160;
    let fixed = ReaderOptions {
        max_read_block: Some(0xDF),
        use_short_file_ids: false,
        ..ReaderOptions::default()
    };
    println!(
        "| chip | reader | kbit/s | APDUs | bytes on the wire | modelled time | lower bound | ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (chip, profile) in [
        ("extended length, 64 KB", &extended),
        ("short APDUs only", &short),
        ("limited to 160 bytes", &limited),
    ] {
        for (reader, options) in [
            ("planned", ReaderOptions::default()),
            ("fixed 0xDF + SELECT", fixed.clone()),
        ] {
            for kbit in [106, 212, 424, 848] {
                let m = measure_read(profile, LinkModel::new(kbit), options.clone()).unwrap();
                println!(
                    "| {chip} | {reader} | {kbit} | {} | {} | {:.1} ms | {} APDUs, {:.1} ms | {:.3} |",
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
