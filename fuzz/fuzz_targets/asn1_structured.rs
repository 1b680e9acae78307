//! Structure-aware fuzzing of the asn1 codec and the EF.SOD / CMS parser (issue 12): the input drives a
//! generator that builds an encoding tree — deep chains of constructed strings with definite or indefinite
//! lengths, huge declared lengths, malformed length forms, long tags, unterminated indefinite lengths — and the
//! result is walked with the codec and parsed as an EF.SOD (bare, and as the eContent of a well-formed
//! SignedData), a ContentInfo, a certificate and through passive authentication.
#![no_main]
use icao9303::asn1::{Mode, der, tag};
use icao9303::lds::sod::{ID_LDS_SECURITY_OBJECT, SOD_TAG, Sod};
use icao9303::pki::{self, Time, TrustStore, cms};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "asn1_walk.rs"]
mod asn1_walk;

/// How deep the generator itself recurses (deep structures come from the iterative chains).
const MAX_TREE_DEPTH: usize = 6;
/// The longest chain a single node may build (well past the codec's depth limit).
const MAX_CHAIN: usize = 20_000;

const PRIMITIVE_TAGS: [u32; 12] = [
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0C, 0x13, 0x17, 0x18, 0x80, 0x5F1F,
];
const CONSTRUCTED_TAGS: [u32; 10] = [0x30, 0x31, 0x24, 0x23, 0xA0, 0xA1, 0xA3, 0x77, 0x7F61, 0x6E];

fn pick(u: &mut Unstructured<'_>, tags: &[u32]) -> Result<u32> {
    Ok(*u.choose(tags)?)
}

fn header(tag: u32, len: usize, long_form: bool, out: &mut Vec<u8>) {
    der::write_tag(tag, out);
    if long_form {
        // A non-minimal four-octet length (BER allows it).
        out.push(0x84);
        out.extend(u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
    } else {
        der::write_length(len, out);
    }
}

/// Appends one generated element to `out`.
fn element(u: &mut Unstructured<'_>, out: &mut Vec<u8>, depth: usize) -> Result<()> {
    let kind = if depth >= MAX_TREE_DEPTH {
        u.int_in_range(0..=1)?
    } else {
        u.int_in_range(0..=8)?
    };
    match kind {
        // Primitive with arbitrary content.
        0 => {
            let tag = pick(u, &PRIMITIVE_TAGS)?;
            let len = u.int_in_range(0..=32)?;
            let value = u.bytes(len)?;
            header(tag, value.len(), u.arbitrary()?, out);
            out.extend_from_slice(value);
        }
        // Raw bytes: whatever the input says.
        1 => {
            let len = u.int_in_range(0..=16)?;
            out.extend_from_slice(u.bytes(len)?);
        }
        // Constructed, definite length.
        2 | 3 => {
            let tag = pick(u, &CONSTRUCTED_TAGS)?;
            let mut content = Vec::new();
            for _ in 0..u.int_in_range(0..=4)? {
                element(u, &mut content, depth + 1)?;
            }
            header(tag, content.len(), u.arbitrary()?, out);
            out.extend(content);
        }
        // Constructed, indefinite length, maybe left unterminated.
        4 => {
            let tag = pick(u, &CONSTRUCTED_TAGS)?;
            der::write_tag(tag, out);
            out.push(0x80);
            for _ in 0..u.int_in_range(0..=4)? {
                element(u, out, depth + 1)?;
            }
            if u.ratio(7, 8)? {
                out.extend([0, 0]);
            }
        }
        // A chain of constructed strings nested `n` deep, definite four-octet lengths.
        5 => {
            let n = u.int_in_range(1..=MAX_CHAIN)?;
            let mut leaf = Vec::new();
            element(u, &mut leaf, MAX_TREE_DEPTH)?;
            let tag = pick(u, &CONSTRUCTED_TAGS)?;
            let tag_len = der::tlv(tag, &[]).len() - 1;
            let step = tag_len + 5;
            out.reserve(n * step + leaf.len());
            for i in 0..n {
                header(tag, (n - i - 1) * step + leaf.len(), true, out);
            }
            out.extend(leaf);
        }
        // A chain nested `n` deep with indefinite lengths, maybe closed short.
        6 => {
            let n = u.int_in_range(1..=MAX_CHAIN)?;
            let tag = pick(u, &CONSTRUCTED_TAGS)?;
            for _ in 0..n {
                der::write_tag(tag, out);
                out.push(0x80);
            }
            element(u, out, MAX_TREE_DEPTH)?;
            let closed = u.int_in_range(0..=n)?;
            out.resize(out.len() + 2 * closed, 0);
        }
        // A huge or malformed declared length, followed by a little content.
        7 => {
            let tag = pick(u, &CONSTRUCTED_TAGS)?;
            der::write_tag(tag, out);
            match u.int_in_range(0..=3)? {
                0 => {
                    out.push(0x84);
                    out.extend(u.int_in_range(0xFFFF_0000u32..=u32::MAX)?.to_be_bytes());
                }
                1 => {
                    let n = u.int_in_range(5u8..=8)?;
                    out.push(0x80 | n);
                    out.extend(std::iter::repeat_n(0xFF, usize::from(n)));
                }
                2 => out.push(0xFF),
                _ => {
                    let n = u.int_in_range(1u8..=4)?;
                    out.push(0x80 | n);
                    for _ in 0..n {
                        out.push(u.arbitrary()?);
                    }
                }
            }
            let len = u.int_in_range(0..=16)?;
            out.extend_from_slice(u.bytes(len)?);
        }
        // A tag with too many identifier octets, or cut off.
        _ => {
            out.push(0x5F);
            for _ in 0..u.int_in_range(1..=6)? {
                out.push(0x80 | u.arbitrary::<u8>()?);
            }
            if u.arbitrary()? {
                out.extend([0x01, 0x00]);
            }
        }
    }
    Ok(())
}

/// An EF.SOD around `econtent` (the eContent [0] field) with an honest outer structure.
fn sod_around(econtent: &[u8]) -> Vec<u8> {
    let signed_data = der::sequence(&[
        &der::integer_u64(3),
        &der::set(&[&der::sequence(&[&der::oid(
            &icao9303::crypto::hash::ID_SHA256,
        )])]),
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

static STORE: OnceLock<TrustStore> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut bytes = Vec::new();
    while !u.is_empty() && bytes.len() < 2 << 20 {
        if element(&mut u, &mut bytes, 0).is_err() {
            break;
        }
    }
    asn1_walk::walk(Mode::Definite, &bytes);
    asn1_walk::walk(Mode::Ber, &bytes);

    let store = STORE.get_or_init(TrustStore::new);
    let at = Time::from_ymd(2026, 1, 1);
    let _ = Sod::parse(&bytes);
    let _ = cms::SignedData::from_content_info(&bytes);
    let _ = pki::Certificate::from_der(&bytes);
    let sod = sod_around(&bytes);
    let _ = Sod::parse(&sod);
    let report = pki::verify_sod(&sod, store, at, None);
    let _ = report.passed();
});
