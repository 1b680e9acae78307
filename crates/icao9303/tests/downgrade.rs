//! Downgrade detection (`auth::downgrade`) on real files: the Austrian passport's DG14 and EF.CardAccess
//! (one PACEInfo, PACE-ECDH-GM AES-128 on brainpoolP256r1, in both), and the German ID card's signed
//! EF.CardSecurity and EF.CardAccess (GM and CAM). The genuine combinations pass; the same files with
//! EF.CardAccess hidden, BAC run, or the weaker variant run fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::auth::downgrade::{CardAccess, SignedInfos, compare_pace};
use icao9303::lds::LdsFile;
use icao9303::lds::security_infos::{PaceInfo, SecurityInfos};
use icao9303::pki::cms::SignedData;
use icao9303::report::{AccessReport, CheckStatus};

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn at_dg14() -> SecurityInfos {
    let dg14 = data("dg14/EF_DG14_AT.bin");
    let outer = icao9303::tlv::parse_exact(&dg14, 0x6E).unwrap();
    SecurityInfos::parse(outer.value).unwrap()
}

fn de_card_security() -> SecurityInfos {
    let sd = SignedData::from_content_info(&data("card-security/DE/EF_CardSecurity.bin")).unwrap();
    SecurityInfos::parse(sd.content.as_deref().unwrap()).unwrap()
}

fn card_access(name: &str) -> SecurityInfos {
    SecurityInfos::parse(&data(&format!("card-access/EF_CardAccess_{name}.bin"))).unwrap()
}

/// The access report of a PACE run of `info`.
fn pace(info: &PaceInfo) -> AccessReport {
    AccessReport {
        protocol: "PACE".into(),
        password: "MRZ".into(),
        cipher: info.cipher.name().into(),
        mapping: Some(info.mapping.name().into()),
        parameter_id: info.parameter_id.map(|i| u8::try_from(i).unwrap()),
        protocol_oid: icao9303::asn1::ObjectIdentifier::from_bytes(&info.oid)
            .ok()
            .map(|o| o.to_string()),
        fallback: false,
    }
}

fn bac() -> AccessReport {
    AccessReport {
        protocol: "BAC".into(),
        password: "MRZ".into(),
        cipher: "3DES".into(),
        mapping: None,
        parameter_id: None,
        protocol_oid: None,
        fallback: false,
    }
}

#[test]
fn the_austrian_passport_dg14_and_card_access_agree() {
    let dg14 = at_dg14();
    let ca = card_access("AT");
    let signed = [SignedInfos {
        file: LdsFile::Dg(14),
        infos: &dg14,
    }];
    let offer = ca.pace_infos().next().unwrap().clone();
    let check = compare_pace(&signed, CardAccess::Offered(&ca), Some(&pace(&offer))).unwrap();
    assert_eq!(check.status(), CheckStatus::Valid, "{}", check.reason());
    // Offline, the dump's EF.CardAccess against its DG14.
    let check = compare_pace(&signed, CardAccess::Offered(&ca), None).unwrap();
    assert_eq!(check.status(), CheckStatus::Valid, "{}", check.reason());
    // Hidden EF.CardAccess, read with BAC.
    let check = compare_pace(&signed, CardAccess::Absent, Some(&bac())).unwrap();
    assert_eq!(check.status(), CheckStatus::Invalid);
    assert!(
        check
            .reason()
            .contains("the signed DG14 lists PACE-ECDH-GM AES-128, parameter id 13"),
        "{}",
        check.reason()
    );
}

#[test]
fn the_german_card_security_ranks_cam_over_gm() {
    let cs = de_card_security();
    let ca = card_access("DE");
    let signed = [SignedInfos {
        file: LdsFile::CardSecurity,
        infos: &cs,
    }];
    let offers: Vec<PaceInfo> = ca.pace_infos().cloned().collect();
    let cam = offers
        .iter()
        .find(|o| o.mapping == icao9303::lds::security_infos::Mapping::ChipAuthentication)
        .unwrap();
    let gm = offers
        .iter()
        .find(|o| o.mapping == icao9303::lds::security_infos::Mapping::Generic)
        .unwrap();
    let check = compare_pace(&signed, CardAccess::Offered(&ca), Some(&pace(cam))).unwrap();
    assert_eq!(check.status(), CheckStatus::Valid, "{}", check.reason());
    let check = compare_pace(&signed, CardAccess::Offered(&ca), Some(&pace(gm))).unwrap();
    assert_eq!(check.status(), CheckStatus::Invalid);
    assert!(
        check.reason().contains("weaker than PACE-ECDH-CAM AES-128"),
        "{}",
        check.reason()
    );
    // EF.CardAccess stripped of its CAM offer (the AT file offers GM only).
    let stripped = card_access("AT");
    let check = compare_pace(&signed, CardAccess::Offered(&stripped), Some(&pace(gm))).unwrap();
    assert_eq!(check.status(), CheckStatus::Invalid);
    assert!(
        check
            .reason()
            .contains("EF.CardAccess does not offer PACE-ECDH-CAM"),
        "{}",
        check.reason()
    );
}
