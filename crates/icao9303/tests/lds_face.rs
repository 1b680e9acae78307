//! DG2 and face records (ISO/IEC 19794-5, ISO/IEC 39794-5) against the real sample files, and image decoding.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::lds::dg2::Dg2;
use icao9303::lds::face::{FaceRecord, FaceRecordFormat};
use icao9303::lds::image::{ImageError, ImageFormat, decode_image, probe_size, to_png};

fn data(path: &str) -> Vec<u8> {
    let full = format!("{}/../../test-vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn dg2_iso19794_one_jpeg_face() {
    let dg2 = Dg2::parse(&data("data/biometric/EF_DG2_iso19794.bin")).unwrap();
    assert_eq!(dg2.faces.len(), 1);
    assert_eq!(dg2.declared_count, Some(1));
    let face = &dg2.faces[0];
    assert_eq!(face.source, FaceRecordFormat::Iso19794_5);
    assert_eq!(face.record_version, "010");
    assert_eq!(face.format, ImageFormat::Jpeg);
    assert_eq!(face.data, data("data/biometric/EF_DG2_iso19794_face.jpg"));
    let decoded = decode_image(&face.data).unwrap();
    assert_eq!((face.width, face.height), (decoded.width, decoded.height));
    assert_eq!((face.width, face.height), (148, 70));
    assert!(!face.size_from_image_header);
    assert_eq!(face.face_image_type, Some(2)); // token frontal
    assert_eq!(face.declared_image_data_type, Some(1));
    // The sample declares JPEG 2000 (1) but holds a JPEG: the magic bytes win and the mismatch is reported.
    assert!(
        dg2.warnings
            .iter()
            .any(|w| w.contains("declares image data type 1")),
        "{:?}",
        dg2.warnings
    );
    let header = &dg2.headers[0];
    assert_eq!(header.format_owner, Some(0x0101));
    assert_eq!(header.format_type, Some(0x0008));
    assert_eq!(header.biometric_type, None); // this sample omits tag 81
    assert_eq!(header.icao_header_version, Some(0x0101));
    let json = serde_json::to_value(&dg2).unwrap();
    assert_eq!(json["faces"][0]["data_length"], 5099);
}

#[test]
fn bare_19794_record() {
    let record = FaceRecord::parse(&data("data/biometric/ISO19794_Test1_Data.bin")).unwrap();
    assert_eq!(record.format, FaceRecordFormat::Iso19794_5);
    assert_eq!(record.faces.len(), 1);
    assert_eq!(
        record.faces[0].data,
        data("data/biometric/ISO19794_Test1_Face.jpg")
    );
    assert_eq!(record.faces[0].feature_points.len(), 0);
    assert_eq!(record.faces[0].pose_angle.unwrap().yaw, None);
}

#[test]
fn broken_image_record_parses_but_does_not_decode() {
    let record =
        FaceRecord::parse(&data("data/biometric/ISO19794_Test2_Data_InvalidImage.bin")).unwrap();
    assert_eq!(record.faces.len(), 1);
    let face = &record.faces[0];
    assert_eq!(face.data.len(), 5099);
    // FF D8 FE: the JPEG magic is broken, so the bytes are not recognised as an image at all.
    assert_eq!(face.format, ImageFormat::Unknown(1));
    let err = decode_image(&face.data).unwrap_err();
    assert!(matches!(err, ImageError::UnknownFormat { .. }));
    assert!(err.to_string().contains("FFD8FEE0"), "{err}");
    assert!(
        record
            .warnings
            .iter()
            .any(|w| w.contains("no known image magic")),
        "{:?}",
        record.warnings
    );
}

#[test]
fn dg2_iso39794_mandatory_fields() {
    let dg2 = Dg2::parse(&data("data/biometric/ICAO_39794_5_AP_DG2_MandFields.dat")).unwrap();
    assert_eq!(dg2.faces.len(), 1, "{:?}", dg2.warnings);
    let face = &dg2.faces[0];
    assert_eq!(face.source, FaceRecordFormat::Iso39794_5);
    assert_eq!(face.record_version, "3/2019");
    assert_eq!(
        face.data,
        data("data/biometric/ICAO_39794_5_AP_DG2_Face.jpg")
    );
    // The reference "Face.jpg" is in fact a JP2 file, as the record declares (3 = JPEG 2000 lossy).
    assert_eq!(face.format, ImageFormat::Jpeg2000);
    assert_eq!(face.declared_image_data_type, Some(3));
    // No image size in the record: it comes from the JP2 header.
    assert!(face.size_from_image_header);
    assert_eq!((face.width, face.height), (413, 531));
    assert_eq!(dg2.headers[0].format_type, Some(0x002A));
    assert!(dg2.warnings.is_empty(), "{:?}", dg2.warnings);
}

#[test]
fn dg2_iso39794_all_fields() {
    let dg2 = Dg2::parse(&data("data/biometric/ICAO_39794_5_AP_DG2_AllFields.dat")).unwrap();
    assert_eq!(dg2.faces.len(), 1, "{:?}", dg2.warnings);
    let face = &dg2.faces[0];
    assert_eq!(
        face.data,
        data("data/biometric/ICAO_39794_5_AP_DG2_Face.jpg")
    );
    assert_eq!(face.format, ImageFormat::Jpeg2000);
    // The record declares 572x731 (sample values); the JP2 header says 413x531: declared wins, mismatch warned.
    assert_eq!((face.width, face.height), (572, 731));
    assert!(
        dg2.warnings.iter().any(|w| w.contains("413x531")),
        "{:?}",
        dg2.warnings
    );
    assert_eq!(
        face.capture_date_time.as_deref(),
        Some("2024-01-20T13:23:09.908")
    );
    assert_eq!(face.gender, Some(3));
    assert_eq!(face.gender_name(), Some("female"));
    assert_eq!(face.eye_colour, Some(3));
    assert_eq!(face.hair_colour, Some(5));
    assert_eq!(face.subject_height, Some(1786));
    assert_eq!(face.camera_to_subject_distance, Some(3000));
    assert_eq!(face.sensor_diagonal, Some(43));
    assert_eq!(face.lens_focal_length, Some(55));
    assert_eq!(face.colour_space, Some(2));
    assert_eq!(face.quality, Some(99));
    assert_eq!(face.landmark_count, 1);
    let pose = face.pose_angle.unwrap();
    assert_eq!(
        (pose.yaw, pose.pitch, pose.roll),
        (Some(2), Some(3), Some(1))
    );
    let h = &dg2.headers[0];
    assert_eq!(h.biometric_type, Some(2));
    assert_eq!(h.creation_date_time.as_deref(), Some("21240105112345"));
    assert_eq!(h.creator.as_deref(), Some("01030001"));
}

#[test]
fn decodes_the_39794_jp2_face() {
    let jp2 = data("data/biometric/ICAO_39794_5_AP_DG2_Face.jpg");
    let img = decode_image(&jp2).unwrap();
    assert_eq!(img.format, ImageFormat::Jpeg2000);
    assert_eq!((img.width, img.height), (413, 531));
    assert_eq!(img.pixels.len(), 413 * 531 * 3);
    assert_eq!(probe_size(&jp2), Some((413, 531)));
}

#[test]
fn jpeg2000_gradient_codestream_and_container() {
    for file in ["images/gradient_32x24.j2k", "images/gradient_32x24.jp2"] {
        let img = decode_image(&data(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((img.width, img.height), (32, 24), "{file}");
        for (x, y) in [(0, 0), (31, 0), (0, 23), (17, 9), (31, 23)] {
            let want = [x as i32 * 8, y as i32 * 10, 128];
            let got = img.pixel(x, y).unwrap();
            for c in 0..3 {
                assert!(
                    (i32::from(got[c]) - want[c]).abs() <= 2,
                    "{file} ({x},{y}): {got:?} vs {want:?}"
                );
            }
        }
    }
}

#[test]
fn png_conversion_round_trips() {
    let jpeg = data("data/biometric/EF_DG2_iso19794_face.jpg");
    let png = to_png(&jpeg).unwrap();
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
    let back = decode_image(&png).unwrap();
    let orig = decode_image(&jpeg).unwrap();
    assert_eq!((back.width, back.height), (148, 70));
    assert_eq!(back.pixels, orig.pixels);
    let j2k_png = to_png(&data("images/gradient_32x24.j2k")).unwrap();
    assert_eq!(
        decode_image(&j2k_png).unwrap().pixel(31, 23),
        Some([248, 230, 128])
    );
}
