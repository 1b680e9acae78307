//! The fuzz targets' element walk (`fuzz/fuzz_targets/asn1_walk.rs`) run in-process over every test-vector
//! file and deterministic mutations of them: its invariants (offsets point at the element's bytes, values
//! re-encode, accessors answer, depth stays within the limit) hold on real data, so a fuzzer crash means a
//! codec bug, not a wrong assertion.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::asn1::Mode;
use std::path::{Path, PathBuf};

#[path = "../../../fuzz/fuzz_targets/asn1_walk.rs"]
mod asn1_walk;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.metadata().unwrap().len() <= 1 << 20 {
            out.push(path);
        }
    }
}

/// xorshift64*: deterministic mutations without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn walk_holds_on_every_test_vector_and_mutations_of_them() {
    let mut paths = Vec::new();
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/data"),
        &mut paths,
    );
    paths.sort();
    assert!(paths.len() > 20, "{} files", paths.len());
    let mut rng = Rng(0x9303_0011_2233_4455);
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        asn1_walk::walk(Mode::Definite, &bytes);
        asn1_walk::walk(Mode::Ber, &bytes);
        // Small files get mutations: flipped bytes, lengths forced to 80 / 84 FF.. / 00, truncations.
        if bytes.len() > 4096 {
            continue;
        }
        for _ in 0..50 {
            let mut m = bytes.clone();
            for _ in 0..=rng.below(3) {
                let i = rng.below(m.len());
                match rng.below(5) {
                    0 => m[i] ^= 1 << rng.below(8),
                    1 => m[i] = 0x80,
                    2 => {
                        m.splice(i..i, [0x84, 0xFF, 0xFF, 0xFF]);
                    }
                    3 => m[i] = 0x00,
                    _ => m.truncate(i),
                }
                if m.is_empty() {
                    break;
                }
            }
            asn1_walk::walk(Mode::Definite, &m);
            asn1_walk::walk(Mode::Ber, &m);
        }
    }
}
