//! Password hashes from other systems, verified at the edge: lazy-migration hash hand-over and bulk
//! import share these verifiers. Every format is parsed first and its cost parameters are checked
//! against caps — a hostile or mistaken hash cannot make one login burn seconds of CPU — and only
//! then is the password hashed. A successful login replaces these hashes by our argon2id.
//!
//! Strings ([`LegacyHash::parse`]):
//!
//! | format | example | cap |
//! |---|---|---|
//! | bcrypt | `$2b$10$…` (`$2a$`, `$2y$` too) | cost ≤ 14 |
//! | PBKDF2 (PHC, Auth0's form) | `$pbkdf2-sha256$i=100000,l=32$<b64 salt>$<b64 hash>` (`i` defaults to 100000, `l` to 64) | i ≤ 1,500,000, l ≤ 128 |
//! | argon2 (PHC) | `$argon2id$v=19$m=65536,t=2,p=1$…` | m ≤ 64 MiB, t ≤ 10, p ≤ 4 |
//! | LDAP (RFC 2307) | `{SSHA}…`, `{SHA}`, `{SHA256}`/`{SSHA256}`, `{SHA384}`/`{SSHA384}`, `{SHA512}`/`{SSHA512}`, `{MD5}`/`{SMD5}` | — |
//!
//! Auth0's `custom_password_hash` objects ([`LegacyHash::from_custom`]): `algorithm` one of argon2,
//! bcrypt, hmac, ldap, md4, md5, sha1, sha256, sha512, pbkdf2, scrypt; `hash.value` with
//! `hash.encoding` (hex in either case, base64 standard or URL-safe, utf8); `hash.digest` and
//! `hash.key` for hmac; `salt {value, encoding, position: prefix|suffix}` (default prefix, utf8);
//! `password.encoding` (utf8, ascii, latin1, binary, utf16le, ucs2) — the typed password is
//! transcoded to it before hashing; scrypt `keylen` (required), `cost` (16384), `blockSize` (8),
//! `parallelization` (1), capped at 64 MiB of memory. For bcrypt the salt counts toward its 72 bytes.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::{Argon2, Params};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Digest;

use crate::core::platform::secrets::ct_eq;

mod parse;
use parse::{argon2_params, decode, parse_argon2, parse_bcrypt, parse_ldap, parse_pbkdf2, pbkdf2_blocks, str_field};

/// Highest bcrypt cost verified.
pub const MAX_BCRYPT_COST: u32 = 14;
/// Most PBKDF2 iterations verified.
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_500_000;
/// Most argon2 memory verified, KiB.
pub const MAX_ARGON2_M_KIB: u32 = 65_536;
/// Most scrypt memory (128 · r · N bytes) verified.
pub const MAX_SCRYPT_BYTES: u64 = 64 * 1024 * 1024;

/// Why a hash cannot be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Not a format we know.
    #[error("unsupported hash format")]
    Unsupported,
    /// Known format, broken fields.
    #[error("malformed hash: {0}")]
    Malformed(&'static str),
    /// Parameters beyond the caps (which parameter, and its maximum).
    #[error("hash cost too high: {0}")]
    TooExpensive(String),
}

/// A digest algorithm (plain, HMAC and PBKDF2 uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// MD4.
    Md4,
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// RIPEMD-160.
    Ripemd160,
    /// Whirlpool.
    Whirlpool,
}

macro_rules! with_alg {
    ($alg:expr, $d:ident => $body:expr) => {
        match $alg {
            Alg::Md4 => {
                type $d = md4::Md4;
                $body
            }
            Alg::Md5 => {
                type $d = md5::Md5;
                $body
            }
            Alg::Sha1 => {
                type $d = sha1::Sha1;
                $body
            }
            Alg::Sha224 => {
                type $d = sha2::Sha224;
                $body
            }
            Alg::Sha256 => {
                type $d = sha2::Sha256;
                $body
            }
            Alg::Sha384 => {
                type $d = sha2::Sha384;
                $body
            }
            Alg::Sha512 => {
                type $d = sha2::Sha512;
                $body
            }
            Alg::Ripemd160 => {
                type $d = ripemd::Ripemd160;
                $body
            }
            Alg::Whirlpool => {
                type $d = whirlpool::Whirlpool;
                $body
            }
        }
    };
}

impl Alg {
    /// Parses a digest name, including OpenSSL's aliases (`RSA-SHA256`, `sha256WithRSAEncryption`,
    /// `ssl3-md5`, `rmd160`, …).
    pub fn parse(name: &str) -> Option<Self> {
        let n = name.to_ascii_lowercase();
        let n = n
            .trim_start_matches("rsa-")
            .trim_start_matches("ssl3-")
            .trim_end_matches("withrsaencryption");
        Some(match n {
            "md4" => Self::Md4,
            "md5" => Self::Md5,
            "sha1" | "sha1-2" => Self::Sha1,
            "sha224" => Self::Sha224,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            "ripemd" | "ripemd160" | "rmd160" | "ripemd160withrsa" => Self::Ripemd160,
            "whirlpool" => Self::Whirlpool,
            _ => return None,
        })
    }

    /// The digest's name in PHC strings (`$pbkdf2-sha256$…`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Md4 => "md4",
            Self::Md5 => "md5",
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Ripemd160 => "ripemd160",
            Self::Whirlpool => "whirlpool",
        }
    }

    /// Digest length in bytes.
    fn output_len(self) -> usize {
        with_alg!(self, D => <D as Digest>::output_size())
    }

    /// Work of one PBKDF2 iteration of one output block, in argon2 KiB·passes (see [`Work`]).
    fn pbkdf2_work(self) -> f64 {
        match self {
            Self::Md4 | Self::Md5 | Self::Sha1 | Self::Ripemd160 => 1.3,
            Self::Sha224 | Self::Sha256 => 1.5,
            Self::Sha384 | Self::Sha512 => 2.5,
            Self::Whirlpool => 5.0,
        }
    }

    /// `H(data)`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        with_alg!(self, D => D::digest(data).to_vec())
    }

    /// `HMAC-H(key, data)`.
    pub fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        with_alg!(self, D => match Hmac::<D>::new_from_slice(key) {
            Ok(mut m) => {
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        })
    }

    /// PBKDF2-HMAC-H into `out`.
    pub fn pbkdf2(self, password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
        with_alg!(self, D => pbkdf2::pbkdf2_hmac::<D>(password, salt, iterations, out))
    }
}

/// How the typed password becomes bytes before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordEncoding {
    /// UTF-8.
    #[default]
    Utf8,
    /// One byte per UTF-16 code unit (its low byte): Node's `latin1`, `binary` and `ascii`.
    Latin1,
    /// UTF-16 little endian (`utf16le`, `ucs2`).
    Utf16Le,
}

impl PasswordEncoding {
    fn parse(s: &str) -> Result<Self, HashError> {
        match s {
            "utf8" | "utf-8" => Ok(Self::Utf8),
            "ascii" | "latin1" | "binary" => Ok(Self::Latin1),
            "utf16le" | "ucs2" => Ok(Self::Utf16Le),
            _ => Err(HashError::Malformed("password.encoding")),
        }
    }

    fn bytes(self, password: &str) -> Vec<u8> {
        match self {
            Self::Utf8 => password.as_bytes().to_vec(),
            Self::Latin1 => password.encode_utf16().map(|u| (u & 0xff) as u8).collect(),
            Self::Utf16Le => password.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        }
    }
}

/// A salt and where it goes relative to the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salt {
    /// Salt bytes.
    pub bytes: Vec<u8>,
    /// `prefix` (salt + password) or `suffix` (password + salt).
    pub prefix: bool,
}

impl Salt {
    fn around(salt: Option<&Salt>, password: Vec<u8>) -> Vec<u8> {
        match salt {
            None => password,
            Some(s) if s.prefix => [s.bytes.as_slice(), &password].concat(),
            Some(s) => [password.as_slice(), &s.bytes].concat(),
        }
    }
}

/// A parsed legacy hash whose cost is within the caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyHash {
    /// bcrypt (modular-crypt string); a salt, if any, is put around the password first.
    Bcrypt {
        /// `$2b$…`.
        hash: String,
        /// Extra salt.
        salt: Option<Salt>,
        /// Password encoding.
        encoding: PasswordEncoding,
    },
    /// argon2 PHC string.
    Argon2(String),
    /// PBKDF2.
    Pbkdf2 {
        /// PRF digest.
        alg: Alg,
        /// Iterations.
        iterations: u32,
        /// Salt.
        salt: Vec<u8>,
        /// Derived key.
        hash: Vec<u8>,
    },
    /// A plain digest of the salted password (md4, md5, sha1, sha256, sha512; LDAP schemes).
    Digest {
        /// Digest.
        alg: Alg,
        /// Expected digest.
        hash: Vec<u8>,
        /// Salt.
        salt: Option<Salt>,
        /// Password encoding.
        encoding: PasswordEncoding,
    },
    /// HMAC of the salted password with a key.
    Hmac {
        /// Digest.
        alg: Alg,
        /// Key.
        key: Vec<u8>,
        /// Expected MAC.
        hash: Vec<u8>,
        /// Salt.
        salt: Option<Salt>,
        /// Password encoding.
        encoding: PasswordEncoding,
    },
    /// scrypt.
    Scrypt {
        /// Expected key.
        hash: Vec<u8>,
        /// Salt.
        salt: Vec<u8>,
        /// log2(N).
        log_n: u8,
        /// Block size.
        r: u32,
        /// Parallelism.
        p: u32,
        /// Password encoding.
        encoding: PasswordEncoding,
    },
}

/// The cost model of [`LegacyHash::work`]: every verification in argon2id KiB·passes (memory ×
/// iterations), the unit of the tenant's own argon2id setting (m=19456, t=2: 38,912), as measured
/// **inside workerd**, where verifications run (`make bench` prints each class there and natively;
/// in wasm the SHA family and scrypt are 2–3× slower relative to argon2id than natively), with a
/// margin of about 10 % for run-to-run noise. One bcrypt round (of 2^cost) ≈ 120 KiB·passes, one
/// PBKDF2 iteration per output block ≈ 1.3 (SHA-1), 1.5 (SHA-256), 2.5 (SHA-512), one scrypt N·r·p
/// unit ≈ 2, an imported argon2 KiB·pass ≈ 1.3. With the default budget (4× the tenant's setting:
/// 155,648) the largest accepted parameters are bcrypt cost 10, PBKDF2-SHA256 ≈ 103,000 iterations
/// (32-byte key), PBKDF2-SHA512 ≈ 62,000, PBKDF2-SHA1 ≈ 60,000, scrypt N·r·p ≈ 77,800 (N=8192, r=8,
/// p=1 fits; N=16384, r=8 does not), argon2 m·t ≈ 119,000 (m=64 MiB with t=1, or m=32 MiB with t=3).
pub struct Work;

impl Work {
    /// One bcrypt round.
    pub const BCRYPT_PER_ROUND: f64 = 120.0;
    /// One scrypt N·r·p unit.
    pub const SCRYPT_PER_NRP: f64 = 2.0;
    /// One KiB·pass of an imported argon2 hash (the `argon2` crate with other parameters than ours).
    pub const ARGON2_PER_KIB_PASS: f64 = 1.3;
    /// How many times the tenant's own argon2id one verification may cost.
    pub const BUDGET_FACTOR: f64 = 4.0;
}

/// One hash of each foreign class at (or near) the default caps, for `make bench` to time natively
/// and inside workerd next to the tenant's argon2id: (label, hash as stored).
pub fn bench_samples() -> Vec<(&'static str, String)> {
    let pbkdf2 =
        |alg: &str, i: u32| format!("$pbkdf2-{alg}$i={i},l=32$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let scrypt = serde_json::json!({"algorithm": "scrypt", "hash": {"value": "00".repeat(32), "encoding": "hex"},
        "salt": {"value": "salt"}, "keylen": 32, "cost": 8192, "blockSize": 8, "parallelization": 1});
    vec![
        // Auth0's documentation sample (cost 10); the cost digits alone set the work.
        (
            "bcrypt cost 10 (cap)",
            "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K".into(),
        ),
        ("pbkdf2-sha1 i=60000 (cap)", pbkdf2("sha1", 60_000)),
        ("pbkdf2-sha256 i=100000 (cap)", pbkdf2("sha256", 100_000)),
        ("pbkdf2-sha512 i=60000 (cap)", pbkdf2("sha512", 60_000)),
        ("scrypt N=8192 r=8 p=1 (cap)", scrypt.to_string()),
        (
            "argon2id m=65536 t=1 p=1 (cap)",
            "$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        ),
        (
            "md5 (salted digest)",
            serde_json::json!({"algorithm": "md5", "hash": {"value": "00".repeat(16)}}).to_string(),
        ),
    ]
}

impl LegacyHash {
    /// Recognises and checks a hash string (bcrypt, PBKDF2 PHC, argon2 PHC, LDAP).
    pub fn parse(s: &str) -> Result<Self, HashError> {
        let s = s.trim();
        if s.starts_with("$2") {
            parse_bcrypt(s, None, PasswordEncoding::Utf8)
        } else if s.starts_with("$pbkdf2-") {
            parse_pbkdf2(s)
        } else if s.starts_with("$argon2") {
            parse_argon2(s)
        } else if s.starts_with('{') {
            parse_ldap(s)
        } else {
            Err(HashError::Unsupported)
        }
    }

    /// A hash given as a string or as Auth0's `custom_password_hash` object.
    pub fn from_value(v: &Value) -> Result<Self, HashError> {
        match v {
            Value::String(s) => Self::parse(s),
            Value::Object(_) => Self::from_custom(v),
            _ => Err(HashError::Unsupported),
        }
    }

    /// Parses Auth0's `custom_password_hash` object (module docs).
    pub fn from_custom(v: &Value) -> Result<Self, HashError> {
        let algorithm = str_field(v, &["algorithm"]).ok_or(HashError::Malformed("algorithm"))?;
        let value = str_field(v, &["hash", "value"]).ok_or(HashError::Malformed("hash.value"))?;
        let encoding = match str_field(v, &["password", "encoding"]) {
            Some(e) => PasswordEncoding::parse(e)?,
            None => PasswordEncoding::Utf8,
        };
        let salt = match v.get("salt") {
            None | Some(Value::Null) => None,
            Some(s) => {
                let sv = str_field(s, &["value"]).ok_or(HashError::Malformed("salt.value"))?;
                let bytes = decode(sv, str_field(s, &["encoding"]).unwrap_or("utf8"))?;
                let prefix = match str_field(s, &["position"]).unwrap_or("prefix") {
                    "prefix" => true,
                    "suffix" => false,
                    _ => return Err(HashError::Malformed("salt.position")),
                };
                Some(Salt { bytes, prefix })
            }
        };
        let hash_encoding = str_field(v, &["hash", "encoding"]);
        let no_salt = |h: LegacyHash| {
            if salt.is_some() {
                Err(HashError::Malformed("salt is not allowed for this algorithm"))
            } else {
                Ok(h)
            }
        };
        match algorithm {
            "bcrypt" => parse_bcrypt(value, salt, encoding),
            "argon2" => no_salt(parse_argon2(value)?),
            "pbkdf2" => no_salt(parse_pbkdf2(value)?),
            "ldap" => no_salt(parse_ldap(value)?),
            "md4" | "md5" | "sha1" | "sha256" | "sha512" => {
                let enc = hash_encoding.unwrap_or("hex");
                if !matches!(enc, "hex" | "base64") {
                    return Err(HashError::Malformed("hash.encoding must be hex or base64"));
                }
                let alg = Alg::parse(algorithm).ok_or(HashError::Unsupported)?;
                Ok(LegacyHash::Digest {
                    alg,
                    hash: decode(value, enc)?,
                    salt,
                    encoding,
                })
            }
            "hmac" => {
                let enc = hash_encoding.unwrap_or("hex");
                if !matches!(enc, "hex" | "base64") {
                    return Err(HashError::Malformed("hash.encoding must be hex or base64"));
                }
                let alg = str_field(v, &["hash", "digest"])
                    .and_then(Alg::parse)
                    .ok_or(HashError::Malformed("hash.digest"))?;
                let key = str_field(v, &["hash", "key", "value"]).ok_or(HashError::Malformed("hash.key.value"))?;
                let key = decode(key, str_field(v, &["hash", "key", "encoding"]).unwrap_or("utf8"))?;
                Ok(LegacyHash::Hmac {
                    alg,
                    key,
                    hash: decode(value, enc)?,
                    salt,
                    encoding,
                })
            }
            "scrypt" => {
                let enc = hash_encoding.unwrap_or("hex");
                let hash = decode(value, enc)?;
                let keylen = v
                    .get("keylen")
                    .and_then(Value::as_u64)
                    .ok_or(HashError::Malformed("keylen"))?;
                let cost = v.get("cost").and_then(Value::as_u64).unwrap_or(16384);
                let r = v.get("blockSize").and_then(Value::as_u64).unwrap_or(8);
                let p = v.get("parallelization").and_then(Value::as_u64).unwrap_or(1);
                if keylen == 0 || keylen > 128 || hash.len() as u64 != keylen {
                    return Err(HashError::Malformed("keylen"));
                }
                if cost < 2 || !cost.is_power_of_two() || r == 0 || p == 0 {
                    return Err(HashError::Malformed("scrypt parameters"));
                }
                // Checked arithmetic: `128 · r · N` of absurd rows must not wrap around to "cheap".
                let bytes = 128u64.checked_mul(r).and_then(|b| b.checked_mul(cost));
                if bytes.is_none_or(|b| b > MAX_SCRYPT_BYTES) || p > 4 || r > 1024 {
                    return Err(HashError::TooExpensive("scrypt parameters".into()));
                }
                let salt = salt.ok_or(HashError::Malformed("scrypt needs a salt"))?.bytes;
                Ok(LegacyHash::Scrypt {
                    hash,
                    salt,
                    log_n: cost.trailing_zeros() as u8,
                    r: r as u32,
                    p: p as u32,
                    encoding,
                })
            }
            _ => Err(HashError::Unsupported),
        }
    }

    /// A hash as stored in `users.password_hash` or handed over by a legacy store: a string
    /// (bcrypt, PHC, LDAP) or the JSON of Auth0's `custom_password_hash`.
    pub fn from_stored(s: &str) -> Result<Self, HashError> {
        if s.trim_start().starts_with("{\"") {
            let v: Value = serde_json::from_str(s).map_err(|_| HashError::Malformed("JSON"))?;
            Self::from_value(&v)
        } else {
            Self::parse(s)
        }
    }

    /// The work one verification costs, in argon2 KiB·passes (see [`Work`]).
    pub fn work(&self) -> f64 {
        match self {
            LegacyHash::Bcrypt { hash, .. } => {
                let cost: u32 = hash.get(4..6).and_then(|c| c.parse().ok()).unwrap_or(MAX_BCRYPT_COST);
                f64::from(1u32 << cost.min(31)) * Work::BCRYPT_PER_ROUND
            }
            LegacyHash::Argon2(phc) => argon2_params(phc).map_or(f64::MAX, |p| {
                f64::from(p.m_cost()) * f64::from(p.t_cost()) * Work::ARGON2_PER_KIB_PASS
            }),
            LegacyHash::Pbkdf2 {
                alg, iterations, hash, ..
            } => f64::from(*iterations) * pbkdf2_blocks(*alg, hash.len()) * alg.pbkdf2_work(),
            LegacyHash::Scrypt { log_n, r, p, .. } => {
                f64::from(1u32 << (*log_n).min(31)) * f64::from(*r) * f64::from(*p) * Work::SCRYPT_PER_NRP
            }
            LegacyHash::Digest { .. } | LegacyHash::Hmac { .. } => 1.0,
        }
    }

    /// Refuses a hash whose verification costs more than `budget` (argon2 KiB·passes), naming the
    /// parameter that is too high and the largest value the budget allows.
    pub fn check_work(&self, budget: f64) -> Result<(), HashError> {
        if self.work() <= budget {
            return Ok(());
        }
        let why = match self {
            LegacyHash::Bcrypt { hash, .. } => format!(
                "bcrypt cost {} (at most {})",
                hash.get(4..6).unwrap_or("?"),
                (budget / Work::BCRYPT_PER_ROUND).log2().floor()
            ),
            LegacyHash::Argon2(phc) => {
                let p = argon2_params(phc);
                format!(
                    "argon2 m·t = {} KiB·passes (at most {:.0})",
                    p.map_or(0, |p| u64::from(p.m_cost()) * u64::from(p.t_cost())),
                    budget / Work::ARGON2_PER_KIB_PASS
                )
            }
            LegacyHash::Pbkdf2 {
                alg, iterations, hash, ..
            } => format!(
                "pbkdf2-{} iterations {iterations} (at most {:.0} for a {}-byte key)",
                alg.name(),
                budget / (pbkdf2_blocks(*alg, hash.len()) * alg.pbkdf2_work()),
                hash.len()
            ),
            LegacyHash::Scrypt { log_n, r, p, .. } => format!(
                "scrypt cost · blockSize · parallelization = {} (at most {:.0})",
                (1u64 << log_n) * u64::from(*r) * u64::from(*p),
                budget / Work::SCRYPT_PER_NRP
            ),
            LegacyHash::Digest { .. } | LegacyHash::Hmac { .. } => "digest".into(),
        };
        Err(HashError::TooExpensive(why))
    }

    /// A hash of the same algorithm and cost that no password matches (random salt and digest),
    /// in [`LegacyHash::from_stored`]'s form: verifying it costs what verifying `self` costs.
    /// `None` for plain digests and HMACs, whose cost is negligible. `random` gives 48 random bytes.
    pub fn dummy(&self, random: [u8; 48]) -> Option<String> {
        let (salt, digest) = random.split_at(16);
        match self {
            LegacyHash::Bcrypt { hash, .. } => {
                let cost: u32 = hash.get(4..6)?.parse().ok()?;
                let salt: [u8; 16] = salt.try_into().ok()?;
                let parts = bcrypt::hash_with_salt(digest, cost, salt).ok()?;
                Some(parts.format_for_version(bcrypt::Version::TwoB))
            }
            LegacyHash::Argon2(phc) => {
                let parsed = PasswordHash::new(phc).ok()?;
                let p = Params::try_from(&parsed).ok()?;
                Some(format!(
                    "${}$v=19$m={},t={},p={}${}${}",
                    parsed.algorithm,
                    p.m_cost(),
                    p.t_cost(),
                    p.p_cost(),
                    STANDARD_NO_PAD.encode(salt),
                    STANDARD_NO_PAD.encode(digest)
                ))
            }
            LegacyHash::Pbkdf2 {
                alg, iterations, hash, ..
            } => {
                let mut key = digest.to_vec();
                key.resize(hash.len(), 0x5a);
                Some(format!(
                    "$pbkdf2-{}$i={iterations},l={}${}${}",
                    alg.name(),
                    hash.len(),
                    STANDARD_NO_PAD.encode(salt),
                    STANDARD_NO_PAD.encode(key)
                ))
            }
            LegacyHash::Scrypt { hash, log_n, r, p, .. } => {
                let mut key = digest.to_vec();
                key.resize(hash.len(), 0x5a);
                Some(
                    serde_json::json!({"algorithm": "scrypt", "hash": {"value": hex::encode(key), "encoding": "hex"},
                        "salt": {"value": hex::encode(salt), "encoding": "hex"}, "keylen": hash.len(),
                        "cost": 1u64 << log_n, "blockSize": r, "parallelization": p})
                    .to_string(),
                )
            }
            LegacyHash::Digest { .. } | LegacyHash::Hmac { .. } => None,
        }
    }

    /// Whether `password` matches.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            LegacyHash::Bcrypt { hash, salt, encoding } => {
                bcrypt::verify(Salt::around(salt.as_ref(), encoding.bytes(password)), hash).unwrap_or(false)
            }
            LegacyHash::Argon2(h) => {
                PasswordHash::new(h).is_ok_and(|p| Argon2::default().verify_password(password.as_bytes(), &p).is_ok())
            }
            LegacyHash::Pbkdf2 {
                alg,
                iterations,
                salt,
                hash,
            } => {
                let mut out = vec![0u8; hash.len()];
                alg.pbkdf2(password.as_bytes(), salt, *iterations, &mut out);
                ct_eq(&out, hash)
            }
            LegacyHash::Digest {
                alg,
                hash,
                salt,
                encoding,
            } => ct_eq(
                &alg.digest(&Salt::around(salt.as_ref(), encoding.bytes(password))),
                hash,
            ),
            LegacyHash::Hmac {
                alg,
                key,
                hash,
                salt,
                encoding,
            } => ct_eq(
                &alg.hmac(key, &Salt::around(salt.as_ref(), encoding.bytes(password))),
                hash,
            ),
            LegacyHash::Scrypt {
                hash,
                salt,
                log_n,
                r,
                p,
                encoding,
            } => {
                let Ok(params) = scrypt::Params::new(*log_n, *r, *p, hash.len()) else {
                    return false;
                };
                let mut out = vec![0u8; hash.len()];
                scrypt::scrypt(&encoding.bytes(password), salt, &params, &mut out).is_ok() && ct_eq(&out, hash)
            }
        }
    }
}

#[cfg(test)]
mod tests;
