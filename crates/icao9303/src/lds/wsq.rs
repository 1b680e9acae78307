//! WSQ (Wavelet Scalar Quantization) grey-scale fingerprint images, the encoding of the fingerprints in DG3.
//!
//! The codec is the FBI's *WSQ Gray-scale Fingerprint Image Compression Specification* (IAFIS-IC-0110, v3); NIST's
//! NBIS is its reference implementation. A WSQ stream is a sequence of marker segments (`FF xx`, big-endian):
//!
//! - `SOI`; then tables in any order: `DTT` (the wavelet filter taps the encoder used), `DQT` (the quantizer bin
//!   widths of the 64 subbands), `DHT` (Huffman tables), `COM` (comments);
//! - `SOF` (the frame header: image size, and the shift and scale that map the signal back to grey levels);
//! - blocks, each optionally preceded by more tables: `SOB` (naming its Huffman table) and entropy-coded data;
//! - `EOI`.
//!
//! Decoding ([`decode`]) follows the specification's steps:
//! 1. **Entropy decoding** ([`WsqCodestream::parse`]): Huffman symbols 1–100 are runs of zero coefficients, 101–104
//!    escape an 8- or 16-bit coefficient, 105/106 an 8- or 16-bit zero run, 107–254 are the coefficients −73…+74.
//!    The coefficients of the coded subbands follow each other in subband order, each subband row by row.
//! 2. **Dequantization**: q ↦ Q·(q − C) + Z/2 for q > 0, Q·(q + C) − Z/2 for q < 0, 0 for 0 (C the bin centre,
//!    Q the bin width, Z the zero-bin width of the subband).
//! 3. **Synthesis**: 64 subbands (60 coded) come from five levels of 2-D wavelet analysis over 20 rectangles
//!    ("nodes"). Each node is rebuilt from its four quadrants, columns first, then rows, with the transmitted
//!    filters and whole-sample symmetric extension at the edges.
//! 4. **Output**: grey = clamp(trunc(x·R + M + 0.5), 0, 255).
//!
//! # Exactness
//!
//! The pixels are the same as NBIS's, byte for byte: all arithmetic is single precision (`f32`) in the order NBIS
//! performs it — scaled table numbers divided by ten one power at a time (each quotient rounded to `f32`), the
//! dequantization product in `f32` plus half the zero-bin width in `f64`, each synthesis sum accumulated from the
//! lowest filter tap up, low-pass terms before high-pass terms, and the `+ 0.5` of the output in `f64`. The tests
//! check the SHA-256 of the pixels of four streams (the BSI specimen's two fingerprints, and two NIST/JNBIS
//! samples with odd sizes) against NBIS 5.0. A decoder that computes in `f64` instead differs from NBIS by ±1 grey
//! level in a few pixels per image (measured in `test-vectors/data/biometric/dg3-dg4/WSQ-NOTES.md`); the quantized
//! coefficients (step 1) are exact integers either way.
//!
//! # Limits
//!
//! - Filters must have an odd number of taps (symmetric filters, as the specification's 9/7 pair; only that pair
//!   is checked against NBIS). NBIS also has a path for even-length filters that no encoder uses; here they are
//!   an error, as is a `DRT` (restart interval) segment, which NBIS rejects too.
//! - On images so small that a band is shorter than a filter's reach (under about 64 pixels a side), the mirror
//!   extension simply continues periodically; NBIS reads outside the band there, so such images need not match it.
//!
//! # Untrusted input
//!
//! Every read is bounds-checked and every problem is a [`WsqError`] naming the segment and offset. Work and memory
//! are bounded: at most [`MAX_PIXELS`] pixels, filters of at most [`MAX_FILTER_TAPS`] taps, Huffman tables of at
//! most 256 values and codes of at most 16 bits, and never more coefficients than the image has pixels. Each input
//! byte is read once; reconstruction runs only on a stream whose coefficient count matches its subbands.

use thiserror::Error;

/// The largest image, in pixels, that will be decoded (a 1000 ppi four-finger slap is about ten million).
pub const MAX_PIXELS: u64 = 1 << 24;

/// The longest wavelet filter accepted in a DTT segment (the specification's filters have 9 and 7 taps).
pub const MAX_FILTER_TAPS: usize = 31;

/// The number of subbands that carry coefficients (subbands 60–63 are never coded).
pub const CODED_SUBBANDS: usize = 60;

const SOI: u8 = 0xA0;
const EOI: u8 = 0xA1;
const SOF: u8 = 0xA2;
const SOB: u8 = 0xA3;
const DTT: u8 = 0xA4;
const DQT: u8 = 0xA5;
const DHT: u8 = 0xA6;
const DRT: u8 = 0xA7;
const COM: u8 = 0xA8;

/// The number of Huffman tables a stream may define (table ids 0–7).
const HUFFMAN_TABLES: usize = 8;

fn marker_name(marker: u8) -> &'static str {
    match marker {
        SOI => "SOI",
        EOI => "EOI",
        SOF => "SOF",
        SOB => "SOB",
        DTT => "DTT",
        DQT => "DQT",
        DHT => "DHT",
        DRT => "DRT",
        COM => "COM",
        _ => "not a WSQ marker",
    }
}

/// Why a WSQ stream could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WsqError {
    /// The data does not start with the start-of-image marker `FF A0`.
    #[error("not a WSQ image: it starts with {found}, not the start-of-image marker FFA0")]
    NotWsq {
        /// The first (up to 4) bytes, in hex.
        found: String,
    },
    /// The data ends in the middle of something.
    #[error("WSQ data truncated in the {what} at offset {offset}")]
    Truncated {
        /// What was being read: a segment name or "marker".
        what: &'static str,
        /// Where the missing bytes should be.
        offset: usize,
    },
    /// Two bytes that should be a marker (`FF xx`) are not one.
    #[error("WSQ: expected {expected} at offset {offset}, found bytes {found:04X}")]
    NoMarker {
        /// What the stream must hold here.
        expected: &'static str,
        /// Where.
        offset: usize,
        /// The two bytes found.
        found: u16,
    },
    /// A marker that is not allowed at this point of the stream.
    #[error("WSQ: marker FF{marker:02X} ({name}) at offset {offset} where {expected} must come")]
    UnexpectedMarker {
        /// The second byte of the marker.
        marker: u8,
        /// Its name.
        name: &'static str,
        /// Where.
        offset: usize,
        /// What the stream must hold here.
        expected: &'static str,
    },
    /// A marker segment whose content breaks the format.
    #[error("WSQ {segment} segment at offset {offset}: {reason}")]
    BadSegment {
        /// The segment's name (SOF, DTT, …).
        segment: &'static str,
        /// Where its marker is.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// A table decoding needs was never defined.
    #[error("WSQ: the stream defines no {0}")]
    MissingTable(&'static str),
    /// The frame header declares more than [`MAX_PIXELS`] pixels.
    #[error("WSQ image of {width}x{height} pixels is too large to decode")]
    TooLarge {
        /// Declared width.
        width: u16,
        /// Declared height.
        height: u16,
    },
    /// The entropy-coded data of a block is broken.
    #[error("WSQ block {block} (data at offset {offset}): {reason}")]
    BadBlock {
        /// The block number, from 1.
        block: usize,
        /// Where the block's entropy-coded data starts.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// The blocks hold a different number of coefficients than the coded subbands need.
    #[error("WSQ: the blocks decode to {found} coefficients, the coded subbands hold {expected}")]
    CoefficientCount {
        /// The number the subband layout and quantization table call for.
        expected: usize,
        /// The number decoded.
        found: usize,
    },
}

/// The frame header (SOF segment).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameHeader {
    /// The black level the encoder declares (not used for decoding).
    pub black: u8,
    /// The white level the encoder declares (not used for decoding).
    pub white: u8,
    /// Image height in pixels.
    pub height: u16,
    /// Image width in pixels.
    pub width: u16,
    /// M: the shift added back to the reconstructed signal (the encoder used the image mean).
    pub shift: f32,
    /// R: the scale the reconstructed signal is multiplied by.
    pub scale: f32,
    /// The encoder number (NBIS writes 2).
    pub encoder: u8,
    /// The software identifier (NBIS writes 0).
    pub software: u16,
}

/// The wavelet filters of a DTT segment, as the synthesis filters the decoder applies.
///
/// The segment carries the analysis filters' halves, from the centre tap outwards. The synthesis low-pass filter
/// is the analysis high-pass one with alternating signs, and the synthesis high-pass the analysis low-pass one.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformTable {
    /// Synthesis low-pass taps (an odd number, symmetric about the middle).
    pub synthesis_low: Vec<f32>,
    /// Synthesis high-pass taps (an odd number, symmetric about the middle).
    pub synthesis_high: Vec<f32>,
}

/// The quantization table (DQT segment).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizationTable {
    /// C: the relative position of the reconstruction point inside a bin.
    pub bin_center: f32,
    /// Q<sub>k</sub>: the bin width of each of the 64 subbands; 0 means the subband is not coded.
    pub bin_widths: Vec<f32>,
    /// Z<sub>k</sub>: the width of the zero bin of each subband.
    pub zero_bin_widths: Vec<f32>,
}

/// A rectangle of the wavelet-coefficient plane (which has the image's size).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rect {
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Width in samples.
    pub width: usize,
    /// Height in samples.
    pub height: usize,
}

impl Rect {
    /// The number of samples in the rectangle.
    pub fn area(&self) -> usize {
        self.width * self.height
    }
}

/// A WSQ stream with its entropy coding undone: the tables, and the quantized coefficients in stream order.
#[derive(Debug, Clone, PartialEq)]
pub struct WsqCodestream {
    /// The frame header.
    pub frame: FrameHeader,
    /// The transform table in force at the end of the stream.
    pub transform: TransformTable,
    /// The quantization table in force at the end of the stream.
    pub quantization: QuantizationTable,
    /// The text of each comment (COM) segment, in stream order.
    pub comments: Vec<Vec<u8>>,
    /// The Huffman-decoded integers of all blocks, in stream order: the coded subbands in order, each row by row.
    pub coefficients: Vec<i32>,
    /// The number of entropy-coded blocks.
    pub blocks: usize,
}

/// A decoded WSQ image: 8-bit grey pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsqImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Scan resolution from a `NIST_COM` comment (`PPI`), when the stream has one (DG3 streams usually do not:
    /// take it from the finger record header then).
    pub ppi: Option<u32>,
    /// `width * height` grey levels, row by row, top left first.
    pub pixels: Vec<u8>,
}

/// True when `data` starts like a WSQ stream: `SOI` followed by another WSQ marker.
pub fn is_wsq(data: &[u8]) -> bool {
    matches!(data, [0xFF, SOI, 0xFF, m, ..] if (SOF..=COM).contains(m))
}

/// Decodes a WSQ stream to grey pixels.
pub fn decode(data: &[u8]) -> Result<WsqImage, WsqError> {
    Ok(WsqCodestream::parse(data)?.reconstruct())
}

/// Reads the frame header (for the image size) without decoding the image.
pub fn read_frame_header(data: &[u8]) -> Result<FrameHeader, WsqError> {
    let mut r = start(data)?;
    loop {
        let (marker, offset) = r.marker("a table, comment or SOF")?;
        match marker {
            SOF => return parse_frame_header(r.segment("SOF", offset)?),
            DTT | DQT | DHT | COM => {
                r.segment(marker_name(marker), offset)?;
            }
            other => return Err(unexpected(other, offset, "a table, comment or SOF")),
        }
    }
}

impl WsqCodestream {
    /// Parses a WSQ stream and decodes its Huffman-coded blocks to the quantized coefficients.
    pub fn parse(data: &[u8]) -> Result<Self, WsqError> {
        let mut r = start(data)?;
        let mut tables = Tables::default();
        let frame = loop {
            let (marker, offset) = r.marker("a table, comment or SOF")?;
            match marker {
                SOF => break parse_frame_header(r.segment("SOF", offset)?)?,
                DTT | DQT | DHT | COM => tables.read(marker, offset, &mut r)?,
                other => return Err(unexpected(other, offset, "a table, comment or SOF")),
            }
        };
        let pixels = u64::from(frame.width) * u64::from(frame.height);
        if pixels > MAX_PIXELS {
            return Err(WsqError::TooLarge {
                width: frame.width,
                height: frame.height,
            });
        }
        let capacity = usize::from(frame.width) * usize::from(frame.height);
        let mut coefficients = Vec::new();
        let mut blocks = 0;
        let (mut marker, mut offset) = r.marker("a table, comment or SOB")?;
        loop {
            match marker {
                SOB => {
                    blocks += 1;
                    let table_id = parse_block_header(r.segment("SOB", offset)?)?;
                    let table = tables
                        .huffman
                        .get(usize::from(table_id))
                        .and_then(Option::as_ref)
                        .ok_or_else(|| WsqError::BadSegment {
                            segment: "SOB",
                            offset,
                            reason: format!("Huffman table {table_id} is not defined"),
                        })?;
                    let start = r.pos;
                    let ended_by = decode_block(&mut r, table, &mut coefficients, capacity)
                        .map_err(|reason| WsqError::BadBlock {
                            block: blocks,
                            offset: start,
                            reason,
                        })?;
                    marker = ended_by;
                    offset = r.pos - 2;
                }
                EOI if blocks > 0 => break,
                DTT | DQT | DHT | COM => {
                    tables.read(marker, offset, &mut r)?;
                    (marker, offset) = r.marker("a table, comment, SOB or EOI")?;
                }
                other => {
                    let expected = if blocks == 0 {
                        "a table, comment or SOB"
                    } else {
                        "a table, comment, SOB or EOI"
                    };
                    return Err(unexpected(other, offset, expected));
                }
            }
        }
        let transform = tables
            .transform
            .ok_or(WsqError::MissingTable("transform table (DTT)"))?;
        let quantization = tables
            .quantization
            .ok_or(WsqError::MissingTable("quantization table (DQT)"))?;
        let layout = subband_layout(usize::from(frame.width), usize::from(frame.height));
        let expected: usize = layout
            .iter()
            .zip(&quantization.bin_widths)
            .filter(|(_, q)| **q != 0.0)
            .map(|(rect, _)| rect.area())
            .sum();
        if coefficients.len() != expected {
            return Err(WsqError::CoefficientCount {
                expected,
                found: coefficients.len(),
            });
        }
        Ok(WsqCodestream {
            frame,
            transform,
            quantization,
            comments: tables.comments,
            coefficients,
            blocks,
        })
    }

    /// The scan resolution from a `NIST_COM` comment's `PPI` line, if the stream has one with a positive value.
    pub fn ppi(&self) -> Option<u32> {
        self.comments.iter().find_map(|c| nistcom_ppi(c))
    }

    /// Dequantizes the coefficients, runs the wavelet synthesis and converts the result to 8-bit grey.
    pub fn reconstruct(&self) -> WsqImage {
        let width = usize::from(self.frame.width);
        let height = usize::from(self.frame.height);
        let mut plane = vec![0f32; width * height];
        let q = &self.quantization;
        let mut coefficients = self.coefficients.iter();
        let layout = subband_layout(width, height);
        for (k, rect) in layout.iter().enumerate() {
            let (Some(&bin), Some(&zero)) = (q.bin_widths.get(k), q.zero_bin_widths.get(k)) else {
                continue;
            };
            if bin == 0.0 {
                continue;
            }
            for row in rect.y..rect.y + rect.height {
                let start = row * width + rect.x;
                for (sample, value) in plane[start..start + rect.width]
                    .iter_mut()
                    .zip(coefficients.by_ref())
                {
                    *sample = dequantize(*value, bin, zero, q.bin_center);
                }
            }
        }
        let mut filters = Filters::new(&self.transform);
        let nodes = wavelet_tree(width, height);
        let longest = width.max(height);
        let mut line = vec![0f32; longest];
        let mut out = vec![0f32; longest];
        for node in nodes.iter().rev() {
            let Rect {
                x,
                y,
                width: w,
                height: h,
            } = node.rect;
            for column in x..x + w {
                for (r, sample) in line[..h].iter_mut().enumerate() {
                    *sample = plane[(y + r) * width + column];
                }
                filters.synthesise(&line[..h], node.invert_columns, &mut out[..h]);
                for (r, sample) in out[..h].iter().enumerate() {
                    plane[(y + r) * width + column] = *sample;
                }
            }
            for row in y..y + h {
                let start = row * width + x;
                line[..w].copy_from_slice(&plane[start..start + w]);
                filters.synthesise(&line[..w], node.invert_rows, &mut plane[start..start + w]);
            }
        }
        let (shift, scale) = (self.frame.shift, self.frame.scale);
        let pixels = plane
            .iter()
            .map(|&value| {
                let grey = value * scale + shift;
                let grey = (f64::from(grey) + 0.5) as f32;
                if grey < 0.0 {
                    0
                } else if grey > 255.0 {
                    255
                } else {
                    grey as u8
                }
            })
            .collect();
        WsqImage {
            width: u32::from(self.frame.width),
            height: u32::from(self.frame.height),
            ppi: self.ppi(),
            pixels,
        }
    }
}

/// q ↦ Q·(q − C) + Z/2 (q > 0), Q·(q + C) − Z/2 (q < 0); the product in `f32`, the sum in `f64` as NBIS does.
fn dequantize(q: i32, bin: f32, zero: f32, center: f32) -> f32 {
    match q.cmp(&0) {
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => {
            (f64::from(bin * (q as f32 - center)) + f64::from(zero) / 2.0) as f32
        }
        std::cmp::Ordering::Less => {
            (f64::from(bin * (q as f32 + center)) - f64::from(zero) / 2.0) as f32
        }
    }
}

/// The value of a "scaled number": `value / 10^exponent`, divided one power of ten at a time.
fn scaled(value: u32, exponent: u8) -> f32 {
    let mut v = value as f32;
    for _ in 0..exponent {
        v = (f64::from(v) / 10.0) as f32;
    }
    v
}

/// Reads `PPI` from a NIST_COM comment (`NIST_COM n` then `KEY value` lines).
fn nistcom_ppi(comment: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(comment).ok()?;
    if !text.starts_with("NIST_COM") {
        return None;
    }
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("PPI"))
        .find_map(|rest| rest.trim().parse::<i64>().ok())
        .and_then(|ppi| u32::try_from(ppi).ok())
        .filter(|ppi| *ppi > 0)
}

// ---- byte-level reading ----

/// A cursor over the stream that never reads past its end.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WsqError> {
        let out = self
            .pos
            .checked_add(n)
            .and_then(|end| self.data.get(self.pos..end))
            .ok_or(WsqError::Truncated {
                what,
                offset: self.pos,
            })?;
        self.pos += n;
        Ok(out)
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, WsqError> {
        let b = *self.data.get(self.pos).ok_or(WsqError::Truncated {
            what,
            offset: self.pos,
        })?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads a marker; returns its second byte and its offset.
    fn marker(&mut self, expected: &'static str) -> Result<(u8, usize), WsqError> {
        let offset = self.pos;
        match *self.take(2, "marker")? {
            [0xFF, m] => Ok((m, offset)),
            [a, b] => Err(WsqError::NoMarker {
                expected,
                offset,
                found: u16::from_be_bytes([a, b]),
            }),
            _ => Err(WsqError::Truncated {
                what: "marker",
                offset,
            }),
        }
    }

    /// Reads the length of a segment whose marker was at `offset`, and returns the segment's content.
    fn segment(&mut self, name: &'static str, offset: usize) -> Result<Segment<'a>, WsqError> {
        let len = self.take(2, name)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 {
            return Err(WsqError::BadSegment {
                segment: name,
                offset,
                reason: format!("length {len} is shorter than the length field"),
            });
        }
        let content = self.take(len - 2, name)?;
        Ok(Segment {
            name,
            offset,
            content,
            pos: 0,
        })
    }
}

/// The content of one marker segment, read field by field.
struct Segment<'a> {
    name: &'static str,
    offset: usize,
    content: &'a [u8],
    pos: usize,
}

impl Segment<'_> {
    fn bad(&self, reason: String) -> WsqError {
        WsqError::BadSegment {
            segment: self.name,
            offset: self.offset,
            reason,
        }
    }

    fn bytes(&mut self, n: usize) -> Result<&[u8], WsqError> {
        let out = self
            .pos
            .checked_add(n)
            .and_then(|end| self.content.get(self.pos..end));
        match out {
            Some(out) => {
                self.pos += n;
                Ok(out)
            }
            None => Err(self.bad(format!(
                "content ends after {} bytes, inside a field",
                self.content.len()
            ))),
        }
    }

    fn u8(&mut self) -> Result<u8, WsqError> {
        Ok(self.bytes(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, WsqError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, WsqError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A scaled number with a 16-bit value: exponent byte, value.
    fn scaled16(&mut self) -> Result<f32, WsqError> {
        let exponent = self.u8()?;
        Ok(scaled(u32::from(self.u16()?), exponent))
    }

    fn remaining(&self) -> usize {
        self.content.len() - self.pos
    }

    /// Fails unless the whole content was read.
    fn finish(&self) -> Result<(), WsqError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.bad(format!("{n} bytes left after the last field"))),
        }
    }
}

fn start(data: &[u8]) -> Result<Reader<'_>, WsqError> {
    if !data.starts_with(&[0xFF, SOI]) {
        return Err(WsqError::NotWsq {
            found: data
                .iter()
                .take(4)
                .map(|b| format!("{b:02X}"))
                .collect::<String>(),
        });
    }
    Ok(Reader { data, pos: 2 })
}

fn unexpected(marker: u8, offset: usize, expected: &'static str) -> WsqError {
    WsqError::UnexpectedMarker {
        marker,
        name: marker_name(marker),
        offset,
        expected,
    }
}

// ---- tables ----

/// The tables defined so far; a later definition replaces an earlier one.
#[derive(Default)]
struct Tables {
    transform: Option<TransformTable>,
    quantization: Option<QuantizationTable>,
    huffman: [Option<HuffmanTable>; HUFFMAN_TABLES],
    comments: Vec<Vec<u8>>,
}

impl Tables {
    fn read(&mut self, marker: u8, offset: usize, r: &mut Reader<'_>) -> Result<(), WsqError> {
        let mut segment = r.segment(marker_name(marker), offset)?;
        match marker {
            DTT => self.transform = Some(parse_transform_table(&mut segment)?),
            DQT => self.quantization = Some(parse_quantization_table(&mut segment)?),
            DHT => {
                while segment.remaining() > 0 {
                    let (id, table) = parse_huffman_table(&mut segment)?;
                    self.huffman[id] = Some(table);
                }
            }
            _ => self.comments.push(segment.content.to_vec()),
        }
        Ok(())
    }
}

fn parse_frame_header(mut s: Segment<'_>) -> Result<FrameHeader, WsqError> {
    let black = s.u8()?;
    let white = s.u8()?;
    let height = s.u16()?;
    let width = s.u16()?;
    let shift = s.scaled16()?;
    let scale = s.scaled16()?;
    let encoder = s.u8()?;
    let software = s.u16()?;
    s.finish()?;
    if width == 0 || height == 0 {
        return Err(s.bad(format!("image size {width}x{height}")));
    }
    Ok(FrameHeader {
        black,
        white,
        height,
        width,
        shift,
        scale,
        encoder,
        software,
    })
}

fn parse_block_header(mut s: Segment<'_>) -> Result<u8, WsqError> {
    let table = s.u8()?;
    s.finish()?;
    Ok(table)
}

/// DTT: analysis low-pass length L0, high-pass length L1, then ⌈L0/2⌉ and ⌈L1/2⌉ taps from the centre outwards,
/// each a sign byte (non-zero: negative), an exponent byte and a 32-bit value.
fn parse_transform_table(s: &mut Segment<'_>) -> Result<TransformTable, WsqError> {
    let low_len = usize::from(s.u8()?);
    let high_len = usize::from(s.u8()?);
    for (which, len) in [("low-pass", low_len), ("high-pass", high_len)] {
        if len % 2 == 0 || len > MAX_FILTER_TAPS {
            return Err(s.bad(format!(
                "{which} filter of {len} taps is not supported (only odd lengths up to {MAX_FILTER_TAPS})"
            )));
        }
    }
    // The synthesis high-pass filter is the analysis low-pass one with alternating signs, and vice versa.
    let synthesis_high = read_filter(s, low_len)?;
    let synthesis_low = read_filter(s, high_len)?;
    s.finish()?;
    Ok(TransformTable {
        synthesis_low,
        synthesis_high,
    })
}

/// Reads the ⌈len/2⌉ transmitted taps of an analysis filter and builds the matching symmetric synthesis filter:
/// tap `centre ± k` is `(−1)^k` times the `k`-th transmitted value.
fn read_filter(s: &mut Segment<'_>, len: usize) -> Result<Vec<f32>, WsqError> {
    let half = len.div_ceil(2);
    let centre = half - 1;
    let mut filter = vec![0f32; len];
    for k in 0..half {
        let negative = s.u8()? != 0;
        let exponent = s.u8()?;
        let mut tap = scaled(s.u32()?, exponent);
        if negative {
            tap = -tap;
        }
        if k % 2 == 1 {
            tap = -tap;
        }
        filter[centre + k] = tap;
        filter[centre - k] = tap;
    }
    Ok(filter)
}

/// DQT: bin centre, then for each of the 64 subbands its bin width and zero-bin width (all scaled numbers).
fn parse_quantization_table(s: &mut Segment<'_>) -> Result<QuantizationTable, WsqError> {
    let bin_center = s.scaled16()?;
    let mut bin_widths = Vec::with_capacity(64);
    let mut zero_bin_widths = Vec::with_capacity(64);
    for _ in 0..64 {
        bin_widths.push(s.scaled16()?);
        zero_bin_widths.push(s.scaled16()?);
    }
    s.finish()?;
    Ok(QuantizationTable {
        bin_center,
        bin_widths,
        zero_bin_widths,
    })
}

/// A canonical Huffman table (as in JPEG, ITU-T T.81 annex C) with its decoding tables.
#[derive(Debug, Clone)]
struct HuffmanTable {
    values: Vec<u8>,
    /// For each code length 1–16: the largest code of that length, or −1 when there is none.
    max_code: [i32; 17],
    /// For each code length: the smallest code of that length.
    min_code: [i32; 17],
    /// For each code length: the index in `values` of the smallest code's value.
    first_value: [usize; 17],
}

/// One table of a DHT segment: table id, 16 counts of codes of length 1–16, then the values.
fn parse_huffman_table(s: &mut Segment<'_>) -> Result<(usize, HuffmanTable), WsqError> {
    let id = usize::from(s.u8()?);
    if id >= HUFFMAN_TABLES {
        return Err(s.bad(format!("Huffman table id {id} (only 0–7 exist)")));
    }
    let mut counts = [0u8; 16];
    counts.copy_from_slice(s.bytes(16)?);
    let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
    if total > 256 {
        return Err(s.bad(format!(
            "Huffman table {id} declares {total} values (at most 256)"
        )));
    }
    let values = s.bytes(total)?.to_vec();
    let mut table = HuffmanTable {
        values,
        max_code: [-1; 17],
        min_code: [0; 17],
        first_value: [0; 17],
    };
    let mut code: i32 = 0;
    let mut index = 0;
    for len in 1..=16 {
        let count = i32::from(counts[len - 1]);
        if count > 0 {
            table.first_value[len] = index;
            table.min_code[len] = code;
            code += count;
            if code > 1 << len {
                return Err(s.bad(format!(
                    "Huffman table {id} has more codes of length {len} than fit"
                )));
            }
            table.max_code[len] = code - 1;
            index += usize::from(counts[len - 1]);
        }
        code <<= 1;
    }
    Ok((id, table))
}

// ---- entropy-coded data ----

/// Reads entropy-coded bits, most significant first, undoing byte stuffing (`FF 00` is the data byte `FF`).
struct Bits<'r, 'a> {
    reader: &'r mut Reader<'a>,
    byte: u8,
    left: u32,
}

impl Bits<'_, '_> {
    /// Loads the next data byte. A marker (`FF` then not `00`) ends the block where a Huffman code may start or
    /// continue (returned as `Some`), and is an error inside the escape bits of a coefficient or run.
    fn load(&mut self, marker_allowed: bool) -> Result<Option<u8>, String> {
        let end = || "the data ends before a marker closes the block".to_owned();
        let b = self.reader.byte("entropy-coded data").map_err(|_| end())?;
        if b == 0xFF {
            let next = self.reader.byte("entropy-coded data").map_err(|_| end())?;
            if next != 0 {
                if marker_allowed {
                    return Ok(Some(next));
                }
                return Err(format!(
                    "marker FF{next:02X} inside the extra bits of a coefficient"
                ));
            }
        }
        self.byte = b;
        self.left = 8;
        Ok(None)
    }

    /// The next bit of a Huffman code, or the marker that ends the block (any bits left over are padding).
    fn code_bit(&mut self) -> Result<Result<i32, u8>, String> {
        if self.left == 0
            && let Some(marker) = self.load(true)?
        {
            return Ok(Err(marker));
        }
        self.left -= 1;
        Ok(Ok(i32::from((self.byte >> self.left) & 1)))
    }

    /// `n` escape bits as an unsigned number.
    fn bits(&mut self, n: u32) -> Result<u32, String> {
        let mut value = 0;
        for _ in 0..n {
            if self.left == 0 {
                self.load(false)?;
            }
            self.left -= 1;
            value = (value << 1) | u32::from((self.byte >> self.left) & 1);
        }
        Ok(value)
    }

    /// Decodes one Huffman symbol; `Err(marker)` when a marker ends the block first.
    fn symbol(&mut self, table: &HuffmanTable) -> Result<Result<u8, u8>, String> {
        let mut code = 0i32;
        for len in 1..=16 {
            match self.code_bit()? {
                Ok(bit) => code = (code << 1) | bit,
                Err(marker) => return Ok(Err(marker)),
            }
            if code <= table.max_code[len] {
                let index = usize::try_from(code - table.min_code[len])
                    .ok()
                    .and_then(|i| i.checked_add(table.first_value[len]));
                return match index.and_then(|i| table.values.get(i)) {
                    Some(v) => Ok(Ok(*v)),
                    None => Err(format!("Huffman code {code:b} has no value")),
                };
            }
        }
        Err("no Huffman code of up to 16 bits matches the data".to_owned())
    }
}

/// Decodes one block's entropy-coded data, appending to `out` (never beyond `capacity` values). Returns the
/// marker that ends the block; the reader is left after it.
fn decode_block(
    reader: &mut Reader<'_>,
    table: &HuffmanTable,
    out: &mut Vec<i32>,
    capacity: usize,
) -> Result<u8, String> {
    let mut bits = Bits {
        reader,
        byte: 0,
        left: 0,
    };
    let too_many = || format!("more coefficients than the image's {capacity} pixels");
    loop {
        let symbol = match bits.symbol(table)? {
            Ok(symbol) => symbol,
            Err(marker) => return Ok(marker),
        };
        let zeros = match symbol {
            1..=100 => u32::from(symbol),
            105 => bits.bits(8)?,
            106 => bits.bits(16)?,
            101..=104 | 107..=254 => {
                let value = match symbol {
                    101 => i32::try_from(bits.bits(8)?).unwrap_or(0),
                    102 => -i32::try_from(bits.bits(8)?).unwrap_or(0),
                    103 => i32::try_from(bits.bits(16)?).unwrap_or(0),
                    104 => -i32::try_from(bits.bits(16)?).unwrap_or(0),
                    _ => i32::from(symbol) - 180,
                };
                if out.len() >= capacity {
                    return Err(too_many());
                }
                out.push(value);
                continue;
            }
            _ => return Err(format!("Huffman symbol {symbol} has no meaning in WSQ")),
        };
        let end = usize::try_from(zeros)
            .ok()
            .and_then(|n| out.len().checked_add(n))
            .filter(|end| *end <= capacity)
            .ok_or_else(too_many)?;
        out.resize(end, 0);
    }
}

// ---- subband layout and synthesis ----

/// One of the 20 rectangles the analysis splits into four quadrants, and whether its rows (horizontal) and
/// columns (vertical) are spectrally inverted (their high-pass half comes first).
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    rect: Rect,
    invert_rows: bool,
    invert_columns: bool,
}

impl Node {
    /// The four quadrants: top left, top right, bottom left, bottom right. A line of N samples has ⌈N/2⌉ low-pass
    /// and ⌊N/2⌋ high-pass samples; the first half is the high-pass one where the node is inverted. A top-right
    /// quadrant is inverted along rows, a bottom-left one along columns, a bottom-right one along both.
    fn quadrants(&self) -> [Node; 4] {
        let Rect {
            x,
            y,
            width,
            height,
        } = self.rect;
        let left = if self.invert_rows {
            width / 2
        } else {
            width.div_ceil(2)
        };
        let top = if self.invert_columns {
            height / 2
        } else {
            height.div_ceil(2)
        };
        let (right, bottom) = (width - left, height - top);
        let node = |x, y, width, height, invert_rows, invert_columns| Node {
            rect: Rect {
                x,
                y,
                width,
                height,
            },
            invert_rows,
            invert_columns,
        };
        [
            node(x, y, left, top, false, false),
            node(x + left, y, right, top, true, false),
            node(x, y + top, left, bottom, false, true),
            node(x + left, y + top, right, bottom, true, true),
        ]
    }
}

/// What a quadrant of a node becomes.
#[derive(Clone, Copy)]
enum Part {
    /// Another node, split further.
    Node(usize),
    /// A coded subband.
    Subband(usize),
    /// The bottom-right quadrant of the whole image (subbands 60–63): never coded.
    Dropped,
}

/// The decomposition tree of the specification: each node's quadrants (top left, top right, bottom left, bottom
/// right). A node's number is always larger than its parent's.
const TREE: [[Part; 4]; 20] = {
    use Part::{Dropped, Node as N, Subband as S};
    [
        [N(1), N(2), N(3), Dropped],
        [N(14), N(4), N(5), S(51)],
        [S(52), S(53), S(54), S(55)],
        [S(56), S(57), S(58), S(59)],
        [N(6), N(7), N(8), N(9)],
        [N(10), N(11), N(12), N(13)],
        [S(19), S(20), S(21), S(22)],
        [S(23), S(24), S(25), S(26)],
        [S(27), S(28), S(29), S(30)],
        [S(31), S(32), S(33), S(34)],
        [S(35), S(36), S(37), S(38)],
        [S(39), S(40), S(41), S(42)],
        [S(43), S(44), S(45), S(46)],
        [S(47), S(48), S(49), S(50)],
        [N(15), N(16), N(17), N(18)],
        [N(19), S(4), S(5), S(6)],
        [S(7), S(8), S(9), S(10)],
        [S(11), S(12), S(13), S(14)],
        [S(15), S(16), S(17), S(18)],
        [S(0), S(1), S(2), S(3)],
    ]
};

/// The 20 nodes for an image of `width` × `height`, in the order of [`TREE`].
fn wavelet_tree(width: usize, height: usize) -> [Node; 20] {
    tree_and_layout(width, height).0
}

/// Where each of the 60 coded subbands lies in the coefficient plane of a `width` × `height` image.
pub fn subband_layout(width: usize, height: usize) -> [Rect; CODED_SUBBANDS] {
    tree_and_layout(width, height).1
}

fn tree_and_layout(width: usize, height: usize) -> ([Node; 20], [Rect; CODED_SUBBANDS]) {
    let mut nodes = [Node::default(); 20];
    let mut subbands = [Rect::default(); CODED_SUBBANDS];
    nodes[0].rect = Rect {
        x: 0,
        y: 0,
        width,
        height,
    };
    for (index, parts) in TREE.iter().enumerate() {
        let quadrants = nodes[index].quadrants();
        for (part, quadrant) in parts.iter().zip(quadrants) {
            match *part {
                Part::Node(child) => nodes[child] = quadrant,
                Part::Subband(k) => subbands[k] = quadrant.rect,
                Part::Dropped => {}
            }
        }
    }
    (nodes, subbands)
}

/// How a band is mirrored beyond one of its ends: about its end sample (whole-sample symmetry, the end sample is
/// not repeated) or about the point half a sample beyond it (half-sample symmetry, the end sample is repeated).
#[derive(Clone, Copy)]
struct Extension {
    len: usize,
    left_whole: bool,
    right_whole: bool,
}

impl Extension {
    /// The index into the band of the extended band's sample `i` (any integer).
    fn index(&self, i: isize) -> usize {
        let len = self.len as isize;
        let period = 2 * len - isize::from(self.left_whole) - isize::from(self.right_whole);
        if period <= 1 {
            return 0;
        }
        let i = i.rem_euclid(period);
        let folded = if i < len {
            i
        } else if self.right_whole {
            2 * (len - 1) - i
        } else {
            2 * len - 1 - i
        };
        folded.clamp(0, len - 1) as usize
    }
}

/// The synthesis filters with their centre taps, and scratch space for the extended bands of one line.
struct Filters<'t> {
    low: &'t [f32],
    high: &'t [f32],
    low_centre: isize,
    high_centre: isize,
    /// How far beyond each end a band is extended: more than any filter reaches.
    margin: usize,
    low_band: Vec<f32>,
    high_band: Vec<f32>,
}

impl<'t> Filters<'t> {
    fn new(table: &'t TransformTable) -> Self {
        let (low, high) = (&table.synthesis_low, &table.synthesis_high);
        Filters {
            low,
            high,
            low_centre: (low.len() as isize - 1) / 2,
            high_centre: (high.len() as isize - 1) / 2,
            margin: low.len().max(high.len()) + 2,
            low_band: Vec::new(),
            high_band: Vec::new(),
        }
    }

    /// Rebuilds a line of N samples from its ⌈N/2⌉ low-pass and ⌊N/2⌋ high-pass samples (in `input`, high-pass
    /// first when `inverted`). Low-pass sample m sits at position 2m, high-pass sample m at 2m + 1; the bands are
    /// extended symmetrically about the line's first and last positions.
    ///
    /// Each output is Σ lo[i]·L[m] + Σ hi[i]·H[m] over the taps that reach it, each sum taken with m ascending,
    /// the low-pass terms first (this order makes the result bit-identical to NBIS).
    fn synthesise(&mut self, input: &[f32], inverted: bool, out: &mut [f32]) {
        let n = input.len();
        let (low_len, high_len) = (n.div_ceil(2), n / 2);
        let (low, high) = if inverted {
            let (high, low) = input.split_at(high_len);
            (low, high)
        } else {
            input.split_at(low_len)
        };
        let odd = n % 2 == 1;
        // The first position is a low-pass sample; the last is one when N is odd, a high-pass one otherwise.
        let low_ext = Extension {
            len: low_len,
            left_whole: true,
            right_whole: odd,
        };
        let high_ext = Extension {
            len: high_len,
            left_whole: false,
            right_whole: !odd,
        };
        let margin = self.margin;
        extend(low, low_ext, margin, &mut self.low_band);
        extend(high, high_ext, margin, &mut self.high_band);
        let margin = margin as isize;
        for (k, output) in out.iter_mut().enumerate().take(n) {
            let k = k as isize;
            // Tap i = centre + 2m − k for low-pass sample m (position 2m): the first m with i ≥ 0.
            let m = (k - self.low_centre + 1).div_euclid(2);
            let mut sum = accumulate(
                0.0,
                self.low,
                self.low_centre + 2 * m - k,
                &self.low_band,
                m + margin,
            );
            if high_len > 0 {
                // Tap i = centre + 2m + 1 − k for high-pass sample m (position 2m + 1).
                let m = (k - self.high_centre).div_euclid(2);
                sum = accumulate(
                    sum,
                    self.high,
                    self.high_centre + 2 * m + 1 - k,
                    &self.high_band,
                    m + margin,
                );
            }
            *output = sum;
        }
    }
}

/// Fills `out` with `band` extended by `margin` samples beyond each end (`out[margin + m]` is sample m).
fn extend(band: &[f32], ext: Extension, margin: usize, out: &mut Vec<f32>) {
    out.clear();
    if band.is_empty() {
        return;
    }
    let margin = margin as isize;
    out.extend(
        (-margin..band.len() as isize + margin)
            .map(|m| band.get(ext.index(m)).copied().unwrap_or(0.0)),
    );
}

/// Adds filter[tap]·band[at], filter[tap + 2]·band[at + 1], … to `sum` while `tap` is inside the filter.
fn accumulate(mut sum: f32, filter: &[f32], tap: isize, band: &[f32], at: isize) -> f32 {
    let (Ok(tap), Ok(at)) = (usize::try_from(tap), usize::try_from(at)) else {
        return sum;
    };
    let taps = filter.get(tap..).unwrap_or_default().iter().step_by(2);
    for (coefficient, sample) in taps.zip(band.get(at..).unwrap_or_default()) {
        sum += sample * coefficient;
    }
    sum
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn scaled_numbers_divide_one_power_at_a_time() {
        assert_eq!(scaled(44, 2), 0.44);
        assert!((f64::from(scaled(852_698_684, 9)) - 0.852_698_684).abs() < 1e-7);
        assert_eq!(scaled(7, 0), 7.0);
        // An exponent that underflows gives 0, which marks a subband as not coded, as in NBIS.
        assert_eq!(scaled(1, 255), 0.0);
    }

    #[test]
    fn layout_of_a_512_square_matches_the_specification() {
        let bands = subband_layout(512, 512);
        for (k, band) in bands.iter().enumerate().take(51) {
            let side = if k < 4 { 16 } else { 32 };
            assert_eq!((band.width, band.height), (side, side), "subband {k}");
        }
        assert_eq!(
            bands[51],
            Rect {
                x: 128,
                y: 128,
                width: 128,
                height: 128
            }
        );
        assert_eq!(
            bands[52],
            Rect {
                x: 256,
                y: 0,
                width: 128,
                height: 128
            }
        );
        assert_eq!(
            bands[59],
            Rect {
                x: 128,
                y: 384,
                width: 128,
                height: 128
            }
        );
        // The coded subbands and the dropped quadrant tile the image exactly once.
        let mut covered = vec![0u8; 512 * 512];
        for b in bands {
            for y in b.y..b.y + b.height {
                for x in b.x..b.x + b.width {
                    covered[y * 512 + x] += 1;
                }
            }
        }
        let uncovered = covered.iter().filter(|c| **c == 0).count();
        assert_eq!(uncovered, 256 * 256);
        assert!(covered.iter().all(|c| *c <= 1));
    }

    #[test]
    fn odd_splits_put_the_longer_half_on_the_low_pass_side() {
        // 545 = 273 + 272: the top-left (low-pass) quadrant takes the extra column; the top-right node, which is
        // inverted along its rows, gives its extra column to its right-hand (low-pass) half.
        let tree = wavelet_tree(545, 622);
        assert_eq!(
            tree[1].rect,
            Rect {
                x: 0,
                y: 0,
                width: 273,
                height: 311
            }
        );
        assert_eq!(tree[2].rect.width, 272);
        let bands = subband_layout(545, 622);
        assert_eq!(
            (bands[52].x, bands[52].width, bands[53].width),
            (273, 136, 136)
        );
        let tree = wavelet_tree(620, 620);
        // Node 4 (155 wide, inverted rows) splits 77 + 78.
        assert_eq!(tree[4].rect.width, 155);
        assert_eq!((tree[6].rect.width, tree[7].rect.width), (77, 78));
    }

    #[test]
    fn symmetric_extension_indices() {
        let ws_ws = Extension {
            len: 4,
            left_whole: true,
            right_whole: true,
        };
        let got: Vec<usize> = (-4..9).map(|i| ws_ws.index(i)).collect();
        assert_eq!(got, [2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2]);
        let hs_hs = Extension {
            len: 3,
            left_whole: false,
            right_whole: false,
        };
        let got: Vec<usize> = (-3..6).map(|i| hs_hs.index(i)).collect();
        assert_eq!(got, [2, 1, 0, 0, 1, 2, 2, 1, 0]);
        let ws_hs = Extension {
            len: 3,
            left_whole: true,
            right_whole: false,
        };
        let got: Vec<usize> = (-2..5).map(|i| ws_hs.index(i)).collect();
        assert_eq!(got, [2, 1, 0, 1, 2, 2, 1]);
        let one = Extension {
            len: 1,
            left_whole: true,
            right_whole: true,
        };
        assert_eq!((one.index(-5), one.index(7)), (0, 0));
    }

    #[test]
    fn synthesis_inverts_the_lazy_wavelet() {
        // With lo = [1] and hi = [1] (one tap each) synthesis just interleaves the bands.
        let table = TransformTable {
            synthesis_low: vec![1.0],
            synthesis_high: vec![1.0],
        };
        let mut filters = Filters::new(&table);
        let mut out = [0f32; 5];
        filters.synthesise(&[1.0, 3.0, 5.0, 2.0, 4.0], false, &mut out);
        assert_eq!(out, [1.0, 2.0, 3.0, 4.0, 5.0]);
        filters.synthesise(&[2.0, 4.0, 1.0, 3.0, 5.0], true, &mut out);
        assert_eq!(out, [1.0, 2.0, 3.0, 4.0, 5.0]);
        let mut one = [0f32; 1];
        filters.synthesise(&[7.0], false, &mut one);
        assert_eq!(one, [7.0]);
    }

    #[test]
    fn huffman_tables_must_fit() {
        let mut content = vec![0u8];
        let mut counts = [0u8; 16];
        counts[0] = 3; // three codes of one bit cannot exist
        content.extend_from_slice(&counts);
        content.extend_from_slice(&[1, 2, 3]);
        let mut s = Segment {
            name: "DHT",
            offset: 0,
            content: &content,
            pos: 0,
        };
        let e = parse_huffman_table(&mut s).unwrap_err();
        assert!(e.to_string().contains("more codes of length 1"), "{e}");
        let mut content = vec![9u8];
        content.extend_from_slice(&[0; 16]);
        let mut s = Segment {
            name: "DHT",
            offset: 0,
            content: &content,
            pos: 0,
        };
        assert!(
            parse_huffman_table(&mut s)
                .unwrap_err()
                .to_string()
                .contains("id 9")
        );
    }

    #[test]
    fn nistcom_ppi_is_read() {
        assert_eq!(
            nistcom_ppi(b"NIST_COM 9\nPIX_WIDTH 545\nPPI 500\n"),
            Some(500)
        );
        assert_eq!(nistcom_ppi(b"NIST_COM 3\nPPI -1\n"), None);
        assert_eq!(nistcom_ppi(b"PPI 500"), None);
    }

    #[test]
    fn not_wsq_and_bad_headers() {
        assert!(matches!(
            decode(b"\xFF\xD8\xFF"),
            Err(WsqError::NotWsq { .. })
        ));
        assert!(matches!(decode(&[]), Err(WsqError::NotWsq { .. })));
        assert!(matches!(
            decode(&[0xFF, 0xA0]),
            Err(WsqError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&[0xFF, 0xA0, 0x12, 0x34]),
            Err(WsqError::NoMarker { found: 0x1234, .. })
        ));
        // SOF of a 0x0 image.
        let sof = [
            0xFF, 0xA0, 0xFF, 0xA2, 0, 17, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0,
        ];
        let e = decode(&sof).unwrap_err();
        assert!(e.to_string().contains("image size 0x0"), "{e}");
        // SOF of a 65535x65535 image.
        let sof = [
            0xFF, 0xA0, 0xFF, 0xA2, 0, 17, 0, 255, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 2, 0,
            0,
        ];
        assert!(matches!(
            decode(&sof),
            Err(WsqError::TooLarge { width: 65535, .. })
        ));
        assert_eq!(read_frame_header(&sof).unwrap().width, 65535);
        // An EOI straight after the frame header.
        let mut eoi = sof.to_vec();
        eoi[8..12].copy_from_slice(&[0, 64, 0, 64]);
        eoi.extend_from_slice(&[0xFF, 0xA1]);
        assert!(matches!(
            decode(&eoi),
            Err(WsqError::UnexpectedMarker { marker: 0xA1, .. })
        ));
        assert!(is_wsq(&[0xFF, 0xA0, 0xFF, 0xA8]));
        assert!(!is_wsq(&[0xFF, 0xA0, 0xFF, 0xD8]));
    }
}
