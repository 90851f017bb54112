//! Parsing the stored forms of imported hashes (modular crypt, PHC, RFC 2307) with their cost
//! parameters checked against the caps before any hashing.

use argon2::password_hash::PasswordHash;
use argon2::Params;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;

use super::*;

pub(super) fn argon2_params(phc: &str) -> Option<Params> {
    PasswordHash::new(phc).ok().and_then(|p| Params::try_from(&p).ok())
}

/// PBKDF2 output blocks for a key of `len` bytes (each block costs all the iterations).
pub(super) fn pbkdf2_blocks(alg: Alg, len: usize) -> f64 {
    len.div_ceil(alg.output_len().max(1)) as f64
}

/// PHC "B64" (standard alphabet, no padding); passlib's `.` for `+` is accepted too.
pub(super) fn phc_b64(s: &str) -> Result<Vec<u8>, HashError> {
    let s = s.replace('.', "+");
    STANDARD_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| HashError::Malformed("base64"))
}

/// Decodes `value` in an Auth0 `encoding`: hex (either case), base64 (standard or URL-safe,
/// padding optional), utf8.
pub(super) fn decode(value: &str, encoding: &str) -> Result<Vec<u8>, HashError> {
    match encoding {
        "hex" => hex::decode(value.to_ascii_lowercase()).map_err(|_| HashError::Malformed("hex")),
        "base64" => STANDARD
            .decode(value)
            .or_else(|_| STANDARD_NO_PAD.decode(value))
            .or_else(|_| URL_SAFE.decode(value))
            .or_else(|_| URL_SAFE_NO_PAD.decode(value))
            .map_err(|_| HashError::Malformed("base64")),
        "utf8" => Ok(value.as_bytes().to_vec()),
        _ => Err(HashError::Malformed("encoding")),
    }
}

pub(super) fn parse_bcrypt(s: &str, salt: Option<Salt>, encoding: PasswordEncoding) -> Result<LegacyHash, HashError> {
    if !(s.starts_with("$2a$") || s.starts_with("$2b$") || s.starts_with("$2y$")) {
        return Err(HashError::Malformed("bcrypt prefix must be $2a$, $2b$ or $2y$"));
    }
    let cost: u32 = s
        .get(4..6)
        .and_then(|c| c.parse().ok())
        .ok_or(HashError::Malformed("bcrypt cost"))?;
    if s.len() != 60 {
        return Err(HashError::Malformed("bcrypt length"));
    }
    if cost > MAX_BCRYPT_COST {
        return Err(HashError::TooExpensive("bcrypt cost".into()));
    }
    Ok(LegacyHash::Bcrypt {
        hash: s.to_owned(),
        salt,
        encoding,
    })
}

pub(super) fn parse_pbkdf2(s: &str) -> Result<LegacyHash, HashError> {
    // $pbkdf2-<digest>$i=<iter>,l=<keylen>$<salt>$<hash>
    let parts: Vec<&str> = s.split('$').collect();
    let [_, alg, params, salt, hash] = parts.as_slice() else {
        return Err(HashError::Malformed("pbkdf2 fields"));
    };
    let alg = Alg::parse(alg.trim_start_matches("pbkdf2-")).ok_or(HashError::Unsupported)?;
    let mut iterations = 100_000u32;
    let mut keylen = 64usize;
    for kv in params.split(',').filter(|kv| !kv.is_empty()) {
        match kv.split_once('=') {
            Some(("i", v)) => iterations = v.parse().map_err(|_| HashError::Malformed("pbkdf2 i"))?,
            Some(("l", v)) => keylen = v.parse().map_err(|_| HashError::Malformed("pbkdf2 l"))?,
            _ => return Err(HashError::Malformed("pbkdf2 parameters")),
        }
    }
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(HashError::TooExpensive("pbkdf2 iterations".into()));
    }
    let hash = phc_b64(hash)?;
    if keylen == 0 || keylen > 128 || hash.len() != keylen {
        return Err(HashError::Malformed("pbkdf2 key length"));
    }
    Ok(LegacyHash::Pbkdf2 {
        alg,
        iterations,
        salt: phc_b64(salt)?,
        hash,
    })
}

pub(super) fn parse_argon2(s: &str) -> Result<LegacyHash, HashError> {
    let parsed = PasswordHash::new(s).map_err(|_| HashError::Malformed("argon2 PHC"))?;
    // What verifying needs, checked now: a hash that no password could ever match (another
    // algorithm's name, an unknown version, a salt argon2 refuses, no hash) is refused, not stored.
    argon2::Algorithm::try_from(parsed.algorithm).map_err(|_| HashError::Unsupported)?;
    if let Some(v) = parsed.version {
        argon2::Version::try_from(v).map_err(|_| HashError::Malformed("argon2 version"))?;
    }
    let mut salt = [0u8; 64];
    let salt_len = parsed
        .salt
        .and_then(|v| v.decode_b64(&mut salt).ok())
        .map_or(0, <[u8]>::len);
    if salt_len < argon2::MIN_SALT_LEN {
        return Err(HashError::Malformed("argon2 salt"));
    }
    if parsed.hash.is_none() {
        return Err(HashError::Malformed("argon2 hash"));
    }
    // The argon2 crate computes `8 · p` unchecked before it checks p's maximum: a parallelism
    // beyond that maximum is refused here first.
    if parsed.params.get_decimal("p").is_some_and(|p| p > Params::MAX_P_COST) {
        return Err(HashError::Malformed("argon2 parameters"));
    }
    let params = Params::try_from(&parsed).map_err(|_| HashError::Malformed("argon2 parameters"))?;
    if params.m_cost() > MAX_ARGON2_M_KIB || params.t_cost() > 10 || params.p_cost() > 4 {
        return Err(HashError::TooExpensive("argon2 parameters".into()));
    }
    Ok(LegacyHash::Argon2(s.to_owned()))
}

pub(super) fn parse_ldap(s: &str) -> Result<LegacyHash, HashError> {
    let (scheme, rest) = s
        .strip_prefix('{')
        .and_then(|r| r.split_once('}'))
        .ok_or(HashError::Malformed("ldap scheme"))?;
    let scheme = scheme.to_ascii_uppercase();
    if scheme == "CRYPT" {
        return Err(HashError::Unsupported);
    }
    // Salted schemes are the plain names with an `S` in front: SSHA, SSHA256, SMD5, …
    let salted = scheme.starts_with("SSHA") || scheme.starts_with("SMD5");
    let name = if salted { &scheme[1..] } else { scheme.as_str() };
    let alg = match name {
        "MD5" => Alg::Md5,
        "SHA" => Alg::Sha1,
        "SHA256" => Alg::Sha256,
        "SHA384" => Alg::Sha384,
        "SHA512" => Alg::Sha512,
        _ => return Err(HashError::Unsupported),
    };
    let raw = STANDARD
        .decode(rest.trim())
        .or_else(|_| STANDARD_NO_PAD.decode(rest.trim()))
        .map_err(|_| HashError::Malformed("ldap base64"))?;
    let len = alg.digest(b"").len();
    if raw.len() < len || (!salted && raw.len() != len) {
        return Err(HashError::Malformed("ldap digest length"));
    }
    let (hash, salt) = raw.split_at(len);
    Ok(LegacyHash::Digest {
        alg,
        hash: hash.to_vec(),
        salt: salted.then(|| Salt {
            bytes: salt.to_vec(),
            prefix: false,
        }),
        encoding: PasswordEncoding::Utf8,
    })
}

pub(super) fn str_field<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(v, |v, k| v.get(*k)).and_then(Value::as_str)
}
