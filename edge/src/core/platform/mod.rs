//! Plumbing every domain stands on: the database seam and its isolate cache, outbound HTTP with
//! its URL rules, mail, secrets (sealing, constant-time comparison, base64url) and the JWT crypto
//! provider. Nothing here knows about users, clients or flows.

pub mod cache;
pub mod dates;
pub mod db;
pub mod jwt_crypto;
pub mod mail;
pub mod outbound;
pub mod secrets;
