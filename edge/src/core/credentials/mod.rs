//! Passwords at rest: argon2id (ours) and the hash formats bulk imports bring (bcrypt, scrypt,
//! PBKDF2, salted digests…), verified with bounded work.

pub mod admission;
pub mod hashing;
pub mod legacy_hash;
pub mod stored;
