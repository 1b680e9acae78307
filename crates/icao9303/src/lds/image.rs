//! Decoding face, signature, fingerprint and iris images (JPEG, JPEG 2000, PNG, WSQ) to pixels and PNG.
//!
//! The format is recognised from the image's own magic bytes, never from what a record declares (real records
//! disagree with their content: the ISO/IEC 19794-5 sample in the test data declares JPEG 2000 and holds a JPEG).
//! JPEG and PNG are decoded with the `image` crate, JPEG 2000 (raw J2K codestream or JP2 container) with the
//! pure-Rust `hayro-jpeg2000`, WSQ fingerprints with this crate's [`super::wsq`]. All decoders run on untrusted
//! bytes: the image size is checked before pixels are allocated, and a panic inside a decoder is caught and
//! reported as a broken image.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::Serialize;
use thiserror::Error;

/// The largest image, in pixels, that will be decoded (a passport face is well under a megapixel).
pub const MAX_PIXELS: u64 = 64 * 1024 * 1024;

/// The encoding of an image as found in a biometric record or displayed-image data group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ImageFormat {
    /// JPEG (ISO/IEC 10918), magic `FF D8 FF`.
    Jpeg,
    /// JPEG 2000 (ISO/IEC 15444-1): a JP2 container (`00 00 00 0C 6A 50 20 20`) or a raw codestream (`FF 4F FF 51`).
    Jpeg2000,
    /// PNG (ISO/IEC 15948), magic `89 50 4E 47`.
    Png,
    /// WSQ grey-scale fingerprint (FBI IAFIS-IC-0110), magic `FF A0 FF` (start of image, then a table marker).
    Wsq,
    /// Not recognised from the bytes; the value is the image data type code the record declared (or 0xFF if none).
    Unknown(u8),
}

impl ImageFormat {
    /// The usual file extension for the format (`bin` when unknown).
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Jpeg2000 => "jp2",
            ImageFormat::Png => "png",
            ImageFormat::Wsq => "wsq",
            ImageFormat::Unknown(_) => "bin",
        }
    }

    /// The MIME type of the format (`application/octet-stream` when unknown).
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jpeg2000 => "image/jp2",
            ImageFormat::Png => "image/png",
            ImageFormat::Wsq => "image/x-wsq",
            ImageFormat::Unknown(_) => "application/octet-stream",
        }
    }
}

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const JP2_MAGIC: &[u8] = &[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20];
const J2K_MAGIC: &[u8] = &[0xFF, 0x4F, 0xFF, 0x51];
const PNG_MAGIC: &[u8] = &[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

/// Recognises the image format from the first bytes of `data`; `None` when none of the known magics match.
pub fn sniff_format(data: &[u8]) -> Option<ImageFormat> {
    if data.starts_with(JPEG_MAGIC) {
        Some(ImageFormat::Jpeg)
    } else if data.starts_with(JP2_MAGIC) || data.starts_with(J2K_MAGIC) {
        Some(ImageFormat::Jpeg2000)
    } else if data.starts_with(PNG_MAGIC) {
        Some(ImageFormat::Png)
    } else if super::wsq::is_wsq(data) {
        Some(ImageFormat::Wsq)
    } else {
        None
    }
}

/// Why an image could not be decoded or converted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The bytes start with no known image magic.
    #[error("not a JPEG, JPEG 2000, PNG or WSQ image (first bytes {first_bytes})")]
    UnknownFormat {
        /// The first (up to 8) bytes, in hex.
        first_bytes: String,
    },
    /// The image's header or data is broken.
    #[error("broken {format:?} image: {reason}")]
    Broken {
        /// The format recognised from the magic bytes.
        format: ImageFormat,
        /// What the decoder reported.
        reason: String,
    },
    /// The image declares more pixels than [`MAX_PIXELS`].
    #[error("{format:?} image of {width}x{height} pixels is too large to decode")]
    TooLarge {
        /// The format recognised from the magic bytes.
        format: ImageFormat,
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// Writing the PNG failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

/// A decoded image: 8-bit RGB pixels, row by row, three bytes per pixel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedImage {
    /// The format the image was decoded from.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes of RGB.
    #[serde(skip)]
    pub pixels: Vec<u8>,
}

impl DecodedImage {
    /// The RGB value of the pixel at (`x`, `y`), or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (usize::try_from(y).ok()? * usize::try_from(self.width).ok()?
            + usize::try_from(x).ok()?)
            * 3;
        match self.pixels.get(i..i + 3)? {
            [r, g, b] => Some([*r, *g, *b]),
            _ => None,
        }
    }
}

/// Reads the width and height from the image header without decoding pixels. `None` for an unknown format or a
/// header that cannot be read.
pub fn probe_size(data: &[u8]) -> Option<(u32, u32)> {
    match sniff_format(data)? {
        ImageFormat::Jpeg2000 => guarded(|| {
            let image =
                hayro_jpeg2000::Image::new(data, &hayro_jpeg2000::DecodeSettings::default())
                    .ok()?;
            Some((image.width(), image.height()))
        })
        .flatten(),
        format @ (ImageFormat::Jpeg | ImageFormat::Png) => guarded(|| {
            let mut reader = ::image::ImageReader::new(Cursor::new(data));
            reader.set_format(crate_format(format)?);
            reader.into_dimensions().ok()
        })
        .flatten(),
        ImageFormat::Wsq => super::wsq::read_frame_header(data)
            .ok()
            .map(|h| (u32::from(h.width), u32::from(h.height))),
        ImageFormat::Unknown(_) => None,
    }
}

/// Decodes a JPEG, JPEG 2000 (J2K or JP2), PNG or WSQ image to 8-bit RGB (a grey image gets R = G = B).
pub fn decode_image(data: &[u8]) -> Result<DecodedImage, ImageError> {
    let format = sniff_format(data).ok_or_else(|| ImageError::UnknownFormat {
        first_bytes: super::error::to_hex(data.get(..8).unwrap_or(data)),
    })?;
    let broken = |reason: String| ImageError::Broken { format, reason };
    let panicked = || broken("the decoder gave up on malformed data".to_owned());
    let rgb = match format {
        ImageFormat::Jpeg2000 => guarded(|| decode_jpeg2000(data)).ok_or_else(panicked)??,
        ImageFormat::Wsq => guarded(|| decode_wsq(data)).ok_or_else(panicked)??,
        ImageFormat::Jpeg | ImageFormat::Png => guarded(|| {
            let (width, height) = {
                let mut reader = ::image::ImageReader::new(Cursor::new(data));
                reader
                    .set_format(crate_format(format).ok_or_else(|| broken("unsupported".into()))?);
                reader
                    .into_dimensions()
                    .map_err(|e| broken(e.to_string()))?
            };
            check_size(format, width, height)?;
            let mut reader = ::image::ImageReader::new(Cursor::new(data));
            reader.set_format(crate_format(format).ok_or_else(|| broken("unsupported".into()))?);
            let image = reader.decode().map_err(|e| broken(e.to_string()))?;
            Ok::<_, ImageError>(image.to_rgb8())
        })
        .ok_or_else(panicked)??,
        ImageFormat::Unknown(_) => return Err(broken("unknown format".into())),
    };
    Ok(DecodedImage {
        format,
        width: rgb.width(),
        height: rgb.height(),
        pixels: rgb.into_raw(),
    })
}

/// Decodes an image (see [`decode_image`]) and encodes it as an RGB PNG file.
pub fn to_png(data: &[u8]) -> Result<Vec<u8>, ImageError> {
    let decoded = decode_image(data)?;
    let buffer = ::image::RgbImage::from_raw(decoded.width, decoded.height, decoded.pixels)
        .ok_or_else(|| ImageError::Encode("pixel buffer does not match the image size".into()))?;
    let mut out = Cursor::new(Vec::new());
    buffer
        .write_to(&mut out, ::image::ImageFormat::Png)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}

fn decode_jpeg2000(data: &[u8]) -> Result<::image::RgbImage, ImageError> {
    let format = ImageFormat::Jpeg2000;
    let broken = |reason: String| ImageError::Broken { format, reason };
    let image = hayro_jpeg2000::Image::new(data, &hayro_jpeg2000::DecodeSettings::default())
        .map_err(|e| broken(e.to_string()))?;
    check_size(format, image.width(), image.height())?;
    // hayro-jpeg2000 implements `image::ImageDecoder`: it converts CMYK and ICC-based colour to RGB for us.
    let dynamic = ::image::DynamicImage::from_decoder(image).map_err(|e| broken(e.to_string()))?;
    Ok(dynamic.to_rgb8())
}

fn decode_wsq(data: &[u8]) -> Result<::image::RgbImage, ImageError> {
    let format = ImageFormat::Wsq;
    let broken = |e: super::wsq::WsqError| ImageError::Broken {
        format,
        reason: e.to_string(),
    };
    let header = super::wsq::read_frame_header(data).map_err(broken)?;
    check_size(format, header.width.into(), header.height.into())?;
    let grey = super::wsq::decode(data).map_err(broken)?;
    let image =
        ::image::GrayImage::from_raw(grey.width, grey.height, grey.pixels).ok_or_else(|| {
            ImageError::Broken {
                format,
                reason: "pixel buffer does not match the image size".into(),
            }
        })?;
    Ok(::image::DynamicImage::ImageLuma8(image).to_rgb8())
}

fn check_size(format: ImageFormat, width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Broken {
            format,
            reason: format!("image size {width}x{height}"),
        });
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge {
            format,
            width,
            height,
        });
    }
    Ok(())
}

fn crate_format(format: ImageFormat) -> Option<::image::ImageFormat> {
    match format {
        ImageFormat::Jpeg => Some(::image::ImageFormat::Jpeg),
        ImageFormat::Png => Some(::image::ImageFormat::Png),
        ImageFormat::Jpeg2000 | ImageFormat::Wsq | ImageFormat::Unknown(_) => None,
    }
}

/// Runs a decoder on untrusted bytes; a panic inside it becomes `None` instead of unwinding into the caller.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magics() {
        assert_eq!(
            sniff_format(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            sniff_format(&[0xFF, 0x4F, 0xFF, 0x51, 0]),
            Some(ImageFormat::Jpeg2000)
        );
        assert_eq!(sniff_format(JP2_MAGIC), Some(ImageFormat::Jpeg2000));
        assert_eq!(sniff_format(PNG_MAGIC), Some(ImageFormat::Png));
        assert_eq!(
            sniff_format(&[0xFF, 0xA0, 0xFF, 0xA4, 0, 0x3A]),
            Some(ImageFormat::Wsq)
        );
        assert_eq!(sniff_format(&[0xFF, 0xD8]), None);
        assert_eq!(sniff_format(&[]), None);
    }

    #[test]
    fn unknown_and_truncated_images_are_errors() {
        assert!(matches!(
            decode_image(b"GIF89a"),
            Err(ImageError::UnknownFormat { .. })
        ));
        assert!(matches!(
            decode_image(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Err(ImageError::Broken { .. })
        ));
        assert!(matches!(
            decode_image(&[0xFF, 0x4F, 0xFF, 0x51, 0, 0x2F]),
            Err(ImageError::Broken { .. })
        ));
        assert_eq!(probe_size(&[0xFF, 0xD8, 0xFF]), None);
        assert!(matches!(
            decode_image(&[0xFF, 0xA0, 0xFF, 0xA8, 0, 2, 0xFF]),
            Err(ImageError::Broken {
                format: ImageFormat::Wsq,
                ..
            })
        ));
    }
}
