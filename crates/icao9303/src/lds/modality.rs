//! The biometric modalities of DG2, DG3 and DG4 (face, finger, iris) and the two encodings their records come in:
//! ISO/IEC 19794 binary records and ISO/IEC 39794 ASN.1 records (ICAO 9303-10 section 4.7.2). Names and codes
//! only: the parsers are in `lds::biometric` and the record modules.

use serde::Serialize;

/// The kind of biometric a data group and its records hold (CBEFF biometric type, ICAO 9303-10 section 4.7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Modality {
    /// Face (DG2; ISO/IEC 19794-5 or ISO/IEC 39794-5 records).
    Face,
    /// Fingerprint (DG3; ISO/IEC 19794-4 or ISO/IEC 39794-4 records).
    Finger,
    /// Iris (DG4; ISO/IEC 19794-6 or ISO/IEC 39794-6 records).
    Iris,
}

/// The two encodings of a biometric record inside a data block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RecordEncoding {
    /// ISO/IEC 19794 (2005/2011) binary record, starting with a four-byte format identifier.
    Iso19794,
    /// ISO/IEC 39794 (2019) ASN.1 DER record: an `[APPLICATION n]` data block, or its `[1]` context tag.
    Iso39794,
}

impl Modality {
    /// The word used in messages: "face", "finger", "iris".
    pub fn name(self) -> &'static str {
        match self {
            Modality::Face => "face",
            Modality::Finger => "finger",
            Modality::Iris => "iris",
        }
    }

    /// The CBEFF biometric type of the modality (Biometric Header Template tag 81): 0x02, 0x08, 0x10.
    pub fn biometric_type(self) -> u32 {
        match self {
            Modality::Face => 0x02,
            Modality::Finger => 0x08,
            Modality::Iris => 0x10,
        }
    }

    /// The data group holding records of this modality.
    pub fn data_group(self) -> u8 {
        match self {
            Modality::Face => 2,
            Modality::Finger => 3,
            Modality::Iris => 4,
        }
    }

    /// The part number of ISO/IEC 19794 and ISO/IEC 39794 for this modality (5, 4, 6).
    pub fn part(self) -> u8 {
        match self {
            Modality::Face => 5,
            Modality::Finger => 4,
            Modality::Iris => 6,
        }
    }

    /// The format identifier an ISO/IEC 19794 record starts with: `FAC\0`, `FIR\0`, `IIR\0`.
    pub fn iso19794_magic(self) -> &'static [u8; 4] {
        match self {
            Modality::Face => b"FAC\0",
            Modality::Finger => b"FIR\0",
            Modality::Iris => b"IIR\0",
        }
    }

    /// The `[APPLICATION n]` tag of an ISO/IEC 39794 data block: 65, 64, 66.
    pub fn iso39794_tag(self) -> u8 {
        match self {
            Modality::Face => 0x65,
            Modality::Finger => 0x64,
            Modality::Iris => 0x66,
        }
    }

    /// The standard's name for a record encoding: "ISO/IEC 19794-5", "ISO/IEC 39794-4", ...
    pub fn standard(self, encoding: RecordEncoding) -> &'static str {
        match (encoding, self) {
            (RecordEncoding::Iso19794, Modality::Face) => "ISO/IEC 19794-5",
            (RecordEncoding::Iso19794, Modality::Finger) => "ISO/IEC 19794-4",
            (RecordEncoding::Iso19794, Modality::Iris) => "ISO/IEC 19794-6",
            (RecordEncoding::Iso39794, Modality::Face) => "ISO/IEC 39794-5",
            (RecordEncoding::Iso39794, Modality::Finger) => "ISO/IEC 39794-4",
            (RecordEncoding::Iso39794, Modality::Iris) => "ISO/IEC 39794-6",
        }
    }
}
