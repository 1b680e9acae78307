//! PACE-CAM completed against EF.CardSecurity: the ICAO worked example's chip authentication data
//! (ICAO-VECTORS section 3.5) against the German card's real EF.CardSecurity, which passes passive
//! authentication and holds two Chip Authentication keys (keyId 13 and 72) — neither is the worked
//! example's. With the PACE parameter id 13 only keyId 13 is tried (BSI TR-03110-3: it names the CAM
//! key); with an id no key carries, both are tried, and the check fails either way. The emulator tests (`chip_auth.rs`) sign a
//! CardSecurity holding the worked example's key and check the whole path end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::pace::CamData;
use icao9303::auth::cam::verify;
use icao9303::pki::passive::verify_signed_data;
use icao9303::pki::{Time, TrustStore};
use icao9303::report::CheckStatus;

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// CA_IC (padding removed) and PK_map,IC of section 3.5.
fn vector_cam() -> CamData {
    CamData {
        ca_ic: h("85DC3FA93D0952BFA82F5FD189EE75BD82F11D1F0B8ED4BF5319AC9B53C426B3"),
        pk_map_ic: h(
            "04 A234236AA9B9621E8EFB73B5245C0E09D2576E5277183C1208BDD55280CAE8B3 04F365713A356E65A451E165ECC9AC0AC46E3771342C8FE5AEDD092685338E23",
        ),
        parameter_id: 13,
    }
}

#[test]
fn german_card_security_verifies_and_no_key_matches_the_worked_example() {
    let card_security = data("card-security/DE/EF_CardSecurity.bin");
    let at = Time::from_ymd(2024, 6, 1);
    // The file's signature verifies with its signer's certificate; its CSCA is not given, so the chain
    // (and with it the file) stays unverified.
    let (pa, _) = verify_signed_data(&card_security, &TrustStore::new(), at, Some("D"));
    assert_eq!(
        pa.signature.status,
        CheckStatus::Valid,
        "EF.CardSecurity signature: {}",
        pa.signature.reason
    );
    assert_eq!(
        pa.summary().status,
        CheckStatus::NotChecked,
        "{:?}",
        pa.summary()
    );
    let result = verify(&vector_cam(), Some(&card_security));
    assert_eq!(
        result.verdict.status,
        CheckStatus::Invalid,
        "{}",
        result.verdict.reason
    );
    assert!(
        result.verdict.reason.contains("keyId 13") && !result.verdict.reason.contains("keyId 72"),
        "{}",
        result.verdict.reason
    );
    // A parameter id no published key carries: every key is tried.
    let unnamed = CamData {
        parameter_id: 16,
        ..vector_cam()
    };
    let result = verify(&unnamed, Some(&card_security));
    assert_eq!(result.verdict.status, CheckStatus::Invalid);
    assert!(
        result.verdict.reason.contains("keyId 13") && result.verdict.reason.contains("keyId 72"),
        "{}",
        result.verdict.reason
    );
    // No EF.CardSecurity at all: not checked.
    let result = verify(&vector_cam(), None);
    assert_eq!(result.verdict.status, CheckStatus::NotChecked);
    // A corrupted EF.CardSecurity fails its passive authentication.
    let mut broken = card_security.clone();
    let n = broken.len() - 20;
    broken[n] ^= 0xFF;
    let (pa, _) = verify_signed_data(&broken, &TrustStore::new(), at, Some("D"));
    assert_eq!(
        pa.summary().status,
        CheckStatus::Invalid,
        "{:?}",
        pa.summary()
    );
}
