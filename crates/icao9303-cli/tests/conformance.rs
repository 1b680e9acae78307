//! `mrtd conformance` and `mrtd emulate --case` / `--list-cases` (issue 25).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

#[test]
fn list_cases_lists_the_catalogue() {
    let (code, out, _) = mrtd(&["emulate", "--list-cases"]);
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 80, "{out}");
    let g36 = out
        .lines()
        .find(|l| l.starts_with("P51.ISO7816_G_36 "))
        .expect("G_36 listed");
    assert!(g36.contains("successful"), "{g36}");
}

#[test]
fn conformance_runs_cases_in_process_and_prints_the_matrix() {
    let (code, out, err) = mrtd(&[
        "conformance",
        "--case",
        "P4.ISO7816_D_06",
        "--case",
        "LDS_H_90",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["total"], 2);
    assert_eq!(json["passed"], 2);
    assert_eq!(json["transport"], "in process");
    let d06 = &json["cases"][0];
    assert_eq!(d06["id"], "P4.ISO7816_D_06");
    assert_eq!(d06["ours"]["verdict"], "failed");
    assert_eq!(d06["ours"]["exit_code"], 1);
    assert_eq!(d06["evidence"]["shown"], true);
    assert!(
        d06["evidence"]["detail"]
            .as_str()
            .unwrap()
            .contains("first cryptogram block changed"),
        "{d06}"
    );
    assert_eq!(json["cases"][1]["id"], "P51.LDS_H_90");

    let (code, text, _) = mrtd(&["conformance", "--case", "P51.ISO7816_E_14"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("PASS  P51.ISO7816_E_14"), "{text}");
    assert!(
        text.contains("TA valid") && text.contains("1 of 1 cases passed"),
        "{text}"
    );
}

#[test]
fn an_unknown_or_ambiguous_case_is_a_usage_error() {
    let (code, _, err) = mrtd(&["conformance", "--case", "NO_SUCH_CASE"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no conformance case \"NO_SUCH_CASE\""),
        "{err}"
    );
    let (code, _, err) = mrtd(&["conformance", "--case", "ISO7816_E_01"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("ambiguous") && err.contains("P4.ISO7816_E_01"),
        "{err}"
    );
}

/// `mrtd emulate --case ID --export DIR` says what the inspection system must be given and writes it:
/// here an EAC case with its link certificate, DV, terminal certificate and key.
#[test]
fn emulate_case_exports_what_an_inspection_system_needs() {
    let dir = std::env::temp_dir().join(format!("mrtd-conformance-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Nothing listens on port 9: the bridge retries until it is stopped.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mrtd"))
        .args([
            "emulate",
            "--case",
            "P51.ISO7816_E_32",
            "--vpcd",
            "127.0.0.1:9",
            "--export",
        ])
        .arg(&dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let key = dir.join("UTTSIS00002.pkcs8");
    for _ in 0..100 {
        if key.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("conformance case P51.ISO7816_E_32"), "{err}");
    assert!(
        err.contains("--doc L898902C --dob 690806 --expiry 940623"),
        "{err}"
    );
    for file in [
        "csca-1.der",
        "UTCVCA00002.cvcert",
        "UTDVIS00002.cvcert",
        "UTTSIS00002.cvcert",
        "UTTSIS00002.pkcs8",
    ] {
        assert!(dir.join(file).exists(), "{file} not written: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
