//! PACE worked examples (test-vectors/ICAO-VECTORS.md sections 3.1–3.6), APDU by APDU, with a scripted
//! channel and an RNG that replays the examples' terminal keys.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::Error;
use icao9303::access::Password;
use icao9303::access::pace::{self, primitives};
use icao9303::apdu::{CommandApdu, ResponseApdu};
use icao9303::channel::Channel;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::domain::DomainParameters;
use icao9303::crypto::ec::EcCurve;
use icao9303::lds::security_infos::{PaceInfo, SecurityInfos};
use icao9303::mrz::MrzKey;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// Replays fixed bytes; panics when asked for more than the script holds.
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
        assert!(self.0.len() >= n, "RNG script exhausted");
        dst.copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Scripted {}

/// Checks each command against the example and answers with the example's response.
struct Script(Vec<(Vec<u8>, Vec<u8>)>);
impl Channel for Script {
    fn exchange(
        &mut self,
        _step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        assert!(!self.0.is_empty(), "unexpected command");
        let (expected, response) = self.0.remove(0);
        assert_eq!(
            hex::encode_upper(command.to_bytes().unwrap()),
            hex::encode_upper(expected)
        );
        Ok(ResponseApdu::parse(&response).unwrap())
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn info_of(card_access: &str) -> PaceInfo {
    SecurityInfos::parse(&h(card_access))
        .unwrap()
        .pace_infos()
        .next()
        .unwrap()
        .clone()
}

fn mrz_t22() -> Password {
    Password::Mrz(MrzKey::new("T22000129", "640812", "101031").unwrap())
}

#[test]
fn s3_1_ecdh_generic_mapping() {
    let info = info_of("31143012060A04007F0007020204020202010202010D");
    let pk_map_ifd = h(
        "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D",
    );
    let pk_map_ic = h(
        "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54",
    );
    let pk_ifd = h(
        "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462",
    );
    let pk_ic = h(
        "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094",
    );
    let mut channel = Script(vec![
        (h("0022C1A40F800A04007F00070202040202830101"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
        ),
        (
            cat(&[&h("10860000457C438141"), &pk_map_ifd, &h("00")]),
            cat(&[&h("7C438241"), &pk_map_ic, &h("9000")]),
        ),
        (
            cat(&[&h("10860000457C438341"), &pk_ifd, &h("00")]),
            cat(&[&h("7C438441"), &pk_ic, &h("9000")]),
        ),
        (
            h("008600000C7C0A8508C2B0BD78D94BA86600"),
            h("7C0A86083ABB9674BCE93C089000"),
        ),
    ]);
    let mut rng = Scripted(h(
        "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
    ));
    let out = pace::authenticate(&mut channel, &mrz_t22(), &info, None, false, &mut rng).unwrap();
    assert!(channel.0.is_empty());
    assert_eq!(
        hex::encode_upper(out.sm.k_enc()),
        "F5F0E35C0D7161EE6724EE513A0D9A7F"
    );
    assert_eq!(
        hex::encode_upper(out.sm.k_mac()),
        "FE251C7858B356B24514B3BD5F4297D1"
    );
    assert_eq!(out.sm.ssc(), &[0u8; 16]);
    assert_eq!(out.parameter_id, Some(13));
    assert_eq!(out.cipher, CipherAlgorithm::Aes128);
    assert_eq!(out.pk_ic, pk_ic);
    assert!(out.chip_auth.is_none());

    // Intermediate values.
    let k_pi = primitives::password_key(&mrz_t22(), CipherAlgorithm::Aes128);
    assert_eq!(
        hex::encode_upper(&*k_pi),
        "89DED1B26624EC1E634C1989302849DD"
    );
    let s = primitives::decrypt_nonce(
        CipherAlgorithm::Aes128,
        &k_pi,
        &h("95A3A016522EE98D01E76CB6B98B42C3"),
    )
    .unwrap();
    assert_eq!(hex::encode_upper(&*s), "3F00C4D39D153F2B2A214A078D899B22");
    let domain = DomainParameters::Ec(EcCurve::BrainpoolP256r1);
    let g = primitives::generic_map(
        &domain,
        &s,
        &h("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"),
        &pk_map_ic,
    )
    .unwrap();
    assert_eq!(
        g,
        primitives::Generator::Ec(EcCurve::BrainpoolP256r1.decode_point(&h("048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")).unwrap())
    );
    let k = primitives::shared_secret(
        &domain,
        &h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"),
        &pk_ic,
    )
    .unwrap();
    assert_eq!(
        hex::encode_upper(&*k),
        "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925"
    );
    assert_eq!(
        hex::encode_upper(primitives::public_key_object(&domain, &info.oid, &pk_ic)),
        "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
    );
}

#[test]
fn s3_1_parameter_id_and_wrong_password() {
    // gmrtd's variant sends 84 0D; a chip answering 6300 on the token step means a wrong password.
    let info = info_of("31143012060A04007F0007020204020202010202010D");
    let pk_map_ifd = h(
        "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D",
    );
    let pk_map_ic = h(
        "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54",
    );
    let pk_ifd = h(
        "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462",
    );
    let pk_ic = h(
        "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094",
    );
    let script = |last: Vec<u8>| {
        Script(vec![
            (
                h("0022C1A412800A04007F0007020204020283010184010D"),
                h("9000"),
            ),
            (
                h("10860000027C0000"),
                h("7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
            ),
            (
                cat(&[&h("10860000457C438141"), &pk_map_ifd, &h("00")]),
                cat(&[&h("7C438241"), &pk_map_ic, &h("9000")]),
            ),
            (
                cat(&[&h("10860000457C438341"), &pk_ifd, &h("00")]),
                cat(&[&h("7C438441"), &pk_ic, &h("9000")]),
            ),
            (h("008600000C7C0A8508C2B0BD78D94BA86600"), last),
        ])
    };
    let rng = || {
        Scripted(h(
            "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
        ))
    };
    let err = pace::authenticate(
        &mut script(h("6300")),
        &mrz_t22(),
        &info,
        None,
        true,
        &mut rng(),
    )
    .unwrap_err();
    assert!(err.is_access_denied(), "{err}");
    // A chip token that does not verify, after the chip accepted the terminal's (so the password was
    // right), is named as such: not "access denied".
    let err = pace::authenticate(
        &mut script(h("7C0A86083ABB9674BCE93C099000")),
        &mrz_t22(),
        &info,
        None,
        true,
        &mut rng(),
    )
    .unwrap_err();
    assert!(!err.is_access_denied(), "{err}");
    assert!(matches!(err, Error::Protocol { .. }), "{err}");
    assert!(
        err.to_string().contains(
            "the chip's authentication token in PACE mutual authentication did not verify"
        ),
        "{err}"
    );
    // A chip answering its mapping key as the terminal's own is refused.
    let mut reflect = Script(vec![
        (h("0022C1A40F800A04007F00070202040202830101"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
        ),
        (
            cat(&[&h("10860000457C438141"), &pk_map_ifd, &h("00")]),
            cat(&[&h("7C438241"), &pk_map_ifd, &h("9000")]),
        ),
    ]);
    let err =
        pace::authenticate(&mut reflect, &mrz_t22(), &info, None, false, &mut rng()).unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err}");
    // A point off the curve is refused.
    let mut bad = pk_map_ic.clone();
    bad[64] ^= 1;
    let mut off = Script(vec![
        (h("0022C1A40F800A04007F00070202040202830101"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
        ),
        (
            cat(&[&h("10860000457C438141"), &pk_map_ifd, &h("00")]),
            cat(&[&h("7C438241"), &bad, &h("9000")]),
        ),
    ]);
    let err = pace::authenticate(&mut off, &mrz_t22(), &info, None, false, &mut rng()).unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err}");
}

const Y_MAP_IFD: &str = "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C";
const Y_MAP_IC: &str = "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6";
const Y_IFD_GM: &str = "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4";
const Y_IC_GM: &str = "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1";

#[test]
fn s3_2_dh_generic_mapping() {
    let info = info_of("31143012060A04007F00070202040102020102020100");
    let mut channel = Script(vec![
        (h("0022C1A40F800A04007F00070202040102830101"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C128010854D8DF5827FA6852D1A4FA701CDDDCA9000"),
        ),
        (
            h(&format!("10860000867C8183818180{Y_MAP_IFD}00")),
            h(&format!("7C8183828180{Y_MAP_IC}9000")),
        ),
        (
            h(&format!("10860000867C8183838180{Y_IFD_GM}00")),
            h(&format!("7C8183848180{Y_IC_GM}9000")),
        ),
        (
            h("008600000C7C0A8508B46DD9BD4D98381F00"),
            h("7C0A8608917F37B5C0E6D8D19000"),
        ),
    ]);
    let mut rng = Scripted(h(
        "5265030F751F4AD18B08AC565FC7AC952E41618D89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA",
    ));
    let out = pace::authenticate(&mut channel, &mrz_t22(), &info, None, false, &mut rng).unwrap();
    assert!(channel.0.is_empty());
    assert_eq!(
        hex::encode_upper(out.sm.k_enc()),
        "2F7F46ADCC9E7E521B45D192FAFA9126"
    );
    assert_eq!(
        hex::encode_upper(out.sm.k_mac()),
        "805A1D27D45A5116F73C54469462B7D8"
    );
    assert_eq!(out.parameter_id, Some(0));
}

#[test]
fn s3_3_ecdh_integrated_mapping() {
    let info = PaceInfo::protocol(&h("04007F00070202040402")).unwrap();
    let info = PaceInfo::new(info.0, info.1, info.2, Some(13)).unwrap();
    let pk_ifd = h(
        "0489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D46755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C37",
    );
    let pk_ic = h(
        "0467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D22753",
    );
    let mut channel = Script(vec![
        (h("0022C1A40F800A04007F00070202040402830102"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C128010143DC40C08C8E891FBED7DEDB92B64AD9000"),
        ),
        (
            h("10860000147C1281105DD4CBFC96F5453B130D890A1CDBAE3200"),
            h("7C009000"),
        ),
        (
            cat(&[&h("10860000457C438341"), &pk_ifd, &h("00")]),
            cat(&[&h("7C438441"), &pk_ic, &h("9000")]),
        ),
        (
            h("008600000C7C0A8508450F02B86F6A090900"),
            h("7C0A860875D4D96E8D5B03089000"),
        ),
    ]);
    let mut rng = Scripted(h(
        "5DD4CBFC96F5453B130D890A1CDBAE32A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
    ));
    let can = Password::can("123456").unwrap();
    let out = pace::authenticate(&mut channel, &can, &info, None, false, &mut rng).unwrap();
    assert!(channel.0.is_empty());
    assert_eq!(
        hex::encode_upper(out.sm.k_enc()),
        "0D3FEB33251A6370893D62AE8DAAF51B"
    );
    assert_eq!(
        hex::encode_upper(out.sm.k_mac()),
        "B01E89E3D9E8719E586B50B4A7506E0B"
    );
}

#[test]
fn s3_4_dh_integrated_mapping() {
    let (m, ka, c) = PaceInfo::protocol(&h("04007F00070202040302")).unwrap();
    let info = PaceInfo::new(m, ka, c, Some(0)).unwrap();
    let y_ifd = "0F0CC62945A8029251FB7EF3C094E12EC68E4EF07F27CB9D9CD04C5C4250FAE0E4F8A951557E929AEB48E5C6DD47F2F5CD7C351A9BD2CD722C07EDE166770F08FFCB370262CF308DD7B07F2E0DA9CAAA1492344C852906919538C98A4BA4187E76CE9D87832386D319CE2E043C3343AEAE6EDBA1A9894DC5094D22F7FE1351D5";
    let y_ic = "928D9A0F9DBA450F13FC859C6F290D1D36E42431138A4378500BEB4E0401854CFF111F71CB6DC1D0335807A11388CC8EAA87B07907AAD9FBA6B169AF6D8C26AF8DDDC39ADC3AD2E3FF882B84D23E9768E95A80E4746FB07A9767679FE92133B4D379935C771BD7FBED6C7BB4B1708B275EA75679524CDC9C6A91370CC662A2F3";
    let mut channel = Script(vec![
        (h("0022C1A40F800A04007F00070202040302830102"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C1280109ABB8864CA0FF1551E620D1EF4E135109000"),
        ),
        (
            h("10860000147C128110B3A6DB3C870C3E99245E0D1C06B747DE00"),
            h("7C009000"),
        ),
        (
            h(&format!("10860000867C8183838180{y_ifd}00")),
            h(&format!("7C8183848180{y_ic}9000")),
        ),
        (
            h("008600000C7C0A850855D61977CBF5307E00"),
            h("7C0A8608C2F04230187E15259000"),
        ),
    ]);
    // The example's x_IFD is a 128-byte representative; the terminal draws q-size exponents, and
    // g~^x = g~^(x mod q) because g~ has order q: x mod q = 89CCD99B…F2CA.
    let mut rng = Scripted(h(
        "B3A6DB3C870C3E99245E0D1C06B747DE89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA",
    ));
    let can = Password::can("123456").unwrap();
    let out = pace::authenticate(&mut channel, &can, &info, None, false, &mut rng).unwrap();
    assert!(channel.0.is_empty());
    assert_eq!(
        hex::encode_upper(out.sm.k_enc()),
        "01AFC10CF87BE36D8179E87370171F07"
    );
    assert_eq!(
        hex::encode_upper(out.sm.k_mac()),
        "23F0FBD05FD6C7B8B88F4C8309669061"
    );
}

#[test]
fn s3_5_chip_authentication_mapping() {
    let info = info_of("31143012060A04007F0007020204060202010202010D");
    let pk_map_ifd = h(
        "047F1D410ADB7DDB3B84BF1030800981A9105D7457B4A3ADE002384F3086C67EDE1AB889104A27DB6D842B019020FBF3CEACB0DC627F7BDCAC29969E19D0E553C1",
    );
    let pk_map_ic = h(
        "04A234236AA9B9621E8EFB73B5245C0E09D2576E5277183C1208BDD55280CAE8B304F365713A356E65A451E165ECC9AC0AC46E3771342C8FE5AEDD092685338E23",
    );
    let pk_ifd = h(
        "04446C934084D9DAB863944F219520076C29EE3F7AE6722B11FF319EC1C7728F955483400BFF60BF0C5929270009277DC2A515E12575010AD9BA916CF1BF86FEFC",
    );
    let pk_ic = h(
        "0402AD566F3C6EC7F9324509AD50A51FA52030782A4968FCFEDF737DAEA993333111C3B9B4C2287789BD137E7F8AA882E2A3C633CCD6ECC2C63C57AD401A09C2E1",
    );
    let mut channel = Script(vec![
        (h("0022C1A40F800A04007F00070202040602830101"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C128010CB60E8E0D85B76A9BD304747C2AD42E29000"),
        ),
        (
            cat(&[&h("10860000457C438141"), &pk_map_ifd, &h("00")]),
            cat(&[&h("7C438241"), &pk_map_ic, &h("9000")]),
        ),
        (
            cat(&[&h("10860000457C438341"), &pk_ifd, &h("00")]),
            cat(&[&h("7C438441"), &pk_ic, &h("9000")]),
        ),
        (
            h("008600000C7C0A8508E86BD06018A1CD3B00"),
            h(
                "7C3C86088596CF055C67C1A38A301EEA964DAAE372AC990E3EFDE6333353BFC89A6704D93DA8798CF77F5B7A54BD10CBA372B42BE0B9B5F28AA8DE2F4F929000",
            ),
        ),
    ]);
    let mut rng = Scripted(h(
        "5D8BB87BD74D985A4B7D4325B9F7B976FE835122773400798914AA22738135CC76ECFDAA9841C323A3F5FC5E88B88DB3EFF7E35EBF57A7E6946CB630006C2120",
    ));
    let password = Password::Mrz(MrzKey::new("C11T002JM", "960812", "231031").unwrap());
    let out = pace::authenticate(&mut channel, &password, &info, None, false, &mut rng).unwrap();
    assert!(channel.0.is_empty());
    assert_eq!(
        hex::encode_upper(out.sm.k_enc()),
        "0A9DA4DB03BDDE39FC5202BC44B2E89E"
    );
    assert_eq!(
        hex::encode_upper(out.sm.k_mac()),
        "4B1C06491ED5140CA2B537D344C6C0B1"
    );
    let cam = out.chip_auth.unwrap();
    assert_eq!(
        hex::encode_upper(&cam.ca_ic),
        "85DC3FA93D0952BFA82F5FD189EE75BD82F11D1F0B8ED4BF5319AC9B53C426B3"
    );
    assert_eq!(cam.pk_map_ic, pk_map_ic);
    let static_pk = h(
        "041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610DC884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F",
    );
    assert!(
        primitives::verify_chip_auth(
            EcCurve::BrainpoolP256r1,
            &cam.ca_ic,
            &cam.pk_map_ic,
            &static_pk
        )
        .unwrap()
    );
    assert!(
        !primitives::verify_chip_auth(EcCurve::BrainpoolP256r1, &cam.ca_ic, &pk_ic, &static_pk)
            .unwrap()
    );
}

#[test]
fn s3_6_bsi_worked_example_ecdh() {
    // Only the private keys are published: the chip's answers are computed here from SK_PICC, and the
    // terminal must reproduce T_PCD and accept T_PICC of the example.
    let curve = EcCurve::BrainpoolP256r1;
    let domain = DomainParameters::Ec(curve);
    let info = PaceInfo::new(
        icao9303::lds::security_infos::Mapping::Generic,
        icao9303::lds::security_infos::KeyAgreement::Ecdh,
        CipherAlgorithm::Aes128,
        Some(13),
    )
    .unwrap();
    let sk_map_pcd = h("752287F5B02DE3C4BC3E17945118C51B23C97278E4CD748048AC56BA5BDC3D46");
    let sk_map_picc = h("19C428715663DE745D1824B855D2B967890C99D68ED5FEEE9DCDF8D7BBA289D2");
    let sk_pcd = h("9D9A32DF93A57CCE33CA3CDD3457E33A976F293546C73550F397259C93BE0120");
    let sk_picc = h("15872C56908C144002177994CFAAEDD5467CE150853C44535051FF24183039D8");
    let g = primitives::Generator::standard(&domain);
    let pk_map_pcd = primitives::public_key(&domain, &g, &sk_map_pcd).unwrap();
    let pk_map_picc = primitives::public_key(&domain, &g, &sk_map_picc).unwrap();
    let s = h("7D98C00FC6C9E9543BBF94A87073A123");
    let g_tilde = primitives::generic_map(&domain, &s, &sk_map_picc, &pk_map_pcd).unwrap();
    assert_eq!(
        g_tilde,
        primitives::Generator::Ec(curve.decode_point(&h("043929D28BA1E5339D6C5DADE5E33BD3C2F0BD14DD77C7521532261659C918FA6014DD48FA84E62BDE438EDB4C9771D042CDB24B7788BDBAB2031C45751E777F66")).unwrap())
    );
    let pk_pcd = primitives::public_key(&domain, &g_tilde, &sk_pcd).unwrap();
    let pk_picc = primitives::public_key(&domain, &g_tilde, &sk_picc).unwrap();
    let mut channel = Script(vec![
        (h("0022C1A40F800A04007F00070202040202830102"), h("9000")),
        (
            h("10860000027C0000"),
            h("7C128010CE834CDE69FFBB1D1EB21585CD709F189000"),
        ),
        (
            cat(&[&h("10860000457C438141"), &pk_map_pcd, &h("00")]),
            cat(&[&h("7C438241"), &pk_map_picc, &h("9000")]),
        ),
        (
            cat(&[&h("10860000457C438341"), &pk_pcd, &h("00")]),
            cat(&[&h("7C438441"), &pk_picc, &h("9000")]),
        ),
        (
            h("008600000C7C0A8508A27AE7B36573C1D900"),
            h("7C0A8608A2658C2F38600B0F9000"),
        ),
    ]);
    let mut rng = Scripted(cat(&[&sk_map_pcd, &sk_pcd]));
    let out = pace::authenticate(
        &mut channel,
        &Password::can("123456").unwrap(),
        &info,
        None,
        false,
        &mut rng,
    )
    .unwrap();
    assert_eq!(
        hex::encode_upper(out.sm.k_enc()),
        "68406B4162100563D9C901A6154D2901"
    );
    assert_eq!(
        hex::encode_upper(out.sm.k_mac()),
        "73FF268784F72AF833FDC9464049AFC9"
    );
    let k = primitives::shared_secret(&domain, &sk_pcd, &pk_picc).unwrap();
    assert_eq!(
        hex::encode_upper(&*k),
        "6E7D077CCD367C2EAA683F1E8EC534302E2D00B6ADAF8A87A6EDA78740F17606"
    );
}

#[test]
fn unusable_domain_parameters_are_refused_before_any_command() {
    use icao9303::crypto::domain::DomainParameterError;
    use icao9303::lds::security_infos::{KeyAgreement, Mapping};
    let dh = |id| {
        PaceInfo::new(
            Mapping::Generic,
            KeyAgreement::Dh,
            CipherAlgorithm::Aes128,
            id,
        )
        .unwrap()
    };
    // `Script(vec![])` panics on any command: each refusal happens before MSE:Set AT.
    let run = |info: &PaceInfo, domain: Option<&DomainParameters>| match pace::authenticate(
        &mut Script(vec![]),
        &mrz_t22(),
        info,
        domain,
        false,
        &mut Scripted(vec![]),
    ) {
        Err(Error::DomainParameters { source, .. }) => source,
        other => panic!("expected a domain parameter error, got {other:?}"),
    };
    let group2 = DomainParameters::standard(2).unwrap();
    assert!(matches!(
        run(&dh(Some(0)), Some(&group2)),
        DomainParameterError::OverridesStandardizedId { id: 0, .. }
    ));
    assert!(matches!(
        run(&dh(Some(32)), DomainParameters::standard(13).as_ref()),
        DomainParameterError::KeyAgreementMismatch { .. }
    ));
    assert_eq!(
        run(&dh(Some(5)), None),
        DomainParameterError::UnknownParameterId(5)
    );
    assert_eq!(run(&dh(None), None), DomainParameterError::Missing(None));
}
