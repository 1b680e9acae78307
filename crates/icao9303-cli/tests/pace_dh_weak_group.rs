//! `mrtd read` against a chip whose EF.CardAccess gives a standardized PACE-DH id explicit parameters of
//! a weak group (emulator profile `pace-dh-weak-group`): exit 2 before any mapping data is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

#[test]
fn weak_explicit_dh_group_exits_2_before_any_mapping_data() {
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--emulator",
        "pace-dh-weak-group",
        "--doc",
        "L898902C<",
        "--dob",
        "690806",
        "--expiry",
        "940623",
        "--log-apdu",
    ]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    // The message names the step and what is wrong with the parameters.
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error line in {stderr}"));
    for part in [
        "EF.CardAccess domain parameters",
        "standardized parameter id 0",
        "RFC 5114",
        "never override a standardized id",
    ] {
        assert!(error.contains(part), "{part:?} missing from {error}");
    }
    // No GENERAL AUTHENTICATE (INS 86) and no MSE:Set AT (INS 22) went to the chip.
    let commands: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("apdu").and_then(|l| l.split_once(" > ")))
        .map(|(_, command)| command)
        .collect();
    assert!(!commands.is_empty(), "no APDU logged: {stderr}");
    for command in commands {
        let ins = command.get(2..4).unwrap();
        assert!(ins != "86" && ins != "22", "sent {command}");
    }
}
