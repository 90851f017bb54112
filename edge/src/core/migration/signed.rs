//! The signed HTTP client of the legacy contract (README, "Legacy wire contract"), shared by the
//! legacy stores of connections (`legacy`) and the operator's hooks (`core::hooks`).
//!
//! Every call is a `POST` with a JSON body and three headers: `X-Tollgate-Timestamp` (Unix
//! seconds), `X-Tollgate-Request-Id` (128 random bits in hex, new for every request, retries
//! included) and `X-Tollgate-Signature: v2=<hex HMAC-SHA256>` over
//! `"POST\n{path}\n{timestamp}\n{request id}\n{body}"` with a shared secret (a Worker secret named
//! `CONNECTION_SECRET_*`).
//!
//! Only `200` is an answer, read up to 256 KiB. Connection failures and 5xx are retried with a
//! short back-off while the total budget lasts; a timeout is not (the receiver may have processed
//! the call). Other statuses are protocol errors, not retried.
//!
//! Circuit breaker, per endpoint key (a connection id, or `hook:<id>`), in D1 (`legacy_breakers`,
//! shared by every Worker isolate): 5 consecutive failed calls open it for 30 s (calls fail fast,
//! nothing is sent), then one call goes through; its success closes it.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::platform::outbound::{OutboundError, OutboundRequest, MAX_RESPONSE_BYTES};
use crate::core::Core;

/// Consecutive failed calls that open the breaker.
pub const BREAKER_THRESHOLD: i64 = 5;
/// How long an open breaker fails fast.
pub const BREAKER_OPEN_MS: i64 = 30_000;

/// What one signed request is made of.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// `POST`.
    pub method: &'a str,
    /// The URL's path as requested (`/auth/login`).
    pub path: &'a str,
    /// Unix seconds.
    pub timestamp: i64,
    /// The request's unique id.
    pub request_id: &'a str,
    /// The raw body.
    pub body: &'a str,
}

/// The signature of one request: `v2=` + hex HMAC-SHA256 of
/// `"{method}\n{path}\n{timestamp}\n{request id}\n{body}"`.
pub fn sign(secret: &[u8], r: Signed<'_>) -> String {
    // HMAC accepts keys of any length; the error branch cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    let Signed {
        method,
        path,
        timestamp,
        request_id,
        body,
    } = r;
    mac.update(format!("{method}\n{path}\n{timestamp}\n{request_id}\n{body}").as_bytes());
    format!("v2={}", hex::encode(mac.finalize().into_bytes()))
}

/// Forgets the breaker of `key` (its endpoint is deleted).
pub fn forget_breaker(key: &str) -> Stmt {
    Stmt::new("DELETE FROM legacy_breakers WHERE connection_id = ?1").bind(key)
}

#[derive(Deserialize)]
struct BreakerRow {
    #[serde(deserialize_with = "columns::int")]
    consecutive_failures: i64,
    #[serde(deserialize_with = "columns::int")]
    open_until: i64,
}

enum Attempt {
    /// A `200`: its body.
    Answer(Vec<u8>),
    /// Nothing was processed (connection failure) or the receiver failed (5xx): try again.
    Retryable(String),
    /// No answer in time; the call may have been processed: not sent again.
    Final(String),
    /// An answer outside the contract.
    Fatal(String),
}

/// One signed endpoint, ready to call.
pub struct SignedEndpoint<'c, 'a> {
    /// The seams.
    pub core: &'c Core<'a>,
    /// Whose circuit breaker (a connection id, `hook:<id>`).
    pub breaker_key: &'c str,
    /// The shared HMAC secret.
    pub secret: &'c str,
    /// One call's timeout (ms).
    pub timeout_ms: u64,
    /// All attempts' budget (ms).
    pub budget_ms: u64,
}

impl SignedEndpoint<'_, '_> {
    async fn breaker_open(&self, now: i64) -> CoreResult<bool> {
        let row: Option<BreakerRow> = query_one(
            self.core.db,
            Stmt::new("SELECT consecutive_failures, open_until FROM legacy_breakers WHERE connection_id = ?1")
                .bind(self.breaker_key),
        )
        .await?;
        Ok(row.is_some_and(|r| r.consecutive_failures >= BREAKER_THRESHOLD && r.open_until > now))
    }

    async fn record(&self, ok: bool, now: i64) -> CoreResult<()> {
        let stmt = if ok {
            forget_breaker(self.breaker_key)
        } else {
            Stmt::new(
                "INSERT INTO legacy_breakers (connection_id, consecutive_failures, open_until) VALUES (?1, 1, 0) \
                 ON CONFLICT(connection_id) DO UPDATE SET consecutive_failures = consecutive_failures + 1, \
                 open_until = CASE WHEN consecutive_failures + 1 >= ?2 THEN ?3 ELSE 0 END",
            )
            .bind(self.breaker_key)
            .bind(BREAKER_THRESHOLD)
            .bind(now + BREAKER_OPEN_MS)
        };
        self.core.db.execute(stmt).await?;
        Ok(())
    }

    async fn attempt(&self, url: &url::Url, body: &str, timeout_ms: u64) -> Attempt {
        let ts = self.core.clock.now_ms() / 1000;
        let request_id = match self.core.random_bytes::<16>() {
            Ok(b) => hex::encode(b),
            Err(e) => return Attempt::Fatal(e.to_string()),
        };
        let signed = Signed {
            method: "POST",
            path: url.path(),
            timestamp: ts,
            request_id: &request_id,
            body,
        };
        let req = OutboundRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-tollgate-timestamp".into(), ts.to_string()),
                ("x-tollgate-request-id".into(), request_id.clone()),
                ("x-tollgate-signature".into(), sign(self.secret.as_bytes(), signed)),
            ],
            body: body.as_bytes().to_vec(),
            timeout_ms: Some(timeout_ms),
            max_response_bytes: MAX_RESPONSE_BYTES,
        };
        match crate::core::platform::outbound::send(self.core, req).await {
            Err(e @ OutboundError::Connect(_)) => Attempt::Retryable(e.to_string()),
            Err(e @ OutboundError::Timeout(_)) => Attempt::Final(e.to_string()),
            Err(e @ (OutboundError::TooLarge(_) | OutboundError::Refused(_))) => Attempt::Fatal(e.to_string()),
            Ok(r) if r.status >= 500 => Attempt::Retryable(format!("answered {}", r.status)),
            Ok(r) if r.status != 200 => Attempt::Fatal(format!("answered {}", r.status)),
            Ok(r) => Attempt::Answer(r.body),
        }
    }

    /// POSTs `body` to `url`: the `200` answer's body, or `LegacyUnavailable` (unreachable, timed
    /// out, 5xx past the budget, breaker open) / `LegacyProtocol` (another status, too large).
    /// Every call that reached the receiver counts for the breaker.
    pub async fn post(&self, url: &url::Url, body: &str) -> CoreResult<Vec<u8>> {
        let start = self.core.clock.now_ms();
        if self.breaker_open(start).await? {
            return Err(CoreError::LegacyUnavailable("circuit open".into()));
        }
        let deadline = start + self.budget_ms as i64;
        let mut pause = 100u64;
        let outcome = loop {
            let now = self.core.clock.now_ms();
            let left = (deadline - now).max(0) as u64;
            match self.attempt(url, body, self.timeout_ms.min(left.max(1))).await {
                Attempt::Answer(body) => break Ok(body),
                Attempt::Fatal(e) => break Err(CoreError::LegacyProtocol(e)),
                Attempt::Final(e) => break Err(CoreError::LegacyUnavailable(e)),
                Attempt::Retryable(e) => {
                    let now = self.core.clock.now_ms();
                    if now + pause as i64 >= deadline {
                        break Err(CoreError::LegacyUnavailable(e));
                    }
                    self.core.http.pause(pause).await;
                    pause *= 3;
                }
            }
        };
        let healthy = !matches!(outcome, Err(CoreError::LegacyUnavailable(_)));
        self.record(healthy, self.core.clock.now_ms()).await?;
        outcome
    }
}
