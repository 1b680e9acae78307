//! `mrtd verify` on many documents: a directory of dump directories, several directories, JSON Lines on
//! standard input. Every batch line equals the single-document report; bad inputs are failed lines and
//! the batch goes on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use icao9303::lds::LdsFile;
use icao9303_emu::corpus;
use icao9303_emu::pki::SignatureScheme;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-batch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A corpus of P-256 and brainpoolP384r1 documents written as dumps under `root/docs/NN`, the CSCAs
/// under `root`; returns the dump directories and the `--trust` arguments.
fn corpus_on_disk(root: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let mut dirs = Vec::new();
    let mut trust = Vec::new();
    for (scheme, n) in [
        (SignatureScheme::EcdsaP256Sha256, 5),
        (SignatureScheme::EcdsaBrainpoolP384r1Sha384, 2),
    ] {
        let c = corpus::generate(scheme, n, 2, "cli batch").unwrap();
        let csca = root.join(format!("{}.der", corpus::scheme_tag(scheme)));
        std::fs::write(&csca, &c.csca_der).unwrap();
        trust.push("--trust".to_string());
        trust.push(csca.display().to_string());
        for d in &c.documents {
            let dir = root.join("docs").join(&d.id);
            std::fs::create_dir_all(&dir).unwrap();
            for (file, bytes) in &d.files {
                std::fs::write(dir.join(file.dump_name()), bytes).unwrap();
            }
            dirs.push(dir);
        }
    }
    dirs.sort();
    (dirs, trust)
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn single(dir: &Path, trust: &[String]) -> serde_json::Value {
    let mut args: Vec<&str> = vec!["verify", "--json"];
    args.extend(trust.iter().map(String::as_str));
    let d = dir.display().to_string();
    args.push(&d);
    let (_, stdout, stderr) = mrtd(&args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"))
}

#[test]

fn batch_lines_equal_single_document_reports() {
    let root = temp_dir("corpus");
    let (dirs, trust) = corpus_on_disk(&root);
    let docs = root.join("docs").display().to_string();
    let mut args: Vec<&str> = vec!["verify", "--jobs", "3"];
    args.extend(trust.iter().map(String::as_str));
    args.push(&docs);
    let (code, stdout, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{stderr}");
    let out = lines(&stdout);
    assert_eq!(out.len(), dirs.len());
    for (line, dir) in out.iter().zip(&dirs) {
        assert_eq!(line["id"], dir.display().to_string());
        assert_eq!(line["result"], "verified", "{line}");
        // A single document's report also says what the trust store held (`trust`); a batch prints that
        // once, on stderr, not in every line.
        let mut one = single(dir, &trust);
        assert!(one["trust"]["anchored"].is_array(), "{one}");
        one.as_object_mut().unwrap().remove("trust");
        assert_eq!(line["report"], one, "{}", dir.display());
    }
    assert!(stderr.contains("7 documents: 7 verified"), "{stderr}");
    assert!(
        stderr.contains("UTO"),
        "summary per issuing state: {stderr}"
    );
    // Several directories, one of them missing: a failed line, and the batch goes on.
    let missing = root.join("no-such-dump").display().to_string();
    let first = dirs[0].display().to_string();
    let last = dirs[dirs.len() - 1].display().to_string();
    let mut args: Vec<&str> = vec!["verify", "--jobs", "2"];
    args.extend(trust.iter().map(String::as_str));
    args.extend([first.as_str(), missing.as_str(), last.as_str()]);
    let (code, stdout, _) = mrtd(&args);
    let out = lines(&stdout);
    assert_eq!(out.len(), 3);
    assert_eq!(out[0]["result"], "verified");
    assert_eq!(out[1]["result"], "could not read", "{}", out[1]);
    assert!(out[1]["error"].as_str().unwrap().contains("no-such-dump"));
    assert_eq!(out[2]["result"], "verified");
    assert_ne!(code, 0);
    std::fs::remove_dir_all(&root).unwrap();
}

fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

#[test]

fn json_lines_on_stdin_with_bad_documents_in_between() {
    let c = corpus::generate(SignatureScheme::EcdsaP256Sha256, 3, 1, "cli jsonl").unwrap();
    let root = temp_dir("jsonl");
    let csca = root.join("csca.der");
    std::fs::write(&csca, &c.csca_der).unwrap();
    let line = |id: &str, files: &[(LdsFile, Vec<u8>)]| {
        let files: serde_json::Map<String, serde_json::Value> = files
            .iter()
            .map(|(f, b)| (f.name(), serde_json::Value::String(b64(b))))
            .collect();
        serde_json::json!({"id": id, "files": files}).to_string()
    };
    let good = &c.documents[0].files;
    let mut no_sod = c.documents[1].files.clone();
    no_sod.retain(|(f, _)| *f != LdsFile::Sod);
    let mut hostile = c.documents[2].files.clone();
    for (f, b) in &mut hostile {
        if *f == LdsFile::Sod {
            // Deeply nested indefinite-length constructed values.
            *b = [0x77, 0x80].repeat(50_000);
        }
    }
    let mut tampered = c.documents[2].files.clone();
    for (f, b) in &mut tampered {
        if *f == LdsFile::Dg(1) {
            let last = b.len() - 1;
            b[last] ^= 1;
        }
    }
    let input = [
        line("good-1", good),
        "{this is not json".to_string(),
        line("missing-sod", &no_sod),
        line("hostile-sod", &hostile),
        line("tampered-dg1", &tampered),
        line("good-2", &c.documents[2].files),
    ]
    .join("\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mrtd"))
        .args([
            "verify",
            "-",
            "--jobs",
            "2",
            "--trust",
            csca.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let out_lines = lines(&stdout);
    let results: Vec<(&str, &str)> = out_lines
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        results,
        vec![
            ("good-1", "verified"),
            ("line 2", "could not read"),
            ("missing-sod", "failed"),
            ("hostile-sod", "failed"),
            ("tampered-dg1", "failed"),
            ("good-2", "verified"),
        ],
        "{stderr}"
    );
    assert!(stderr.contains("6 documents"), "{stderr}");
    std::fs::remove_dir_all(&root).unwrap();
}
