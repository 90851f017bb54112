//! Password hashing seam and its argon2id implementation.
//!
//! Hashing is behind a trait so a faster implementation (wasm SIMD, WebCrypto-backed) can replace
//! it without touching callers. The default parameters are OWASP's argon2id minimum:
//! m = 19456 KiB, t = 2, p = 1. Inputs are capped at [`shared::password::MAX_PASSWORD_BYTES`]
//! before they reach the hasher (bounded work per request).

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;

use crate::core::error::{CoreError, CoreResult};

/// Hashes and verifies passwords.
#[async_trait(?Send)]
pub trait PasswordHasher {
    /// Hashes `password` with `salt` (16 random bytes from the caller's RNG) into a PHC string.
    async fn hash(&self, password: &str, salt: &[u8]) -> CoreResult<String>;
    /// Whether `password` matches the PHC string `phc`. A malformed hash is a non-match.
    async fn verify(&self, password: &str, phc: &str) -> CoreResult<bool>;
    /// Spends the time of one `verify` without a stored hash, for unknown users, so the response
    /// time does not tell who exists.
    async fn verify_dummy(&self, password: &str) -> CoreResult<()>;
    /// The work of one of our own verifications, in argon2 KiB·passes (memory × iterations).
    fn work(&self) -> f64;
    /// Whether a hash of ours was made with other parameters than this hasher's, so a login that
    /// proves the password should re-hash it.
    fn needs_upgrade(&self, _phc: &str) -> bool {
        false
    }
    /// The gate in front of this hasher's work (one per isolate), if it has one.
    fn admission(&self) -> Option<&crate::core::credentials::admission::Admission> {
        None
    }
    /// The most work one verification of an imported or handed-over hash may cost: 4× our own,
    /// and never less than 4× OWASP's minimum argon2id setting (m=19456, t=2).
    fn verification_budget(&self) -> f64 {
        let owasp = f64::from(Argon2Config::default().m_kib) * f64::from(Argon2Config::default().t);
        crate::core::credentials::legacy_hash::Work::BUDGET_FACTOR * self.work().max(owasp)
    }
}

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Config {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
}

impl Argon2Config {
    /// Parses `m=19456,t=2,p=1` (any order; missing keys keep their defaults). Refuses values
    /// outside sane bounds: m 8 KiB–256 MiB, t 1–10, p 1–4.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut c = Self::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("expected key=value, got {part:?}"))?;
            let v: u32 = v.trim().parse().map_err(|_| format!("{k} must be a number"))?;
            match k.trim() {
                "m" if (8..=262_144).contains(&v) => c.m_kib = v,
                "t" if (1..=10).contains(&v) => c.t = v,
                "p" if (1..=4).contains(&v) => c.p = v,
                "m" | "t" | "p" => return Err(format!("{k}={v} is out of bounds")),
                other => return Err(format!("unknown parameter {other:?}")),
            }
        }
        Ok(c)
    }
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            m_kib: 19456,
            t: 2,
            p: 1,
        }
    }
}

/// Admits a flow that will do password work: at once, after a short wait, or `Overloaded`
/// (`credentials::admission`). Call it before the flow's first write.
pub async fn admit<'c>(core: &'c crate::core::Core<'_>) -> CoreResult<crate::core::credentials::admission::Permit<'c>> {
    match core.hasher.admission() {
        Some(gate) => gate.enter(core.http, core.clock).await,
        None => Ok(crate::core::credentials::admission::Permit::free()),
    }
}

/// argon2id via the RustCrypto `argon2` crate.
#[derive(Debug, Default)]
pub struct Argon2idHasher {
    config: Argon2Config,
    /// A hash with this hasher's parameters, made on first use, that no password matches.
    dummy: std::sync::OnceLock<String>,
    /// The bound on flows doing this hasher's work at once.
    admission: crate::core::credentials::admission::Admission,
}

impl Argon2idHasher {
    /// A hasher with the given parameters and the default admission bound.
    pub fn new(config: Argon2Config) -> Self {
        Self::with_admission(config, Default::default())
    }

    /// A hasher with the given parameters behind `admission`.
    pub fn with_admission(config: Argon2Config, admission: crate::core::credentials::admission::Admission) -> Self {
        Self {
            config,
            dummy: std::sync::OnceLock::new(),
            admission,
        }
    }

    fn argon2(&self) -> CoreResult<Argon2<'static>> {
        let c = self.config;
        let params =
            Params::new(c.m_kib, c.t, c.p, None).map_err(|e| CoreError::Internal(format!("argon2 params: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Synchronous hash, used by benchmarks.
    pub fn hash_sync(&self, password: &str, salt: &[u8]) -> CoreResult<String> {
        let salt = SaltString::encode_b64(salt).map_err(|e| CoreError::Internal(format!("salt: {e}")))?;
        self.argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(format!("argon2: {e}")))
    }

    /// Synchronous verify. Refuses hashes whose cost exceeds this hasher's by more than 4x, so a
    /// tampered or imported hash cannot burn CPU.
    pub fn verify_sync(&self, password: &str, phc: &str) -> CoreResult<bool> {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return Ok(false);
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return Ok(false);
        };
        let c = self.config;
        if params.m_cost() > c.m_kib.saturating_mul(4)
            || params.t_cost() > c.t.saturating_mul(4).max(8)
            || params.p_cost() > 4
        {
            return Ok(false);
        }
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    }
}

#[async_trait(?Send)]
impl PasswordHasher for Argon2idHasher {
    async fn hash(&self, password: &str, salt: &[u8]) -> CoreResult<String> {
        self.hash_sync(password, salt)
    }

    async fn verify(&self, password: &str, phc: &str) -> CoreResult<bool> {
        self.verify_sync(password, phc)
    }

    fn work(&self) -> f64 {
        f64::from(self.config.m_kib) * f64::from(self.config.t)
    }

    fn admission(&self) -> Option<&crate::core::credentials::admission::Admission> {
        Some(&self.admission)
    }

    /// Whether a stored hash uses other parameters than ours (and should be re-hashed on login).
    fn needs_upgrade(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return true;
        };
        parsed.algorithm.as_str() != "argon2id"
            || params.m_cost() != self.config.m_kib
            || params.t_cost() != self.config.t
            || params.p_cost() != self.config.p
    }

    async fn verify_dummy(&self, password: &str) -> CoreResult<()> {
        let phc = match self.dummy.get() {
            Some(h) => h.clone(),
            None => {
                let h = self.hash_sync("tollgate dummy password, matches nothing typed", &[0x5a; 16])?;
                self.dummy.get_or_init(|| h).clone()
            }
        };
        self.verify_sync(password, &phc).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2idHasher {
        Argon2idHasher::new(Argon2Config { m_kib: 64, t: 1, p: 1 })
    }

    #[test]
    fn hash_then_verify() {
        let h = cheap();
        let phc = h.hash_sync("correct horse", &[7u8; 16]).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(h.verify_sync("correct horse", &phc).unwrap());
        assert!(!h.verify_sync("correct horsE", &phc).unwrap());
        assert!(!h.verify_sync("x", "not a hash").unwrap());
        assert!(!h.needs_upgrade(&phc));
        assert!(Argon2idHasher::default().needs_upgrade(&phc));
    }

    #[test]
    fn parses_configuration() {
        assert_eq!(
            Argon2Config::parse("m=65536, t=3,p=2").unwrap(),
            Argon2Config {
                m_kib: 65536,
                t: 3,
                p: 2
            }
        );
        assert_eq!(
            Argon2Config::parse("t=3").unwrap(),
            Argon2Config {
                m_kib: 19456,
                t: 3,
                p: 1
            }
        );
        assert!(Argon2Config::parse("m=1").is_err());
        assert!(Argon2Config::parse("x=1").is_err());
        assert!(Argon2Config::parse("m").is_err());
    }

    #[test]
    fn default_parameters_are_owasp() {
        let phc = Argon2idHasher::default().hash_sync("pw", &[1u8; 16]).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[test]
    fn refuses_absurd_cost() {
        let heavy = Argon2idHasher::new(Argon2Config {
            m_kib: 64 * 8,
            t: 1,
            p: 1,
        })
        .hash_sync("pw", &[1u8; 16])
        .unwrap();
        assert!(
            !cheap().verify_sync("pw", &heavy).unwrap(),
            "8x the memory is refused without hashing"
        );
    }
}
