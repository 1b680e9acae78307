//! Active Authentication vectors (test-vectors/ICAO-VECTORS.md section 5).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::apdu::{CommandApdu, ResponseApdu};
use icao9303::auth::active::{self, AaError};
use icao9303::channel::Channel;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::lds::dg15::Dg15;
use icao9303::sm::SecureMessaging;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A channel that protects with `sm`, checks the wire command and answers with a recorded response.
struct Recorded {
    sm: SecureMessaging,
    expect: Vec<u8>,
    answer: Vec<u8>,
}

impl Channel for Recorded {
    fn exchange(
        &mut self,
        _step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, icao9303::Error> {
        let wire = self.sm.protect_command(command).unwrap();
        assert_eq!(
            hex::encode(wire.to_bytes().unwrap()),
            hex::encode(&self.expect)
        );
        let resp = ResponseApdu::parse(&self.answer).unwrap();
        Ok(self.sm.unprotect_response(&resp).unwrap())
    }
}

const SIG_1792: &str = "474256306840c0ab1b63c10e1c26bdfef4a0dd843920283cc4e6e70a60f2bd25dc7725f9677bc1cde66379dc28b38e8490f33afb2d10f9980c44c0bfc175d2b6684218f535c92fdd3e18db770a9ccbf91db3c7f0138e6d9e94b9bc8371761e3abed5e5e9b260279cfb238b58ae0d6a01da51c74c2a3ecd62c448bd9f20127f7384587287fa971204234e55b1a856c3e5aaaa620bb799a68fbae08ee132bb61683eba9b0b40dc1e54641cad975b16991cab50af82e3f3985afd19e7427a125f5b4b9878b12a5d2e01c7eedca3bb41c6fc05dccd818bce379d04b1f2f5d43487d3";

#[test]
fn real_rsa_1792_sha256_session_under_3des_sm() {
    // gmrtd TestDoActiveAuth: SSC 00000000000000CC, RND.IFD 96302B0F3D7E7864.
    let sm = SecureMessaging::new(
        CipherAlgorithm::Tdes,
        &h("b99d546108eaa251570876b6d3456dce"),
        &h("e3857ca24946251c151c540e13f2cd51"),
        &h("00000000000000cc"),
    )
    .unwrap();
    let mut ch = Recorded {
        sm,
        expect: h("0c88000020871101ed7f8cb47a4eea086324a7f9dd7427809701008e0897f54bae49aa71f800"),
        answer: h(
            "8781e901d04ca80f527df94f4a430d3d6e6cb6c2af4c6756c068a93132d147fa27833125304132981b8bd8009448e89f259eec8552b54285cef9d8f1b7fb31b9f279221c7e925f4951811f3fe2e01d76e68dbc7cde9c873c5f61862f3c5469792a72f92c8943b890436f5e9feaead9f2a361fcd7a615493d1b3519865f32ee9a125886588eb21fee0e709353d0731139fdc958d6b2127fad6947b438998b526819803f70f78614cd42f4a6619c6af95dfd2ab09bedf71e707abc39a250aee68006d522ad37d159674984a07d11c001022c853aeb7acdb059ede5721a3b9f20441bda7e242ee8df1369d25316990290008e08fd2493147866f0ed9000",
        ),
    };
    let challenge: [u8; 8] = h("96302b0f3d7e7864").try_into().unwrap();
    let sig = active::internal_authenticate(&mut ch, &challenge).unwrap();
    assert_eq!(hex::encode(&sig), SIG_1792);
    assert_eq!(hex::encode(ch.sm.ssc()), "00000000000000ce");

    let dg15 = Dg15::parse(&data("dg15/EF_DG15_sample.bin")).unwrap();
    let rec = active::recover(&dg15.key, &sig).unwrap();
    assert_eq!(rec.trailer, h("34CC"));
    assert_eq!(rec.m1.len(), 189);
    assert!(hex::encode_upper(&rec.m1).starts_with("D982BDF542CDC574"));
    assert_eq!(
        hex::encode_upper(&rec.digest),
        "750C1A52410F3E339490D5A7A8DE4D27EEBD37C6810D8D1F7B854D3D891015DC"
    );
    let how = active::verify(&dg15, None, &challenge, &sig).unwrap();
    assert!(how.contains("RSA-1792") && how.contains("SHA-256"), "{how}");
    // Another challenge: the hash no longer matches.
    assert_eq!(
        active::verify(&dg15, None, &h("96302b0f3d7e7865"), &sig),
        Err(AaError::HashMismatch("SHA-256"))
    );
    // A corrupted signature recovers garbage.
    let mut bad = sig.clone();
    bad[100] ^= 1;
    assert!(active::verify(&dg15, None, &challenge, &bad).is_err());
}

#[test]
fn real_rsa_1024_sha1_triples() {
    // pymrtd iso9796e2_test.py: four nonce / signature / M1 triples from one real passport.
    let dg15 = Dg15::parse(&h("6F81A230819F300D06092A864886F70D010101050003818D0030818902818100BD8620D45693E1CD8678639F22E9553F09E3AFD87BD26000113CE2798B7A02A2E0AB6B7525D09072109D938D6708167E8FAFAF83F17BFBA36CECCE26058C7ED9AE29516755B19F78CE0E73DA02340B117B8AB2ECA007F1390E93E896016335EB5C1E330B961C03E253D17874F7ABEE8D4962C49FFE578D46954FF23B26F5E5550203010001")).unwrap();
    for (nonce, sig, m1) in [
        (
            "47E4EE7F211F7326",
            "8AECE4E0AB1A6B9E06B31ACBA51AE316D0B7B48E2F5FE13E575060F6B9DC27A2F9D03DCF67A141F466EEC753879106BE0992F46F5EAAD075EB1886D2ACE90D60C2EDA69880780CE4FA36EF27AB01C47527BD23B178EC8F213307281572C219487FC11B2C3D9C144DC98D96D1A79A7478449D692D3D14E8C044F81B3ADF0047E0",
            "60735d54c4fc7759a2093c4b6f6f09dac2ddb103bd14b512e5683aed8ed7eb8fd3dd6bf122dadf8c2c43d359f8f6e6537dadec03d21b385a9b3bf6111751558f860ce3701574d742962110ad81d08f13e5e9439d912ac2b3f61d60cc48700f5260a82ca06362dd077e75",
        ),
        (
            "5DD17658F6E21C13",
            "97251259E9EB453A8DC2D9CD85D5A49D2E83F31D6465CB1FBD09C5E7800D4F0FB9FF7312343CD3955CA3BE6768AD7938F3D36B0C9E2205923786949B5F48FBF1C94D01B5BC9DA88C8293E118F87E14E4CC409D52AA7ED266E20248AB3C04949838540DEB24588436607EA620B4825D002C5FAB4F07B618D72C0A9EC247653FE7",
            "51d3acac47e1f3b2f438218d4deb5386f6a53d74271c4c2498c86c721f485f0332ff4d1ab94b559fbf4c6c73917647eaa09ff5d179fb7a5e84327b6ded162a967ef0fd78d8f3f05cb360a4aa78651f4464c830a62575d4fbea6fe56f6021e50970925c7447b7d0274f68",
        ),
        (
            "18BD6C81F37598E2",
            "12C0972DFE9E1DDB42B46130D64339E0845578D85E5F0ED7C9E12036AE0C3D417BBAAA6CA5579E782DDEADA825E432C2AE9593B8DB5806327E22B18CD0AB86353C314925A01390806A1D6E8DDE2CD0D82D9671457139241E93BC308E5573C335D14EF6182A5171A443A82A2568D6B1373A1F227377C584ABA7B1E8B1F47E393F",
            "097d0235b982189b854a80e67ad9087b22590b49279727d471c12fa40412c499aefc6a38faacb1e5042b9fb06826c678dca36e61e16ea3a7c17ead774a28f66a6a21d2277355ce134b59d8953dda7ce37ea836210aa3a2abed9159e91ea047223dcb16578537864642b2",
        ),
        (
            "0A2756299542EFCF",
            "0854CF7B69FB54286F97FC8B396722E21156DFEEC38CF5C63035B09A59C4EA7FCA79865D5EE166548AAE5AE1F629A57459B46F5D1D1E4EFE9369C0075903D3CA282D6B2CF5843E62CE53BEA33E3D6AA7A48147CC38C9B534437FD0DCD0F0C787BE74061DFA844435253D651E7986BA47F49FA49D7041BD1FE72B5E5D09221FD1",
            "6ed132d3836b72e561edfb1948b8cfc6049de6d00a724a9747f13fb2ad26676455bf1bf2a7b29a5b27b34c893bdabee203e1c8a20ffb277971363fc74543ac6419916ae2179360252519e25e4f2e5534810071072a34c25b92773e61f6ab75c35da4238bd78eb6cbbdde",
        ),
    ] {
        let rec = active::recover(&dg15.key, &h(sig)).unwrap();
        assert_eq!(hex::encode(&rec.m1), m1);
        active::verify(&dg15, None, &h(nonce), &h(sig)).unwrap();
    }
}

#[test]
fn bouncycastle_iso9796_vector() {
    let key = "30819f300d06092a864886f70d010101050003818d0030818902818100CDCBDABBF93BE8E8294E32B055256BBD0397735189BF75816341BB0D488D05D627991221DF7D59835C76A4BB4808ADEEB779E7794504E956ADC2A661B46904CDC71337DD29DDDD454124EF79CFDD7BC2C21952573CEFBA485CC38C6BD2428809B5A31A898A6B5648CAA4ED678D9743B589134B7187478996300EDBA16271A8610203010001";
    let dg15 = Dg15::parse(&Dg15::encode(&h(key))).unwrap();
    let sig = h(
        "482E20D1EDDED34359C38F5E7C01203F9D6B2641CDCA5C404D49ADAEDE034C7481D781D043722587761C90468DE69C6585A1E8B9C322F90E1B580EEDAB3F6007D0C366CF92B4DB8B41C8314929DCE2BE889C0129123484D2FD3D12763D2EBFD12AC8E51D7061AFCA1A53DEDEC7B9A617472A78C952CCC72467AE008E5F132994",
    );
    let rec = active::recover(&dg15.key, &sig).unwrap();
    assert_eq!(
        hex::encode(&rec.m1),
        "539bb29260e7bc226c8798b01af2caaadc3675e26065e1e3856615894d5baef7d97634278d6dd609cf9091b68b248cc2f817ccc2e98ad7efa3b730ee97afc20ad5c00e24f8a49b89cdb05613b5ce2094cc21c9afb84a23c771be5ca500e8fb5d75f40d93cab6ee019569"
    );
    active::verify(&dg15, None, &h("0000000000000000"), &sig).unwrap();
}

#[test]
fn bsi_key_signs_the_icao_example() {
    // The BSI data set's DG15 key signing ICAO example F (RND.IFD F173589974BF40C6), min(s, n - s).
    let dg15 = Dg15::parse(&data("bsi-reference-dataset/Datagroup15.bin")).unwrap();
    let sig = h(
        "092A08B03D09F356685688A41D69925B8A122250E74F2825699EE47BA42DCBEEEB73C50331FE0A0A983F5AAC0C9A2CC4FB7E703443B6F7DC7D19414AE52A4E6AAECC9089E274342797950CBF72E7FDFB6158554678AA9938428E208E9FC70E6082F74C54C41E00590C939AED3F793EF4533DCB5F84B7815C418A53181CF30BC2",
    );
    let rec = active::recover(&dg15.key, &sig).unwrap();
    assert_eq!(
        hex::encode_upper(&rec.digest),
        "C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127"
    );
    assert!(hex::encode_upper(&rec.m1).starts_with("9D2784A67F8E7C65"));
    active::verify(&dg15, None, &h("F173589974BF40C6"), &sig).unwrap();
    assert!(active::verify(&dg15, None, &h("F173589974BF40C7"), &sig).is_err());
}
