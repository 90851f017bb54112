//! The HTTP layer: routing, body parsing and error mapping in plain Rust. Handlers are adapters —
//! extract, call one core function, map the result — so the Worker stays a thin shell and native
//! tests exercise the same routes the Worker serves.

mod authorize;
pub(crate) mod cors;
pub mod errors;
pub mod http;
mod lifecycle;
mod log_streams;
mod logs;
pub mod management;
mod members;
mod mfa;
mod my_account;
pub(crate) mod oauth;
pub mod pages;
mod passkeys;
mod passwordless;
pub mod routes;
mod user_methods;

use serde::de::DeserializeOwned;
use shared::wire::{ClientConfig, DbConnectionInfo, SignupRequest, Strategy};

use crate::core::{accounts::signup, directory::tenant, Core};
use errors::WebError;
pub use http::{body_limit, BodyStream, Request, Response, MAX_BODY_BYTES};

/// Deployment settings the Worker reads from its environment.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Key-encryption key for the signing keys (the `KEY_ENCRYPTION_KEY` secret).
    pub kek: Option<[u8; 32]>,
    /// Serve `/dev/outbox` (only ever true with a loopback issuer; see `core::mail`).
    pub dev_outbox: bool,
    /// Serve `/__bench/*` routes (CPU-heavy, for `make bench` only; never enable in production).
    pub bench_routes: bool,
}

/// Everything one request needs: the core seams and the settings.
pub struct App<'a> {
    /// Core seams.
    pub core: Core<'a>,
    /// Settings.
    pub config: &'a Config,
    /// Where job chunks and files go (Cloudflare Queues and R2 in the Worker).
    pub jobs: crate::core::management::jobs::Jobs<'a>,
    /// RS256 signers (WebCrypto in the Worker, RustCrypto natively).
    pub signers: &'a dyn crate::core::oauth::tokens::SignerFactory,
}

/// The first value of a query parameter, percent-decoded.
pub(crate) fn query_param(req: &Request, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Parses a JSON body, refusing other content types and oversized bodies.
pub(crate) fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, WebError> {
    if req.body.len() > body_limit(&req.path) {
        return Err(WebError::PayloadTooLarge);
    }
    if req.media_type().as_deref() != Some("application/json") {
        return Err(WebError::UnsupportedMediaType("application/json"));
    }
    serde_json::from_slice(&req.body).map_err(|e| WebError::InvalidBody(format!("Invalid JSON body: {e}")))
}

impl App<'_> {
    /// Answers one request, with CORS. Every answer is JSON (or the documented plain text, HTML or
    /// JS); nothing panics.
    pub async fn handle(&self, req: Request) -> Response {
        if req.method == "OPTIONS" {
            return self.preflight(&req).await;
        }
        let res = self.route(&req).await;
        self.with_cors(&req, res).await
    }

    async fn route(&self, req: &Request) -> Response {
        if let Some(res) = self.management(req).await {
            return res;
        }
        self.route_table(req).await
    }

    async fn signup(&self, req: &Request) -> Result<Response, WebError> {
        let body: SignupRequest = parse_json(req)?;
        let user = signup::signup(&self.core, body, self.client_ip(req)).await?;
        Ok(Response::json(200, &user))
    }

    /// Times `n` (≤ 20) password hashes through the hashing seam, as the Worker runs them.
    async fn bench_argon2(&self, req: &Request) -> Result<Response, WebError> {
        let n = query_param(req, "n")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(5)
            .clamp(1, 20);
        let mut ms = Vec::with_capacity(n);
        for i in 0..n {
            let start = self.core.clock.now_ms();
            self.core
                .hasher
                .hash("correct horse battery staple", &[i as u8; 16])
                .await?;
            ms.push(self.core.clock.now_ms() - start);
        }
        Ok(Response::json(200, &serde_json::json!({ "ms": ms })))
    }

    /// Times RS256 signatures of a token's claims with the platform's signer (WebCrypto in the
    /// Worker) and, natively, with the `rsa` crate (`{platform_ms, rsa_crate_ms}`, per signature,
    /// over 20; `rsa_crate_ms` is null in the Worker, which does not link RSA signing).
    async fn bench_sign(&self) -> Result<Response, WebError> {
        let kek = self
            .config
            .kek
            .as_ref()
            .ok_or_else(|| crate::core::error::CoreError::Internal("no KEY_ENCRYPTION_KEY".into()))?;
        let key = crate::core::oauth::keys::current_signing_key(self.core.db).await?;
        let claims = serde_json::json!({"iss": self.core.settings.issuer, "sub": "bench@clients", "aud": "bench",
                                        "iat": 0, "exp": 1, "scope": "read:users", "gty": "client-credentials"});
        let platform = self.signers.signer(&key, kek).await?;
        platform.sign(&claims).await?; // warm-up: the first call imports the key
        let per = |start: i64, n: i64| (self.core.clock.now_ms() - start) as f64 / n as f64;
        let n = 20;
        let start = self.core.clock.now_ms();
        for _ in 0..n {
            platform.sign(&claims).await?;
        }
        let platform_ms = per(start, n);
        // The Worker no longer links RSA signing in Rust (`platform::jwt_crypto`): natively only.
        #[cfg(target_arch = "wasm32")]
        let rsa_crate_ms: Option<f64> = None;
        #[cfg(not(target_arch = "wasm32"))]
        let rsa_crate_ms = {
            let rsa_crate = crate::core::oauth::tokens::PemSigner::new(&key.open(kek)?)?;
            let start = self.core.clock.now_ms();
            for _ in 0..n {
                crate::core::oauth::tokens::Signer::sign(&rsa_crate, &claims).await?;
            }
            Some(per(start, n))
        };
        Ok(Response::json(
            200,
            &serde_json::json!({"platform_ms": platform_ms, "rsa_crate_ms": rsa_crate_ms}),
        ))
    }

    /// Times one verification of each foreign hash class at the caps, as the Worker runs them
    /// (`[{label, ms, work}]`, best of three); `?only=N` times sample N alone.
    fn bench_hashes(&self, req: &Request) -> Response {
        let only: Option<usize> = query_param(req, "only").and_then(|n| n.parse().ok());
        let mut out = Vec::new();
        let samples = crate::core::credentials::legacy_hash::bench_samples()
            .into_iter()
            .enumerate();
        for (_, (label, stored)) in samples.filter(|(i, _)| only.is_none_or(|o| o == *i)) {
            let Ok(hash) = crate::core::credentials::legacy_hash::LegacyHash::from_stored(&stored) else {
                continue;
            };
            let mut best = f64::MAX;
            for _ in 0..3 {
                let start = self.core.clock.now_ms();
                hash.verify("correct horse battery staple");
                best = best.min((self.core.clock.now_ms() - start) as f64);
            }
            out.push(serde_json::json!({"label": label, "ms": best, "work": hash.work()}));
        }
        Response::json(200, &serde_json::json!({ "hashes": out }))
    }

    /// `GET /client/{id}.json` for the widget and `GET /client/{id}.js` (JSONP calling
    /// `Auth0.setClient`) for Lock.
    async fn client_config(&self, path: &str) -> Result<Response, WebError> {
        let file = path.trim_start_matches("/client/");
        let (id, jsonp) = if let Some(id) = file.strip_suffix(".js") {
            (id, true)
        } else if let Some(id) = file.strip_suffix(".json") {
            (id, false)
        } else {
            return Err(WebError::NotFound);
        };
        let db = self.core.db;
        let client = tenant::client(db, id).await?.ok_or(WebError::NotFound)?;
        let tenant = tenant::tenant(db).await?;
        let connections = tenant::client_connections(db, &client.client_id).await?;
        let cfg = ClientConfig {
            id: client.client_id,
            tenant: tenant.name,
            // Lock draws an "Auth0" badge for a `free` subscription; Tollgate is not Auth0's.
            subscription: "tollgate".into(),
            strategies: strategies(&connections),
        };
        if jsonp {
            let json = serde_json::to_string(&cfg).unwrap_or_default();
            Ok(Response::new(
                200,
                "application/javascript; charset=utf-8",
                format!("Auth0.setClient({json});").into_bytes(),
            ))
        } else {
            Ok(Response::json(200, &cfg))
        }
    }
}

/// The client's connections grouped by strategy as Lock reads them: database connections with
/// their policies, federated ones by name (the widget's social buttons), passwordless ones
/// (`email`) by name.
fn strategies(connections: &[tenant::Connection]) -> Vec<Strategy> {
    let mut out = vec![Strategy {
        name: "auth0".into(),
        connections: connections
            .iter()
            .filter(|c| c.strategy == tenant::Strategy::Auth0)
            .map(|c| c.info())
            .collect(),
    }];
    // Federated and passwordless connections by name (Lock Passwordless reads `email`).
    for c in connections.iter().filter(|c| c.strategy != tenant::Strategy::Auth0) {
        let info = DbConnectionInfo {
            name: c.name.clone(),
            ..DbConnectionInfo::named()
        };
        match out.iter_mut().find(|s| s.name == c.strategy.as_str()) {
            Some(s) => s.connections.push(info),
            None => out.push(Strategy {
                name: c.strategy.as_str().into(),
                connections: vec![info],
            }),
        }
    }
    out
}
