//! Digital Travel Credential Type 1 (DTC-VC): the two examples built from the BSI reference data set
//! (test-vectors/data/dtc, with offsets and hashes in expected.json), export from a document, and every
//! negative case of the design notes (DTC.md §4.5), built from the minimal example.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use icao9303::crypto::hash::HashAlgorithm;
use icao9303::document::Document;
use icao9303::dtc::{Dtc, DtcError, ExportOptions};
use icao9303::lds::LdsFile;
use icao9303::pki::Time;
use icao9303::report::{CheckId, CheckStatus, DocumentResult, Report, ReportSource};
use icao9303::tlv;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn expected() -> serde_json::Value {
    serde_json::from_slice(&read("dtc/expected.json")).unwrap()
}

fn minimal() -> Vec<u8> {
    read("dtc/bsi-type1-minimal.dtcvc")
}

/// The BSI reference data set's files, by LDS file.
fn bsi(files: &[LdsFile]) -> Document {
    Document::from_files(files.iter().map(|f| {
        let name = match f {
            LdsFile::Com => "EF_COM.bin".to_string(),
            LdsFile::Sod => "EF_SOD.bin".to_string(),
            LdsFile::Dg(n) => format!("Datagroup{n}.bin"),
            other => panic!("{other} is not in the BSI data set"),
        };
        (*f, read(&format!("bsi-reference-dataset/{name}")))
    }))
}

fn at() -> Time {
    Time::from_ymd(2026, 11, 1)
}

fn check<'a>(report: &'a Report, name: &str) -> &'a icao9303::report::Check {
    report
        .checks
        .iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("no check {name}: {:#?}", report.checks))
}

#[test]
fn examples_parse_to_the_expected_layout_and_re_encode_byte_for_byte() {
    let expected = expected();
    for (variant, want) in expected["variants"].as_object().unwrap() {
        let bytes = read(&format!("dtc/{}", want["file"].as_str().unwrap()));
        assert_eq!(
            bytes.len() as u64,
            want["total_length"].as_u64().unwrap(),
            "{variant}"
        );
        assert_eq!(
            hex::encode(HashAlgorithm::Sha256.digest(&bytes)),
            want["sha256"].as_str().unwrap(),
            "{variant}"
        );
        let dtc = Dtc::parse(&bytes).unwrap_or_else(|e| panic!("{variant}: {e}"));
        assert_eq!(dtc.to_der(), bytes, "{variant}: re-encoding");
        let layout = dtc.layout();
        let elements = want["elements"].as_array().unwrap();
        assert_eq!(layout.len(), elements.len(), "{variant}");
        for (got, want) in layout.iter().zip(elements) {
            let name = want["name"].as_str().unwrap();
            assert!(name.starts_with(&got.name), "{variant}: {name} vs {got:?}");
            assert_eq!(
                got.offset as u64,
                want["offset"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                got.header,
                want["header"].as_str().unwrap().to_uppercase(),
                "{name}"
            );
            assert_eq!(
                got.header_len as u64,
                want["header_len"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                got.content_len as u64,
                want["content_len"].as_u64().unwrap(),
                "{name}"
            );
            let content = &bytes[got.offset + got.header_len..][..got.content_len];
            assert!(
                hex::encode(content).starts_with(want["content_first_4"].as_str().unwrap()),
                "{name}"
            );
        }
        // Each element is the BSI file byte for byte.
        assert_eq!(
            dtc.sod(),
            read("bsi-reference-dataset/EF_SOD.bin").as_slice()
        );
        for (n, bytes) in dtc.data_groups() {
            assert_eq!(
                bytes,
                read(&format!("bsi-reference-dataset/Datagroup{n}.bin")).as_slice(),
                "DG{n}"
            );
        }
        // The hashes against EF.SOD, as expected.json records them.
        let document = dtc.document();
        let sod = document.sod.as_ref().unwrap();
        assert_eq!(sod.content_type.to_string(), expected["sod_econtent_type"]);
        assert_eq!(sod.hash_algorithm, HashAlgorithm::Sha256);
        let listed: Vec<u64> = sod
            .data_group_hashes
            .keys()
            .map(|n| u64::from(*n))
            .collect();
        let want_listed: Vec<u64> = expected["sod_lists_dgs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(listed, want_listed);
        let checks = want["dg_hash_checks"].as_object().unwrap();
        assert_eq!(checks.len(), dtc.data_groups().count(), "{variant}");
        for (dg, verdict) in checks {
            let n: u8 = dg.trim_start_matches("DG").parse().unwrap();
            let status = document.hash_status(LdsFile::Dg(n)).status;
            let want = match verdict.as_str().unwrap() {
                "match" => CheckStatus::Valid,
                "NOT LISTED IN SOD" => CheckStatus::Invalid,
                other => panic!("unknown verdict {other}"),
            };
            assert_eq!(status, want, "{variant} {dg}");
        }
    }
}

#[test]
fn minimal_example_verifies_with_an_unknown_issuer() {
    let dtc = Dtc::parse(&minimal()).unwrap();
    let report = dtc.report(None, at());
    assert_eq!(report.source, ReportSource::DtcVc);
    assert!(report.access.is_none());
    assert_eq!(check(&report, "DTC-VC").status(), CheckStatus::Valid);
    assert_eq!(
        check(&report, "EF.SOD signature").status(),
        CheckStatus::Valid
    );
    let chain = check(&report, "DSC chain");
    assert_eq!(chain.status(), CheckStatus::NotChecked);
    assert!(
        chain.reason().contains("unknown issuer"),
        "{}",
        chain.reason()
    );
    for dg in ["DG1 hash", "DG2 hash"] {
        assert_eq!(check(&report, dg).status(), CheckStatus::Valid, "{dg}");
    }
    // DG3, DG4 and DG14 are listed in EF.SOD but not in this DTC-VC: normal, not an error.
    assert_eq!(
        check(&report, "DG14 hash").status(),
        CheckStatus::NotChecked
    );
    assert!(!report.has_failures(), "{:#?}", report.checks);
    // The chip was not there: chip authenticity is not available, and the report says so.
    assert_eq!(
        check(&report, "Chip authenticity").status(),
        CheckStatus::NotChecked
    );
    assert!(
        report
            .check(CheckId::ChipAuthenticity)
            .unwrap()
            .reason()
            .contains("chip was not present")
    );
    // No chip, as for any offline verification: no chip authenticity section.
    assert!(report.chip_authenticity.is_none());
    // The signer is unknown: not verified, and the verdict says what to do.
    assert_eq!(report.verdict.result, DocumentResult::NotVerified);
    assert!(
        report.verdict.reasons[0].contains("the signer is not trusted"),
        "{:?}",
        report.verdict
    );
    assert!(report.to_json().contains("\"source\": \"dtc-vc\""));
    assert_eq!(
        report.mrz.as_ref().unwrap().primary_identifier,
        "MUSTERMANN"
    );
}

#[test]
fn full_example_fails_on_the_data_group_ef_sod_does_not_list() {
    let dtc = Dtc::parse(&read("dtc/bsi-type1-full.dtcvc")).unwrap();
    let report = dtc.report(None, at());
    assert_eq!(
        check(&report, "EF.SOD signature").status(),
        CheckStatus::Valid
    );
    assert_eq!(check(&report, "DG14 hash").status(), CheckStatus::Valid);
    let dg15 = check(&report, "DG15 hash");
    assert_eq!(dg15.status(), CheckStatus::Invalid);
    assert!(
        dg15.reason().contains("not listed in EF.SOD"),
        "{}",
        dg15.reason()
    );
    assert_eq!(
        report
            .checks
            .iter()
            .filter(|c| c.id == CheckId::DgHash(15))
            .count(),
        1
    );
    assert!(report.has_failures());
    assert_eq!(report.verdict.result, DocumentResult::Failed);
}

#[test]
fn the_same_report_as_the_dump_it_came_from() {
    // Passive authentication of the DTC-VC's document is the dump's, check for check.
    let files = [LdsFile::Sod, LdsFile::Dg(1), LdsFile::Dg(2)];
    let dump = icao9303::verify::report(
        &bsi(&files),
        None,
        Vec::new(),
        &icao9303::verify::Scope::default(),
        None,
        at(),
        icao9303::verify::Chip::NotPresent,
    );
    let dtc = Dtc::parse(&minimal()).unwrap().report(None, at());
    assert_eq!(dump.source, ReportSource::Dump);
    let dtc_only = [CheckId::Dtc, CheckId::ChipAuthenticity];
    let dtc_checks: Vec<_> = dtc
        .checks
        .iter()
        .filter(|c| !dtc_only.contains(&c.id))
        .cloned()
        .collect();
    assert_eq!(dtc_checks, dump.checks);
    assert_eq!(dtc.mrz, dump.mrz);
    assert_eq!(dtc.files, dump.files);
    // The same verdict over the same data groups; only the reason DG3 and DG4 are absent differs: a
    // DTC-VC leaves them out by design, a dump because the read had no Terminal Authentication.
    assert_eq!(dtc.verdict.result, dump.verdict.result);
    assert_eq!(dtc.verdict.reasons, dump.verdict.reasons);
    assert_eq!(dtc.verdict.covered, dump.verdict.covered);
    let gaps = |r: &icao9303::Report| -> Vec<(u8, bool)> {
        r.verdict
            .not_covered
            .iter()
            .map(|n| (n.data_group, n.permitted))
            .collect()
    };
    assert_eq!(gaps(&dtc), gaps(&dump));
    assert_eq!(gaps(&dump), vec![(3, true), (4, true), (14, false)]);
}

#[test]
fn export_of_the_bsi_files_gives_the_minimal_example() {
    let files = [LdsFile::Sod, LdsFile::Dg(1), LdsFile::Dg(2)];
    let export = Dtc::from_document(&bsi(&files), ExportOptions::default()).unwrap();
    assert!(export.omitted.is_empty());
    assert_eq!(export.dtc.to_der(), minimal());
}

#[test]
fn export_leaves_out_what_ef_sod_does_not_protect_and_biometrics_unless_asked() {
    let all = [
        LdsFile::Com,
        LdsFile::Sod,
        LdsFile::Dg(1),
        LdsFile::Dg(2),
        LdsFile::Dg(3),
        LdsFile::Dg(4),
        LdsFile::Dg(14),
        LdsFile::Dg(15),
    ];
    let document = bsi(&all);
    let export = Dtc::from_document(&document, ExportOptions::default()).unwrap();
    let numbers: Vec<u8> = export.dtc.data_groups().map(|(n, _)| n).collect();
    assert_eq!(numbers, [1, 2, 14]);
    let omitted: Vec<LdsFile> = export.omitted.iter().map(|o| o.file).collect();
    assert_eq!(omitted, [LdsFile::Dg(3), LdsFile::Dg(4), LdsFile::Dg(15)]);
    assert!(export.omitted[0].reason.contains("Extended Access Control"));
    assert!(export.omitted[2].reason.contains("not listed in EF.SOD"));
    // The export verifies with no failure and re-parses to itself.
    let der = export.dtc.to_der();
    assert_eq!(Dtc::parse(&der).unwrap(), export.dtc);
    assert!(!export.dtc.report(None, at()).has_failures());

    let with = Dtc::from_document(
        &document,
        ExportOptions {
            include_biometrics: true,
        },
    )
    .unwrap();
    let numbers: Vec<u8> = with.dtc.data_groups().map(|(n, _)| n).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 14]);
    assert_eq!(with.omitted.len(), 1);
}

#[test]
fn export_never_includes_an_altered_data_group() {
    let mut files: Vec<(LdsFile, Vec<u8>)> = [
        LdsFile::Sod,
        LdsFile::Dg(1),
        LdsFile::Dg(2),
        LdsFile::Dg(14),
    ]
    .iter()
    .map(|f| (*f, bsi(&[*f]).files.remove(f).unwrap()))
    .collect();
    let last = files[3].1.len() - 1;
    files[3].1[last] ^= 1;
    let export = Dtc::from_document(
        &Document::from_files(files.clone()),
        ExportOptions::default(),
    )
    .unwrap();
    assert!(export.dtc.data_group(14).is_none());
    assert_eq!(export.omitted[0].file, LdsFile::Dg(14));
    assert!(
        export.omitted[0].reason.contains("does not match"),
        "{}",
        export.omitted[0].reason
    );

    // An altered DG1 or DG2 makes the export fail.
    files[1].1[10] ^= 1;
    let err =
        Dtc::from_document(&Document::from_files(files), ExportOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DtcError::NotAuthenticated {
                file: LdsFile::Dg(1),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn export_without_ef_sod_dg1_or_dg2_is_an_error() {
    let all = [LdsFile::Sod, LdsFile::Dg(1), LdsFile::Dg(2)];
    for missing in all {
        let files: Vec<LdsFile> = all.iter().copied().filter(|f| *f != missing).collect();
        let err = Dtc::from_document(&bsi(&files), ExportOptions::default()).unwrap_err();
        assert_eq!(err, DtcError::MissingFile(missing));
        assert!(err.to_string().contains(&missing.name()), "{err}");
    }
    // An EF.SOD that does not parse cannot protect anything.
    let mut document = bsi(&all);
    document
        .files
        .insert(LdsFile::Sod, tlv::encode(0x77, &[0x30, 0x00]));
    assert!(matches!(
        Dtc::from_document(&document, ExportOptions::default()),
        Err(DtcError::Sod(_))
    ));
}

#[test]
fn long_lengths_use_the_three_byte_form() {
    // A DG2 of more than 65 535 bytes takes the 83 length form in dtcData and DTCContentInfo.
    let dg2 = tlv::encode(0x75, &vec![0xAB; 70_000]);
    let mut data = tlv::encode(0x80, &read("bsi-reference-dataset/EF_SOD.bin"));
    data.extend(tlv::encode(
        0x81,
        &read("bsi-reference-dataset/Datagroup1.bin"),
    ));
    data.extend(tlv::encode(0x82, &dg2));
    let mut content = vec![0x02, 0x01, 0x01];
    content.extend(tlv::encode(0x30, &data));
    let bytes = tlv::encode(0x30, &content);
    assert_eq!(bytes[1], 0x83);
    let dtc = Dtc::parse(&bytes).unwrap();
    assert_eq!(dtc.to_der(), bytes);
    assert_eq!(dtc.data_group(2), Some(dg2.as_slice()));
    let layout = dtc.layout();
    assert!(layout[4 - 1].header.starts_with("808207"), "{layout:?}");
    assert_eq!(layout[5].header, "8283011175");
    // Passive authentication notices the forged DG2.
    let report = dtc.report(None, at());
    assert_eq!(check(&report, "DG2 hash").status(), CheckStatus::Invalid);
}

// ---- DTC.md §4.5: negative cases, each built from the minimal example ----

/// The minimal example's dtcData elements: (tag, content).
fn minimal_elements() -> Vec<(u32, Vec<u8>)> {
    let bytes = minimal();
    let dtc = Dtc::parse(&bytes).unwrap();
    std::iter::once((0x80, dtc.sod().to_vec()))
        .chain(
            dtc.data_groups()
                .map(|(n, b)| (0x80 | u32::from(n), b.to_vec())),
        )
        .collect()
}

/// A DTCContentInfo around `elements` (lengths recomputed), with `after_data` appended inside
/// DTCContentInfo and `in_data` appended inside dtcData.
fn build(elements: &[(u32, Vec<u8>)], in_data: &[u8], after_data: &[u8]) -> Vec<u8> {
    let mut data: Vec<u8> = elements
        .iter()
        .flat_map(|(t, c)| tlv::encode(*t, c))
        .collect();
    data.extend_from_slice(in_data);
    let mut content = vec![0x02, 0x01, 0x01];
    content.extend(tlv::encode(0x30, &data));
    content.extend_from_slice(after_data);
    tlv::encode(0x30, &content)
}

#[test]
fn rebuilding_the_minimal_example_gives_it_back() {
    assert_eq!(build(&minimal_elements(), &[], &[]), minimal());
}

#[test]
fn version_2_is_rejected() {
    let mut bytes = minimal();
    assert_eq!(bytes[6], 0x01);
    bytes[6] = 0x02;
    let err = Dtc::parse(&bytes).unwrap_err();
    assert_eq!(
        err,
        DtcError::Version {
            found: "020102".into()
        }
    );
    assert!(
        err.to_string().contains("version must be INTEGER 1"),
        "{err}"
    );
}

#[test]
fn a_missing_mandatory_element_is_rejected() {
    for (drop, element) in [(0x80, "dtcSOD"), (0x81, "dtcDG1"), (0x82, "dtcDG2")] {
        let elements: Vec<_> = minimal_elements()
            .into_iter()
            .filter(|(t, _)| *t != drop)
            .collect();
        let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
        assert_eq!(err, DtcError::MissingElement { element }, "{element}");
    }
    // No dtcData, no version.
    let err = Dtc::parse(&tlv::encode(0x30, &[0x02, 0x01, 0x01])).unwrap_err();
    assert_eq!(err, DtcError::MissingElement { element: "dtcData" });
    let err = Dtc::parse(&[0x30, 0x00]).unwrap_err();
    assert_eq!(err, DtcError::MissingElement { element: "version" });
}

#[test]
fn type_2_or_3_signature_parts_are_rejected_as_not_type_1() {
    for (extra, element) in [
        ([0xA0, 0x02, 0x30, 0x00], "dtcTBS"),
        ([0xA1, 0x02, 0x30, 0x00], "dtcSignerInfo"),
    ] {
        let err = Dtc::parse(&build(&minimal_elements(), &[], &extra)).unwrap_err();
        assert!(
            matches!(err, DtcError::NotType1 { element: e, .. } if e == element),
            "{err}"
        );
        assert!(
            err.to_string().contains("Type 2/3 signature parts"),
            "{err}"
        );
    }
}

#[test]
fn security_and_other_infos_are_forbidden_in_type_1() {
    for (extra, element) in [
        ([0xB6, 0x02, 0x30, 0x00], "dtcSecurityInfo"),
        ([0xB7, 0x02, 0x30, 0x00], "dtcOtherInfos"),
    ] {
        let err = Dtc::parse(&build(&minimal_elements(), &extra, &[])).unwrap_err();
        assert!(
            matches!(err, DtcError::ForbiddenInType1 { element: e, offset } if e == element && offset == 17131),
            "{err:?}"
        );
        assert!(err.to_string().contains("MUST NOT be present"), "{err}");
    }
}

#[test]
fn elements_out_of_order_or_repeated_are_rejected() {
    let mut elements = minimal_elements();
    elements.swap(1, 2);
    let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
    assert!(
        matches!(&err, DtcError::Order { element, after, .. } if element == "dtcDG1" && after == "dtcDG2"),
        "{err}"
    );
    let mut elements = minimal_elements();
    elements.insert(2, elements[1].clone());
    let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
    assert!(
        matches!(&err, DtcError::Duplicate { element, .. } if element == "dtcDG1"),
        "{err}"
    );
}

#[test]
fn dg1_without_its_61_tag_is_rejected() {
    let mut elements = minimal_elements();
    let dg1 = &elements[1].1;
    assert_eq!(&dg1[..2], [0x61, 0x5B]);
    elements[1].1 = dg1[2..].to_vec();
    let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
    assert!(
        matches!(&err, DtcError::WrongFileTag { element, expected: 0x61, found: 0x5F1F, .. } if element == "dtcDG1"),
        "{err}"
    );
}

#[test]
fn dg1_in_the_dg2_slot_is_rejected() {
    let mut elements = minimal_elements();
    elements[2].1 = elements[1].1.clone();
    let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
    assert!(
        matches!(&err, DtcError::WrongFileTag { element, file: LdsFile::Dg(2), expected: 0x75, found: 0x61 } if element == "dtcDG2"),
        "{err}"
    );
    assert!(err.to_string().contains("tag 75"), "{err}");
}

#[test]
fn a_forged_dg1_parses_but_fails_its_hash() {
    let mut bytes = minimal();
    let erika = bytes.windows(5).position(|w| w == b"ERIKA").unwrap();
    bytes[erika + 4] = b'B';
    let dtc = Dtc::parse(&bytes).unwrap();
    let report = dtc.report(None, at());
    assert_eq!(check(&report, "DG1 hash").status(), CheckStatus::Invalid);
    assert_eq!(
        check(&report, "EF.SOD signature").status(),
        CheckStatus::Valid
    );
    assert!(report.has_failures());
}

#[test]
fn a_trailing_byte_is_rejected() {
    let mut bytes = minimal();
    bytes.push(0x00);
    assert_eq!(
        Dtc::parse(&bytes).unwrap_err(),
        DtcError::TrailingBytes {
            offset: 17131,
            count: 1
        }
    );
}

#[test]
fn a_non_minimal_length_is_rejected() {
    let mut bytes = minimal();
    // dtcDG1 at 1949: 81 5D → 81 81 5D, the enclosing lengths grown by one.
    assert_eq!(&bytes[1949..1951], [0x81, 0x5D]);
    bytes.insert(1950, 0x81);
    assert_eq!(&bytes[..4], [0x30, 0x82, 0x42, 0xE7]);
    bytes[3] = 0xE8;
    assert_eq!(&bytes[7..11], [0x30, 0x82, 0x42, 0xE0]);
    bytes[10] = 0xE1;
    let err = Dtc::parse(&bytes).unwrap_err();
    assert!(
        matches!(&err, DtcError::NotDer { offset: 1950, what } if what.contains("shortest form")),
        "{err}"
    );
}

#[test]
fn an_indefinite_outer_length_is_rejected() {
    let bytes = minimal();
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(&bytes[4..]);
    indefinite.extend_from_slice(&[0x00, 0x00]);
    let err = Dtc::parse(&indefinite).unwrap_err();
    assert!(
        matches!(&err, DtcError::NotDer { offset: 1, what } if what.contains("indefinite")),
        "{err}"
    );
}

#[test]
fn an_ef_sod_without_its_77_tag_is_rejected() {
    // OPEN-4: the bare CMS ContentInfo is refused; EF.SOD is defined with tag 77.
    let mut elements = minimal_elements();
    let inner = tlv::parse_exact(&elements[0].1, 0x77)
        .unwrap()
        .value
        .to_vec();
    assert_eq!(&inner[..4], [0x30, 0x82, 0x07, 0x86]);
    elements[0].1 = inner;
    let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
    assert!(
        matches!(&err, DtcError::WrongFileTag { element, expected: 0x77, found: 0x30, .. } if element == "dtcSOD"),
        "{err}"
    );
}

#[test]
fn unknown_and_malformed_elements_are_rejected() {
    // An extension element [17] (tag 91), a constructed data group, an element inside DTCContentInfo.
    let err = Dtc::parse(&build(&minimal_elements(), &[0x91, 0x00], &[])).unwrap_err();
    assert!(
        matches!(
            err,
            DtcError::UnknownElement {
                parent: "dtcData",
                tag: 0x91,
                ..
            }
        ),
        "{err}"
    );
    let err = Dtc::parse(&build(&minimal_elements(), &[0xA3, 0x00], &[])).unwrap_err();
    assert!(
        matches!(err, DtcError::UnknownElement { tag: 0xA3, .. }),
        "{err}"
    );
    let err = Dtc::parse(&build(&minimal_elements(), &[], &[0x04, 0x00])).unwrap_err();
    assert!(
        matches!(
            err,
            DtcError::UnknownElement {
                parent: "DTCContentInfo",
                ..
            }
        ),
        "{err}"
    );
    // A data group with bytes after its TLV.
    let mut elements = minimal_elements();
    elements[1].1.push(0x00);
    let err = Dtc::parse(&build(&elements, &[], &[])).unwrap_err();
    assert!(matches!(err, DtcError::FileEncoding { .. }), "{err}");
    // Not a SEQUENCE at all; dtcData not a SEQUENCE.
    assert!(matches!(
        Dtc::parse(&[0x31, 0x00]),
        Err(DtcError::UnexpectedTag {
            element: "DTCContentInfo",
            ..
        })
    ));
    assert!(matches!(
        Dtc::parse(&[0x30, 0x05, 0x02, 0x01, 0x01, 0x31, 0x00]),
        Err(DtcError::UnexpectedTag {
            element: "dtcData",
            ..
        })
    ));
}

#[test]
fn padding_between_elements_is_not_der() {
    // ISO/IEC 7816-4 lets LDS files pad with 00 or FF between objects; DER and the DTC-VC envelope do not.
    for pad in [0x00u8, 0xFF] {
        let err = Dtc::parse(&build(&minimal_elements(), &[pad], &[])).unwrap_err();
        assert!(
            matches!(
                err,
                DtcError::NotDer { .. } | DtcError::UnknownElement { .. }
            ),
            "{pad:02X}: {err:?}"
        );
    }
}

#[test]
fn every_truncation_is_an_error_never_a_panic() {
    let bytes = minimal();
    for n in (0..bytes.len())
        .step_by(7)
        .chain([1, 2, 3, 4, 10, 11, 12, 1948, 1950])
    {
        assert!(Dtc::parse(&bytes[..n]).is_err(), "prefix of {n} bytes");
    }
}

#[test]
fn what_parses_after_a_mutation_is_strict_der() {
    // Every value of every envelope byte (the headers of DTCContentInfo, version, dtcData and each element):
    // parsing never panics, and whatever parses re-encodes to exactly the mutated bytes.
    let bytes = minimal();
    let headers: Vec<usize> = Dtc::parse(&bytes)
        .unwrap()
        .layout()
        .iter()
        .flat_map(|e| e.offset..e.offset + e.header_len + usize::from(e.name == "version"))
        .collect();
    assert_eq!(headers.len(), 4 + 3 + 4 + 4 + 2 + 4);
    let mut accepted = 0;
    for &i in &headers {
        for value in 0..=255u8 {
            let mut b = bytes.clone();
            b[i] = value;
            if let Ok(dtc) = Dtc::parse(&b) {
                assert_eq!(dtc.to_der(), b, "byte {i} = {value:02X}");
                accepted += 1;
            }
        }
    }
    // Only the original value of each byte is accepted.
    assert_eq!(accepted, headers.len());
}
