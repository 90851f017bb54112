//! Tollgate's edge backend.
//!
//! - [`core`]: the domain (sign-up, login, tokens, migration) in plain Rust behind seams for storage
//!   ([`core::db::Database`]), time ([`core::Clock`]), randomness ([`core::Rng`]) and hashing.
//! - [`api`]: HTTP routing, parsing and the Auth0 error shapes, still plain Rust.
//! - `worker` (wasm32 only): the Cloudflare Worker adapter — D1, environment, request conversion.
//! - `sqlite` (native only): the SQLite adapter the test suite runs the same migrations on.
#![deny(missing_docs)]

pub mod api;
pub mod core;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(not(target_arch = "wasm32"))]
pub mod soft_authenticator;
#[cfg(not(target_arch = "wasm32"))]
pub mod sqlite;
#[cfg(not(target_arch = "wasm32"))]
pub mod testkit;

#[cfg(target_arch = "wasm32")]
mod worker;
