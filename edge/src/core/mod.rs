//! The domain core: plain Rust, no `worker` types. Storage, time, randomness and hashing come in
//! through the [`Core`] seams, so the same code runs in the Worker and in native tests.

pub mod accounts;
pub mod credentials;
pub mod directory;
pub mod error;
pub mod federation;
pub mod hooks;
pub mod logs;
pub mod management;
pub mod mfa;
pub mod mfa_api;
pub mod migration;
pub mod oauth;
pub mod passkeys;
pub mod passwordless;
pub mod platform;
pub mod protection;
pub mod webauthn;

use credentials::hashing::PasswordHasher;
use error::{CoreError, CoreResult};
use platform::db::Database;
use platform::mail::Mailer;
use platform::outbound::{HttpClient, Secrets};

/// Wall-clock time, passed in so expiry and lockout windows are testable.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// Cryptographically secure randomness, passed in so tests can be deterministic.
pub trait Rng {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]) -> Result<(), String>;
}

/// The operating system's / runtime's CSPRNG (`crypto.getRandomValues` in the Worker).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRng;

impl Rng for OsRng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
        // getrandom 0.2 takes workerd (`nodejs_compat`) for Node and goes through the `crypto`
        // module's `randomFillSync` polyfill, ~0.2 ms a token request; 0.3 calls WebCrypto.
        #[cfg(target_arch = "wasm32")]
        return getrandom03::fill(buf).map_err(|e| e.to_string());
        #[cfg(not(target_arch = "wasm32"))]
        getrandom::getrandom(buf).map_err(|e| e.to_string())
    }
}

/// Deployment settings the core needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Token issuer: the public origin with a trailing slash (`https://auth.example.com/`).
    pub issuer: String,
    /// Multiplier of the per-endpoint rate limits (`RATE_LIMIT_SCALE`, default 1).
    pub rate_limit_scale: f64,
    /// Development only: outbound calls may use plain http and loopback or private addresses
    /// (`DEV_ALLOW_PRIVATE_URLS=1` with a loopback issuer; see `outbound`).
    pub allow_private_urls: bool,
    /// Tests only: job chunks fail on purpose when asked (`JOB_FAULTS=1` with a loopback issuer;
    /// see `jobs::injected_fault`).
    pub job_faults: bool,
    /// The passkeys' RP id when it is not the issuer's host (`PASSKEY_RP_ID`: a custom domain's
    /// parent, or `localhost` in development).
    pub passkey_rp_id: Option<String>,
}

impl Settings {
    /// Settings for `issuer` with default limits.
    pub fn new(issuer: &str) -> Self {
        Self {
            issuer: issuer.to_owned(),
            rate_limit_scale: 1.0,
            allow_private_urls: false,
            job_faults: false,
            passkey_rp_id: None,
        }
    }

    /// A per-endpoint bucket with the configured scale.
    pub fn limit(&self, bucket: protection::attack::Bucket) -> protection::attack::Bucket {
        bucket.scaled(self.rate_limit_scale)
    }
}

/// The seams one request works with.
pub struct Core<'a> {
    /// Settings.
    pub settings: &'a Settings,
    /// Storage.
    pub db: &'a dyn Database,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness.
    pub rng: &'a dyn Rng,
    /// Password hashing.
    pub hasher: &'a dyn PasswordHasher,
    /// Outgoing mail.
    pub mailer: &'a dyn Mailer,
    /// Operational log (console in the Worker, stderr natively).
    pub logger: &'a dyn Logger,
    /// Outbound HTTP (legacy systems).
    pub http: &'a dyn HttpClient,
    /// Named secrets (legacy HMAC keys).
    pub secrets: &'a dyn Secrets,
    /// This isolate's rate-limit buckets of hot paths (no D1 round trip).
    pub buckets: &'a protection::local::LocalBuckets,
    /// The request's tenant log events, written in one batch after the response (`logs`).
    pub events: &'a dyn logs::EventSink,
}

/// Where operational messages go.
pub trait Logger {
    /// Records one line.
    fn log(&self, msg: &str);
}

/// Logs to stderr (native).
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrLogger;

impl Logger for StderrLogger {
    fn log(&self, msg: &str) {
        eprintln!("{msg}");
    }
}

impl Core<'_> {
    /// `N` random bytes.
    pub fn random_bytes<const N: usize>(&self) -> CoreResult<[u8; N]> {
        let mut buf = [0u8; N];
        self.rng.fill(&mut buf).map_err(CoreError::Internal)?;
        Ok(buf)
    }

    /// Logs an operational message (never secrets or passwords).
    pub fn log(&self, msg: &str) {
        self.logger.log(msg);
    }

    /// Records a tenant log event (kept in memory; written after the response).
    pub fn record(&self, event: logs::Event) {
        self.events.record(event);
    }

    /// A new 24-hex-digit id, the shape of Auth0's user ids: see [`ordered_id`].
    pub fn new_id(&self) -> CoreResult<String> {
        Ok(ordered_id(self.clock.now_ms(), self.random_bytes::<8>()?))
    }
}

/// A 24-hex-digit id made at `now_ms` from 8 random bytes, laid out as Auth0's user ids are (a
/// MongoDB ObjectId): the creation second (4 bytes, big-endian) first, then the random bytes. Ids
/// made in a later second sort after earlier ones, so new rows land at the end of a table's
/// primary-key index instead of on random pages: with random ids SQLite's inserts slowed down
/// threefold by 350,000 users (bulk imports), with ordered ids they stay flat. The id tells when
/// it was made (as Auth0's do) and nothing else; 64 random bits keep ids of one second apart.
pub fn ordered_id(now_ms: i64, random: [u8; 8]) -> String {
    let second = u32::try_from(now_ms.div_euclid(1000)).unwrap_or(u32::MAX);
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&second.to_be_bytes());
    bytes[4..].copy_from_slice(&random);
    hex::encode(bytes)
}

#[cfg(test)]
mod layout_tests {
    use std::path::{Path, PathBuf};

    /// The domain folders from the bottom up: each may import only the ones before it.
    const LAYERS: [&str; 16] = [
        "platform",
        "protection",
        "credentials",
        "directory",
        "logs",
        "migration",
        "hooks",
        "webauthn",
        "mfa",
        "oauth",
        "accounts",
        "passwordless",
        "passkeys",
        "mfa_api",
        "federation",
        "management",
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn domain_folders_import_only_lower_ones_and_no_file_is_over_700_lines() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let lines = text.lines().count();
            if lines > 700 {
                wrong.push(format!("{} has {lines} lines", file.display()));
            }
            let Ok(rel) = file.strip_prefix(src.join("core")) else {
                continue;
            };
            let Some(layer) = rel
                .iter()
                .next()
                .and_then(|c| c.to_str())
                .and_then(|c| LAYERS.iter().position(|l| *l == c))
            else {
                continue;
            };
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            for used in &LAYERS[layer + 1..] {
                if code.contains(&format!("crate::core::{used}")) {
                    wrong.push(format!("{} ({}) imports {used}", rel.display(), LAYERS[layer]));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
