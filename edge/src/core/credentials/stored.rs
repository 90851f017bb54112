//! A user's stored password, parsed once: ours (argon2id) or imported, and whether a login that
//! proves it should replace it.

use crate::core::credentials::hashing::PasswordHasher;
use crate::core::credentials::legacy_hash::LegacyHash;
use crate::core::error::CoreResult;

/// The `password_hash` column, parsed.
#[derive(Debug)]
pub enum StoredPassword {
    /// Our argon2id PHC string.
    Argon2id(String),
    /// A hash brought by an import or a legacy hand-over, within the work budget.
    Imported(LegacyHash),
    /// Malformed or over the work budget: matches nothing (why, for the log).
    Unusable(String),
}

/// What verifying a password against a [`StoredPassword`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verified {
    /// The password matches.
    pub matches: bool,
    /// The imported hash's work spent (0 for ours), in argon2 KiB·passes.
    pub foreign_work: f64,
}

impl StoredPassword {
    /// Parses `stored`; an imported hash whose work exceeds `budget` is unusable.
    pub fn parse(stored: &str, budget: f64) -> Self {
        if stored.starts_with("$argon2id$") {
            return Self::Argon2id(stored.to_owned());
        }
        match LegacyHash::from_stored(stored).and_then(|h| h.check_work(budget).map(|()| h)) {
            Ok(h) => Self::Imported(h),
            Err(e) => Self::Unusable(e.to_string()),
        }
    }

    /// Verifies `password`. A mismatch always spends one argon2id verification (a dummy after a
    /// cheap imported or an unusable hash), so it takes the time of ours; a matching imported hash
    /// is re-hashed by the caller (`needs_upgrade`), which costs as much.
    pub async fn verify(&self, hasher: &dyn PasswordHasher, password: &str) -> CoreResult<Verified> {
        match self {
            Self::Argon2id(phc) => Ok(Verified {
                matches: hasher.verify(password, phc).await?,
                foreign_work: 0.0,
            }),
            Self::Imported(h) => {
                let matches = h.verify(password);
                if !matches {
                    hasher.verify_dummy(password).await?;
                }
                Ok(Verified {
                    matches,
                    foreign_work: h.work(),
                })
            }
            Self::Unusable(_) => {
                hasher.verify_dummy(password).await?;
                Ok(Verified {
                    matches: false,
                    foreign_work: 0.0,
                })
            }
        }
    }

    /// Whether a login that proved the password should store a fresh argon2id hash: every
    /// imported hash, and ours when made with other parameters than `hasher`'s.
    pub fn needs_upgrade(&self, hasher: &dyn PasswordHasher) -> bool {
        match self {
            Self::Argon2id(phc) => hasher.needs_upgrade(phc),
            Self::Imported(_) => true,
            Self::Unusable(_) => false,
        }
    }
}
