//! Chip Authentication v1 vectors (test-vectors/ICAO-VECTORS.md section 4.2): real AT, DE, MY and FR
//! sessions (gmrtd chip_auth_test.go).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::apdu::{CommandApdu, ResponseApdu};
use icao9303::asn1;
use icao9303::auth::chip;
use icao9303::channel::Channel;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::lds::security_infos::SecurityInfos;
use icao9303::sm::SecureMessaging;
use icao9303::tlv;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

struct Scripted(Vec<u8>);
impl rand_core::TryRng for Scripted {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        unimplemented!()
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        unimplemented!()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let n = dst.len();
        dst.copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Scripted {}

/// Protects with `sm`, compares with the recorded command, answers the recorded response.
struct Recorded {
    sm: SecureMessaging,
    script: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Channel for Recorded {
    fn exchange(
        &mut self,
        _step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, icao9303::Error> {
        let (expect, answer) = self.script.remove(0);
        let wire = self.sm.protect_command(command).unwrap();
        assert_eq!(
            hex::encode_upper(wire.to_bytes().unwrap()),
            hex::encode_upper(expect)
        );
        let resp = ResponseApdu::parse(&answer).unwrap();
        Ok(self.sm.unprotect_response(&resp).unwrap())
    }
}

fn dg14_infos(dg14: &[u8]) -> SecurityInfos {
    SecurityInfos::parse(asn1::parse_tagged(dg14, 0x6E).unwrap().value).unwrap()
}

fn session(
    dg14: &[u8],
    sk: &str,
    old: (&str, &str, &str),
    script: Vec<(&str, &str)>,
    select_dg14: (&str, &str),
    new_keys: (&str, &str),
) {
    let plan = chip::plan(&dg14_infos(dg14)).unwrap().unwrap();
    assert_eq!(plan.cipher, CipherAlgorithm::Aes128);
    let sm =
        SecureMessaging::new(CipherAlgorithm::Aes128, &h(old.0), &h(old.1), &h(old.2)).unwrap();
    let mut ch = Recorded {
        sm,
        script: script.into_iter().map(|(c, r)| (h(c), h(r))).collect(),
    };
    let new = chip::authenticate(&mut ch, &plan, &mut Scripted(h(sk))).unwrap();
    assert_eq!(hex::encode_upper(new.k_enc()), new_keys.0);
    assert_eq!(hex::encode_upper(new.k_mac()), new_keys.1);
    // Secure messaging restarts with the new keys (SSC 0): SELECT DG14.
    ch.sm = new;
    ch.script = vec![(h(select_dg14.0), h(select_dg14.1))];
    let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x0E]);
    let resp = ch.exchange("SELECT", &select).unwrap();
    assert!(resp.sw.is_success());
}

#[test]
fn austrian_session_aes_no_key_id() {
    session(
        &data("dg14/EF_DG14_AT.bin"),
        "80EBAFC8A51BECD4D90BB640EE38C9FD5C12748D28AAA37096B98C4533C4F5F5",
        (
            "524170DE3419B7AF2F23E45AD6EF9595",
            "97893F5FDC29A5C13A924FE7D8ED44FD",
            "000000000000000000000000000000F0",
        ),
        vec![
            (
                "0C2241A41D8711015D8F69B1EA365CCE4304970DB12421F38E085340D338128085E700",
                "990290008E083F5136E82A6C34779000",
            ),
            (
                "0C860000608751019E18F1BA79D805379752BB560EB70AAC3CE3BC5AFE2FDD4AEB325CA8B578B4A93B9F66A5DF40005F8E878535251D33DD974AAF77FB858773E5799FA9DC1034E89B1150EC7F0BB3DB4BF37A1B9EA4458A9701008E089D204D950C0B95DB00",
                "8711010B0A5DFFC7432DE4DEB604291377A05B990290008E08B3384A1F5D1579739000",
            ),
        ],
        (
            "0CA4020C1D8711011B2EE500E84960DF7F37AFE7ADFF53838E084500F3B43E192A5700",
            "990290008E0803C4B125B4218CEF9000",
        ),
        (
            "C8E27260EFD3F318D18C080CBF11C7E6",
            "A942190365204A21409EB28B52BF9160",
        ),
    );
}

#[test]
fn german_session_aes_with_key_id() {
    let dg14 = h(
        "6E82019A31820196300D060804007F00070202020201013012060A04007F0007020204020202010202010D3012060A04007F0007020204060202010202010D3013060A04007F00070202030202020101020200C330820146060904007F000702020102308201333081EC06072A8648CE3D02013081E0020101302C06072A8648CE3D0101022100A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377304404207D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9042026DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B60441048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997022100A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7020101034200047036BC5D0BCF31913B59103BB6F2C0C98C99EF4C19B9517340B76BFE4EE2194C76C3F3314E021D4B092DB5A32AB7D6E297F2FBEAE45AA28DEFC4DA750FEAD54E020200C3",
    );
    let plan = chip::plan(&dg14_infos(&dg14)).unwrap().unwrap();
    assert_eq!(plan.key.key_id, Some(0xC3));
    session(
        &dg14,
        "84A5145885678EE9307C28C52736896267511203B7B8009C5FE27ABCBAECDCAA",
        (
            "CC86415F2ED7E8FD663B754265695AE1",
            "581E84B8EE06C4D3EEE30461498D7FB3",
            "000000000000000000000000000000BA",
        ),
        vec![
            (
                "0C2241A41D871101980953D37F67558690045D78A853B18A8E08929767A2CEF172E200",
                "990290008E08FC873EBB62219C8A9000",
            ),
            (
                "0C8600006087510161912C367A6322D24AA1D4522DC47A7345369257672DF1D1163D506EB6489395D8083FAD393A394297CE8703C42F22C864C1F4C8E70EE1CF9B497ACF6579190D90F36CF9E16FE2149FF57247285D9E1E9701008E08A1D7A16EFBFD932C00",
                "87110123E7159AC9B0EF92CE1F6755B89697E3990290008E088972F1595E1508C29000",
            ),
        ],
        (
            "0CA4020C1D871101FAD37EADBCDE7E6A0833035A9FFF5B708E0836560BBCE1FECD5F00",
            "990290008E0829D0E1EBBB61BE7A9000",
        ),
        (
            "AF0EEDB52E87B945FC5503B1C6875C1C",
            "CEB85BEDCECFF1DD1E25DFB672C4A5BF",
        ),
    );
}

#[test]
fn malaysian_shared_secret_3des() {
    let plan = chip::plan(&dg14_infos(&data("dg14/EF_DG14_MY.bin")))
        .unwrap()
        .unwrap();
    assert_eq!(plan.cipher, CipherAlgorithm::Tdes);
    let (_, k) = chip::key_agreement(
        &plan.key,
        &mut Scripted(h(
            "3a31f4e18418312fcb40f3efbe719182c046a9719e1ed8c376197aa9e8ed7465",
        )),
    )
    .unwrap();
    assert_eq!(
        hex::encode_upper(&*k),
        "6257699DF0C5ED46BDFED8E0EC8C936D8EED9779B393B28C752635B51FBFC3E8"
    );
    let sm = SecureMessaging::from_shared_secret(CipherAlgorithm::Tdes, &k);
    assert_eq!(hex::encode(sm.k_enc()), "75b95468910849cdf1a1a2ae5452ce9b");
    assert_eq!(hex::encode(sm.k_mac()), "cd0bef85d5a82a7ae0fbc12368a41fef");
}

#[test]
fn french_key_without_ca_info_is_inferred() {
    // DG14 with only a ChipAuthenticationPublicKeyInfo on explicit NIST P-256 (and a PACEInfo).
    let infos = SecurityInfos::parse(&h("3182015A30820142060904007F000702020102308201333081EC06072A8648CE3D02013081E0020101302C06072A8648CE3D0101022100FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF30440420FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC04205AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B0441046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5022100FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551020101034200048367FC170D90AD53A28C6526A9C7EC4F5C59C4F7F5D992583F951A1654B4D1D6332163A33D82CBF245154887A8812ED9A55C15AD9D5C5C463851875BBA9AEABD3012060A04007F0007020204020402010202010C")).unwrap();
    let plan = chip::plan(&infos).unwrap().unwrap();
    assert!(plan.inferred);
    assert_eq!(plan.oid, h("04007F00070202030201"));
    assert_eq!(plan.cipher, CipherAlgorithm::Tdes);
    assert_eq!(plan.key.describe(), "ECDH NIST P-256");
    let (_, k) = chip::key_agreement(
        &plan.key,
        &mut Scripted(h(
            "d9c3b06a4dcb735351429403fcb56db520dc882512d775971f724d6112f96586",
        )),
    )
    .unwrap();
    assert_eq!(
        hex::encode_upper(&*k),
        "6E804E69FBD31A6A1B546B0BA37DB78288FEFD46EC6C694826A98B85D36C2873"
    );
    let sm = SecureMessaging::from_shared_secret(CipherAlgorithm::Tdes, &k);
    assert_eq!(hex::encode(sm.k_enc()), "8ae910a12991fbfe5e37c2c726a2df29");
    assert_eq!(hex::encode(sm.k_mac()), "1adac8970843d9bf8570737a04a8d50d");
}

#[test]
fn bsi_reference_dg14_brainpool_p224_explicit() {
    let plan = chip::plan(&dg14_infos(&data("bsi-reference-dataset/Datagroup14.bin")))
        .unwrap()
        .unwrap();
    assert_eq!(plan.cipher, CipherAlgorithm::Tdes);
    assert_eq!(plan.key.describe(), "ECDH brainpoolP224r1");
    assert_eq!(
        hex::encode_upper(&plan.key.public),
        "04A847F020F71DF33D386BE7C9223A354D6AC7727018B26E281C6FFB96A83B142AAF303C23F2BCF2CDE4706C14E45914A9BE42C15BCB67A01F"
    );
    // Both sides agree on K.
    let (pk_ifd, k) = chip::key_agreement(&plan.key, &mut Scripted(vec![0x11; 28])).unwrap();
    let k_chip = chip::chip_shared_secret(
        &plan.key.domain,
        &h("AD1B6F5BF65B63F53E6EE2E45C1F09243D9AA2AB0C9A78C8C4D25647"),
        &pk_ifd,
    )
    .unwrap();
    assert_eq!(*k, *k_chip);
}

/// A SubjectPublicKeyInfo `SEQUENCE { AlgorithmIdentifier { oid, params }, BIT STRING key }`.
fn spki(algorithm_oid: &[u8], params: Vec<u8>, key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0];
    bits.extend_from_slice(key);
    tlv::encode_constructed(
        0x30,
        &[
            tlv::encode_constructed(0x30, &[tlv::encode(0x06, algorithm_oid), params]),
            tlv::encode(0x03, &bits),
        ],
    )
}

fn uint(v: &[u8]) -> Vec<u8> {
    let mut x = vec![0];
    x.extend_from_slice(v);
    tlv::encode(0x02, &x)
}

const DH_PUBLIC_NUMBER: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01];
const EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

#[test]
fn ca_dh_keys_only_on_rfc_5114_groups_with_checked_public_values() {
    use icao9303::crypto::dh::DhGroup;
    let g1 = DhGroup::standard(1).unwrap();
    let g2 = DhGroup::standard(2).unwrap();
    let explicit =
        |p: &[u8], g: &[u8], q: &[u8]| tlv::encode_constructed(0x30, &[uint(p), uint(g), uint(q)]);
    let y = g2.pow(g2.g(), &[0x42; 20]);
    // Explicit parameters equal to RFC 5114 group 2, or its standardized id: accepted.
    for params in [explicit(g2.p(), g2.g(), g2.q()), tlv::encode(0x02, &[2])] {
        let key =
            chip::ChipKey::from_spki(&spki(&DH_PUBLIC_NUMBER, params, &uint(&y)), Some(1)).unwrap();
        assert_eq!(key.describe(), "DH 2048-bit");
        assert_eq!(key.public, y);
    }
    // Group 1's p and g with group 2's q: not an RFC 5114 group.
    let err = chip::ChipKey::from_spki(
        &spki(
            &DH_PUBLIC_NUMBER,
            explicit(g1.p(), g1.g(), g2.q()),
            &uint(&y),
        ),
        None,
    )
    .unwrap_err();
    assert!(err.contains("not one of the RFC 5114 groups"), "{err}");
    // Public values outside 1 < y < p − 1 or outside the order-q subgroup.
    let mut p_minus_1 = g2.p().to_vec();
    *p_minus_1.last_mut().unwrap() -= 1;
    for bad in [vec![1], p_minus_1, vec![2], g2.p().to_vec()] {
        let err = chip::ChipKey::from_spki(
            &spki(&DH_PUBLIC_NUMBER, tlv::encode(0x02, &[2]), &uint(&bad)),
            None,
        )
        .unwrap_err();
        assert!(err.contains("invalid Diffie-Hellman public value"), "{err}");
    }
    // A reserved parameter id.
    let err = chip::ChipKey::from_spki(
        &spki(&DH_PUBLIC_NUMBER, tlv::encode(0x02, &[3]), &uint(&y)),
        None,
    )
    .unwrap_err();
    assert!(err.contains("parameter id 3"), "{err}");
}

#[test]
fn ca_ec_keys_on_the_curve_and_of_the_protocol_key_agreement() {
    use icao9303::crypto::ec::EcCurve;
    let curve = EcCurve::BrainpoolP256r1;
    let g = curve.generator();
    let named = || tlv::encode(0x06, curve.oid());
    assert!(chip::ChipKey::from_spki(&spki(&EC_PUBLIC_KEY, named(), g.as_bytes()), None).is_ok());
    let mut off = g.as_bytes().to_vec();
    *off.last_mut().unwrap() ^= 1;
    let mut infinity = vec![0u8; g.as_bytes().len()];
    infinity[0] = 0x04;
    let mut compressed = vec![0x02 | (g.as_bytes().last().unwrap() & 1)];
    compressed.extend_from_slice(g.x());
    for bad in [off, infinity, compressed, vec![0x00]] {
        let err = chip::ChipKey::from_spki(&spki(&EC_PUBLIC_KEY, named(), &bad), None).unwrap_err();
        assert!(err.contains("not an uncompressed point"), "{err}");
    }
    // An EC key published as id-PK-DH: the plan refuses it.
    let key = spki(&EC_PUBLIC_KEY, named(), g.as_bytes());
    let info = tlv::encode_constructed(0x30, &[tlv::encode(0x06, &chip::ID_PK_DH), key]);
    let infos = SecurityInfos::parse(&tlv::encode(0x31, &info)).unwrap();
    let err = chip::plan(&infos).unwrap_err();
    assert!(
        err.contains("ECDH domain parameters for a DH protocol"),
        "{err}"
    );
}
