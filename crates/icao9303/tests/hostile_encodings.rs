//! Hostile EF.SOD encodings (issue 12, item 6): deep nesting, huge declared lengths and deep indefinite
//! lengths give a typed error from the SOD / CMS parser and from passive authentication — never a stack
//! overflow, a panic or an allocation of the declared size.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::asn1::{MAX_DEPTH, der, tag};
use icao9303::document::Document;
use icao9303::lds::LdsFile;
use icao9303::lds::decoded::decode_file;
use icao9303::lds::sod::{ID_LDS_SECURITY_OBJECT, SOD_TAG, Sod};
use icao9303::pki::{Time, TrustStore, cms, verify_sod};

/// `levels` constructed OCTET STRINGs (tag 24) nested inside each other with four-octet definite lengths,
/// around one primitive OCTET STRING: six bytes per level.
fn nested_definite_octet_strings(levels: usize) -> Vec<u8> {
    let leaf = der::octet_string(b"x");
    let mut out = Vec::with_capacity(levels * 6 + leaf.len());
    for i in 0..levels {
        let inner = (levels - i - 1) * 6 + leaf.len();
        out.extend([0x24, 0x84]);
        out.extend(u32::try_from(inner).unwrap().to_be_bytes());
    }
    out.extend(leaf);
    out
}

/// `levels` constructed OCTET STRINGs with indefinite lengths, each closed by `00 00`: four bytes per level.
fn nested_indefinite_octet_strings(levels: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(levels * 4 + 3);
    for _ in 0..levels {
        out.extend([0x24, 0x80]);
    }
    out.extend(der::octet_string(b"x"));
    out.resize(out.len() + 2 * levels, 0);
    out
}

/// An EF.SOD (tag 77, ContentInfo, SignedData v3) whose eContent [0] holds `econtent` (already encoded).
fn sod_around(econtent: &[u8]) -> Vec<u8> {
    let signed_data = der::sequence(&[
        &der::integer_u64(3),
        &der::set(&[]),
        &der::sequence(&[
            &der::oid(&ID_LDS_SECURITY_OBJECT),
            &der::tlv(tag::context(0), econtent),
        ]),
        &der::set(&[]),
    ]);
    der::tlv(
        SOD_TAG,
        &der::sequence(&[
            &der::oid(&cms::ID_SIGNED_DATA),
            &der::tlv(tag::context(0), &signed_data),
        ]),
    )
}

/// Every way the library reads an EF.SOD rejects `bytes` with an error containing `expected`.
fn rejected_everywhere(bytes: &[u8], expected: &str) {
    let err = Sod::parse(bytes).unwrap_err().to_string();
    assert!(err.contains(expected), "Sod::parse: {err}");

    let report = verify_sod(bytes, &TrustStore::new(), Time::from_ymd(2026, 1, 1), None);
    assert!(!report.passed());
    assert!(
        report.structure.reason.contains(expected),
        "verify_sod: {}",
        report.structure.reason
    );

    let decoded = decode_file(LdsFile::Sod, bytes);
    assert!(
        decoded.error().is_some_and(|e| e.contains(expected)),
        "decode_file: {:?}",
        decoded.error()
    );

    let document = Document::from_files([(LdsFile::Sod, bytes.to_vec())]);
    let report = icao9303::verify::report(
        &document,
        None,
        Vec::new(),
        &icao9303::verify::Scope::default(),
        Some(&TrustStore::new()),
        Time::from_ymd(2026, 1, 1),
        icao9303::verify::Chip::NotPresent,
    );
    assert!(report.has_failures(), "{}", report.summary());
}

#[test]
fn a_730_kb_sod_of_nested_octet_strings_is_an_error_not_a_stack_overflow() {
    let sod = sod_around(&nested_definite_octet_strings(730 * 1024 / 6));
    assert!(sod.len() > 730_000, "{}", sod.len());
    rejected_everywhere(&sod, &format!("nested deeper than {MAX_DEPTH} levels"));
}

#[test]
fn deep_indefinite_lengths_are_an_error() {
    let sod = sod_around(&nested_indefinite_octet_strings(730 * 1024 / 4));
    assert!(sod.len() > 730_000, "{}", sod.len());
    rejected_everywhere(&sod, &format!("nested deeper than {MAX_DEPTH} levels"));
    // Unterminated: the end-of-contents octets are missing.
    let mut open = nested_indefinite_octet_strings(10);
    open.truncate(open.len() - 4);
    rejected_everywhere(&sod_around(&open), "truncated end-of-contents");
}

#[test]
fn nesting_within_the_limit_still_parses() {
    // 40 levels of constructed OCTET STRING around the eContent is odd but valid BER.
    let sod = sod_around(&nested_definite_octet_strings(40));
    let err = Sod::parse(&sod).unwrap_err().to_string();
    // The eContent ("x") is read; it is not an LDSSecurityObject.
    assert!(err.contains("LDSSecurityObject"), "{err}");
}

#[test]
fn huge_declared_lengths_are_an_error_without_allocating() {
    // The outer tag declares 4 GiB.
    rejected_everywhere(
        &[0x77, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x30, 0x00],
        "truncated value",
    );
    // The eContent declares 4 GiB inside an otherwise well-formed SOD (the outer lengths are honest).
    let econtent = [0x24, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x04, 0x01, b'x'];
    rejected_everywhere(&sod_around(&econtent), "truncated value");
    // Five length octets.
    rejected_everywhere(
        &sod_around(&[0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00]),
        "length field longer than four bytes",
    );
}
