//! What an Answer To Reset says about the card (ISO/IEC 7816-3 structure, ISO/IEC 7816-4 historical bytes).
//!
//! Only what the transport needs: the historical bytes and the "card capabilities" compact-TLV object
//! (tag 7), whose third software function byte tells whether the card takes extended Lc/Le fields.
//! The ATR comes from the card: every length is checked, nothing here can panic.

/// The parts of an ATR the transport uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtrInfo {
    /// The historical bytes (T1 … TK).
    pub historical: Vec<u8>,
    /// The card says it accepts extended Lc and Le fields (card capabilities, ISO/IEC 7816-4 8.1.1.2.7);
    /// `None` when the ATR does not say.
    pub extended_length: Option<bool>,
}

/// Parses `atr`; `None` when it is too short or its interface bytes run past the end.
pub fn parse(atr: &[u8]) -> Option<AtrInfo> {
    let (&ts, rest) = atr.split_first()?;
    if ts != 0x3B && ts != 0x3F {
        return None;
    }
    let (&t0, mut rest) = rest.split_first()?;
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    loop {
        // TA, TB, TC present per bits 5..7 of Y; TD (bit 8) announces the next group.
        let skip = usize::from((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1));
        rest = rest.get(skip..)?;
        if y & 0x08 == 0 {
            break;
        }
        let (&td, after) = rest.split_first()?;
        rest = after;
        y = td >> 4;
    }
    let historical = rest.get(..k)?.to_vec();
    let extended_length =
        card_capabilities(&historical).and_then(|caps| caps.get(2).map(|b| b & 0x40 != 0));
    Some(AtrInfo {
        historical,
        extended_length,
    })
}

/// The value of the card capabilities object (compact-TLV tag 7) in historical bytes, if any.
fn card_capabilities(historical: &[u8]) -> Option<&[u8]> {
    let (&category, objects) = historical.split_first()?;
    let objects = match category {
        0x80 => objects,
        // Category 00: compact-TLV objects followed by a 3-byte status indicator.
        0x00 => objects.get(..objects.len().checked_sub(3)?)?,
        _ => return None,
    };
    let mut rest = objects;
    while let Some((&header, after)) = rest.split_first() {
        let (tag, len) = (header >> 4, usize::from(header & 0x0F));
        let value = after.get(..len)?;
        if tag == 0x7 {
            return Some(value);
        }
        rest = after.get(len..)?;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn emulator_atrs() {
        // 3B 85 80 01 | 80 73 C8 21 40 | TCK
        let ext = [0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0xC8, 0x21, 0x40, 0x00];
        let info = parse(&ext).unwrap();
        assert_eq!(info.historical, vec![0x80, 0x73, 0xC8, 0x21, 0x40]);
        assert_eq!(info.extended_length, Some(true));
        let short = [0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0xC8, 0x21, 0x00, 0x00];
        assert_eq!(parse(&short).unwrap().extended_length, Some(false));
    }

    #[test]
    fn atr_without_capabilities() {
        // A typical contactless type-B passport ATR from a PC/SC reader: historical bytes from ATQB.
        let atr = [
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
        ];
        assert_eq!(parse(&atr).unwrap().extended_length, None);
        // Category 00 with a status indicator and capabilities.
        let atr = [0x3B, 0x08, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x90, 0x00];
        assert_eq!(parse(&atr).unwrap().extended_length, Some(true));
    }

    #[test]
    fn malformed_atrs_are_none_not_panics() {
        for atr in [
            &[][..],
            &[0x3B],
            &[0x12, 0x00],
            &[0x3B, 0x85, 0x80],
            &[0x3B, 0xF5],
            &[0x3B, 0x81, 0x80, 0x01],
            &[0x3B, 0x82, 0x80, 0x01, 0x80, 0x7F],
        ] {
            let parsed = parse(atr);
            if let Some(info) = parsed {
                assert_ne!(info.extended_length, Some(true), "{atr:02X?}");
            }
        }
        assert_eq!(parse(&[0x3B, 0x85, 0x80]), None);
    }
}
