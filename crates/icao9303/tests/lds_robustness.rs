//! Every LDS parser on every prefix and every single-byte corruption of the real samples: errors are fine,
//! panics are not. Images inside the mutated files are decoded on a sample of the mutations too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::lds::atr_info::AtrInfo;
use icao9303::lds::dg2::Dg2;
use icao9303::lds::dg11::Dg11;
use icao9303::lds::dg12::Dg12;
use icao9303::lds::dg13::Dg13;
use icao9303::lds::dg16::Dg16;
use icao9303::lds::displayed_image::DisplayedImageGroup;
use icao9303::lds::ef_dir::EfDir;
use icao9303::lds::face::FaceRecord;
use icao9303::lds::image::{decode_image, probe_size};
use icao9303::lds::{dg3::Dg3, dg4::Dg4};

fn data(path: &str) -> Vec<u8> {
    let full = format!("{}/../../test-vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Runs every parser on `bytes`; returns how many accepted it.
fn parse_all_ways(bytes: &[u8]) -> usize {
    let mut ok = 0;
    ok += usize::from(Dg2::parse(bytes).is_ok());
    ok += usize::from(FaceRecord::parse(bytes).is_ok());
    ok += usize::from(Dg3::parse(bytes).is_ok());
    ok += usize::from(Dg4::parse(bytes).is_ok());
    ok += usize::from(DisplayedImageGroup::parse(bytes).is_ok());
    ok += usize::from(Dg11::parse(bytes).is_ok());
    ok += usize::from(Dg12::parse(bytes).is_ok());
    ok += usize::from(Dg13::parse(bytes).is_ok());
    ok += usize::from(Dg16::parse(bytes).is_ok());
    ok += usize::from(EfDir::parse(bytes).is_ok());
    ok += usize::from(AtrInfo::parse(bytes).is_ok());
    ok
}

/// Decodes the images a mutated file still yields (DG2 faces, bare face records, displayed images).
fn decode_contained_images(bytes: &[u8]) {
    let mut images = Vec::new();
    if let Ok(dg2) = Dg2::parse(bytes) {
        images.extend(dg2.faces.into_iter().map(|f| f.data));
    }
    if let Ok(rec) = FaceRecord::parse(bytes) {
        images.extend(rec.faces.into_iter().map(|f| f.data));
    }
    if let Ok(dg) = DisplayedImageGroup::parse(bytes) {
        images.extend(dg.images.into_iter().map(|i| i.data));
    }
    for image in images {
        let _ = decode_image(&image);
        let _ = probe_size(&image);
    }
}

const SAMPLES: &[&str] = &[
    "data/biometric/EF_DG2_iso19794.bin",
    "data/biometric/ISO19794_Test1_Data.bin",
    "data/biometric/ISO19794_Test2_Data_InvalidImage.bin",
    "data/biometric/ICAO_39794_5_AP_DG2_MandFields.dat",
    "data/biometric/ICAO_39794_5_AP_DG2_AllFields.dat",
    "data/icao-9303-10-examples/EF_DG11.bin",
    "data/icao-9303-10-examples/EF_DG12_FR.bin",
    "data/icao-9303-10-examples/EF_DG12_NZ.bin",
    "data/icao-9303-10-examples/EF_DG16.bin",
    "data/icao-9303-10-examples/EF_DG7.bin",
    "data/icao-9303-10-examples/EF_DIR.bin",
    "data/icao-9303-10-examples/EF_COM.bin",
];

#[test]
fn every_prefix_is_handled() {
    for sample in SAMPLES {
        let bytes = data(sample);
        assert!(
            parse_all_ways(&bytes) >= 1,
            "{sample}: no parser accepts the whole file"
        );
        for n in 0..bytes.len() {
            parse_all_ways(&bytes[..n]);
            if n % 211 == 0 {
                decode_contained_images(&bytes[..n]);
            }
        }
    }
}

#[test]
fn every_single_byte_corruption_is_handled() {
    for sample in SAMPLES {
        let mut bytes = data(sample);
        for i in 0..bytes.len() {
            for flip in [0xFF, 0x80, 0x01] {
                bytes[i] ^= flip;
                parse_all_ways(&bytes);
                if flip == 0x80 && i % 97 == 0 {
                    decode_contained_images(&bytes);
                }
                bytes[i] ^= flip;
            }
        }
    }
}

#[test]
fn corrupted_images_never_panic() {
    for file in [
        "images/gradient_32x24.j2k",
        "images/gradient_32x24.jp2",
        "data/biometric/ISO19794_Test1_Face.jpg",
    ] {
        let mut bytes = data(file);
        for n in 0..bytes.len() {
            let _ = decode_image(&bytes[..n]);
        }
        for i in 0..bytes.len() {
            bytes[i] ^= 0x5A;
            let _ = decode_image(&bytes);
            bytes[i] ^= 0x5A;
        }
    }
}
