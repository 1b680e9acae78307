//! A hostile chip against the reader (issue 12): the read planner, the file reads and the session. The input
//! drives the emulator's hostile switches — a file's TLV length declaring up to 4 GiB, READ BINARY answered
//! with 6C10/6C20 for ever, Le caps from 1 byte, response caps, 6B00 past the end of a file, every
//! extended-length behaviour (announced, silent, refused, mute, a refusal that ends secure messaging), plain
//! error status words, responses without DO'99', a dropped field — and replaces files with generated encodings: deep
//! chains of constructed tags with definite or indefinite lengths, four- and five-octet declared lengths far
//! beyond the bytes present. The read (`read_document_resuming`, as `mrtd read` runs it, against the
//! profile's own test CSCA) must end without a panic, no file may exceed the cap on declared length, and a
//! signed file that arrived different from what was signed never verifies.
#![no_main]
use icao9303::access::Password;
use icao9303::lds::LdsFile;
use icao9303::pki::TrustStore;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::DocumentResult;
use icao9303_emu::chip::{Chip, ExtendedLengthBehaviour};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

/// A personalised chip, its MRZ and its test CSCA as the trust store.
struct Template {
    chip: Chip,
    password: Password,
    trust: Arc<TrustStore>,
}

fn templates() -> &'static [Template] {
    static CARDS: OnceLock<Vec<Template>> = OnceLock::new();
    CARDS.get_or_init(|| {
        [Profile::brp(), Profile::passport_bac()]
            .into_iter()
            .map(|profile| {
                let card = profile.personalize().expect("a built-in profile personalises");
                let mut trust = TrustStore::new();
                trust
                    .add_test_anchor(&card.pki.csca_der(), "fuzz")
                    .expect("the test CSCA");
                Template {
                    chip: card.chip,
                    password: Password::Mrz(profile.mrz_key().expect("the profile's MRZ")),
                    trust: Arc::new(trust),
                }
            })
            .collect()
    })
}

/// The files a hostile chip may serve differently (EF.COM is not signed; the others are).
const FILES: [LdsFile; 7] = [
    LdsFile::Com,
    LdsFile::Sod,
    LdsFile::Dg(1),
    LdsFile::Dg(2),
    LdsFile::Dg(11),
    LdsFile::Dg(14),
    LdsFile::Dg(15),
];

/// Declared lengths around the caps and far beyond them.
fn declared(u: &mut Unstructured<'_>) -> Result<usize> {
    Ok(match u.int_in_range(0..=5)? {
        0 => 0xFFFF_FFFF,
        1 => 0x7FFF_FFFF,
        2 => (1 << 20) + 1,
        3 => 16 << 20,
        4 => u.int_in_range(0..=0x2_0000)?,
        _ => usize::try_from(u.arbitrary::<u32>()?).unwrap_or(usize::MAX),
    })
}

/// A generated file: the file's tag (or another), a length in some form, then a chain of constructed
/// elements, nested up to 5 000 deep, with definite or indefinite lengths, and arbitrary bytes.
fn hostile_file(u: &mut Unstructured<'_>, first_tag: u8) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let depth = u.int_in_range(0..=5_000usize)?;
    let indefinite: bool = u.arbitrary()?;
    for _ in 0..depth {
        body.push(*u.choose(&[0x30u8, 0x31, 0x24, 0x61, 0x77, 0x7F, 0xA0])?);
        body.push(if indefinite { 0x80 } else { 0x84 });
        if !indefinite {
            body.extend(0xFFFF_FFF0u32.to_be_bytes());
        }
    }
    let tail = u.int_in_range(0..=256)?;
    body.extend_from_slice(u.bytes(tail.min(u.len()))?);
    let tag = if u.arbitrary()? { first_tag } else { u.arbitrary()? };
    let mut out = vec![tag];
    match u.int_in_range(0..=4)? {
        0 => out.extend([0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
        1 => out.extend([0x85, 0x01, 0x00, 0x00, 0x00, 0x00]),
        2 => out.push(0x80),
        3 => {
            out.push(0x84);
            out.extend(u32::try_from(declared(u)?).unwrap_or(u32::MAX).to_be_bytes());
        }
        _ => icao9303::asn1::der::write_length(body.len(), &mut out),
    }
    out.extend(body);
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let template = u.choose(templates())?;
    let mut chip = template.chip.clone();
    let options = chip.options_mut();
    let behaviour = *u.choose(&[
        ExtendedLengthBehaviour::ShortAnnounced,
        ExtendedLengthBehaviour::Announced,
        ExtendedLengthBehaviour::Silent,
        ExtendedLengthBehaviour::Refused,
        ExtendedLengthBehaviour::Mute,
    ])?;
    behaviour.apply(options);
    if u.arbitrary()? {
        options.max_read = u.int_in_range(1..=65_536)?;
    }
    if u.arbitrary()? {
        options.alternate_6cxx = Some(*u.choose(&FILES)?);
    }
    if u.arbitrary()? {
        options.declared_length = Some((*u.choose(&FILES)?, declared(u)?));
    }
    if u.arbitrary()? {
        options.drop_field_above = Some(u.int_in_range(1..=4096)?);
    }
    if u.arbitrary()? {
        options.response_cap = Some(u.int_in_range(1..=4096)?);
    }
    options.plain_errors = u.arbitrary()?;
    options.reject_le_on_select = u.arbitrary()?;
    options.extended_refusal_ends_session = u.arbitrary()?;
    options.wrong_parameters_past_end = u.arbitrary()?;
    options.status_outside_mac = u.arbitrary()?;
    // Files served differently from what was signed.
    let mut changed = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        let file = *u.choose(&FILES)?;
        let Some(original) = chip.files().get(file).map(<[u8]>::to_vec) else {
            continue;
        };
        let first = original.first().copied().unwrap_or(0x30);
        chip.files_mut().insert(file, hostile_file(u, first)?);
        changed.push((file, original));
    }
    if let Some((file, _)) = chip.options().declared_length {
        if let Some(original) = chip.files().get(file) {
            changed.push((file, original.to_vec()));
        }
    }

    let reader_options = ReaderOptions {
        trust: Some(template.trust.clone()),
        max_file_len: *u.choose(&[4096, 64 * 1024, icao9303::options::DEFAULT_MAX_FILE_LEN])?,
        read_images: u.arbitrary()?,
        ..ReaderOptions::default()
    };
    let cap = reader_options.max_file_len;
    let mut reader = Reader::with_options(EmulatorTransport::new(chip), reader_options);
    let mut rng = SeededRng::new(b"fuzz terminal");
    if reader.authenticate(&template.password, &mut rng).is_err() {
        return Ok(());
    }
    let Ok((document, report)) = reader.read_document_resuming(&template.password, &mut rng, 2)
    else {
        return Ok(());
    };
    for (file, bytes) in &document.files {
        assert!(bytes.len() <= cap, "{file:?}: {} bytes over the cap {cap}", bytes.len());
    }
    for (file, original) in &changed {
        if *file == LdsFile::Com {
            continue;
        }
        if document.files.get(file).is_some_and(|read| read != original) {
            assert_ne!(
                report.verdict.result,
                DocumentResult::Verified,
                "{file:?} differs from what was signed, yet the document verified: {:?}",
                report.verdict
            );
        }
    }
    Ok(())
}
