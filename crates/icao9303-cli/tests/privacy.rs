//! Privacy of `mrtd read`: files holding chip data or keys are created for their owner only (0600), and
//! the MRZ / CAN can be given without the command line (file, standard input, environment), with the
//! documented precedence. The hidden-input prompt needs a terminal and is not tested here (it is used
//! only when standard input is one; the tests run with standard input closed or piped).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd_with, test_anchor};
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mrtd-privacy-{}-{name}", std::process::id()))
}

const BRP_MRZ: &str = "IRGBRZU38475628<<<<<<<<<<<<<<<\n8803148F3403130UTO<<<<<<<<<<<8\nTESTHOLDER<<AMINA<GRACE<<<<<<<";
const BRP_CAN: &str = "128453";

/// Reads the emulated BRP with `args` added, no other password; returns the exit code and stderr.
fn read_brp(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> (i32, String) {
    let anchor = test_anchor("brp");
    let mut all = vec!["read", "--emulator", "brp", "--trust", anchor.as_str()];
    all.extend(args);
    let (code, _, stderr) = mrtd_with(&all, env, stdin);
    (code, stderr)
}

#[cfg(unix)]
#[test]
fn traces_dumps_and_reports_are_created_for_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = temp("dump");
    let trace = temp("brp.trace");
    let html = temp("report.html");
    let photo = temp("face.png");
    // A trace file that already exists, world-readable, is narrowed before it is written.
    std::fs::write(&trace, "old").unwrap();
    std::fs::set_permissions(&trace, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, stderr) = read_brp(
        &[
            "--doc",
            "ZU3847562",
            "--dob",
            "880314",
            "--expiry",
            "340313",
            "--out",
            dir.to_str().unwrap(),
            "--record",
            trace.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--photo",
            photo.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(mode(&dir), 0o700, "the dump directory");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert!(files >= 7, "{files} files in the dump");
    for path in [&trace, &html, &photo] {
        assert!(
            std::fs::metadata(path).unwrap().len() > 100,
            "{}",
            path.display()
        );
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
    for path in [&trace, &html, &photo] {
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn the_password_from_the_environment() {
    let triple = [
        ("MRTD_DOC", "ZU3847562"),
        ("MRTD_DOB", "880314"),
        ("MRTD_EXPIRY", "340313"),
    ];
    assert_eq!(read_brp(&[], &triple, None).0, 0);
    assert_eq!(read_brp(&[], &[("MRTD_MRZ", BRP_MRZ)], None).0, 0);
    assert_eq!(read_brp(&[], &[("MRTD_CAN", BRP_CAN)], None).0, 0);
    // A wrong CAN in the environment is used (and denied), not skipped.
    let (code, stderr) = read_brp(&[], &[("MRTD_CAN", "128454")], None);
    assert_eq!(code, 2);
    // stderr: what the trust store loaded, then the error; never the CAN.
    assert_eq!(
        stderr.trim().lines().last(),
        Some("access denied: check the CAN"),
        "{stderr}"
    );
    assert!(!stderr.contains("128454"), "{stderr}");
    // Two of the three: an error naming the missing one, without the values.
    let (code, stderr) = read_brp(&[], &triple[..2], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("MRTD_EXPIRY"), "{stderr}");
    assert!(!stderr.contains("ZU3847562"), "{stderr}");
}

#[test]
fn the_password_from_a_file_or_standard_input() {
    let mrz = temp("mrz.txt");
    std::fs::write(&mrz, format!("{BRP_MRZ}\n")).unwrap();
    let can = temp("can.txt");
    std::fs::write(&can, format!("{BRP_CAN}\n")).unwrap();
    assert_eq!(
        read_brp(&["--mrz-file", mrz.to_str().unwrap()], &[], None).0,
        0
    );
    assert_eq!(
        read_brp(&["--can-file", can.to_str().unwrap()], &[], None).0,
        0
    );
    assert_eq!(read_brp(&["--mrz-file", "-"], &[], Some(BRP_MRZ)).0, 0);
    assert_eq!(read_brp(&["--can-file", "-"], &[], Some(BRP_CAN)).0, 0);
    // A missing file: exit 2, naming the option and the file.
    let (code, stderr) = read_brp(&["--mrz-file", "/nonexistent/mrz.txt"], &[], None);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--mrz-file") && stderr.contains("/nonexistent/mrz.txt"),
        "{stderr}"
    );
    // An empty standard input.
    let (code, stderr) = read_brp(&["--can-file", "-"], &[], Some(""));
    assert_eq!(code, 2);
    assert!(stderr.contains("empty"), "{stderr}");
    std::fs::remove_file(&mrz).unwrap();
    std::fs::remove_file(&can).unwrap();
}

#[test]
fn precedence_flag_then_file_then_environment() {
    let wrong_can = [("MRTD_CAN", "128454")];
    // A flag beats a file and the environment.
    let bad_file = temp("bad-can.txt");
    std::fs::write(&bad_file, "128454").unwrap();
    let (code, stderr) = read_brp(
        &["--can", BRP_CAN, "--can-file", bad_file.to_str().unwrap()],
        &wrong_can,
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    // A file beats the environment.
    let good_file = temp("good-mrz.txt");
    std::fs::write(&good_file, BRP_MRZ).unwrap();
    let (code, stderr) = read_brp(
        &["--mrz-file", good_file.to_str().unwrap()],
        &wrong_can,
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    // The environment's CAN beats its MRZ.
    let (code, _) = read_brp(&[], &[("MRTD_CAN", "128454"), ("MRTD_MRZ", BRP_MRZ)], None);
    assert_eq!(code, 2);
    std::fs::remove_file(&bad_file).unwrap();
    std::fs::remove_file(&good_file).unwrap();
}

#[test]
fn no_password_and_no_terminal_is_a_clear_error() {
    let (code, stderr) = read_brp(&[], &[], None);
    assert_eq!(code, 2);
    for what in [
        "--mrz-file",
        "--can-file",
        "MRTD_MRZ",
        "MRTD_CAN",
        "MRTD_DOC",
        "not a terminal",
    ] {
        assert!(stderr.contains(what), "{what}: {stderr}");
    }
}
