//! Text helpers that lean on the browser instead of shipping Unicode tables in the wasm.

/// Lower-cases like Rust's `str::to_lowercase` (and `shared`'s normalisation): ASCII directly,
/// anything else with the browser's `String.prototype.toLowerCase` (the same Unicode case
/// mapping). Rust's conversion tables alone were about 18 KB of the widget.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        js_sys::JsString::from(s).to_lower_case().into()
    }
}
