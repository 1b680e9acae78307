//! EF.COM (ICAO 9303-10 section 4.6.1): the LDS version, the Unicode version and the list of data groups
//! present.

use super::LdsElement;
use super::LdsFile;
use super::error::{LdsError, TlvContext, parse_file, split_tag_list};
use crate::asn1::{self, Tag};

/// The tag of EF.COM.
pub const TAG_COM: Tag = 0x60;
/// The file name in errors.
const FILE: &str = "EF.COM";

/// A parsed EF.COM.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Com {
    /// LDS version "aabb" (tag 5F01), e.g. "0107".
    pub lds_version: String,
    /// Unicode version "aabbcc" (tag 5F36), e.g. "040000".
    pub unicode_version: String,
    /// The data groups listed in the tag list (tag 5C), in order.
    pub data_groups: Vec<LdsFile>,
    /// Tags in the tag list that name no data group.
    pub unknown_tags: Vec<u32>,
}

impl Com {
    /// Parses EF.COM (tag 60).
    pub fn parse(bytes: &[u8]) -> Result<Com, LdsError> {
        let top = parse_file(FILE, TAG_COM, bytes, &mut Vec::new())?;
        let text = |tag| -> Result<String, LdsError> {
            Ok(top
                .find(tag)
                .in_file(FILE, Some(TAG_COM))?
                .map(|t| String::from_utf8_lossy(t.value).into_owned())
                .unwrap_or_default())
        };
        let lds_version = text(0x5F01)?;
        let unicode_version = text(0x5F36)?;
        let list = top
            .find(0x5C)
            .in_file(FILE, Some(TAG_COM))?
            .ok_or(LdsError::MissingTag {
                file: FILE,
                tag: 0x5C,
            })?;
        let mut data_groups = Vec::new();
        let mut unknown_tags = Vec::new();
        // Tags in the list are one byte (61, 75, ...) except for multi-byte forms; a tag cut off at the end
        // of the list is dropped.
        let tags = split_tag_list(list.value).unwrap_or_else(|read| read);
        for tag in tags {
            match LdsFile::from_tag(tag) {
                Some(f) => data_groups.push(f),
                None => unknown_tags.push(tag),
            }
        }
        Ok(Com {
            lds_version,
            unicode_version,
            data_groups,
            unknown_tags,
        })
    }

    /// Builds EF.COM for the given versions and data groups (used by the emulator's personalisation).
    pub fn encode(lds_version: &str, unicode_version: &str, data_groups: &[LdsFile]) -> Vec<u8> {
        let list: Vec<u8> = data_groups
            .iter()
            .filter_map(|f| f.tag())
            .map(|t| t as u8)
            .collect();
        asn1::der::constructed(
            0x60,
            &[
                &asn1::der::tlv(0x5F01, lds_version.as_bytes()),
                &asn1::der::tlv(0x5F36, unicode_version.as_bytes()),
                &asn1::der::tlv(0x5C, &list),
            ],
        )
    }
}

impl LdsElement for Com {
    const FILES: &'static [LdsFile] = &[LdsFile::Com];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Com::parse(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_example() {
        let com = Com::parse(&hex::decode("60145F0104303130365F36063034303030305C026175").unwrap())
            .unwrap();
        assert_eq!(com.lds_version, "0106");
        assert_eq!(com.unicode_version, "040000");
        assert_eq!(com.data_groups, vec![LdsFile::Dg(1), LdsFile::Dg(2)]);
        let shared = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/data/icao-9303-10-examples/EF_COM.bin"
        ))
        .unwrap();
        let parsed = Com::parse(&shared).unwrap();
        assert!(parsed.data_groups.contains(&LdsFile::Dg(1)));
        let again = Com::encode(
            &parsed.lds_version,
            &parsed.unicode_version,
            &parsed.data_groups,
        );
        assert_eq!(Com::parse(&again).unwrap().data_groups, parsed.data_groups);
    }

    #[test]
    fn broken_com_is_an_error() {
        assert!(Com::parse(&[]).is_err());
        assert!(Com::parse(&hex::decode("6103020100").unwrap()).is_err());
        assert!(Com::parse(&hex::decode("60045F010130").unwrap()).is_err());
    }
}
