//! Every LDS parser on the same arbitrary bytes: COM, DG1–DG7, DG11–DG13, DG16, EF.DIR, EF.ATR/INFO, the
//! SecurityInfos of DG14 / EF.CardAccess / EF.CardSecurity, a bare ISO/IEC 19794-5 face record, and the image
//! format sniffing and header probing (no pixel decoding: see the `image` target).
#![no_main]
use icao9303::lds;
use libfuzzer_sys::fuzz_target;

#[path = "quiet_panics.rs"]
mod quiet_panics;

fuzz_target!(|data: &[u8]| {
    quiet_panics::install();
    let _ = lds::com::Com::parse(data);
    let _ = lds::dg1::Dg1::parse(data);
    let _ = lds::dg2::Dg2::parse(data);
    let _ = lds::dg3::Dg3::parse(data);
    let _ = lds::dg4::Dg4::parse(data);
    let _ = lds::displayed_image::DisplayedImageGroup::parse(data);
    let _ = lds::dg11::Dg11::parse(data);
    let _ = lds::dg12::Dg12::parse(data);
    let _ = lds::dg13::Dg13::parse(data);
    let _ = lds::dg16::Dg16::parse(data);
    let _ = lds::ef_dir::EfDir::parse(data);
    let _ = lds::atr_info::AtrInfo::parse(data);
    let _ = lds::security_infos::SecurityInfos::parse(data);
    let _ = lds::face::FaceRecord::parse(data);
    let _ = lds::dg11::PartialDate::from_value(data).iso8601();
    let _ = lds::image::sniff_format(data);
    let _ = lds::image::probe_size(data);
});
