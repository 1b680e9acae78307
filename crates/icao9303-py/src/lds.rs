//! The parsed LDS as Python objects: `mrtd.Mrz` (DG1), `mrtd.Face` (DG2), `mrtd.Dg11`, `mrtd.Dg12`.
//!
//! They show what the files say. Whether the issuer signed it is the report's business: a document's data
//! is the holder's only when its report's verdict is `"verified"`.

use pyo3::prelude::*;
use pyo3::types::{PyAny, PyBytes};

use icao9303::lds::dg11::PartialDate;
use icao9303::lds::image::ImageFormat;
use icao9303::mrz::MrzFormat;

/// The machine readable zone stored in DG1.
#[pyclass(frozen, module = "mrtd", name = "Mrz")]
pub struct Mrz {
    pub(crate) mrz: icao9303::Mrz,
}

#[pymethods]
impl Mrz {
    /// `"TD1"`, `"TD2"`, `"TD3"`, `"MRV-A"` or `"MRV-B"`.
    #[getter]
    fn format(&self) -> &'static str {
        match self.mrz.format {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
            MrzFormat::MrvA => "MRV-A",
            MrzFormat::MrvB => "MRV-B",
        }
    }

    /// Document code: `"P"`, `"ID"`, `"IR"` (UK residence permit), ...
    #[getter]
    fn document_code(&self) -> &str {
        &self.mrz.document_code
    }

    /// Issuing state (ICAO three-letter code).
    #[getter]
    fn issuing_state(&self) -> &str {
        &self.mrz.issuing_state
    }

    /// Document number.
    #[getter]
    fn document_number(&self) -> &str {
        &self.mrz.document_number
    }

    /// Date of birth, YYMMDD as printed.
    #[getter]
    fn date_of_birth(&self) -> &str {
        &self.mrz.date_of_birth
    }

    /// Date of expiry, YYMMDD as printed.
    #[getter]
    fn date_of_expiry(&self) -> &str {
        &self.mrz.date_of_expiry
    }

    /// Sex: `"M"`, `"F"`, `"X"` or `"<"`.
    #[getter]
    fn sex(&self) -> String {
        self.mrz.sex.to_string()
    }

    /// Nationality (ICAO three-letter code).
    #[getter]
    fn nationality(&self) -> &str {
        &self.mrz.nationality
    }

    /// Surname(s).
    #[getter]
    fn primary_identifier(&self) -> &str {
        &self.mrz.primary_identifier
    }

    /// Given name(s).
    #[getter]
    fn secondary_identifier(&self) -> &str {
        &self.mrz.secondary_identifier
    }

    /// Optional data of the first line (TD1) or the second (TD3: personal number).
    #[getter]
    fn optional_data_1(&self) -> &str {
        &self.mrz.optional_data_1
    }

    /// Optional data of the second line (TD1).
    #[getter]
    fn optional_data_2(&self) -> &str {
        &self.mrz.optional_data_2
    }

    /// The lines as stored.
    #[getter]
    fn lines(&self) -> Vec<String> {
        self.mrz.lines.clone()
    }

    /// True when every check digit matches.
    #[getter]
    fn check_digits_valid(&self) -> bool {
        self.mrz.check_digits.iter().all(|c| c.valid)
    }

    /// Every field, as the library serialises it.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::to_python(py, &self.mrz)
    }

    fn __repr__(&self) -> String {
        format!(
            "<mrtd.Mrz {} {} {}>",
            self.format(),
            self.mrz.document_code,
            self.mrz.issuing_state
        )
    }
}

/// The first face image of DG2.
#[pyclass(frozen, module = "mrtd", name = "Face")]
pub struct Face {
    pub(crate) face: icao9303::lds::face::FaceImage,
}

#[pymethods]
impl Face {
    /// The image bytes as stored (JPEG or JPEG 2000 on most documents).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.face.data)
    }

    /// `"jpeg"`, `"jpeg2000"`, `"png"`, `"wsq"` or `"unknown"`.
    #[getter]
    fn format(&self) -> &'static str {
        match self.face.format {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Jpeg2000 => "jpeg2000",
            ImageFormat::Png => "png",
            ImageFormat::Wsq => "wsq",
            ImageFormat::Unknown(_) => "unknown",
        }
    }

    /// The MIME type of the image (`image/jpeg`, `image/jp2`, ...).
    #[getter]
    fn mime_type(&self) -> &'static str {
        self.face.format.mime_type()
    }

    /// Width in pixels, as the record declares it.
    #[getter]
    fn width(&self) -> u32 {
        self.face.width
    }

    /// Height in pixels, as the record declares it.
    #[getter]
    fn height(&self) -> u32 {
        self.face.height
    }

    fn __repr__(&self) -> String {
        format!(
            "<mrtd.Face {} {}x{}, {} bytes>",
            self.format(),
            self.face.width,
            self.face.height,
            self.face.data.len()
        )
    }
}

/// A partial date (`YYYYMMDD`, possibly `19880000`) as stored.
fn raw_date(date: &Option<PartialDate>) -> Option<String> {
    date.as_ref().map(|d| d.raw.clone())
}

/// DG11: additional personal details.
#[pyclass(frozen, module = "mrtd", name = "Dg11")]
pub struct Dg11 {
    pub(crate) dg: icao9303::lds::dg11::Dg11,
}

#[pymethods]
impl Dg11 {
    /// Full name (surname first, `<<` between names as stored).
    #[getter]
    fn full_name(&self) -> Option<String> {
        self.dg.full_name.clone()
    }
    /// Other names.
    #[getter]
    fn other_names(&self) -> Vec<String> {
        self.dg.other_names.clone()
    }
    /// Personal number.
    #[getter]
    fn personal_number(&self) -> Option<String> {
        self.dg.personal_number.clone()
    }
    /// Full date of birth as stored (`YYYYMMDD`; unknown parts `00`).
    #[getter]
    fn full_date_of_birth(&self) -> Option<String> {
        raw_date(&self.dg.full_date_of_birth)
    }
    /// Place of birth.
    #[getter]
    fn place_of_birth(&self) -> Option<String> {
        self.dg.place_of_birth.clone()
    }
    /// Permanent address.
    #[getter]
    fn address(&self) -> Option<String> {
        self.dg.address.clone()
    }
    /// Telephone.
    #[getter]
    fn telephone(&self) -> Option<String> {
        self.dg.telephone.clone()
    }
    /// Profession.
    #[getter]
    fn profession(&self) -> Option<String> {
        self.dg.profession.clone()
    }
    /// Title.
    #[getter]
    fn title(&self) -> Option<String> {
        self.dg.title.clone()
    }
    /// Personal summary.
    #[getter]
    fn personal_summary(&self) -> Option<String> {
        self.dg.personal_summary.clone()
    }
    /// Proof of citizenship (an image, as stored).
    #[getter]
    fn proof_of_citizenship<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.dg
            .proof_of_citizenship
            .as_deref()
            .map(|b| PyBytes::new(py, b))
    }
    /// Other valid travel document numbers.
    #[getter]
    fn other_valid_td_numbers(&self) -> Option<String> {
        self.dg.other_valid_td_numbers.clone()
    }
    /// Custody information.
    #[getter]
    fn custody_information(&self) -> Option<String> {
        self.dg.custody_information.clone()
    }
    /// Problems that did not stop the parse.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.dg.warnings.clone()
    }
    /// Every field, as the library serialises it.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::to_python(py, &self.dg)
    }
    fn __repr__(&self) -> String {
        "<mrtd.Dg11>".into()
    }
}

/// DG12: additional document details (on a UK BRP: the remarks and conditions).
#[pyclass(frozen, module = "mrtd", name = "Dg12")]
pub struct Dg12 {
    pub(crate) dg: icao9303::lds::dg12::Dg12,
}

#[pymethods]
impl Dg12 {
    /// Issuing authority.
    #[getter]
    fn issuing_authority(&self) -> Option<String> {
        self.dg.issuing_authority.clone()
    }
    /// Date of issue as stored (`YYYYMMDD`).
    #[getter]
    fn date_of_issue(&self) -> Option<String> {
        raw_date(&self.dg.date_of_issue)
    }
    /// Names of other persons.
    #[getter]
    fn other_persons(&self) -> Vec<String> {
        self.dg.other_persons.clone()
    }
    /// Endorsements and observations (a BRP's remarks: "NO PUBLIC FUNDS", work conditions, ...).
    #[getter]
    fn endorsements_and_observations(&self) -> Option<String> {
        self.dg.endorsements_and_observations.clone()
    }
    /// Tax or exit requirements.
    #[getter]
    fn tax_or_exit_requirements(&self) -> Option<String> {
        self.dg.tax_or_exit_requirements.clone()
    }
    /// Image of the front of the document, as stored.
    #[getter]
    fn front_image<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.dg.front_image.as_deref().map(|b| PyBytes::new(py, b))
    }
    /// Image of the rear of the document, as stored.
    #[getter]
    fn rear_image<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.dg.rear_image.as_deref().map(|b| PyBytes::new(py, b))
    }
    /// Date and time of personalization, `YYYYMMDDhhmmss` as stored.
    #[getter]
    fn personalization_date_time(&self) -> Option<String> {
        self.dg.personalization_date_time.clone()
    }
    /// Serial number of the personalization system.
    #[getter]
    fn personalization_system_serial_number(&self) -> Option<String> {
        self.dg.personalization_system_serial_number.clone()
    }
    /// Problems that did not stop the parse.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.dg.warnings.clone()
    }
    /// Every field, as the library serialises it.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::to_python(py, &self.dg)
    }
    fn __repr__(&self) -> String {
        "<mrtd.Dg12>".into()
    }
}
