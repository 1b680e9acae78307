//! `--html` and `--photo`: the self-contained HTML report (content, and a real render in headless Chromium when
//! it is installed) and the face image written as PNG.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};

use icao9303::lds::image::decode_image;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-html-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const BRP: &[&str] = &[
    "read",
    "--emulator",
    "brp",
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

/// Reads the brp chip trusting its test CSCA, so a good read exits 0.
fn read_brp(extra: &[&str]) -> (i32, String, String) {
    let anchor = test_anchor("brp");
    let args: Vec<&str> = BRP
        .iter()
        .copied()
        .chain(["--trust", anchor.as_str()])
        .chain(extra.iter().copied())
        .collect();
    mrtd(&args)
}

#[test]
fn photo_round_trips_the_brp_face_to_png() {
    let dir = temp_dir("photo");
    let png = dir.join("face.png");
    let (code, _, stderr) = read_brp(&["--photo", png.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("DG2: face image"), "{stderr}");
    let image = decode_image(&std::fs::read(&png).unwrap()).unwrap();
    assert_eq!((image.width, image.height), (240, 320));
    // The brp face is JPEG 2000: asking for .jp2 writes it unchanged.
    let jp2 = dir.join("face.jp2");
    let (code, _, stderr) = read_brp(&["--photo", jp2.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "--quiet printed: {stderr}");
    let raw = std::fs::read(&jp2).unwrap();
    assert_eq!(decode_image(&raw).unwrap().width, 240);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn check_page(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Self-contained: inline style, no external resources, no script.
    assert!(page.contains("<style>"));
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    assert!(page.contains("Content-Security-Policy"));
    // Holder and document data from DG1, DG11 and DG12.
    assert!(page.contains("TESTHOLDER, AMINA GRACE"), "name missing");
    assert!(page.contains("1988-03-14"));
    assert!(page.contains("TESTVILLE, UTOPIA"), "place of birth missing");
    assert!(
        page.contains("UK VISAS AND IMMIGRATION (TEST)"),
        "issuing authority missing"
    );
    assert!(page.contains("2024-03-14"), "date of issue missing");
    assert!(
        page.contains("<li>WORK PERMITTED</li>"),
        "BRP remarks missing"
    );
    assert!(page.contains("ZU3847562"));
    assert!(page.contains("residence permit"));
    // The verdicts: verified against the trusted test CSCA, the chip genuine.
    assert!(
        page.contains("<strong>VERIFIED</strong>"),
        "document verdict missing"
    );
    assert!(
        page.contains("<strong>CHIP GENUINE</strong>"),
        "chip verdict missing"
    );
    // Access and checks with their marks.
    assert!(page.contains("BAC"));
    for check in [
        "EF.SOD",
        "MRZ check digits",
        "DG1 hash",
        "DG2 hash",
        "DG11 hash",
        "DG12 hash",
    ] {
        assert!(
            page.contains(&format!("<td>{check}</td>")),
            "{check} missing"
        );
    }
    assert!(page.contains("&#10004; Valid"));
    assert!(page.contains("&#8211; Not checked"));
    // The face, embedded as PNG.
    let start = page.find("data:image/png;base64,").expect("face data URI");
    let rest = &page[start + "data:image/png;base64,".len()..];
    let b64 = &rest[..rest.find('"').unwrap()];
    assert!(b64.len() > 1000);
    assert!(b64.starts_with("iVBORw0KGgo"), "not a PNG");
}

#[test]
fn html_report_of_a_read_and_of_the_demo() {
    let dir = temp_dir("report");
    let file = dir.join("report.html");
    let (code, stdout, stderr) = read_brp(&["--html", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str::<serde_json::Value>(&stdout).expect("stdout stays JSON");
    check_page(&std::fs::read_to_string(&file).unwrap());
    let demo = dir.join("demo.html");
    let (code, _, stderr) = mrtd(&["demo", "--html", demo.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let page = std::fs::read_to_string(&demo).unwrap();
    check_page(&page);
    screenshot(&demo, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// Renders the page in headless Chromium and checks the screenshot is a real, non-blank page.
fn screenshot(page: &Path, dir: &Path) {
    let Some(chromium) = which("chromium") else {
        eprintln!(
            "skipping the HTML screenshot: chromium is not installed (apt-get install chromium)"
        );
        return;
    };
    let profile = dir.join("chromium-profile");
    let png = dir.join("screenshot.png");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1000,1400")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
    assert!(bytes.len() > 20_000, "screenshot of {} bytes", bytes.len());
    let image = decode_image(&bytes).unwrap();
    assert_eq!((image.width, image.height), (1000, 1400));
    // Non-trivial: text, coloured marks and the face, not a blank or single-colour page.
    let mut colours = std::collections::HashSet::new();
    let mut dark = 0usize;
    for y in (0..image.height).step_by(3) {
        for x in (0..image.width).step_by(3) {
            let p = image.pixel(x, y).unwrap();
            colours.insert(p);
            if p.iter().all(|c| *c < 100) {
                dark += 1;
            }
        }
    }
    assert!(colours.len() > 200, "only {} colours", colours.len());
    assert!(dark > 1000, "only {dark} dark pixels: no text?");
}
