//! Fixtures for native tests and benchmarks: an in-memory SQLite with the D1 migrations, a
//! controllable clock, and a tenant seeded through the same tables `make dev` fills.

// Fixture setup failing is a broken test environment: panicking with a message is the right answer.
#![allow(clippy::expect_used)]

use std::cell::Cell;
use std::sync::OnceLock;

use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use crate::api::{App, Config, Request, Response};
use crate::core::db::{Database, Stmt};
use crate::core::hashing::{Argon2Config, Argon2idHasher};
use crate::core::mail::DevOutbox;
use crate::core::secrets::{b64url, encrypt};
use crate::core::{Clock, Core, OsRng, Settings, StderrLogger};
use crate::sqlite::Sqlite;

/// The demo connection's name.
pub const DB_CONNECTION: &str = "Username-Password-Authentication";
/// The demo connection's id.
pub const DB_CONNECTION_ID: &str = "con_test00000000001";
/// A public SPA client enabled for the demo connection.
pub const SPA_CLIENT: &str = "test-spa";

/// A clock tests can move.
#[derive(Debug)]
pub struct TestClock(pub Cell<i64>);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.get()
    }
}

impl TestClock {
    /// Moves time forward.
    pub fn advance_ms(&self, ms: i64) {
        self.0.set(self.0.get() + ms);
    }
}

/// The issuer of test tokens.
pub const ISSUER: &str = "https://tollgate.test/";
/// The key-encryption key of test environments.
pub const KEK: [u8; 32] = [7u8; 32];
/// The kid of the test signing key.
pub const KID: &str = "test-key-1";

/// A 2048-bit RSA key made once per test binary: (PKCS#8 PEM, n, e).
pub fn test_rsa_key() -> &'static (String, String, String) {
    static KEY: OnceLock<(String, String, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("rsa keygen");
        let pem = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
        (pem, b64url(&key.n().to_bytes_be()), b64url(&key.e().to_bytes_be()))
    })
}

/// A native environment: SQLite, test clock, OS randomness, and a cheap argon2id.
pub struct TestEnv {
    /// The database.
    pub db: Sqlite,
    /// The clock (starts at 2026-01-01).
    pub clock: TestClock,
    /// The hasher (m=64 KiB so tests are fast; the benchmark uses production parameters).
    pub hasher: Argon2idHasher,
    /// HTTP-layer settings.
    pub config: Config,
    /// Core settings.
    pub settings: Settings,
}

impl TestEnv {
    /// A migrated database with one tenant, `DB_CONNECTION` (options `options`) and `SPA_CLIENT`.
    pub async fn with_connection(options: Value) -> Self {
        let env = Self {
            db: Sqlite::in_memory().expect("sqlite"),
            clock: TestClock(Cell::new(1_767_225_600_000)),
            hasher: Argon2idHasher::new(Argon2Config { m_kib: 64, t: 1, p: 1 }),
            config: Config {
                kek: Some(KEK),
                dev_outbox: true,
                bench_routes: false,
            },
            settings: Settings::new(ISSUER),
        };
        env.seed(options).await;
        env
    }

    /// A tenant whose connection uses the `good` policy and the dictionary.
    pub async fn new() -> Self {
        Self::with_connection(json!({"passwordPolicy": "good", "password_dictionary": {"enable": true}})).await
    }

    async fn seed(&self, options: Value) {
        let db: &dyn Database = &self.db;
        db.execute(Stmt::new(
            "INSERT INTO tenant (id, name, flags) VALUES (1, 'test', '{}')",
        ))
        .await
        .expect("tenant");
        db.execute(
            Stmt::new(
                "INSERT INTO connections (id, name, strategy, options, created_at) VALUES (?1, ?2, 'auth0', ?3, 0)",
            )
            .bind(DB_CONNECTION_ID)
            .bind(DB_CONNECTION)
            .bind(options.to_string()),
        )
        .await
        .expect("connection");
        db.execute(
            Stmt::new(
                "INSERT INTO clients (client_id, name, app_type, is_public, callbacks, web_origins, grant_types, created_at) \
                 VALUES (?1, 'Test SPA', 'spa', 1, '[\"http://localhost:3000/callback\"]', '[\"http://localhost:3000\"]', \
                 '[\"authorization_code\",\"refresh_token\",\"http://auth0.com/oauth/grant-type/password-realm\"]', 0)",
            )
            .bind(SPA_CLIENT),
        )
        .await
        .expect("client");
        db.execute(
            Stmt::new("INSERT INTO client_connections (client_id, connection_id) VALUES (?1, ?2)")
                .bind(SPA_CLIENT)
                .bind(DB_CONNECTION_ID),
        )
        .await
        .expect("client_connections");
        self.add_signing_key(KID, "current").await;
    }

    /// Adds the test RSA key under `kid` with `status`, encrypted with [`KEK`].
    pub async fn add_signing_key(&self, kid: &str, status: &str) {
        let (pem, n, e) = test_rsa_key();
        let sealed = encrypt(&KEK, &[3u8; 12], pem.as_bytes()).expect("seal");
        self.exec(
            Stmt::new(
                "INSERT INTO signing_keys (kid, status, public_jwk, private_key_enc, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(kid)
            .bind(status)
            .bind(json!({"kty": "RSA", "n": n, "e": e}).to_string())
            .bind(sealed)
            .bind(self.clock.now_ms()),
        )
        .await;
    }

    /// Runs a statement (test setup).
    pub async fn exec(&self, stmt: Stmt) {
        let db: &dyn Database = &self.db;
        db.execute(stmt).await.expect("exec");
    }

    /// Sets tenant flags.
    pub async fn set_flags(&self, flags: Value) {
        let db: &dyn Database = &self.db;
        db.execute(Stmt::new("UPDATE tenant SET flags = ?1 WHERE id = 1").bind(flags.to_string()))
            .await
            .expect("flags");
    }

    /// Sends one request through the HTTP layer.
    pub async fn send(&self, req: Request) -> Response {
        let outbox = DevOutbox {
            db: &self.db,
            now_ms: self.clock.now_ms(),
        };
        let app = App {
            core: Core {
                settings: &self.settings,
                db: &self.db,
                clock: &self.clock,
                rng: &OsRng,
                hasher: &self.hasher,
                mailer: &outbox,
                logger: &StderrLogger,
            },
            config: &self.config,
        };
        app.handle(req).await
    }

    /// The newest link mailed to `to` by the development outbox.
    pub async fn last_link(&self, to: &str) -> Option<String> {
        let r = self
            .send(Request::new("GET", &format!("/dev/outbox.json?to={to}")))
            .await;
        r.json_body()[0]["link"].as_str().map(str::to_owned)
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.send(Request::new("POST", path).with_json(&body)).await
    }
}
