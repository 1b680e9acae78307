//! The read planner against the link model: within 10% of the lower bound on every chip configuration,
//! and at least 3x fewer APDUs than a fixed 0xDF-block reader on a chip with extended length. These are
//! counts and modelled times (deterministic), not wall-clock timings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::reader::ReaderOptions;
use icao9303_emu::link::{LinkModel, measure_read};
use icao9303_emu::profile::Profile;

fn configurations() -> Vec<(&'static str, Profile)> {
    let mut extended = Profile::brp();
    extended.options.extended_length = true;
    extended.options.max_read = 65_536;
    let short = Profile::brp();
    let mut limited = Profile::brp();
    limited.options.max_read = 160;
    vec![
        ("extended length up to 64 KB", extended),
        ("short APDUs only", short),
        ("limited to 160 bytes", limited),
    ]
}

#[test]
fn reads_are_within_ten_percent_of_the_lower_bound() {
    for kbit in [106, 424, 848] {
        for (name, profile) in configurations() {
            let m = measure_read(&profile, LinkModel::new(kbit), ReaderOptions::default()).unwrap();
            assert!(
                m.ratio() <= 1.10,
                "{name} at {kbit} kbit/s: {} APDUs / {:?} vs bound {} APDUs / {:?} (ratio {:.3})",
                m.stats.apdus,
                m.stats.time,
                m.lower_bound.apdus,
                m.lower_bound.time,
                m.ratio()
            );
        }
    }
}

#[test]
fn far_fewer_apdus_than_a_fixed_block_reader_on_an_extended_length_chip() {
    let (_, profile) = configurations().remove(0);
    let model = LinkModel::new(424);
    let planned = measure_read(&profile, model, ReaderOptions::default()).unwrap();
    let fixed = ReaderOptions {
        max_read_block: Some(0xDF),
        use_short_file_ids: false,
        ..ReaderOptions::default()
    };
    let fixed = measure_read(&profile, model, fixed).unwrap();
    assert!(
        fixed.stats.apdus >= 3 * planned.stats.apdus,
        "planned {} APDUs, fixed 0xDF reader {}",
        planned.stats.apdus,
        fixed.stats.apdus
    );
}
