//! Tollgate's login and sign-up widget: Leptos components (client-side rendered) compiled to
//! WebAssembly.
//!
//! Validation comes from the `shared` crate — the same code the edge enforces — so the password
//! checklist and the server's `invalid_password` errors always agree; the edge's answers and the
//! client configuration are read into `shared::wire`'s serde types, and requests are written from
//! them, over `gloo-net`. The widget renders in the light DOM (password managers see the fields),
//! uses no inline styles (strict CSP works), and talks to the edge's Auth0-compatible endpoints.
#![deny(missing_docs)]

pub mod api;
pub mod components;
pub mod context;
pub mod events;
pub mod flow;
pub mod i18n;
pub mod mfa;
pub mod mount;
pub mod options;
pub mod passkey;
pub mod text;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point: mounts every widget host on the page.
#[wasm_bindgen(start)]
pub fn start() {
    mount::auto_mount();
}
