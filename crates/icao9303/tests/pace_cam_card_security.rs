//! PACE-CAM completed against EF.CardSecurity: the ICAO worked example's chip authentication data
//! (ICAO-VECTORS section 3.5) against the German card's real EF.CardSecurity, which passes passive
//! authentication and holds two Chip Authentication keys (keyId 13 and 72) — neither is the worked
//! example's, so the check must fail after trying both. The emulator tests (`chip_auth.rs`) sign a
//! CardSecurity holding the worked example's key and check the whole path end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::pace::CamData;
use icao9303::auth::cam::verify;
use icao9303::lds::security_infos::SecurityInfos;
use icao9303::pki::Time;
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
    }
}

#[test]
fn german_card_security_verifies_and_no_key_matches_the_worked_example() {
    let card_security = data("card-security/DE/EF_CardSecurity.bin");
    let card_access = SecurityInfos::parse(&data("card-access/EF_CardAccess_DE.bin")).unwrap();
    let at = Time::from_ymd(2020, 1, 1);
    let (result, trust) = verify(
        &vector_cam(),
        Some(&card_access),
        Some(&card_security),
        None,
        at,
        Some("D"),
    );
    assert!(trust.0, "EF.CardSecurity signature: {}", trust.1);
    assert_eq!(result.status, CheckStatus::Invalid, "{}", result.reason);
    assert!(
        result.reason.contains("keyId 13") && result.reason.contains("keyId 72"),
        "{}",
        result.reason
    );
    // No EF.CardSecurity at all: not checked, and the key file is not trusted.
    let (result, trust) = verify(&vector_cam(), Some(&card_access), None, None, at, Some("D"));
    assert_eq!(result.status, CheckStatus::NotChecked);
    assert!(!trust.0);
    // A corrupted EF.CardSecurity is not trusted.
    let mut broken = card_security.clone();
    let n = broken.len() - 20;
    broken[n] ^= 0xFF;
    let (_, trust) = verify(
        &vector_cam(),
        Some(&card_access),
        Some(&broken),
        None,
        at,
        Some("D"),
    );
    assert!(!trust.0, "{}", trust.1);
}
