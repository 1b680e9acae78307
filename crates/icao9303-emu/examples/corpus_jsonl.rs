//! Writes a synthetic corpus as JSON Lines for `mrtd verify -` (`{"id": ..., "files": {"EF.SOD": base64,
//! ...}}`) and its CSCA certificate, for measuring batch verification: throughput, and memory when every
//! document brings its own Document Signer (as a hostile stream would).
//!
//! Usage: `cargo run --release -p icao9303-emu --example corpus_jsonl -- SCHEME DOCUMENTS SIGNERS
//! CSCA_OUT [ROUNDS]` with SCHEME one of P256, BP256, BP384, RSA-PSS, RSA-PKCS1; the documents are written
//! ROUNDS times (default 1), so that each DSC is met again.

use base64ct::Encoding;
use icao9303_emu::corpus;
use icao9303_emu::pki::SignatureScheme;
use std::io::Write;

fn scheme(tag: &str) -> Option<SignatureScheme> {
    [
        SignatureScheme::EcdsaP256Sha256,
        SignatureScheme::EcdsaBrainpoolP256r1Sha256,
        SignatureScheme::EcdsaBrainpoolP384r1Sha384,
        SignatureScheme::RsaPssSha256,
        SignatureScheme::RsaPkcs1v15Sha256,
    ]
    .into_iter()
    .find(|s| corpus::scheme_tag(*s) == tag)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: corpus_jsonl SCHEME DOCUMENTS SIGNERS CSCA_OUT [ROUNDS]";
    if args.len() < 4 {
        return Err(usage.into());
    }
    let scheme = scheme(&args[0]).ok_or("SCHEME: P256, BP256, BP384, RSA-PSS or RSA-PKCS1")?;
    let documents: usize = args[1].parse()?;
    let signers: usize = args[2].parse()?;
    let rounds: usize = args.get(4).map(|r| r.parse()).transpose()?.unwrap_or(1);
    let c = corpus::generate(scheme, documents, signers, "corpus_jsonl")?;
    std::fs::write(&args[3], &c.csca_der)?;
    let lines: Vec<String> = c
        .documents
        .iter()
        .map(|d| {
            let files: serde_json::Map<String, serde_json::Value> = d
                .files
                .iter()
                .map(|(f, b)| (f.name(), base64ct::Base64::encode_string(b).into()))
                .collect();
            serde_json::json!({"id": d.id, "files": files}).to_string()
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for _ in 0..rounds {
        for line in &lines {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}
