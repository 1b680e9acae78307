//! The WSQ decoder against NBIS 5.0: the BSI specimen's two DG3 fingerprints and two JNBIS/NIST samples
//! (`test-vectors/data/biometric/dg3-dg4/`, see its README.md and WSQ-NOTES.md).
//!
//! Each stream is checked at three depths: the subband rectangles, the Huffman-decoded coefficients (an exact
//! integer hash, before any floating point), and the decoded pixels. The pixels must equal NBIS's exactly (a
//! SHA-256 over the grey bytes, and for the fingerprints the reference PNG pixel by pixel): the decoder mirrors
//! NBIS's single-precision arithmetic, so no tolerance is needed (see the `icao9303::lds::wsq` documentation).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::lds::wsq::{self, WsqCodestream, WsqError, subband_layout};
use serde_json::Value;
use sha2::{Digest, Sha256};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test-vectors/data/biometric/dg3-dg4"
);

/// The streams: (WSQ file, analysis JSON, NBIS reference PNG when kept in the repository).
const STREAMS: [(&str, &str, Option<&str>); 4] = [
    (
        "fingerprint_1.wsq",
        "fingerprint_1.json",
        Some("fingerprint_1.png"),
    ),
    (
        "fingerprint_2.wsq",
        "fingerprint_2.json",
        Some("fingerprint_2.png"),
    ),
    (
        "samples/jnbis_sample.wsq",
        "samples/jnbis_sample.json",
        None,
    ),
    ("samples/jnbis_fp-1.wsq", "samples/jnbis_fp-1.json", None),
];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&read(name)).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn subband_rectangles_match_nbis() {
    for (file, analysis, _) in STREAMS {
        let j = json(analysis);
        let header = wsq::read_frame_header(&read(file)).unwrap();
        let layout = subband_layout(usize::from(header.width), usize::from(header.height));
        let expected = j["wsq_codestream"]["subband_rectangles_x_y_w_h"]
            .as_array()
            .unwrap();
        assert_eq!(expected.len(), layout.len(), "{file}");
        for (k, (rect, want)) in layout.iter().zip(expected).enumerate() {
            let want: Vec<usize> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|v| usize::try_from(v.as_u64().unwrap()).unwrap())
                .collect();
            assert_eq!(
                vec![rect.x, rect.y, rect.width, rect.height],
                want,
                "{file} subband {k}"
            );
        }
    }
}

#[test]
fn huffman_decoded_coefficients_match_nbis_exactly() {
    for (file, analysis, _) in STREAMS {
        let j = json(analysis);
        let stream = WsqCodestream::parse(&read(file)).unwrap();
        let reference = &j["wsq_codestream"]["quantized_coefficients"];
        assert_eq!(
            stream.coefficients.len() as u64,
            reference["count"].as_u64().unwrap(),
            "{file}"
        );
        let bytes: Vec<u8> = stream
            .coefficients
            .iter()
            .flat_map(|c| i16::try_from(*c).unwrap().to_le_bytes())
            .collect();
        assert_eq!(
            sha256_hex(&bytes),
            reference["sha256_int16_le"].as_str().unwrap(),
            "{file}"
        );
        let blocks = j["wsq_codestream"]["huffman_blocks"].as_array().unwrap();
        assert_eq!(stream.blocks, blocks.len(), "{file}");
    }
}

#[test]
fn pixels_match_nbis_exactly() {
    for (file, analysis, png) in STREAMS {
        let j = json(analysis);
        let image = wsq::decode(&read(file)).unwrap();
        assert_eq!(
            u64::from(image.width),
            j["image"]["width"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(image.height),
            j["image"]["height"].as_u64().unwrap()
        );
        if let Some(png) = png {
            let reference = image::load_from_memory(&read(png)).unwrap().to_luma8();
            assert_eq!(reference.dimensions(), (image.width, image.height));
            let differing = reference
                .as_raw()
                .iter()
                .zip(&image.pixels)
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(differing, 0, "{file}: pixels differing from NBIS");
        }
        assert_eq!(
            sha256_hex(&image.pixels),
            j["image"]["pixels_sha256"].as_str().unwrap(),
            "{file}"
        );
    }
}

#[test]
fn headers_tables_and_resolution() {
    // The DG3 streams come from a non-NBIS encoder and carry no NIST_COM comment.
    let stream = WsqCodestream::parse(&read("fingerprint_1.wsq")).unwrap();
    assert_eq!((stream.frame.width, stream.frame.height), (620, 620));
    assert_eq!((stream.frame.encoder, stream.frame.software), (0, 33710));
    assert!(stream.comments.is_empty());
    assert_eq!(stream.ppi(), None);
    // Transmitted taps, not NBIS's built-in ones: 0.852698684 (built-in 0.852698679).
    let high = &stream.transform.synthesis_high;
    let low = &stream.transform.synthesis_low;
    assert_eq!((high.len(), low.len()), (9, 7));
    // (Dividing by ten one power at a time, as NBIS does, can land one f32 step away from the nearest value.)
    let close = |a: f32, b: f64| (f64::from(a) - b).abs() < 2e-7;
    assert!(close(high[4], 0.852_698_684), "{}", high[4]);
    assert!(close(high[3], -0.377_402_842), "{}", high[3]);
    assert_eq!(high[3], high[5]);
    assert!(close(high[0], 0.037_828_456_61), "{}", high[0]);
    assert!(close(low[3], 0.788_485_587), "{}", low[3]);
    assert!(close(low[2], 0.418_092_280_6), "{}", low[2]);
    assert_eq!(low[2], low[4]);
    assert_eq!(stream.quantization.bin_center, 0.44);
    assert!(
        stream.quantization.bin_widths[60..]
            .iter()
            .all(|q| *q == 0.0)
    );
    // The JNBIS sample has a NIST_COM saying 500 ppi, and a second comment.
    let sample = wsq::decode(&read("samples/jnbis_sample.wsq")).unwrap();
    assert_eq!(sample.ppi, Some(500));
    let stream = WsqCodestream::parse(&read("samples/jnbis_sample.wsq")).unwrap();
    assert_eq!(stream.comments.len(), 2);
}

#[test]
fn truncated_streams_are_errors() {
    let data = read("fingerprint_1.wsq");
    // Every cut inside the headers and tables, then every 61st byte through the entropy-coded data.
    let cuts = (0..700).chain((700..data.len()).step_by(61));
    for cut in cuts {
        let e = WsqCodestream::parse(&data[..cut]).unwrap_err();
        assert!(
            matches!(
                e,
                WsqError::NotWsq { .. } | WsqError::Truncated { .. } | WsqError::BadBlock { .. }
            ),
            "cut at {cut}: {e:?}"
        );
    }
    // Without its EOI the stream ends inside the last block.
    let e = WsqCodestream::parse(&data[..data.len() - 2]).unwrap_err();
    assert!(e.to_string().contains("ends before a marker"), "{e}");
}

#[test]
fn garbled_streams_fail_cleanly() {
    let data = read("fingerprint_2.wsq");
    // Change bytes at spread-out positions, in the tables and in the entropy-coded data: each result is either a
    // decoded image of the declared size or an error, never a panic.
    let mut outcomes = (0, 0);
    for (i, position) in (0..data.len()).step_by(157).enumerate() {
        let mut garbled = data.clone();
        garbled[position] ^= [0xFF, 0x01, 0x80, 0x55][i % 4];
        match WsqCodestream::parse(&garbled) {
            Ok(stream) => {
                outcomes.0 += 1;
                if i % 10 == 0 {
                    let image = stream.reconstruct();
                    assert_eq!(
                        image.pixels.len(),
                        image.width as usize * image.height as usize
                    );
                }
            }
            Err(e) => {
                outcomes.1 += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(outcomes.1 > 0, "no garbling was detected: {outcomes:?}");

    // Specific breakages name what is wrong.
    let mut bad_table = data.clone();
    let sob = find(&data, &[0xFF, 0xA3]);
    bad_table[sob + 4] = 5; // Huffman table 5 is not defined
    let e = WsqCodestream::parse(&bad_table).unwrap_err();
    assert!(
        e.to_string().contains("Huffman table 5 is not defined"),
        "{e}"
    );

    let mut bad_length = data.clone();
    let dqt = find(&data, &[0xFF, 0xA5]);
    bad_length[dqt + 3] -= 1; // DQT one byte short
    let e = WsqCodestream::parse(&bad_length).unwrap_err();
    assert!(
        matches!(e, WsqError::BadSegment { segment: "DQT", .. }),
        "{e:?}"
    );

    let mut wrong_size = data.clone();
    let sof = find(&data, &[0xFF, 0xA2]);
    wrong_size[sof + 9] ^= 0x10; // a different width: the blocks no longer fit the subbands
    let e = WsqCodestream::parse(&wrong_size).unwrap_err();
    assert!(
        matches!(
            e,
            WsqError::CoefficientCount { .. } | WsqError::BadBlock { .. }
        ),
        "{e:?}"
    );

    let mut no_dtt = data.clone();
    let dtt = find(&data, &[0xFF, 0xA4]);
    no_dtt[dtt + 1] = 0xA8; // the DTT becomes a comment
    let e = WsqCodestream::parse(&no_dtt).unwrap_err();
    assert_eq!(e, WsqError::MissingTable("transform table (DTT)"));
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}
