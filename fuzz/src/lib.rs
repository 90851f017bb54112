//! Helpers shared by the fuzz targets: how one fuzz input is cut into the fields of a target.

use std::borrow::Cow;

/// Separates the fields of one input. Never part of UTF-8 text, so no text field loses a byte.
pub const SEP: u8 = 0xFF;

/// The first `N` fields of `data` separated by [`SEP`]: missing ones are empty, and the last one
/// keeps the rest of the input (separators included), so a body field may hold any byte.
pub fn fields<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i + 1 == N {
            *slot = rest;
            break;
        }
        match rest.iter().position(|b| *b == SEP) {
            Some(at) => {
                *slot = &rest[..at];
                rest = &rest[at + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    out
}

/// A field as text (invalid UTF-8 replaced, as the HTTP layer's string conversions do).
pub fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}
