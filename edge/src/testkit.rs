//! Fixtures for native tests and benchmarks: an in-memory SQLite with the D1 migrations, a
//! controllable clock, and a tenant seeded through the same tables `make dev` fills.

// Fixture setup failing is a broken test environment: panicking with a message is the right answer.
#![allow(clippy::expect_used)]

use std::cell::Cell;

use serde_json::{json, Value};

use crate::api::{App, Config, Request, Response};
use crate::core::db::{Database, Stmt};
use crate::core::hashing::{Argon2Config, Argon2idHasher};
use crate::core::{Clock, Core, OsRng};
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

/// A native environment: SQLite, test clock, OS randomness, and a cheap argon2id.
pub struct TestEnv {
    /// The database.
    pub db: Sqlite,
    /// The clock (starts at 2026-01-01).
    pub clock: TestClock,
    /// The hasher (m=64 KiB so tests are fast; the benchmark uses production parameters).
    pub hasher: Argon2idHasher,
    /// Settings.
    pub config: Config,
}

impl TestEnv {
    /// A migrated database with one tenant, `DB_CONNECTION` (options `options`) and `SPA_CLIENT`.
    pub async fn with_connection(options: Value) -> Self {
        let env = Self {
            db: Sqlite::in_memory().expect("sqlite"),
            clock: TestClock(Cell::new(1_767_225_600_000)),
            hasher: Argon2idHasher::new(Argon2Config { m_kib: 64, t: 1, p: 1 }),
            config: Config {
                issuer: "https://tollgate.test/".into(),
                bench_routes: false,
            },
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
        let app = App {
            core: Core {
                db: &self.db,
                clock: &self.clock,
                rng: &OsRng,
                hasher: &self.hasher,
            },
            config: &self.config,
        };
        app.handle(req).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.send(Request::new("POST", path).with_json(&body)).await
    }
}
