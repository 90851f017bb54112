//! Fixtures for native tests and benchmarks: an in-memory SQLite with the D1 migrations, a
//! controllable clock, and a tenant seeded through the same tables `make dev` fills.

// Fixture setup failing is a broken test environment: panicking with a message is the right answer.
#![allow(clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

use async_trait::async_trait;

use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use crate::api::{App, Config, Request, Response};
use crate::core::credentials::hashing::{Argon2Config, Argon2idHasher};
use crate::core::error::CoreResult;
use crate::core::logs::RequestEvents;
use crate::core::management::jobs::chunks::Delivery;
use crate::core::management::jobs::{ChunkMessage, FileStore, JobQueue, Jobs};
use crate::core::platform::db::{Database, Stmt};
use crate::core::platform::mail::{DevOutbox, NoMailer};
use crate::core::platform::outbound::Secrets;
use crate::core::platform::secrets::{b64url, encrypt};
use crate::core::{Clock, Core, OsRng, Settings, StderrLogger};
use crate::sqlite::Sqlite;

mod fake_hooks;
mod fake_legacy;
mod fake_sink;

pub use fake_hooks::{FakeHooks, HookCall, HookReply, HOOKS_HOST, HOOK_SECRET};
pub use fake_legacy::{FakeLegacy, Fault, IDP_EMAIL, IDP_HOST, LEGACY_SECRET};
pub use fake_sink::{FakeSink, SinkFault};

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

/// A machine-to-machine client with a client grant for the Management API.
pub const M2M_CLIENT: &str = "test-m2m";
/// Its secret.
pub const M2M_SECRET: &str = "test-m2m-secret";
/// Every scope the Management API defines (and the test M2M client's grant holds).
pub const MANAGEMENT_SCOPES: &str = "create:users read:users update:users delete:users read:connections \
     create:connections update:connections delete:connections read:clients create:clients update:clients \
     delete:clients update:client_keys read:client_grants create:client_grants update:client_grants \
     delete:client_grants read:resource_servers create:resource_servers update:resource_servers read:stats \
     create:user_tickets read:anomaly_blocks delete:anomaly_blocks read:guardian_factors \
     update:guardian_factors read:mfa_policies update:mfa_policies delete:guardian_enrollments read:logs \
     read:log_streams create:log_streams update:log_streams delete:log_streams read:hooks create:hooks \
     update:hooks delete:hooks";

/// The issuer of test tokens.
pub const ISSUER: &str = "https://tollgate.test/";
/// The key-encryption key of test environments.
pub const KEK: [u8; 32] = [7u8; 32];
/// The kid of the test signing key.
pub const KID: &str = "test-key-1";

/// A 2048-bit RSA key made once per test binary: (PKCS#8 PEM, n, e). Installs our JWT crypto
/// provider first, as every token a test makes or checks starts from this key.
pub fn test_rsa_key() -> &'static (String, String, String) {
    crate::core::platform::jwt_crypto::install();
    static KEY: OnceLock<(String, String, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("rsa keygen");
        let pem = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
        (pem, b64url(&key.n().to_bytes_be()), b64url(&key.e().to_bytes_be()))
    })
}

/// Job chunks of native tests: collected, then run by [`TestEnv::run_jobs`].
#[derive(Default)]
pub struct InlineQueue(pub RefCell<Vec<ChunkMessage>>);

#[async_trait(?Send)]
impl JobQueue for InlineQueue {
    async fn enqueue(&self, job_id: &str, chunks: u32) -> CoreResult<()> {
        self.0.borrow_mut().extend((0..chunks).map(|chunk| ChunkMessage {
            job_id: job_id.into(),
            chunk,
        }));
        Ok(())
    }
}

/// Job files in memory (R2 in the Worker).
#[derive(Default)]
pub struct MemoryFiles(pub RefCell<std::collections::BTreeMap<String, Vec<u8>>>);

#[async_trait(?Send)]
impl FileStore for MemoryFiles {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> CoreResult<()> {
        self.0.borrow_mut().insert(key.to_owned(), bytes);
        Ok(())
    }

    async fn get(&self, key: &str) -> CoreResult<Option<Vec<u8>>> {
        Ok(self.0.borrow().get(key).cloned())
    }

    async fn delete(&self, keys: &[String]) -> CoreResult<()> {
        let mut files = self.0.borrow_mut();
        for k in keys {
            files.remove(k);
        }
        Ok(())
    }
}

/// Secrets of test environments: the legacy HMAC key.
pub struct TestSecrets;

impl Secrets for TestSecrets {
    fn get(&self, name: &str) -> Option<String> {
        match name {
            "CONNECTION_SECRET_LEGACY" => Some(LEGACY_SECRET.to_owned()),
            "CONNECTION_SECRET_WRONG" => Some("not the shared secret".to_owned()),
            "CONNECTION_SECRET_HOOKS" => Some(HOOK_SECRET.to_owned()),
            // Deployment secrets a connection must never be able to name.
            "KEY_ENCRYPTION_KEY" => Some("the key-encryption key".to_owned()),
            "MAIL_API_KEY" => Some("the mail API key".to_owned()),
            _ => None,
        }
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
    /// HTTP-layer settings.
    pub config: Config,
    /// Core settings.
    pub settings: Settings,
    /// The legacy user store of connections configured with `legacy` (any URL reaches it).
    pub legacy: FakeLegacy,
    /// Job chunks waiting to run.
    pub queue: InlineQueue,
    /// Job files (R2 in the Worker).
    pub files: MemoryFiles,
    /// The per-isolate rate-limit buckets (one "isolate" per environment).
    pub buckets: crate::core::protection::local::LocalBuckets,
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
            legacy: FakeLegacy::default(),
            queue: InlineQueue::default(),
            files: MemoryFiles::default(),
            buckets: Default::default(),
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
        db.execute(
            Stmt::new(
                "INSERT INTO clients (client_id, name, app_type, is_public, client_secret_hash, grant_types, created_at) \
                 VALUES (?1, 'Test M2M', 'non_interactive', 0, ?2, '[\"client_credentials\"]', 0)",
            )
            .bind(M2M_CLIENT)
            .bind(crate::core::platform::secrets::sha256_hex(M2M_SECRET.as_bytes())),
        )
        .await
        .expect("m2m client");
        let api = format!("{ISSUER}api/v2/");
        let scopes = json!(MANAGEMENT_SCOPES.split(' ').collect::<Vec<_>>()).to_string();
        db.batch(vec![
            Stmt::new("INSERT INTO resource_servers (identifier, name, scopes, created_at) VALUES (?1, 'Management API', ?2, 0)")
                .bind(&api)
                .bind(&scopes),
            Stmt::new("INSERT INTO client_grants (id, client_id, audience, scope) VALUES ('cgr_testm2m', ?1, ?2, ?3)")
                .bind(M2M_CLIENT)
                .bind(&api)
                .bind(&scopes),
        ])
        .await
        .expect("management api");
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

    /// Adds a tenant administrator (a user of the admins' connection with `role`) and points the
    /// console's URLs at `{ISSUER}admin/`, as the seed does; returns the stored user id.
    pub async fn add_member(&self, email: &str, password: &str, role: &str) -> String {
        use crate::core::directory::admins::{ADMIN_CONNECTION_ID, CONSOLE_CLIENT_ID};
        let hash = self.core().hasher.hash(password, &[7u8; 16]).await.expect("hash");
        let id = format!(
            "adm{}",
            crate::core::platform::secrets::sha256_hex(email.as_bytes())
                .get(..16)
                .unwrap_or_default()
        );
        let now = self.clock.now_ms();
        let db: &dyn Database = &self.db;
        db.batch(vec![
            Stmt::new("UPDATE clients SET callbacks = ?1, web_origins = ?2 WHERE client_id = ?3")
                .bind(json!([format!("{ISSUER}admin/")]).to_string())
                .bind(json!([ISSUER.trim_end_matches('/')]).to_string())
                .bind(CONSOLE_CLIENT_ID),
            Stmt::new(
                "INSERT INTO users (user_id, connection_id, email, email_verified, password_hash, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)",
            )
            .bind(&id)
            .bind(ADMIN_CONNECTION_ID)
            .bind(email)
            .bind(hash)
            .bind(now),
            Stmt::new("INSERT INTO tenant_members (user_id, role, created_at) VALUES (?1, ?2, ?3)")
                .bind(&id)
                .bind(role)
                .bind(now),
        ])
        .await
        .expect("member");
        id
    }

    /// Runs a statement (test setup).
    pub async fn exec(&self, stmt: Stmt) {
        let db: &dyn Database = &self.db;
        db.execute(stmt).await.expect("exec");
    }

    /// An OAuth 2.0 connection `idp` (id `con_idp`) on the fake provider [`IDP_HOST`], enabled for
    /// [`SPA_CLIENT`].
    pub async fn add_idp_connection(&self) {
        self.exec(
            Stmt::new(
                "INSERT INTO connections (id, name, strategy, options, created_at) VALUES ('con_idp', 'idp', 'oauth2', ?1, 0)",
            )
            .bind(
                json!({"client_id": "tollgate", "client_secret_env": "CONNECTION_SECRET_LEGACY",
                    "authorization_endpoint": format!("https://{IDP_HOST}/authorize"),
                    "token_endpoint": format!("https://{IDP_HOST}/token"),
                    "profile_url": format!("https://{IDP_HOST}/me")})
                .to_string(),
            ),
        )
        .await;
        self.exec(
            Stmt::new("INSERT INTO client_connections (client_id, connection_id) VALUES (?1, 'con_idp')")
                .bind(SPA_CLIENT),
        )
        .await;
    }

    /// Sets tenant flags.
    pub async fn set_flags(&self, flags: Value) {
        let db: &dyn Database = &self.db;
        db.execute(Stmt::new("UPDATE tenant SET flags = ?1 WHERE id = 1").bind(flags.to_string()))
            .await
            .expect("flags");
    }

    /// The core seams of this environment (mail dropped), for tests below the HTTP layer.
    pub fn core(&self) -> Core<'_> {
        Core {
            settings: &self.settings,
            db: &self.db,
            clock: &self.clock,
            rng: &OsRng,
            hasher: &self.hasher,
            mailer: &NoMailer,
            logger: &StderrLogger,
            http: &self.legacy,
            secrets: &TestSecrets,
            buckets: &self.buckets,
            events: &crate::core::logs::NoEvents,
        }
    }

    /// Sends one request through the HTTP layer.
    pub async fn send(&self, req: Request) -> Response {
        let outbox = DevOutbox {
            db: &self.db,
            now_ms: self.clock.now_ms(),
        };
        let events = RequestEvents::of_request(req.ip.as_deref(), req.header("user-agent"));
        let app = App {
            core: Core {
                settings: &self.settings,
                db: &self.db,
                clock: &self.clock,
                rng: &OsRng,
                hasher: &self.hasher,
                mailer: &outbox,
                logger: &StderrLogger,
                http: &self.legacy,
                secrets: &TestSecrets,
                buckets: &self.buckets,
                events: &events,
            },
            config: &self.config,
            jobs: self.jobs(),
            signers: &crate::core::oauth::tokens::PemSigners,
        };
        let mut res = app.handle(req).await;
        self.db.write_events(&events, self.clock.now_ms()).await;
        // What the Worker streams from R2 (an export download).
        for key in std::mem::take(&mut res.objects) {
            res.body
                .extend(self.files.0.borrow().get(&key).cloned().unwrap_or_default());
        }
        res
    }

    /// The job seams of this environment.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs {
            queue: &self.queue,
            files: &self.files,
        }
    }

    /// The newest link mailed to `to` by the development outbox.
    pub async fn last_link(&self, to: &str) -> Option<String> {
        let r = self
            .send(Request::new("GET", &format!("/dev/outbox.json?to={to}")))
            .await;
        r.json_body()[0]["link"].as_str().map(str::to_owned)
    }

    /// Runs queued job chunks until none is left, as Cloudflare Queues would: each delivery is
    /// followed by a duplicate (delivery is at least once), and a message asked to come back after
    /// a delay is delivered again once the clock has moved that far. Returns the deliveries made.
    pub async fn run_jobs(&self) -> usize {
        let mut waiting: Vec<(i64, ChunkMessage)> = Vec::new();
        let mut deliveries = 0;
        loop {
            let now = self.clock.now_ms();
            waiting.extend(self.queue.0.borrow_mut().drain(..).map(|m| (now, m)));
            let Some(next) = waiting.iter().map(|(at, _)| *at).min() else {
                return deliveries;
            };
            assert!(deliveries < 100_000, "job deliveries never end");
            if next > now {
                self.clock.advance_ms(next - now);
            }
            let now = self.clock.now_ms();
            let (due, later): (Vec<_>, Vec<_>) = waiting.into_iter().partition(|(at, _)| *at <= now);
            waiting = later;
            for (_, m) in due {
                // The queue consumer mails as the Worker's does (the development outbox).
                let outbox = DevOutbox {
                    db: &self.db,
                    now_ms: self.clock.now_ms(),
                };
                let events = RequestEvents::default();
                let core = Core {
                    mailer: &outbox,
                    events: &events,
                    ..self.core()
                };
                let first = crate::core::management::jobs::process_chunk(&core, self.jobs(), &m).await;
                let again = crate::core::management::jobs::process_chunk(&core, self.jobs(), &m).await;
                deliveries += 2;
                self.db.write_events(&events, self.clock.now_ms()).await;
                // The message lives on if either delivery asked for it (the duplicate was the
                // same message).
                let retry = [first, again].into_iter().find_map(|d| match d {
                    Delivery::RetryIn(s) => Some(s),
                    Delivery::Ack => None,
                });
                if let Some(seconds) = retry {
                    waiting.push((now + i64::from(seconds) * 1000, m));
                }
            }
        }
    }

    /// A Management API token with `scope` for the test M2M client, minted by the
    /// `client_credentials` grant itself (without the endpoint's rate limit).
    pub async fn management_token(&self, scope: &str) -> String {
        let core = self.core();
        let client = crate::core::directory::tenant::client(core.db, M2M_CLIENT)
            .await
            .expect("db")
            .expect("m2m client");
        let req = crate::core::oauth::grants::TokenRequest {
            audience: Some(format!("{ISSUER}api/v2/")),
            scope: Some(scope.to_owned()),
            ..Default::default()
        };
        crate::core::oauth::grants::client_credentials_grant(&core, &self.signer(), &client, true, &req)
            .await
            .expect("client credentials")
            .access_token
    }

    /// `method /api/v2/{path}` with `token` as the bearer and `body` as JSON.
    pub async fn api(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Response {
        let mut req =
            Request::new(method, &format!("/api/v2/{path}")).with_header("authorization", &format!("Bearer {token}"));
        if let Some(b) = body {
            req = req.with_json(&b);
        }
        self.send(req).await
    }

    /// [`api`](Self::api) with a token of the test M2M client holding `scope`.
    pub async fn management_call(&self, scope: &str, method: &str, path: &str, body: Option<Value>) -> Response {
        let token = self.management_token(scope).await;
        self.api(&token, method, path, body).await
    }

    /// The test signing key's signer.
    pub fn signer(&self) -> crate::core::oauth::tokens::PemSigner {
        crate::core::oauth::tokens::PemSigner::new(&crate::core::oauth::keys::SigningKey {
            kid: KID.into(),
            private_pem: test_rsa_key().0.as_bytes().to_vec(),
        })
        .expect("signer")
    }

    /// Any claims, signed with the tenant's current key (tests that forge what a flow must not issue).
    pub async fn sign(&self, claims: &Value) -> String {
        crate::core::oauth::tokens::Signer::sign(&self.signer(), claims)
            .await
            .expect("token")
    }

    /// `POST /api/v2/jobs/users-imports` with `file` (a JSON array) and the form `fields`, as a
    /// client with every Management API scope.
    pub async fn post_import(&self, file: &Value, fields: &[(&str, &str)]) -> Response {
        self.post_import_text(&file.to_string(), fields).await
    }

    /// `POST /api/v2/jobs/users-imports` with the users file as given (any text).
    pub async fn post_import_text(&self, file: &str, fields: &[(&str, &str)]) -> Response {
        let b = "----tollgate-boundary";
        let mut body = String::new();
        for (k, v) in fields {
            body.push_str(&format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n{file}\r\n--{b}--\r\n"
        ));
        let token = self.management_token(MANAGEMENT_SCOPES).await;
        let mut req = Request::new("POST", "/api/v2/jobs/users-imports")
            .with_header("authorization", &format!("Bearer {token}"))
            .with_header("content-type", &format!("multipart/form-data; boundary={b}"));
        req.body = body.into_bytes();
        self.send(req).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.send(Request::new("POST", path).with_json(&body)).await
    }
}

/// The hosted login page's authorization transaction (`data-tollgate-authorize-tx`) in `html`.
pub fn authorize_tx(html: &str) -> String {
    html.split("data-tollgate-authorize-tx=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a hosted login page")
        .to_owned()
}
