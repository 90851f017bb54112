//! Tollgate's login and sign-up widget, compiled to WebAssembly: Leptos' reactive graph (signals,
//! effects, context) drives a small DOM layer of our own ([`dom`]), rendered in the browser.
//!
//! Validation comes from the `shared` crate — the same code the edge enforces — so the password
//! checklist and the server's `invalid_password` errors always agree. The widget renders in the
//! light DOM (password managers see the fields), uses no inline styles (strict CSP works), and
//! talks to the edge's Auth0-compatible endpoints.
#![deny(missing_docs)]

pub mod api;
pub mod components;
pub mod config;
pub mod context;
pub mod dom;
pub mod events;
pub mod flow;
pub mod i18n;
pub mod json;
pub mod mount;
pub mod options;
pub mod text;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point: mounts every widget host on the page.
#[wasm_bindgen(start)]
pub fn start() {
    mount::auto_mount();
}
