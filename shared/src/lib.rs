//! Pure Rust shared by the widget (compiled to wasm) and the edge: Auth0 wire types, the password
//! and username policy engine, and error codes. No I/O, so one validation runs in the browser for
//! instant feedback and on the edge for enforcement.
#![deny(missing_docs)]

#[cfg(feature = "dictionary")]
pub mod dictionary;
pub mod email;
pub mod management;
pub mod my_account;
pub mod password;
pub mod personal_info;
pub mod username;
pub mod wire;

pub use password::{Explanation, PasswordPolicy, PolicyLevel, RuleResult};
