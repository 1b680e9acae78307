//! The read planner against the link model: within 10% of the lower bound on every chip configuration,
//! at least 3x fewer APDUs than a fixed 0xDF-block reader on a chip that takes extended length (announced
//! or not), at most one extra exchange on a chip that refuses the probe, and one resume then short blocks
//! within 10% of the bound on a chip that goes mute on it. These are counts and modelled times
//! (deterministic), not wall-clock timings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::read_stats::ProbeOutcome;
use icao9303::reader::ReaderOptions;
use icao9303_emu::chip::ExtendedLengthBehaviour;
use icao9303_emu::link::{LinkModel, Measurement, measure_read};
use icao9303_emu::profile::Profile;

fn brp(behaviour: ExtendedLengthBehaviour) -> Profile {
    let mut profile = Profile::brp();
    behaviour.apply(&mut profile.options);
    profile
}

fn configurations() -> Vec<(&'static str, Profile)> {
    let mut limited = Profile::brp();
    limited.options.max_read = 160;
    vec![
        (
            "extended length up to 64 KB",
            brp(ExtendedLengthBehaviour::Announced),
        ),
        ("short APDUs only", Profile::brp()),
        ("limited to 160 bytes", limited),
        (
            "extended length, not announced",
            brp(ExtendedLengthBehaviour::Silent),
        ),
    ]
}

fn fixed_block_reader() -> ReaderOptions {
    ReaderOptions {
        max_read_block: Some(0xDF),
        use_short_file_ids: false,
        ..ReaderOptions::default()
    }
}

fn show(m: &Measurement) -> String {
    format!(
        "{} APDUs / {:?} vs bound {} APDUs / {:?} (ratio {:.3}); {:?}",
        m.stats.apdus,
        m.stats.time,
        m.lower_bound.apdus,
        m.lower_bound.time,
        m.ratio(),
        m.read_stats.apdus_by_kind
    )
}

#[test]
fn reads_are_within_ten_percent_of_the_lower_bound() {
    for kbit in [106, 424, 848] {
        for (name, profile) in configurations() {
            let m = measure_read(&profile, LinkModel::new(kbit), ReaderOptions::default()).unwrap();
            assert!(m.ratio() <= 1.10, "{name} at {kbit} kbit/s: {}", show(&m));
            assert_eq!(m.read_stats.resumes, 0, "{name}");
        }
    }
}

#[test]
fn far_fewer_apdus_than_a_fixed_block_reader_on_an_extended_length_chip() {
    for (_, profile) in configurations()
        .into_iter()
        .filter(|(_, p)| p.options.extended_length)
    {
        let model = LinkModel::new(424);
        let planned = measure_read(&profile, model, ReaderOptions::default()).unwrap();
        let fixed = measure_read(&profile, model, fixed_block_reader()).unwrap();
        assert!(
            fixed.stats.apdus >= 3 * planned.stats.apdus,
            "planned {}, fixed 0xDF reader {}",
            show(&planned),
            show(&fixed)
        );
    }
}

#[test]
fn a_chip_that_announces_nothing_is_probed_and_read_with_extended_length() {
    let m = measure_read(
        &brp(ExtendedLengthBehaviour::Silent),
        LinkModel::new(424),
        ReaderOptions::default(),
    )
    .unwrap();
    let probe = m.read_stats.probe.as_ref().expect("a probe");
    assert_eq!(
        (probe.file.as_str(), probe.outcome),
        ("EF.SOD", ProbeOutcome::Accepted)
    );
    // EF.SOD's first short block, then one extended READ BINARY per file: the probe for the rest of
    // EF.SOD and one for each data group, and one for DG3, which the chip refuses (6982: it needs
    // Terminal Authentication).
    let files = m.lower_bound.apdus;
    assert_eq!(m.stats.apdus, files + 2, "{}", show(&m));
    assert_eq!(
        m.read_stats.apdus_by_kind["READ BINARY (extended)"],
        files + 1
    );
}

#[test]
fn a_chip_answering_6700_to_the_probe_costs_one_exchange() {
    for kbit in [106, 848] {
        let m = measure_read(
            &brp(ExtendedLengthBehaviour::Refused),
            LinkModel::new(kbit),
            ReaderOptions::default(),
        )
        .unwrap();
        let probe = m.read_stats.probe.as_ref().expect("a probe");
        assert_eq!(probe.outcome, ProbeOutcome::Refused);
        assert_eq!(probe.status.as_deref(), Some("6700"));
        // The probe, and DG3's READ BINARY that the chip refuses without Terminal Authentication.
        assert_eq!(m.stats.apdus, m.lower_bound.apdus + 2, "{}", show(&m));
        assert!(m.ratio() <= 1.10, "{}", show(&m));
    }
}

#[test]
fn a_chip_going_mute_on_the_probe_is_resumed_once_then_read_in_short_blocks() {
    for kbit in [106, 424, 848] {
        let m = measure_read(
            &brp(ExtendedLengthBehaviour::Mute),
            LinkModel::new(kbit),
            ReaderOptions::default(),
        )
        .unwrap();
        let probe = m.read_stats.probe.as_ref().expect("a probe");
        assert_eq!(probe.outcome, ProbeOutcome::LinkLost);
        assert_eq!(m.read_stats.resumes, 1);
        assert!(m.resume.apdus > 1, "the lost exchange and access control");
        assert!(
            m.ratio_without_resume() <= 1.10,
            "{kbit} kbit/s: {} without the resume's {} APDUs / {:?}",
            show(&m),
            m.resume.apdus,
            m.resume.time
        );
        assert_eq!(
            m.read_stats
                .apdus_by_kind
                .get("READ BINARY (extended)")
                .copied(),
            Some(1),
            "only the probe"
        );
    }
}

#[test]
fn extended_length_off_reads_short_blocks_without_a_probe() {
    let options = ReaderOptions {
        extended_length: icao9303::options::ExtendedLengthPolicy::Off,
        ..ReaderOptions::default()
    };
    for behaviour in [
        ExtendedLengthBehaviour::Silent,
        ExtendedLengthBehaviour::Mute,
        ExtendedLengthBehaviour::Announced,
    ] {
        let m = measure_read(&brp(behaviour), LinkModel::new(424), options.clone()).unwrap();
        assert!(m.read_stats.probe.is_none(), "{behaviour:?}");
        assert!(
            !m.read_stats
                .apdus_by_kind
                .contains_key("READ BINARY (extended)"),
            "{behaviour:?}"
        );
        assert_eq!(m.read_stats.resumes, 0);
    }
}
