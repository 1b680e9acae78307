//! What the reader says it can carry: PC/SC part 10 (v2.02.09) `FEATURE_GET_TLV_PROPERTIES`.
//!
//! The reader driver is asked with `SCardControl`: first `CM_IOCTL_GET_FEATURE_REQUEST`
//! (`SCARD_CTL_CODE(3400)`), which answers the features it supports as TLVs (tag: the feature number,
//! length 4, value: the feature's control code, big-endian); then the control code of
//! `FEATURE_GET_TLV_PROPERTIES` (0x12), which answers the reader's properties as TLVs (tag, length, value;
//! integers little-endian). `dwMaxAPDUDataSize` (tag 0x0A) is the largest APDU data field the reader
//! carries: 0 for short APDUs only, otherwise extended APDUs up to that size.
//!
//! A driver without the feature (or refusing `SCardControl`) says nothing: the reader's extended-length
//! support is then unknown. The answers come from a driver: every length is checked, nothing here panics.

use icao9303::transport::{
    EXTENDED_COMMAND_LEN, EXTENDED_RESPONSE_LEN, ExtendedLength, SHORT_COMMAND_LEN,
    SHORT_RESPONSE_LEN,
};
use thiserror::Error;

/// The function number of `CM_IOCTL_GET_FEATURE_REQUEST`, to pass through `SCARD_CTL_CODE`
/// (`pcsc::ctl_code`).
pub const CM_IOCTL_GET_FEATURE_REQUEST: u32 = 3400;

/// The feature number of `FEATURE_GET_TLV_PROPERTIES`.
pub const FEATURE_GET_TLV_PROPERTIES: u8 = 0x12;

/// TLV property tags (PC/SC part 10 v2.02.09 section 2.6.14).
mod tag {
    pub const LCD_LAYOUT: u8 = 0x01;
    pub const ENTRY_VALIDATION_CONDITION: u8 = 0x02;
    pub const TIMEOUT2: u8 = 0x03;
    pub const LCD_MAX_CHARACTERS: u8 = 0x04;
    pub const LCD_MAX_LINES: u8 = 0x05;
    pub const MIN_PIN_SIZE: u8 = 0x06;
    pub const MAX_PIN_SIZE: u8 = 0x07;
    pub const FIRMWARE_ID: u8 = 0x08;
    pub const PPDU_SUPPORT: u8 = 0x09;
    pub const MAX_APDU_DATA_SIZE: u8 = 0x0A;
    pub const VENDOR_ID: u8 = 0x0B;
    pub const PRODUCT_ID: u8 = 0x0C;
}

/// A malformed answer from the reader driver.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Part10Error {
    /// A TLV's length runs past the end of the answer.
    #[error("PC/SC part 10: TLV with tag {tag:#04x} claims {len} bytes, {left} left")]
    Truncated {
        /// The TLV's tag.
        tag: u8,
        /// Its length byte.
        len: usize,
        /// Bytes left in the answer.
        left: usize,
    },
    /// A value of the wrong size for its tag.
    #[error("PC/SC part 10: tag {tag:#04x} has {len} bytes, expected {expected}")]
    BadLength {
        /// The TLV's tag.
        tag: u8,
        /// Its length.
        len: usize,
        /// The size the tag takes.
        expected: &'static str,
    },
}

/// Splits `bytes` into (tag, value) pairs of one-byte tags and one-byte lengths.
fn tlvs(bytes: &[u8]) -> Result<Vec<(u8, &[u8])>, Part10Error> {
    let mut out = Vec::new();
    let mut rest = bytes;
    loop {
        match rest {
            [] => return Ok(out),
            [tag] => {
                return Err(Part10Error::Truncated {
                    tag: *tag,
                    len: 1,
                    left: 0,
                });
            }
            [tag, len, after @ ..] => {
                let len = usize::from(*len);
                let value = after.get(..len).ok_or(Part10Error::Truncated {
                    tag: *tag,
                    len,
                    left: after.len(),
                })?;
                out.push((*tag, value));
                rest = &after[len..];
            }
        }
    }
}

/// The features of a `CM_IOCTL_GET_FEATURE_REQUEST` answer: (feature number, control code).
pub fn parse_features(bytes: &[u8]) -> Result<Vec<(u8, u32)>, Part10Error> {
    tlvs(bytes)?
        .into_iter()
        .map(|(tag, value)| {
            let code = <[u8; 4]>::try_from(value).map_err(|_| Part10Error::BadLength {
                tag,
                len: value.len(),
                expected: "4",
            })?;
            Ok((tag, u32::from_be_bytes(code)))
        })
        .collect()
}

/// The reader properties of a `FEATURE_GET_TLV_PROPERTIES` answer that matter here (the PIN pad and
/// display properties are checked for size and left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlvProperties {
    /// `dwMaxAPDUDataSize`: the largest APDU data field the reader carries (0: short APDUs only).
    pub max_apdu_data_size: Option<u32>,
    /// `bPPDUSupport`: bit 0 pseudo-APDUs through `FEATURE_CCID_ESC_COMMAND`, bit 1 through `SCardTransmit`.
    pub ppdu_support: Option<u8>,
    /// `sFirmwareID`: the firmware version, as the reader spells it.
    pub firmware_id: Option<String>,
    /// `wIdVendor`: the USB vendor id.
    pub vendor_id: Option<u16>,
    /// `wIdProduct`: the USB product id.
    pub product_id: Option<u16>,
}

/// A little-endian integer of exactly `N` bytes.
fn le_int<const N: usize>(tag: u8, value: &[u8]) -> Result<u64, Part10Error> {
    let bytes = <[u8; N]>::try_from(value).map_err(|_| Part10Error::BadLength {
        tag,
        len: value.len(),
        expected: match N {
            1 => "1",
            2 => "2",
            _ => "4",
        },
    })?;
    Ok(bytes
        .iter()
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// Parses a `FEATURE_GET_TLV_PROPERTIES` answer. Unknown tags are skipped (later versions add some).
pub fn parse_tlv_properties(bytes: &[u8]) -> Result<TlvProperties, Part10Error> {
    let mut props = TlvProperties::default();
    for (t, value) in tlvs(bytes)? {
        match t {
            tag::MAX_APDU_DATA_SIZE => {
                props.max_apdu_data_size = Some(le_int::<4>(t, value)? as u32);
            }
            tag::PPDU_SUPPORT => props.ppdu_support = Some(le_int::<1>(t, value)? as u8),
            tag::VENDOR_ID => props.vendor_id = Some(le_int::<2>(t, value)? as u16),
            tag::PRODUCT_ID => props.product_id = Some(le_int::<2>(t, value)? as u16),
            tag::FIRMWARE_ID => {
                let text = String::from_utf8_lossy(value);
                props.firmware_id = Some(text.trim_end_matches('\0').to_string());
            }
            tag::LCD_LAYOUT | tag::LCD_MAX_CHARACTERS | tag::LCD_MAX_LINES => {
                le_int::<2>(t, value)?;
            }
            tag::ENTRY_VALIDATION_CONDITION
            | tag::TIMEOUT2
            | tag::MIN_PIN_SIZE
            | tag::MAX_PIN_SIZE => {
                le_int::<1>(t, value)?;
            }
            _ => {}
        }
    }
    Ok(props)
}

/// Where the reader's limits came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapabilitySource {
    /// PC/SC part 10 `FEATURE_GET_TLV_PROPERTIES` (`dwMaxAPDUDataSize`).
    TlvProperties,
    /// The `SCARD_ATTR_MAXINPUT` attribute (the largest command the driver takes).
    MaxInput,
    /// The driver said nothing.
    Nothing,
}

/// What a reader can carry, as its driver says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderCapabilities {
    /// Whether the reader carries extended-length APDUs: yes, no, or unknown (the driver does not say).
    pub extended_length: ExtendedLength,
    /// The largest command APDU it carries, in bytes (the extended maximum when unknown).
    pub max_command_len: usize,
    /// The largest response APDU it carries, in bytes (the extended maximum when unknown).
    pub max_response_len: usize,
    /// Where this came from.
    pub source: CapabilitySource,
    /// The TLV properties, when the driver gave them.
    pub properties: Option<TlvProperties>,
}

impl ReaderCapabilities {
    /// The reader's limits from its TLV properties, else from `SCARD_ATTR_MAXINPUT` (`max_input`), else
    /// unknown.
    pub fn from_driver(properties: Option<TlvProperties>, max_input: Option<usize>) -> Self {
        let short = |source, properties| ReaderCapabilities {
            extended_length: ExtendedLength::No,
            max_command_len: SHORT_COMMAND_LEN,
            max_response_len: SHORT_RESPONSE_LEN,
            source,
            properties,
        };
        if let Some(size) = properties.as_ref().and_then(|p| p.max_apdu_data_size) {
            let size = size as usize;
            if size < 256 {
                return short(CapabilitySource::TlvProperties, properties);
            }
            return ReaderCapabilities {
                extended_length: ExtendedLength::Yes,
                // Header, three-byte Lc, the data, two-byte Le.
                max_command_len: (size + 9).min(EXTENDED_COMMAND_LEN),
                max_response_len: size.min(65_536) + 2,
                source: CapabilitySource::TlvProperties,
                properties,
            };
        }
        match max_input.filter(|n| *n > 0) {
            Some(n) if n <= SHORT_COMMAND_LEN => short(CapabilitySource::MaxInput, properties),
            Some(n) => ReaderCapabilities {
                extended_length: ExtendedLength::Yes,
                max_command_len: n.min(EXTENDED_COMMAND_LEN),
                max_response_len: EXTENDED_RESPONSE_LEN,
                source: CapabilitySource::MaxInput,
                properties,
            },
            None => ReaderCapabilities {
                extended_length: ExtendedLength::Unknown,
                max_command_len: EXTENDED_COMMAND_LEN,
                max_response_len: EXTENDED_RESPONSE_LEN,
                source: CapabilitySource::Nothing,
                properties,
            },
        }
    }

    /// What the link carries with a card whose ATR says `card_says` about extended length (`None`:
    /// nothing): yes when both take it, no when either does not, unknown when the card said nothing
    /// (the reader then probes) or the reader does not say while the card does.
    pub fn with_card(&self, card_says: Option<bool>) -> icao9303::transport::Capabilities {
        let extended_length = match (self.extended_length, card_says) {
            (ExtendedLength::No, _) | (_, Some(false)) => ExtendedLength::No,
            (_, Some(true)) => ExtendedLength::Yes,
            (_, None) => ExtendedLength::Unknown,
        };
        icao9303::transport::Capabilities {
            extended_length,
            max_command_len: self.max_command_len,
            max_response_len: self.max_response_len,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn feature_list() {
        // FEATURE_VERIFY_PIN_DIRECT (06) and FEATURE_GET_TLV_PROPERTIES (12), codes big-endian.
        let answer = [
            0x06, 0x04, 0x42, 0x33, 0x00, 0x06, 0x12, 0x04, 0x42, 0x33, 0x00, 0x12,
        ];
        assert_eq!(
            parse_features(&answer).unwrap(),
            vec![(0x06, 0x4233_0006), (0x12, 0x4233_0012)]
        );
        assert_eq!(parse_features(&[]).unwrap(), vec![]);
        assert!(matches!(
            parse_features(&[0x12, 0x04, 0x42, 0x33]),
            Err(Part10Error::Truncated { tag: 0x12, .. })
        ));
        assert!(matches!(
            parse_features(&[0x12, 0x02, 0x42, 0x33]),
            Err(Part10Error::BadLength { tag: 0x12, .. })
        ));
        assert!(parse_features(&[0x12]).is_err());
    }

    #[test]
    fn tlv_properties_of_a_ccid_reader() {
        // wLcdLayout 0, bTimeOut2 0, sFirmwareID "2.10", bPPDUSupport 0, dwMaxAPDUDataSize 65536
        // (little-endian), wIdVendor 072F, wIdProduct 2200.
        let answer = [
            0x01, 0x02, 0x00, 0x00, //
            0x03, 0x01, 0x00, //
            0x08, 0x04, b'2', b'.', b'1', b'0', //
            0x09, 0x01, 0x00, //
            0x0A, 0x04, 0x00, 0x00, 0x01, 0x00, //
            0x0B, 0x02, 0x2F, 0x07, //
            0x0C, 0x02, 0x00, 0x22, //
            0x7E, 0x01, 0xFF, // a tag from a later version: skipped
        ];
        let props = parse_tlv_properties(&answer).unwrap();
        assert_eq!(
            props,
            TlvProperties {
                max_apdu_data_size: Some(65_536),
                ppdu_support: Some(0),
                firmware_id: Some("2.10".into()),
                vendor_id: Some(0x072F),
                product_id: Some(0x2200),
            }
        );
        let caps = ReaderCapabilities::from_driver(Some(props), None);
        assert_eq!(caps.extended_length, ExtendedLength::Yes);
        assert_eq!(caps.max_command_len, EXTENDED_COMMAND_LEN);
        assert_eq!(caps.max_response_len, EXTENDED_RESPONSE_LEN);
        assert_eq!(caps.source, CapabilitySource::TlvProperties);
    }

    #[test]
    fn short_apdu_readers_and_smaller_limits() {
        // dwMaxAPDUDataSize 0: short APDUs only, whatever SCARD_ATTR_MAXINPUT says.
        let props = parse_tlv_properties(&[0x0A, 0x04, 0, 0, 0, 0]).unwrap();
        let caps = ReaderCapabilities::from_driver(Some(props), Some(65_544));
        assert_eq!(caps.extended_length, ExtendedLength::No);
        assert_eq!(
            (caps.max_command_len, caps.max_response_len),
            (SHORT_COMMAND_LEN, SHORT_RESPONSE_LEN)
        );
        // 1024 bytes of data: extended, up to that.
        let props = parse_tlv_properties(&[0x0A, 0x04, 0x00, 0x04, 0, 0]).unwrap();
        let caps = ReaderCapabilities::from_driver(Some(props), None);
        assert_eq!(caps.extended_length, ExtendedLength::Yes);
        assert_eq!((caps.max_command_len, caps.max_response_len), (1033, 1026));
    }

    #[test]
    fn without_properties_max_input_or_unknown() {
        let caps = ReaderCapabilities::from_driver(None, Some(261));
        assert_eq!(caps.extended_length, ExtendedLength::No);
        assert_eq!(caps.source, CapabilitySource::MaxInput);
        let caps = ReaderCapabilities::from_driver(None, Some(1024));
        assert_eq!(caps.extended_length, ExtendedLength::Yes);
        assert_eq!(caps.max_command_len, 1024);
        // Properties without dwMaxAPDUDataSize (a PIN pad's only) say nothing about it.
        let pin_pad = parse_tlv_properties(&[0x06, 0x01, 0x04, 0x07, 0x01, 0x08]).unwrap();
        let caps = ReaderCapabilities::from_driver(Some(pin_pad), None);
        assert_eq!(caps.extended_length, ExtendedLength::Unknown);
        assert_eq!(caps.source, CapabilitySource::Nothing);
        assert_eq!(caps.max_response_len, EXTENDED_RESPONSE_LEN);
        let caps = ReaderCapabilities::from_driver(None, Some(0));
        assert_eq!(caps.extended_length, ExtendedLength::Unknown);
    }

    #[test]
    fn reader_and_card_together() {
        let yes = ReaderCapabilities::from_driver(
            Some(parse_tlv_properties(&[0x0A, 0x04, 0, 0, 1, 0]).unwrap()),
            None,
        );
        let unknown = ReaderCapabilities::from_driver(None, None);
        let no = ReaderCapabilities::from_driver(None, Some(261));
        let combined = |r: &ReaderCapabilities, card| r.with_card(card).extended_length;
        assert_eq!(combined(&yes, Some(true)), ExtendedLength::Yes);
        assert_eq!(combined(&yes, None), ExtendedLength::Unknown);
        assert_eq!(combined(&yes, Some(false)), ExtendedLength::No);
        assert_eq!(combined(&unknown, Some(true)), ExtendedLength::Yes);
        assert_eq!(combined(&unknown, None), ExtendedLength::Unknown);
        assert_eq!(combined(&no, Some(true)), ExtendedLength::No);
        assert_eq!(combined(&no, None), ExtendedLength::No);
        assert_eq!(
            no.with_card(Some(true)).max_response_len,
            SHORT_RESPONSE_LEN
        );
    }

    #[test]
    fn malformed_properties_are_errors_not_panics() {
        for answer in [
            &[0x0A][..],
            &[0x0A, 0x04, 0x00],
            &[0x0A, 0x02, 0x00, 0x01],
            &[0x0B, 0x01, 0x00],
            &[0x09, 0x02, 0x00, 0x00],
            &[0x01, 0x03, 0, 0, 0],
            &[0x08, 0xFF],
        ] {
            assert!(parse_tlv_properties(answer).is_err(), "{answer:02X?}");
        }
        // An empty answer: no properties.
        assert_eq!(parse_tlv_properties(&[]).unwrap(), TlvProperties::default());
    }
}
