//! CanonicalABI.md: strings — `load_string_from_range` and `store_string_into_range` with
//! the spec's transcoding between utf8, utf16 and latin1+utf16, and its `realloc` sizing.

use super::flatten::align_to;
use super::{LiftLowerContext, StringEncoding};
use crate::error::{trap, trap_if, trap_if_with, Result};

/// CanonicalABI.md: `UTF16_TAG` — the high bit of a latin1+utf16 length marks utf16.
pub const UTF16_TAG: u32 = 1 << 31;
/// CanonicalABI.md: `MAX_STRING_BYTE_LENGTH`.
pub const MAX_STRING_BYTE_LENGTH: u64 = (1 << 31) - 1;

/// CanonicalABI.md: `load_string_from_range` — traps on a misaligned or out-of-bounds range
/// and on bytes that do not decode.
pub fn load_string_from_range(
    cx: &mut LiftLowerContext<'_>,
    ptr: u64,
    tagged_code_units: u32,
) -> Result<String> {
    #[derive(PartialEq)]
    enum Enc {
        Utf8,
        Utf16,
        Latin1,
    }
    let units = tagged_code_units as u64;
    let (alignment, byte_length, encoding) = match cx.string_encoding {
        StringEncoding::Utf8 => (1, units, Enc::Utf8),
        StringEncoding::Utf16 => (2, 2 * units, Enc::Utf16),
        StringEncoding::CompactUtf16 => {
            if tagged_code_units & UTF16_TAG != 0 {
                (2, 2 * (tagged_code_units ^ UTF16_TAG) as u64, Enc::Utf16)
            } else {
                (2, units, Enc::Latin1)
            }
        }
    };
    trap_if_with(ptr != align_to(ptr, alignment), || {
        format!("unaligned pointer: string pointer not aligned to {alignment}")
    })?;
    trap_if(
        ptr.saturating_add(byte_length) > cx.memory_len()?,
        "string pointer/length out of bounds of memory",
    )?;
    let bytes = cx.read_bytes(ptr, byte_length)?;
    let s = match encoding {
        Enc::Utf8 => match core::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) if e.error_len().is_none() => {
                trap("invalid utf-8 in string: incomplete utf-8 byte sequence")
            }
            Err(_) => trap("invalid utf-8 in string"),
        },
        Enc::Utf16 => match decode_utf16_le(bytes) {
            Some(s) => Ok(s),
            None => trap("invalid utf-16 in string"),
        },
        Enc::Latin1 if bytes.is_ascii() => Ok(String::from_utf8_lossy(bytes).into_owned()),
        Enc::Latin1 => Ok(bytes.iter().map(|&b| b as char).collect()),
    }?;
    // The spec's string value keeps its source encoding and length; remember them for a
    // lowering into another component in the same call.
    cx.call.strings.push_back(StringSource {
        encoding: cx.string_encoding,
        tagged_code_units,
    });
    Ok(s)
}

/// Little-endian UTF-16 code units as a `String`, or `None` at an unpaired surrogate. The
/// same result as `char::decode_utf16`, with runs of ASCII copied without decoding (strings
/// may be gigabytes long).
fn decode_utf16_le(bytes: &[u8]) -> Option<String> {
    let unit = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let n = bytes.len() & !1;
    let mut out = Vec::with_capacity(n / 2);
    let mut i = 0;
    while i < n {
        // Four ASCII units (every high byte zero, every low byte below 0x80) at a time.
        if let Some(quad) = bytes
            .get(i..i + 8)
            .and_then(|q| <[u8; 8]>::try_from(q).ok())
        {
            if u64::from_le_bytes(quad) & 0xff80_ff80_ff80_ff80 == 0 {
                out.extend_from_slice(&[quad[0], quad[2], quad[4], quad[6]]);
                i += 8;
                continue;
            }
        }
        let u = unit(i);
        i += 2;
        let scalar = match u {
            0..=0x7f => {
                out.push(u as u8);
                continue;
            }
            0xd800..=0xdbff if i < n => match unit(i) {
                lo @ 0xdc00..=0xdfff => {
                    i += 2;
                    0x10000 + ((u32::from(u) - 0xd800) << 10 | (u32::from(lo) - 0xdc00))
                }
                _ => return None,
            },
            0xd800..=0xdfff => return None,
            _ => u32::from(u),
        };
        let c = char::from_u32(scalar)?;
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    String::from_utf8(out).ok()
}

/// How many UTF-16 code units `s` takes: one per scalar value, two for those outside the
/// Basic Multilingual Plane (four bytes in UTF-8). Counted on bytes, which is fast.
fn utf16_len(s: &str) -> usize {
    s.bytes()
        .map(|b| usize::from(b & 0xc0 != 0x80) + usize::from(b >= 0xf0))
        .sum()
}

/// The encoding a lifted string came from and its (tagged) length in code units: what the
/// spec's string value `(src, src_encoding, src_tagged_code_units)` carries besides the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringSource {
    /// `src_encoding`.
    pub encoding: StringEncoding,
    /// `src_tagged_code_units`.
    pub tagged_code_units: u32,
}

impl StringSource {
    /// A string held by the host: utf8, one code unit per byte.
    pub fn utf8(s: &str) -> StringSource {
        StringSource {
            encoding: StringEncoding::Utf8,
            tagged_code_units: s.len() as u32,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Simple {
    Utf8,
    Utf16,
    Latin1,
}

impl StringSource {
    /// Whether `s` has this length in this encoding (so the source really is `s`'s).
    fn describes(&self, s: &str) -> bool {
        let t = self.tagged_code_units as usize;
        match self.encoding {
            StringEncoding::Utf8 => t == s.len(),
            StringEncoding::Utf16 => t == utf16_len(s),
            StringEncoding::CompactUtf16 if self.tagged_code_units & UTF16_TAG != 0 => {
                (self.tagged_code_units ^ UTF16_TAG) as usize == utf16_len(s)
            }
            StringEncoding::CompactUtf16 if s.is_ascii() => t == s.len(),
            StringEncoding::CompactUtf16 => {
                t == s.chars().count() && s.chars().all(|c| (c as u32) < 1 << 8)
            }
        }
    }
}

/// CanonicalABI.md: `store_string_into_range` for a string value: its source is the one
/// recorded when it was lifted in this call (a component-to-component call), or utf8 for a
/// string from the host.
pub fn store_string(cx: &mut LiftLowerContext<'_>, s: &str) -> Result<(u64, u32)> {
    trap_if(s.len() as u64 > MAX_STRING_BYTE_LENGTH, "string too long")?;
    let source = cx
        .call
        .strings
        .pop_front()
        .filter(|src| src.describes(s))
        .unwrap_or_else(|| StringSource::utf8(s));
    store_string_into_range(cx, s, source)
}

/// CanonicalABI.md: `store_string_into_range` — picks the copy or transcoding routine from
/// the source and destination encodings; returns `(ptr, tagged_code_units)`.
pub fn store_string_into_range(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    source: StringSource,
) -> Result<(u64, u32)> {
    let src_tagged = source.tagged_code_units;
    let (src_simple, src_code_units) = match source.encoding {
        StringEncoding::CompactUtf16 if src_tagged & UTF16_TAG != 0 => {
            (Simple::Utf16, src_tagged ^ UTF16_TAG)
        }
        StringEncoding::CompactUtf16 => (Simple::Latin1, src_tagged),
        StringEncoding::Utf8 => (Simple::Utf8, src_tagged),
        StringEncoding::Utf16 => (Simple::Utf16, src_tagged),
    };
    let n = src_code_units as u64;
    match cx.string_encoding {
        StringEncoding::Utf8 => match src_simple {
            Simple::Utf8 => store_string_copy(cx, src, n, 1, 1, Simple::Utf8),
            Simple::Utf16 => store_utf16_to_utf8(cx, src, n),
            Simple::Latin1 => store_latin1_to_utf8(cx, src, n),
        },
        StringEncoding::Utf16 => match src_simple {
            Simple::Utf8 => store_utf8_to_utf16(cx, src, n),
            Simple::Utf16 | Simple::Latin1 => store_string_copy(cx, src, n, 2, 2, Simple::Utf16),
        },
        StringEncoding::CompactUtf16 => match (source.encoding, src_simple) {
            (StringEncoding::CompactUtf16, Simple::Latin1) => {
                store_string_copy(cx, src, n, 1, 2, Simple::Latin1)
            }
            (StringEncoding::CompactUtf16, _) => {
                store_probably_utf16_to_latin1_or_utf16(cx, src, n)
            }
            _ => store_string_to_latin1_or_utf16(cx, src, n),
        },
    }
}

fn encode(src: &str, enc: Simple) -> Vec<u8> {
    match enc {
        Simple::Utf8 => src.as_bytes().to_vec(),
        Simple::Utf16 => src.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
        Simple::Latin1 => src.chars().map(|c| c as u32 as u8).collect(),
    }
}

/// CanonicalABI.md: `store_string_copy` — same code units on both sides: one allocation of
/// the exact size.
fn store_string_copy(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
    dst_code_unit_size: u64,
    dst_alignment: u32,
    dst_encoding: Simple,
) -> Result<(u64, u32)> {
    let dst_byte_length = dst_code_unit_size * src_code_units;
    trap_if(dst_byte_length > MAX_STRING_BYTE_LENGTH, "string too long")?;
    let ptr = cx.realloc(0, 0, dst_alignment, dst_byte_length)?;
    cx.check_realloc(ptr, dst_alignment, dst_byte_length)?;
    let encoded = encode(src, dst_encoding);
    if encoded.len() as u64 != dst_byte_length {
        return Err(crate::Error::TypeMismatch(
            "string length does not match its source code units".into(),
        ));
    }
    cx.write_bytes(ptr, &encoded)?;
    Ok((ptr, src_code_units as u32))
}

/// CanonicalABI.md: `store_utf16_to_utf8`.
fn store_utf16_to_utf8(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
) -> Result<(u64, u32)> {
    let worst_case_size = src_code_units * 3;
    store_string_to_utf8(cx, src, src_code_units, worst_case_size)
}

/// CanonicalABI.md: `store_latin1_to_utf8`.
fn store_latin1_to_utf8(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
) -> Result<(u64, u32)> {
    let worst_case_size = src_code_units * 2;
    store_string_to_utf8(cx, src, src_code_units, worst_case_size)
}

/// CanonicalABI.md: `store_string_to_utf8` — optimistically allocate one byte per code unit,
/// grow to the worst case when needed, then shrink to fit.
fn store_string_to_utf8(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
    worst_case_size: u64,
) -> Result<(u64, u32)> {
    let mut ptr = cx.realloc(0, 0, 1, src_code_units)?;
    cx.check_realloc(ptr, 1, src_code_units)?;
    let encoded = src.as_bytes();
    let first = (src_code_units as usize).min(encoded.len());
    cx.write_bytes(ptr, &encoded[..first])?;
    if (src_code_units as usize) < encoded.len() {
        trap_if(worst_case_size > MAX_STRING_BYTE_LENGTH, "string too long")?;
        ptr = cx.realloc(ptr, src_code_units, 1, worst_case_size)?;
        cx.check_realloc(ptr, 1, worst_case_size)?;
        cx.write_bytes(ptr + src_code_units, &encoded[src_code_units as usize..])?;
        if worst_case_size > encoded.len() as u64 {
            ptr = cx.realloc(ptr, worst_case_size, 1, encoded.len() as u64)?;
            cx.check_realloc(ptr, 1, encoded.len() as u64)?;
        }
    }
    Ok((ptr, encoded.len() as u32))
}

/// CanonicalABI.md: `store_utf8_to_utf16` — allocate the worst case, shrink to fit.
fn store_utf8_to_utf16(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
) -> Result<(u64, u32)> {
    let worst_case_size = 2 * src_code_units;
    trap_if(worst_case_size > MAX_STRING_BYTE_LENGTH, "string too long")?;
    let mut ptr = cx.realloc(0, 0, 2, worst_case_size)?;
    cx.check_realloc(ptr, 2, worst_case_size)?;
    let encoded = encode(src, Simple::Utf16);
    cx.write_bytes(ptr, &encoded)?;
    let len = encoded.len() as u64;
    if len < worst_case_size {
        ptr = cx.realloc(ptr, worst_case_size, 2, len)?;
        cx.check_realloc(ptr, 2, len)?;
    }
    Ok((ptr, (len / 2) as u32))
}

/// CanonicalABI.md: `store_string_to_latin1_or_utf16` — write latin1 while every scalar
/// fits in a byte; on the first one that does not, inflate in place to utf16.
fn store_string_to_latin1_or_utf16(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
) -> Result<(u64, u32)> {
    let mut ptr = cx.realloc(0, 0, 2, src_code_units)?;
    cx.check_realloc(ptr, 2, src_code_units)?;
    // The scalars before the first one that does not fit in a byte, as latin1. They are
    // written together, before the next `realloc`, which is all the guest can observe of
    // the spec's byte-by-byte loop.
    let latin1: Vec<u8> = src
        .chars()
        .map_while(|c| u8::try_from(c as u32).ok())
        .collect();
    cx.write_bytes(ptr, &latin1)?;
    let dst_byte_length = latin1.len() as u64;
    if src.chars().nth(latin1.len()).is_some() {
        let worst_case_size = 2 * src_code_units;
        trap_if(worst_case_size > MAX_STRING_BYTE_LENGTH, "string too long")?;
        ptr = cx.realloc(ptr, src_code_units, 2, worst_case_size)?;
        cx.check_realloc(ptr, 2, worst_case_size)?;
        // Inflate in place: byte j moves to 2j, high byte zero.
        let inflated: Vec<u8> = cx
            .read_bytes(ptr, dst_byte_length)?
            .iter()
            .flat_map(|&b| [b, 0])
            .collect();
        cx.write_bytes(ptr, &inflated)?;
        let encoded = encode(src, Simple::Utf16);
        cx.write_bytes(
            ptr + 2 * dst_byte_length,
            &encoded[2 * dst_byte_length as usize..],
        )?;
        let len = encoded.len() as u64;
        if worst_case_size > len {
            ptr = cx.realloc(ptr, worst_case_size, 2, len)?;
            cx.check_realloc(ptr, 2, len)?;
        }
        return Ok((ptr, (len / 2) as u32 | UTF16_TAG));
    }
    if dst_byte_length < src_code_units {
        ptr = cx.realloc(ptr, src_code_units, 2, dst_byte_length)?;
        cx.check_realloc(ptr, 2, dst_byte_length)?;
    }
    Ok((ptr, dst_byte_length as u32))
}

/// CanonicalABI.md: `store_probably_utf16_to_latin1_or_utf16` — copy as utf16, then deflate
/// to latin1 in place if every scalar fits in a byte.
fn store_probably_utf16_to_latin1_or_utf16(
    cx: &mut LiftLowerContext<'_>,
    src: &str,
    src_code_units: u64,
) -> Result<(u64, u32)> {
    let src_byte_length = 2 * src_code_units;
    trap_if(src_byte_length > MAX_STRING_BYTE_LENGTH, "string too long")?;
    let mut ptr = cx.realloc(0, 0, 2, src_byte_length)?;
    cx.check_realloc(ptr, 2, src_byte_length)?;
    let encoded = encode(src, Simple::Utf16);
    cx.write_bytes(ptr, &encoded)?;
    if src.chars().any(|c| c as u32 >= 1 << 8) {
        return Ok((ptr, (encoded.len() / 2) as u32 | UTF16_TAG));
    }
    let latin1_size = (encoded.len() / 2) as u64;
    // Deflate in place: unit i's low byte moves to byte i.
    let deflated: Vec<u8> = cx
        .read_bytes(ptr, 2 * latin1_size)?
        .iter()
        .step_by(2)
        .copied()
        .collect();
    cx.write_bytes(ptr, &deflated)?;
    ptr = cx.realloc(ptr, src_byte_length, 1, latin1_size)?;
    cx.check_realloc(ptr, 1, latin1_size)?;
    Ok((ptr, latin1_size as u32))
}

#[cfg(test)]
mod tests {
    use super::{decode_utf16_le, utf16_len};

    fn le(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn decode_utf16_le_agrees_with_std() {
        let cases: &[&[u16]] = &[
            &[],
            &[0x61, 0x62],
            &[0x7f, 0x80, 0x7ff, 0x800, 0xffff],
            &[0xd83d, 0xde00, 0x41],
            &[0xd800],
            &[0xdc00, 0x41],
            &[0x41, 0xd800, 0x41],
            &[0xdbff, 0xdfff],
        ];
        for units in cases {
            let want: Option<String> = char::decode_utf16(units.iter().copied())
                .collect::<Result<String, _>>()
                .ok();
            assert_eq!(decode_utf16_le(&le(units)), want, "{units:x?}");
        }
    }

    #[test]
    fn utf16_len_agrees_with_std() {
        for s in [
            "",
            "abc",
            "é",
            "\u{7ff}\u{800}\u{ffff}",
            "😀a😀",
            "a\u{10ffff}",
        ] {
            assert_eq!(utf16_len(s), s.encode_utf16().count(), "{s:?}");
        }
    }
}
