//! DG7, DG11, DG12, DG13, DG16, EF.DIR against the ICAO 9303-10 example encodings in test-vectors/data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::lds::dg11::{DateEncoding, Dg11};
use icao9303::lds::dg12::Dg12;
use icao9303::lds::dg13::Dg13;
use icao9303::lds::dg16::Dg16;
use icao9303::lds::displayed_image::{DisplayedImageGroup, DisplayedImageKind};
use icao9303::lds::ef_dir::{AID_LDS1, EfDir};
use icao9303::lds::error::LdsError;
use icao9303::lds::image::{ImageFormat, decode_image};

fn example(name: &str) -> Vec<u8> {
    let full = format!(
        "{}/../../test-vectors/data/icao-9303-10-examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn dg11_example() {
    let dg = Dg11::parse(&example("EF_DG11.bin")).unwrap();
    assert_eq!(dg.tag_list, vec![0x5F0E, 0x5F11, 0x5F42, 0x5F12, 0x5F13]);
    assert_eq!(dg.full_name.as_deref(), Some("SMITH<<JOHN<J"));
    assert_eq!(dg.place_of_birth.as_deref(), Some("ANYTOWN<MN"));
    assert_eq!(dg.address.as_deref(), Some("123 MAPLE RD<ANYTOWN<MN"));
    assert_eq!(dg.telephone.as_deref(), Some("16125551212"));
    assert_eq!(dg.profession.as_deref(), Some("TRAVEL<AGENT"));
    assert_eq!(dg.personal_number, None);
    assert_eq!(dg.full_date_of_birth, None);
    assert!(dg.other_names.is_empty());
    assert!(dg.unknown.is_empty());
    assert!(dg.warnings.is_empty(), "{:?}", dg.warnings);
}

#[test]
fn dg11_partial_date_and_other_names() {
    // 6B { 5C 5F0E A0 5F2B, 5F0E, A0 { 02 01, 5F0F }, 5F2B "19880000", 5F7F (not a DG11 tag) }
    use icao9303::asn1::der::{constructed, tlv};
    let bytes = constructed(
        0x6B,
        &[
            &tlv(0x5C, &[0x5F, 0x0E, 0xA0, 0x5F, 0x2B]),
            &tlv(0x5F0E, "MÜLLER<<JÖRG".as_bytes()),
            &constructed(0xA0, &[&tlv(0x02, &[1]), &tlv(0x5F0F, b"MUELLER<<JOERG")]),
            &tlv(0x5F2B, b"19880000"),
            &tlv(0x5F7F, b"?"),
        ],
    );
    let dg = Dg11::parse(&bytes).unwrap();
    assert_eq!(dg.full_name.as_deref(), Some("MÜLLER<<JÖRG"));
    assert_eq!(dg.other_names, vec!["MUELLER<<JOERG"]);
    let dob = dg.full_date_of_birth.unwrap();
    assert_eq!(dob.raw, "19880000");
    assert_eq!(dob.encoding, DateEncoding::Ascii);
    assert_eq!((dob.year, dob.month, dob.day), (Some(1988), None, None));
    assert_eq!(dob.iso8601().as_deref(), Some("1988"));
    assert_eq!(dg.unknown, vec![(0x5F7F, b"?".to_vec())]);
    // 5F7F is present but not listed in 5C.
    assert_eq!(dg.warnings.len(), 1, "{:?}", dg.warnings);
    assert!(dg.warnings[0].contains("5F7F"));
}

#[test]
fn dg12_france_example() {
    let dg = Dg12::parse(&example("EF_DG12_FR.bin")).unwrap();
    assert_eq!(dg.tag_list, vec![0x5F19, 0x5F26]);
    assert_eq!(
        dg.issuing_authority.as_deref(),
        Some("JAKARTA - AMBASSADE DE FRANCE EN INDONESIE")
    );
    let date = dg.date_of_issue.unwrap();
    assert_eq!(date.raw, "20170905");
    assert_eq!(date.iso8601().as_deref(), Some("2017-09-05"));
    assert!(dg.warnings.is_empty(), "{:?}", dg.warnings);
}

#[test]
fn dg12_new_zealand_example() {
    let dg = Dg12::parse(&example("EF_DG12_NZ.bin")).unwrap();
    assert_eq!(dg.tag_list, vec![0x5F55, 0x5F56]);
    assert_eq!(
        dg.personalization_date_time.as_deref(),
        Some("20161115013612")
    );
    assert_eq!(
        dg.personalization_system_serial_number.as_deref(),
        Some("N-4962")
    );
    assert_eq!(dg.issuing_authority, None);
    assert!(dg.warnings.is_empty(), "{:?}", dg.warnings);
}

#[test]
fn dg16_example() {
    let dg = Dg16::parse(&example("EF_DG16.bin")).unwrap();
    assert_eq!(dg.declared_count, Some(2));
    assert_eq!(dg.persons.len(), 2);
    let a = &dg.persons[0];
    assert_eq!(a.template_tag, 0xA1);
    assert_eq!(
        a.date_recorded
            .as_ref()
            .and_then(|d| d.iso8601())
            .as_deref(),
        Some("2002-01-01")
    );
    assert_eq!(a.name.as_deref(), Some("SMITH<<CHARLES<R"));
    assert_eq!(a.telephone.as_deref(), Some("19525551212"));
    assert_eq!(a.address.as_deref(), Some("123 MAPLE RD<ANYTOWN<MN<55100"));
    let b = &dg.persons[1];
    assert_eq!(b.template_tag, 0xA2);
    assert_eq!(
        b.date_recorded.as_ref().map(|d| d.raw.as_str()),
        Some("20020315")
    );
    assert_eq!(b.name.as_deref(), Some("BROWN<<MARY<J"));
    assert_eq!(b.telephone.as_deref(), Some("14155551212"));
    assert_eq!(
        b.address.as_deref(),
        Some("49 REDWOOD LN<OCEAN BREEZE<CA<94000")
    );
    assert!(dg.warnings.is_empty(), "{:?}", dg.warnings);
}

#[test]
fn dg7_example_signature() {
    let bytes = example("EF_DG7.bin");
    let dg = DisplayedImageGroup::parse(&bytes).unwrap();
    assert_eq!(dg.data_group, 7);
    assert_eq!(dg.declared_count, Some(1));
    assert_eq!(dg.images.len(), 1);
    let img = &dg.images[0];
    assert_eq!(img.kind, DisplayedImageKind::SignatureOrUsualMark);
    assert_eq!(img.format, ImageFormat::Jpeg);
    assert_eq!(img.data.len(), 0x13EB);
    assert_eq!(img.data[..], bytes[bytes.len() - 0x13EB..]);
    let decoded = decode_image(&img.data).unwrap();
    assert_eq!((decoded.width, decoded.height), (148, 70));
    assert!(dg.warnings.is_empty(), "{:?}", dg.warnings);
}

#[test]
fn ef_dir_example() {
    let dir = EfDir::parse(&example("EF_DIR.bin")).unwrap();
    let aids: Vec<String> = dir.applications.iter().map(|a| a.aid.clone()).collect();
    assert_eq!(
        aids,
        vec![
            "A0000002471001",
            "A0000002472001",
            "A0000002472002",
            "A0000002472003"
        ]
    );
    assert_eq!(dir.aids()[0], &AID_LDS1[..]);
    assert!(dir.has_lds1());
    assert_eq!(dir.applications[1].name, Some("LDS2 travel records"));
    assert!(dir.warnings.is_empty() && dir.unknown.is_empty());
}

#[test]
fn dg13_is_kept_raw() {
    let dg = Dg13::parse(&[0x6D, 0x04, 0x5F, 0x01, 0x01, b'X']).unwrap();
    assert_eq!(dg.value, vec![0x5F, 0x01, 0x01, b'X']);
    assert_eq!(dg.hex(), "5F010158");
    assert_eq!(dg.printable_text(), "_..X");
}

#[test]
fn wrong_files_are_named_errors() {
    let e = Dg11::parse(&example("EF_DG12_FR.bin")).unwrap_err();
    assert_eq!(
        e,
        LdsError::UnexpectedTag {
            file: "DG11",
            expected: 0x6B,
            found: 0x6C
        }
    );
    let e = Dg16::parse(&example("EF_DG16.bin")[..40]).unwrap_err();
    assert!(e.to_string().starts_with("DG16: malformed TLV"), "{e}");
}

#[test]
fn serializes_to_json() {
    let dg = Dg12::parse(&example("EF_DG12_FR.bin")).unwrap();
    let json = serde_json::to_value(&dg).unwrap();
    assert_eq!(json["date_of_issue"]["year"], 2017);
    let dg7 = DisplayedImageGroup::parse(&example("EF_DG7.bin")).unwrap();
    assert_eq!(
        serde_json::to_value(&dg7).unwrap()["images"][0]["data_length"],
        0x13EB
    );
}

#[test]
fn trailing_bytes_are_a_warning_not_an_error() {
    let mut bytes = example("EF_DG16.bin");
    bytes.extend_from_slice(&[0x00, 0x00]);
    let dg = Dg16::parse(&bytes).unwrap();
    assert_eq!(dg.persons.len(), 2);
    assert_eq!(
        dg.warnings,
        vec!["DG16: 2 bytes after the 70 object ignored"]
    );
}
