//! Password hashes from other systems, verified at the edge (lazy-migration hash hand-over; bulk
//! import uses the same verifiers). Each format is parsed first, its cost parameters are checked
//! against caps — a hostile or mistaken hash cannot make one login burn seconds of CPU — and only
//! then is the password hashed. Successful logins replace these hashes by our argon2id.
//!
//! | format | example | cap |
//! |---|---|---|
//! | bcrypt | `$2b$10$…` (`$2a$`, `$2y$` too) | cost ≤ 14 |
//! | PBKDF2 (PHC, Auth0's form) | `$pbkdf2-sha256$i=100000,l=32$<b64 salt>$<b64 hash>` | i ≤ 1,500,000 (Django's default fits), l ≤ 128 |
//! | argon2 (PHC) | `$argon2id$v=19$m=65536,t=2,p=1$…` | m ≤ 64 MiB, t ≤ 10, p ≤ 4 |

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::{Argon2, Params};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::secrets::ct_eq;

/// Highest bcrypt cost verified.
pub const MAX_BCRYPT_COST: u32 = 14;
/// Most PBKDF2 iterations verified.
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_500_000;
/// Most argon2 memory verified, KiB.
pub const MAX_ARGON2_M_KIB: u32 = 65_536;

/// Why a hash cannot be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Not a format we know.
    #[error("unsupported hash format")]
    Unsupported,
    /// Known format, broken fields.
    #[error("malformed hash: {0}")]
    Malformed(&'static str),
    /// Parameters beyond the caps.
    #[error("hash cost too high: {0}")]
    TooExpensive(&'static str),
}

/// PBKDF2's pseudo-random function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prf {
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// A parsed legacy hash whose cost is within the caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyHash {
    /// bcrypt, kept as the modular-crypt string.
    Bcrypt(String),
    /// argon2 PHC string.
    Argon2(String),
    /// PBKDF2.
    Pbkdf2 {
        /// PRF.
        prf: Prf,
        /// Iterations.
        iterations: u32,
        /// Salt bytes.
        salt: Vec<u8>,
        /// Derived key.
        hash: Vec<u8>,
    },
}

/// PHC "B64" (standard alphabet, no padding); passlib's `.` for `+` is accepted too.
fn b64(s: &str) -> Result<Vec<u8>, HashError> {
    let s = s.replace('.', "+");
    STANDARD_NO_PAD
        .decode(s.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(&s))
        .map_err(|_| HashError::Malformed("base64"))
}

fn parse_bcrypt(s: &str) -> Result<LegacyHash, HashError> {
    let cost: u32 = s
        .get(4..6)
        .and_then(|c| c.parse().ok())
        .ok_or(HashError::Malformed("bcrypt cost"))?;
    if s.len() != 60 {
        return Err(HashError::Malformed("bcrypt length"));
    }
    if cost > MAX_BCRYPT_COST {
        return Err(HashError::TooExpensive("bcrypt cost"));
    }
    Ok(LegacyHash::Bcrypt(s.to_owned()))
}

fn parse_pbkdf2(s: &str) -> Result<LegacyHash, HashError> {
    // $pbkdf2-<digest>$i=<iter>,l=<keylen>$<salt>$<hash>
    let parts: Vec<&str> = s.split('$').collect();
    let [_, alg, params, salt, hash] = parts.as_slice() else {
        return Err(HashError::Malformed("pbkdf2 fields"));
    };
    let prf = match alg.trim_start_matches("pbkdf2-") {
        "sha1" => Prf::Sha1,
        "sha256" => Prf::Sha256,
        "sha512" => Prf::Sha512,
        _ => return Err(HashError::Unsupported),
    };
    let mut iterations = 100_000u32;
    let mut keylen = 64usize;
    for kv in params.split(',') {
        match kv.split_once('=') {
            Some(("i", v)) => iterations = v.parse().map_err(|_| HashError::Malformed("pbkdf2 i"))?,
            Some(("l", v)) => keylen = v.parse().map_err(|_| HashError::Malformed("pbkdf2 l"))?,
            _ => return Err(HashError::Malformed("pbkdf2 parameters")),
        }
    }
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(HashError::TooExpensive("pbkdf2 iterations"));
    }
    let hash = b64(hash)?;
    if keylen == 0 || keylen > 128 || hash.len() != keylen {
        return Err(HashError::Malformed("pbkdf2 key length"));
    }
    Ok(LegacyHash::Pbkdf2 {
        prf,
        iterations,
        salt: b64(salt)?,
        hash,
    })
}

fn parse_argon2(s: &str) -> Result<LegacyHash, HashError> {
    let parsed = PasswordHash::new(s).map_err(|_| HashError::Malformed("argon2 PHC"))?;
    let params = Params::try_from(&parsed).map_err(|_| HashError::Malformed("argon2 parameters"))?;
    if params.m_cost() > MAX_ARGON2_M_KIB || params.t_cost() > 10 || params.p_cost() > 4 {
        return Err(HashError::TooExpensive("argon2 parameters"));
    }
    Ok(LegacyHash::Argon2(s.to_owned()))
}

impl LegacyHash {
    /// Recognises and checks a hash string.
    pub fn parse(s: &str) -> Result<Self, HashError> {
        let s = s.trim();
        if s.starts_with("$2a$") || s.starts_with("$2b$") || s.starts_with("$2y$") {
            parse_bcrypt(s)
        } else if s.starts_with("$pbkdf2-") {
            parse_pbkdf2(s)
        } else if s.starts_with("$argon2") {
            parse_argon2(s)
        } else {
            Err(HashError::Unsupported)
        }
    }

    /// Whether `password` matches.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            LegacyHash::Bcrypt(h) => bcrypt::verify(password, h).unwrap_or(false),
            LegacyHash::Argon2(h) => {
                PasswordHash::new(h).is_ok_and(|p| Argon2::default().verify_password(password.as_bytes(), &p).is_ok())
            }
            LegacyHash::Pbkdf2 {
                prf,
                iterations,
                salt,
                hash,
            } => {
                let mut out = vec![0u8; hash.len()];
                let pw = password.as_bytes();
                match prf {
                    Prf::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(pw, salt, *iterations, &mut out),
                    Prf::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(pw, salt, *iterations, &mut out),
                    Prf::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(pw, salt, *iterations, &mut out),
                }
                ct_eq(&out, hash)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_from_auth0_docs() {
        let h = LegacyHash::parse("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K").unwrap();
        assert!(h.verify("hello"));
        assert!(!h.verify("hellO"));
    }

    #[test]
    fn pbkdf2_round_trip_and_caps() {
        let salt = b"NaCl-salt";
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"pw", salt, 1000, &mut out);
        let phc = format!(
            "$pbkdf2-sha256$i=1000,l=32${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(out)
        );
        let h = LegacyHash::parse(&phc).unwrap();
        assert!(h.verify("pw"));
        assert!(!h.verify("pW"));
        let heavy = phc.replace("i=1000", "i=9000000");
        assert_eq!(
            LegacyHash::parse(&heavy),
            Err(HashError::TooExpensive("pbkdf2 iterations"))
        );
        assert!(matches!(
            LegacyHash::parse("$pbkdf2-md5$i=1,l=32$aa$bb"),
            Err(HashError::Unsupported)
        ));
    }

    #[test]
    fn caps_refuse_before_hashing() {
        let costly = format!("$2b$31${}", "a".repeat(53));
        assert_eq!(LegacyHash::parse(&costly), Err(HashError::TooExpensive("bcrypt cost")));
        assert_eq!(LegacyHash::parse("md5:abc"), Err(HashError::Unsupported));
    }
}
