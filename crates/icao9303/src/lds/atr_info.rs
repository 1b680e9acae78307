//! EF.ATR/INFO (ICAO 9303-10 section 3.11.2): the chip's capabilities, such as extended length support.
//!
//! The file holds ISO/IEC 7816-4 interindustry data objects in BER-TLV: 7F66 extended length information
//! `{ 02 max command bytes, 02 max response bytes }`, 47 card capabilities, 43 card service data, 46 pre-issuing
//! data, 5F52 historical bytes. Inside the historical bytes the objects are COMPACT-TLV (one byte: tag in the high
//! nibble, length in the low), which is read here only to find the card capabilities (tag 7).

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::error::{LdsError, TlvContext, be_uint, serialize_unknown, to_hex};
use crate::asn1::{self, Tag};

/// Tag of the extended length information.
pub const TAG_EXTENDED_LENGTH_INFO: Tag = 0x7F66;
/// Tag of the card capabilities.
pub const TAG_CARD_CAPABILITIES: Tag = 0x47;
/// Tag of the historical bytes.
pub const TAG_HISTORICAL_BYTES: Tag = 0x5F52;

/// The third card-capabilities byte's bit for "extended Lc and Le fields" (ISO/IEC 7816-4, third software
/// function table, b7).
const EXTENDED_LC_LE: u8 = 0x40;
/// The third card-capabilities byte's bit for command chaining (b8).
const COMMAND_CHAINING: u8 = 0x80;

/// The parsed EF.ATR/INFO.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AtrInfo {
    /// The largest command data field the chip accepts (first INTEGER of 7F66).
    pub max_command_len: Option<usize>,
    /// The largest response data field the chip sends (second INTEGER of 7F66).
    pub max_response_len: Option<usize>,
    /// True when the chip supports extended-length APDUs (7F66 allows more than 256 bytes, or the card
    /// capabilities say so).
    pub extended_length: bool,
    /// True when the card capabilities announce command chaining.
    pub command_chaining: bool,
    /// The card capabilities (47, or COMPACT-TLV tag 7 in the historical bytes), in hex.
    pub card_capabilities: Option<String>,
    /// Card service data (43), in hex.
    pub card_service_data: Option<String>,
    /// Pre-issuing data (46), in hex.
    pub pre_issuing_data: Option<String>,
    /// Historical bytes (5F52), in hex.
    pub historical_bytes: Option<String>,
    /// Other data objects, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl AtrInfo {
    /// Parses EF.ATR/INFO.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const FILE: &str = "EF.ATR/INFO";
        let mut info = AtrInfo::default();
        let mut capabilities: Option<Vec<u8>> = None;
        for object in asn1::parse_all(bytes).in_file(FILE, None)? {
            match object.tag {
                TAG_EXTENDED_LENGTH_INFO => {
                    let ints: Vec<Option<usize>> = object
                        .children()
                        .in_file(FILE, Some(TAG_EXTENDED_LENGTH_INFO))?
                        .iter()
                        .filter(|t| t.tag == 0x02)
                        .map(|t| be_uint(t.value).and_then(|n| usize::try_from(n).ok()))
                        .collect();
                    info.max_command_len = ints.first().copied().flatten();
                    info.max_response_len = ints.get(1).copied().flatten();
                    if info.max_command_len.is_none() || info.max_response_len.is_none() {
                        info.warnings.push(format!(
                            "{FILE}: extended length information (7F66) is incomplete"
                        ));
                    }
                }
                TAG_CARD_CAPABILITIES => capabilities = Some(object.value.to_vec()),
                0x43 => info.card_service_data = Some(to_hex(object.value)),
                0x46 => info.pre_issuing_data = Some(to_hex(object.value)),
                TAG_HISTORICAL_BYTES => {
                    info.historical_bytes = Some(to_hex(object.value));
                    if capabilities.is_none() {
                        capabilities = capabilities_in_historical_bytes(object.value);
                    }
                }
                tag => info.unknown.push((tag, object.value.to_vec())),
            }
        }
        if let Some(caps) = &capabilities {
            info.card_capabilities = Some(to_hex(caps));
            let third = caps.get(2).copied().unwrap_or(0);
            info.command_chaining = third & COMMAND_CHAINING != 0;
            info.extended_length = third & EXTENDED_LC_LE != 0;
        }
        let beyond_short = |n: Option<usize>| n.is_some_and(|n| n > 256);
        if beyond_short(info.max_command_len) || beyond_short(info.max_response_len) {
            info.extended_length = true;
        }
        Ok(info)
    }
}

/// Finds the card capabilities (COMPACT-TLV tag 7) in historical bytes with category indicator 00 or 80.
fn capabilities_in_historical_bytes(historical: &[u8]) -> Option<Vec<u8>> {
    let (&category, rest) = historical.split_first()?;
    let mut objects = match category {
        0x80 => rest,
        // Category 00: the last three bytes are the status indicator, not COMPACT-TLV.
        0x00 => rest.get(..rest.len().checked_sub(3)?)?,
        _ => return None,
    };
    while let Some((&head, tail)) = objects.split_first() {
        let len = usize::from(head & 0x0F);
        let value = tail.get(..len)?;
        if head >> 4 == 0x7 {
            return Some(value.to_vec());
        }
        objects = tail.get(len..)?;
    }
    None
}

impl LdsElement for AtrInfo {
    const FILES: &'static [LdsFile] = &[LdsFile::AtrInfo];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        AtrInfo::parse(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn extended_length_info() {
        // 7F66 { 02 0FFF, 02 0FFF } as a chip with 4 KiB buffers announces it.
        let info = AtrInfo::parse(&hex::decode("7F660802020FFF02020FFF").unwrap()).unwrap();
        assert_eq!(info.max_command_len, Some(0x0FFF));
        assert_eq!(info.max_response_len, Some(0x0FFF));
        assert!(info.extended_length);
        assert!(info.warnings.is_empty());
    }

    #[test]
    fn short_only_chip() {
        let info = AtrInfo::parse(
            &hex::decode("7F66080202010002020100470300 0100".replace(' ', "")).unwrap(),
        )
        .unwrap();
        assert_eq!(info.max_command_len, Some(256));
        assert!(!info.extended_length);
        assert_eq!(info.card_capabilities.as_deref(), Some("000100"));
    }

    #[test]
    fn capabilities_from_historical_bytes() {
        // Category 80, COMPACT-TLV 73 { 00 00 C0 }: chaining and extended Lc/Le.
        let info = AtrInfo::parse(&hex::decode("5F520580730000C0").unwrap()).unwrap();
        assert!(info.extended_length);
        assert!(info.command_chaining);
        assert_eq!(info.max_command_len, None);
        // A cut-off COMPACT-TLV object is ignored, not a panic.
        let info = AtrInfo::parse(&hex::decode("5F52038075 00".replace(' ', "")).unwrap()).unwrap();
        assert!(!info.extended_length);
    }
}
