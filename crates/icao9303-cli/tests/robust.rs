//! Issue 21, part C, through the `mrtd` binary: strict secure messaging, reads that survive real chips
//! (the emulator's quirk profiles), and outputs that are never written through a symbolic link.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};
use std::path::{Path, PathBuf};

const BRP_KEY: [&str; 6] = [
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads the emulated `profile` (a brp chip) trusting the brp test CSCA, with `extra` arguments.
fn read(profile: &str, extra: &[&str]) -> (i32, String, String) {
    let anchor = test_anchor("brp");
    let mut args = vec!["read", "--emulator", profile, "--trust", anchor.as_str()];
    args.extend(BRP_KEY);
    args.extend(extra);
    mrtd(&args)
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// A chip whose protected responses carry no DO'99' (the status word outside the MAC): the read stops
/// with an error naming it, never a verdict (before issue 21: exit 0, verified).
#[test]
fn a_protected_response_without_do99_is_never_verified() {
    let (code, stdout, stderr) = read("brp-status-outside-mac", &[]);
    assert!(code == 2 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    assert!(!stdout.contains("VERIFIED"), "{stdout}");
    assert!(stderr.contains("no DO'99'"), "{stderr}");
}

/// A chip that answers the extended-length probe with a plain 6700 and ends secure messaging with it
/// (6988 to the next protected command): the read completes, verified, with exactly one extra access
/// control (before issue 21: the read was lost, exit 2).
#[test]
fn a_chip_dropping_secure_messaging_after_the_probe_is_read_in_full() {
    let (code, stdout, stderr) = read("brp-probe-drops-session", &["--json", "--stats"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("of which 1 after the chip ended secure messaging"),
        "{stderr}"
    );
    let report = json(&stdout);
    assert_eq!(report["verdict"]["result"], "verified");
    let stats = &report["read_stats"];
    assert_eq!(stats["probe"]["outcome"], "refused", "{stats}");
    assert_eq!(stats["session_drops"], 1, "{stats}");
    assert_eq!(stats["resumes"], 1, "one extra access control: {stats}");
    assert_eq!(
        stats["apdus_by_kind"]["READ BINARY (extended)"], 1,
        "{stats}"
    );
}

/// The APDUs of the read's file phases (EF.SOD, EF.COM, the data groups).
fn file_apdus(stats: &serde_json::Value) -> u64 {
    stats["phases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            let name = p["phase"].as_str().unwrap();
            name.starts_with("DG") || name.starts_with("EF.")
        })
        .map(|p| p["apdus"].as_u64().unwrap())
        .sum()
}

/// A chip that sends at most 223 bytes per response, whatever it is asked for: the read learns the cap
/// and needs no more APDUs than reading the same chip in short APDUs (before issue 21: every READ
/// BINARY after the probe asked for the whole remainder of the file again).
#[test]
fn a_capped_chip_costs_no_more_apdus_than_a_short_read() {
    let (code, stdout, stderr) = read("brp-cap-223", &["--json", "--stats"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("response cap     223 bytes"), "{stderr}");
    let capped = json(&stdout)["read_stats"].clone();
    let (code, stdout, stderr) = read("brp-cap-223", &["--json", "--extended-length", "off"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let short = json(&stdout)["read_stats"].clone();
    assert_eq!(capped["response_cap"], 223, "{capped}");
    assert!(
        file_apdus(&capped) <= file_apdus(&short),
        "{capped}\nagainst\n{short}"
    );
    // In all, at most the look-up of EF.ATR/INFO more: a link that may carry extended length asks for
    // the chip's own word on it, which a short-only read skips.
    let total = |s: &serde_json::Value| s["apdus"].as_u64().unwrap();
    assert!(
        total(&capped) <= total(&short) + 1,
        "{} APDUs against {}",
        total(&capped),
        total(&short)
    );
}

/// A symbolic link at `path` to `target`, which holds "precious".
#[cfg(unix)]
fn plant(path: &Path, target: &Path) {
    std::fs::write(target, "precious").unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// The command failed with a message naming the link, and neither the link nor its target changed.
#[cfg(unix)]
fn refused(what: &str, (code, stdout, stderr): (i32, String, String), link: &Path, target: &Path) {
    assert_eq!(code, 2, "{what}: {stdout}\n{stderr}");
    assert!(stderr.contains("symbolic link"), "{what}: {stderr}");
    assert!(
        stderr.contains(&link.display().to_string()),
        "{what}: {stderr}"
    );
    assert!(
        std::fs::symlink_metadata(link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "{what}"
    );
    if target.is_dir() {
        assert_eq!(
            std::fs::read_dir(target).unwrap().count(),
            0,
            "{what}: something was written into the link's target"
        );
    } else {
        assert_eq!(
            std::fs::read_to_string(target).unwrap(),
            "precious",
            "{what}"
        );
    }
}

/// Every kind of output refuses a symbolic link planted at its path: it is neither followed (the target
/// keeps its content) nor replaced (before issue 21 the target was overwritten with chip data or keys).
#[cfg(unix)]
#[test]
fn no_output_is_written_through_a_symbolic_link() {
    let dir = temp_dir("symlinks");
    let p = |name: &str| dir.join(name);
    let s = |path: &Path| path.display().to_string();
    // A genuine dump to verify offline and export from.
    let dump = p("dump");
    let (code, _, stderr) = read("brp", &["--out", &s(&dump)]);
    assert_eq!(code, 0, "{stderr}");

    // Live-read outputs: --record, --dtc, --out (the directory, and a file inside it).
    for (flag, name) in [("--record", "trace"), ("--dtc", "doc.dtcvc")] {
        let (link, target) = (p(name), p(&format!("{name}.target")));
        plant(&link, &target);
        refused(flag, read("brp", &[flag, &s(&link)]), &link, &target);
    }
    let (link, target) = (p("out-link"), p("out-target"));
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    refused(
        "--out DIR",
        read("brp", &["--out", &s(&link)]),
        &link,
        &target,
    );
    let out = p("out");
    std::fs::create_dir(&out).unwrap();
    let (link, target) = (out.join("DG1.bin"), p("dg1.target"));
    plant(&link, &target);
    refused(
        "--out DIR/DG1.bin",
        read("brp", &["--out", &s(&out)]),
        &link,
        &target,
    );

    // Report outputs, through `verify` of the dump (the same code as a live read's): --html, --photo.
    let anchor = test_anchor("brp");
    for (flag, name) in [("--html", "report.html"), ("--photo", "face.png")] {
        let (link, target) = (p(name), p(&format!("{name}.target")));
        plant(&link, &target);
        let result = mrtd(&["verify", &s(&dump), "--trust", &anchor, flag, &s(&link)]);
        refused(flag, result, &link, &target);
    }
    // --fingerprints: a directory of images, through `inspect` of the brp chip's DG3.
    let dg3 = p("DG3.bin");
    let card = icao9303_emu::profile::Profile::brp().personalize().unwrap();
    let bytes = card
        .chip
        .files()
        .get(icao9303::lds::LdsFile::Dg(3))
        .unwrap();
    std::fs::write(&dg3, bytes).unwrap();
    let (link, target) = (p("fingers-link"), p("fingers-target"));
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let result = mrtd(&["inspect", &s(&dg3), "--fingerprints", &s(&link)]);
    refused("--fingerprints", result, &link, &target);

    // `dtc export`, `demo --export-csca` and the keys of `eac mint`.
    let (link, target) = (p("export.dtcvc"), p("export.target"));
    plant(&link, &target);
    let result = mrtd(&["dtc", "export", &s(&dump), &s(&link)]);
    refused("dtc export", result, &link, &target);
    let (link, target) = (p("csca.der"), p("csca.target"));
    plant(&link, &target);
    refused(
        "--export-csca",
        mrtd(&["demo", "--export-csca", &s(&link)]),
        &link,
        &target,
    );
    let pki = p("pki");
    std::fs::create_dir(&pki).unwrap();
    let (link, target) = (pki.join("XATESTIS00001.pkcs8"), p("key.target"));
    plant(&link, &target);
    let result = mrtd(&["eac", "mint", &s(&pki), "--country", "XA"]);
    refused("eac mint", result, &link, &target);

    std::fs::remove_dir_all(&dir).unwrap();
}
