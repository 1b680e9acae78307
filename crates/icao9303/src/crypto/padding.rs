//! ISO/IEC 7816-4 padding (ISO/IEC 9797-1 padding method 2): a mandatory `80` byte, then `00` bytes up to
//! the block size.

use super::CryptoError;

/// Appends `80` and as many `00` bytes as needed to reach a multiple of `block_len`.
pub fn pad(data: &[u8], block_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block_len);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block_len != 0 {
        out.push(0x00);
    }
    out
}

/// Removes ISO/IEC 7816-4 padding: trailing `00` bytes and the `80` before them.
pub fn unpad(data: &[u8]) -> Result<&[u8], CryptoError> {
    let end = data
        .iter()
        .rposition(|b| *b != 0x00)
        .ok_or(CryptoError::BadPadding)?;
    if data[end] != 0x80 {
        return Err(CryptoError::BadPadding);
    }
    Ok(&data[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_and_unpad() {
        assert_eq!(pad(&[0x01, 0x1E], 8), vec![0x01, 0x1E, 0x80, 0, 0, 0, 0, 0]);
        assert_eq!(pad(&[0u8; 8], 8).len(), 16);
        assert_eq!(pad(&[], 16), {
            let mut v = vec![0u8; 16];
            v[0] = 0x80;
            v
        });
        for len in 0..40 {
            let data: Vec<u8> = (0..len as u8).collect();
            assert_eq!(unpad(&pad(&data, 16)).unwrap(), &data[..]);
        }
        assert!(unpad(&[]).is_err());
        assert!(unpad(&[0, 0, 0]).is_err());
        assert!(unpad(&[1, 2, 0x81, 0]).is_err());
    }
}
