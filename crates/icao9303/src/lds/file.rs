//! The elementary files of an eMRTD (ICAO 9303-10 section 4): identifiers, short file identifiers, tags and
//! names.

use std::fmt;

/// An elementary file of the eMRTD: in the master file (EF.CardAccess, EF.CardSecurity, EF.ATR/INFO,
/// EF.DIR) or in the eMRTD application (EF.COM, EF.SOD, DG1–DG16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LdsFile {
    /// EF.CardAccess (011C): SecurityInfos for PACE, readable without access control.
    CardAccess,
    /// EF.CardSecurity (011D in the master file): signed SecurityInfos.
    CardSecurity,
    /// EF.ATR/INFO (2F01): the chip's capabilities.
    AtrInfo,
    /// EF.DIR (2F00): the applications on the chip.
    Dir,
    /// EF.COM (011E): LDS version and the list of data groups.
    Com,
    /// EF.SOD (011D in the application): the document security object.
    Sod,
    /// EF.CVCA (011C in the application, SFI 1C): the CARs of the chip's Terminal Authentication trust
    /// points (TR-03110-3 A.6.2.1).
    Cvca,
    /// Data group 1 to 16.
    Dg(u8),
}

impl LdsFile {
    /// The file identifier used by SELECT.
    pub fn fid(self) -> u16 {
        match self {
            LdsFile::CardAccess => 0x011C,
            LdsFile::CardSecurity => 0x011D,
            LdsFile::AtrInfo => 0x2F01,
            LdsFile::Dir => 0x2F00,
            LdsFile::Com => 0x011E,
            LdsFile::Sod => 0x011D,
            LdsFile::Cvca => 0x011C,
            LdsFile::Dg(n) => 0x0100 + u16::from(n),
        }
    }

    /// The short file identifier for READ BINARY (ICAO 9303-10 table 39).
    pub fn sfi(self) -> Option<u8> {
        match self {
            LdsFile::CardAccess => Some(0x1C),
            LdsFile::CardSecurity => Some(0x1D),
            LdsFile::AtrInfo => Some(0x01),
            LdsFile::Dir => Some(0x1E),
            LdsFile::Com => Some(0x1E),
            LdsFile::Sod => Some(0x1D),
            LdsFile::Cvca => Some(0x1C),
            LdsFile::Dg(n @ 1..=16) => Some(n),
            LdsFile::Dg(_) => None,
        }
    }

    /// True for files of the master file, read before the eMRTD application is selected.
    pub fn in_master_file(self) -> bool {
        matches!(
            self,
            LdsFile::CardAccess | LdsFile::CardSecurity | LdsFile::AtrInfo | LdsFile::Dir
        )
    }

    /// The tag a file starts with, where ICAO 9303-10 fixes one.
    pub fn tag(self) -> Option<u32> {
        Some(match self {
            LdsFile::Com => 0x60,
            LdsFile::Sod => 0x77,
            LdsFile::Dg(n) => match n {
                1 => 0x61,
                2 => 0x75,
                3 => 0x63,
                4 => 0x76,
                5 => 0x65,
                6 => 0x66,
                7 => 0x67,
                8 => 0x68,
                9 => 0x69,
                10 => 0x6A,
                11 => 0x6B,
                12 => 0x6C,
                13 => 0x6D,
                14 => 0x6E,
                15 => 0x6F,
                16 => 0x70,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The data group whose EF.COM tag (in the 5C tag list) is `tag`.
    pub fn from_tag(tag: u32) -> Option<LdsFile> {
        (1..=16).map(LdsFile::Dg).find(|f| f.tag() == Some(tag))
    }

    /// The file name used in reports and dumps: "EF.COM", "DG1", ...
    pub fn name(self) -> String {
        match self {
            LdsFile::Dg(n @ 17..) => format!("DG{n}"),
            _ => self.label().to_owned(),
        }
    }

    /// The file name as a static string, for errors ([`crate::lds::error::LdsError`] names files this way):
    /// the same as [`LdsFile::name`] for every file of the LDS, `"DG?"` for a data group number above 16.
    pub fn label(self) -> &'static str {
        const DG: [&str; 17] = [
            "DG0", "DG1", "DG2", "DG3", "DG4", "DG5", "DG6", "DG7", "DG8", "DG9", "DG10", "DG11",
            "DG12", "DG13", "DG14", "DG15", "DG16",
        ];
        match self {
            LdsFile::CardAccess => "EF.CardAccess",
            LdsFile::CardSecurity => "EF.CardSecurity",
            LdsFile::AtrInfo => "EF.ATR/INFO",
            LdsFile::Dir => "EF.DIR",
            LdsFile::Com => "EF.COM",
            LdsFile::Sod => "EF.SOD",
            LdsFile::Cvca => "EF.CVCA",
            LdsFile::Dg(n) => DG.get(usize::from(n)).copied().unwrap_or("DG?"),
        }
    }

    /// What the file holds, in a few words (ICAO 9303-10 section 4.6 for the data groups): "the machine
    /// readable zone", "additional document details", ...
    pub fn description(self) -> &'static str {
        match self {
            LdsFile::Com => "LDS version and the list of data groups",
            LdsFile::Sod => {
                "document security object: data group hashes and the issuer's signature"
            }
            LdsFile::CardAccess => "SecurityInfos for PACE",
            LdsFile::CardSecurity => "signed SecurityInfos",
            LdsFile::AtrInfo => "the chip's capabilities",
            LdsFile::Dir => "the applications on the chip",
            LdsFile::Cvca => "the chip's Terminal Authentication trust points",
            LdsFile::Dg(n) => match n {
                1 => "the machine readable zone",
                2 => "encoded face",
                3 => "encoded fingerprints",
                4 => "encoded irises",
                5 => "displayed portrait",
                6 => "other displayed image",
                7 => "displayed signature or usual mark",
                8..=10 => "data features, structure features, substance features",
                11 => "additional personal details",
                12 => "additional document details",
                13 => "optional details (issuer-defined)",
                14 => "security options (Chip Authentication, PACE)",
                15 => "Active Authentication public key",
                16 => "persons to notify",
                _ => "data group",
            },
        }
    }

    /// The file name of a raw dump: "EF_COM.bin", "DG1.bin", ...
    pub fn dump_name(self) -> String {
        match self {
            LdsFile::AtrInfo => "EF_ATR_INFO.bin".into(),
            LdsFile::Dg(n) => format!("DG{n}.bin"),
            other => format!("{}.bin", other.name().replace('.', "_")),
        }
    }

    /// Every file of the LDS: the master file's, then EF.COM, EF.SOD, EF.CVCA and DG1–DG16.
    pub fn all() -> impl Iterator<Item = LdsFile> {
        [
            LdsFile::CardAccess,
            LdsFile::CardSecurity,
            LdsFile::AtrInfo,
            LdsFile::Dir,
            LdsFile::Com,
            LdsFile::Sod,
            LdsFile::Cvca,
        ]
        .into_iter()
        .chain((1..=16).map(LdsFile::Dg))
    }

    /// The file a dump name denotes (inverse of [`LdsFile::dump_name`]).
    pub fn from_dump_name(name: &str) -> Option<LdsFile> {
        LdsFile::all().find(|f| f.dump_name() == name)
    }
}

impl fmt::Display for LdsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl serde::Serialize for LdsFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(LdsFile::Dg(1).fid(), 0x0101);
        assert_eq!(LdsFile::Dg(16).fid(), 0x0110);
        assert_eq!(LdsFile::Com.sfi(), Some(0x1E));
        assert_eq!(LdsFile::from_tag(0x75), Some(LdsFile::Dg(2)));
        assert_eq!(LdsFile::Dg(11).dump_name(), "DG11.bin");
        assert_eq!(LdsFile::Com.dump_name(), "EF_COM.bin");
        assert_eq!(LdsFile::from_dump_name("EF_SOD.bin"), Some(LdsFile::Sod));
        assert_eq!(LdsFile::from_dump_name("DG14.bin"), Some(LdsFile::Dg(14)));
        assert_eq!(LdsFile::Cvca.fid(), LdsFile::CardAccess.fid());
        assert!(!LdsFile::Cvca.in_master_file());
        assert_eq!(LdsFile::from_dump_name("EF_CVCA.bin"), Some(LdsFile::Cvca));
        for f in LdsFile::all() {
            assert_eq!(f.label(), f.name());
        }
        assert_eq!(LdsFile::Dg(20).name(), "DG20");
    }
}
