//! CV certificates (BSI TR-03110-3), structure-aware: after a mode byte, the input either is up to four
//! consecutive certificates (even mode byte; the seed corpus holds real ones), or (odd) drives a generator of
//! `7F21` certificates — the fields in order or shuffled, any value, lengths in long or non-minimal form,
//! declared lengths beyond the bytes, deep nesting in the public key. Whatever parses must re-encode to
//! the same bytes, and its CHAT, dates, keys, signature check and chain checks (`verify_chain`,
//! `select_chain`) must end without a panic. Certificate requests, EF.CVCA and a bare CHAT are parsed
//! from the same bytes.
#![no_main]
use icao9303::pki::cvc::chain::{select_chain, verify_chain};
use icao9303::pki::cvc::request::CertificateRequest;
use icao9303::pki::cvc::{Chat, CvCertificate, CvDate, parse_ef_cvca};
use icao9303::tlv;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// One TLV with the length in a form the input chooses: minimal, non-minimal four octets, or a declared
/// length that is not the value's.
fn tlv_any(u: &mut Unstructured<'_>, tag: u32, value: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    tlv::encode_tag(tag, &mut out);
    match u.int_in_range(0..=7)? {
        0 => {
            out.push(0x84);
            out.extend(u32::try_from(value.len()).unwrap_or(u32::MAX).to_be_bytes());
        }
        1 => {
            let declared: u32 = u.arbitrary()?;
            out.push(0x84);
            out.extend(declared.to_be_bytes());
        }
        2 => out.push(0x80),
        _ => tlv::encode_length(value.len(), &mut out),
    }
    out.extend_from_slice(value);
    Ok(out)
}

fn bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let n = u.int_in_range(0..=max)?;
    Ok(u.bytes(n.min(u.len()))?.to_vec())
}

/// A generated certificate body and certificate.
fn certificate(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    // Public key: an OID (TA algorithms or anything) and some of 81–87, or a deep nest.
    let oid = if u.arbitrary()? {
        // id-TA-ECDSA-SHA-256 and relatives (0.4.0.127.0.7.2.2.2.2.x).
        vec![0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, u.int_in_range(1..=5)?]
    } else {
        bytes(u, 12)?
    };
    let mut key = tlv_any(u, 0x06, &oid)?;
    for tag in 0x81..=0x87u32 {
        if u.arbitrary()? {
            let v = bytes(u, 97)?;
            key.extend(tlv_any(u, tag, &v)?);
        }
    }
    if u.ratio(1, 8)? {
        for _ in 0..u.int_in_range(0..=3_000)? {
            key = tlv::encode(0x7F49, &key);
        }
    }
    let chat_oid = vec![0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x01, 0x02, u.int_in_range(1..=3)?];
    let chat_rights = bytes(u, 6)?;
    let mut chat = tlv_any(u, 0x06, &chat_oid)?;
    chat.extend(tlv_any(u, 0x53, &chat_rights)?);
    let date = |u: &mut Unstructured<'_>| -> Result<Vec<u8>> {
        if u.arbitrary()? {
            Ok((0..6).map(|_| u.int_in_range(0..=9u8)).collect::<Result<_>>()?)
        } else {
            bytes(u, 8)
        }
    };
    let (car, chr) = (bytes(u, 16)?, bytes(u, 16)?);
    let (effective, expiry) = (date(u)?, date(u)?);
    let mut fields = vec![
        tlv_any(u, 0x5F29, &[0x00])?,
        tlv_any(u, 0x42, &car)?,
        tlv_any(u, 0x7F49, &key)?,
        tlv_any(u, 0x5F20, &chr)?,
        tlv_any(u, 0x7F4C, &chat)?,
        tlv_any(u, 0x5F25, &effective)?,
        tlv_any(u, 0x5F24, &expiry)?,
    ];
    if u.arbitrary()? {
        let extensions = bytes(u, 32)?;
        fields.push(tlv_any(u, 0x65, &extensions)?);
    }
    if u.ratio(1, 6)? {
        let i = u.choose_index(fields.len())?;
        let j = u.choose_index(fields.len())?;
        fields.swap(i, j);
    }
    let body = tlv_any(u, 0x7F4E, &fields.concat())?;
    let signature = bytes(u, 132)?;
    let signature = tlv_any(u, 0x5F37, &signature)?;
    tlv_any(u, 0x7F21, &[body, signature].concat())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

fn run(data: &[u8]) -> Result<()> {
    let Some((&mode, rest)) = data.split_first() else {
        return Ok(());
    };
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    if mode & 1 == 1 {
        let mut u = Unstructured::new(rest);
        for _ in 0..4 {
            if u.is_empty() {
                break;
            }
            inputs.push(certificate(&mut u)?);
        }
    } else {
        // Consecutive TLVs (real certificates, as the seed corpus has them), the rest as one more input.
        let mut rest = rest;
        while inputs.len() < 4 && !rest.is_empty() {
            let take = icao9303::asn1::parse_header(rest)
                .ok()
                .and_then(|h| h.header_len.checked_add(h.value_len))
                .filter(|n| *n <= rest.len())
                .unwrap_or(rest.len());
            inputs.push(rest[..take].to_vec());
            rest = &rest[take..];
        }
    }
    let mut certificates = Vec::new();
    for bytes in &inputs {
        let _ = CertificateRequest::parse(bytes);
        let _ = parse_ef_cvca(bytes);
        let _ = Chat::parse(bytes);
        let _ = CvCertificate::parse_value(bytes);
        let Ok(cert) = CvCertificate::parse(bytes) else {
            continue;
        };
        assert_eq!(cert.encode(), *bytes, "what parses re-encodes to the same bytes");
        let chat = &cert.body.chat;
        let _ = (chat.describe(), chat.role(), chat.access_rights(), chat.intersect(chat));
        let _ = (cert.car().to_string(), cert.chr().to_string(), cert.is_self_signed(), cert.is_link());
        let _ = cert.signed_data().len() + cert.pso_data().len();
        if let Ok(date) = CvDate::new(2024, 6, 1) {
            let _ = (cert.is_valid_on(date), cert.is_expired_at(date));
        }
        let _ = cert.verify_signature(&cert.body.public_key);
        let _ = cert.holder_key(&cert.body.public_key);
        certificates.push(cert);
    }
    if let Some((trust_point, chain)) = certificates.split_first() {
        let _ = verify_chain(trust_point, chain, CvDate::new(2024, 6, 1).ok());
        let _ = verify_chain(trust_point, chain, None);
        let cars: Vec<_> = certificates.iter().map(|c| c.car().clone()).collect();
        let _ = select_chain(&cars, &certificates, None);
    }
    Ok(())
}
