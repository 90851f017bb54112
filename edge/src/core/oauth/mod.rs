//! The authorization server: `/authorize` with its sessions, transactions and answer delivery;
//! the token endpoint's grants; signing keys, token minting and verification.

pub mod audiences;
pub mod authorize;
pub mod codes;
pub mod delivery;
pub mod grants;
pub mod keys;
pub mod logout;
pub mod pkce;
pub mod sessions;
pub mod tokens;
