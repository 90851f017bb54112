//! The client side of the legacy-forwarding contract (README, "Legacy wire contract").
//!
//! Every call is `POST {url}/{action}` with a JSON body and three headers:
//! `X-Tollgate-Timestamp` (Unix seconds), `X-Tollgate-Request-Id` (128 random bits in hex, new for
//! every request, retries included) and `X-Tollgate-Signature: v2=<hex HMAC-SHA256>` over
//! `"POST\n{path}\n{timestamp}\n{request id}\n{body}"` with the connection's shared secret (a
//! Worker secret named `CONNECTION_SECRET_*`). The legacy side refuses timestamps outside a
//! 5-minute window and request ids it has already seen in that window: a replayed `login` is
//! refused, however fast it comes.
//!
//! Only `200` with a JSON body carrying an explicit `verdict` is an answer, read up to 256 KiB.
//! Connection failures and 5xx are retried with a short back-off while the total budget (default
//! 8 s) lasts; a timeout (default 5 s per call) is not — the store may have processed the call,
//! and a `login` carries a password. Other statuses and malformed or oversized answers are
//! protocol errors, not retried.
//!
//! Circuit breaker, per connection, in D1 (shared by every Worker isolate):
//! ```text
//!  closed ──5 consecutive failed calls──▶ open (30 s: calls fail fast, legacy is not contacted)
//!    ▲                                      │ 30 s later
//!    └──────── probe succeeds ◀── half-open (one call goes through; failure re-opens)
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::core::directory::tenant::{Connection, LegacyOptions};
use crate::core::directory::users::Identifier;
use crate::core::error::{CoreError, CoreResult};
use crate::core::Core;

use super::signed::SignedEndpoint;

pub use super::signed::{BREAKER_OPEN_MS, BREAKER_THRESHOLD};

/// A user as the legacy system describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegacyUser {
    /// Stable id (becomes `auth0|<user_id>`).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the email was verified there.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Picture URL.
    #[serde(default)]
    pub picture: Option<String>,
    /// User metadata.
    #[serde(default)]
    pub user_metadata: Option<Map<String, Value>>,
    /// App metadata.
    #[serde(default)]
    pub app_metadata: Option<Map<String, Value>>,
    /// The stored hash (hash hand-over only): a string (bcrypt, PHC, LDAP) or Auth0's
    /// `custom_password_hash` object.
    #[serde(default)]
    pub password_hash: Option<Value>,
}

impl LegacyUser {
    /// Checks the fields we rely on: a usable id and a valid email.
    pub fn validated(self) -> Result<Self, CoreError> {
        let id_ok = self.user_id.as_deref().is_some_and(|id| {
            (1..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c))
        });
        if !id_ok {
            return Err(CoreError::LegacyProtocol("profile without a valid user_id".into()));
        }
        if !self
            .email
            .as_deref()
            .is_some_and(|e| shared::email::is_valid(&shared::email::normalize(e)))
        {
            return Err(CoreError::LegacyProtocol("profile without a valid email".into()));
        }
        Ok(self)
    }
}

/// A legacy answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The password matched (login).
    PasswordMatch(LegacyUser),
    /// The password did not match (login).
    NoMatch,
    /// The user exists (get_user, create → exists).
    Found(LegacyUser),
    /// No such user.
    NotFound,
    /// The action was done (create → created, verify, change_password, delete).
    Done(Option<LegacyUser>),
    /// create: the identifier is taken there.
    Exists,
}

/// How the body of a `200` answer becomes a verdict: a JSON object with an explicit `verdict` (and a
/// valid `user` where the verdict carries one); anything else is a protocol error.
pub fn read_answer(body: &[u8]) -> Result<Verdict, CoreError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => verdict(&v),
        _ => Err(CoreError::LegacyProtocol("answer is not a JSON object".into())),
    }
}

fn verdict(v: &Value) -> Result<Verdict, CoreError> {
    let user = || -> Result<LegacyUser, CoreError> {
        let u: LegacyUser = serde_json::from_value(v.get("user").cloned().unwrap_or(Value::Null))
            .map_err(|e| CoreError::LegacyProtocol(format!("user: {e}")))?;
        u.validated()
    };
    match v.get("verdict").and_then(Value::as_str) {
        Some("password_match") => Ok(Verdict::PasswordMatch(user()?)),
        Some("no_match") => Ok(Verdict::NoMatch),
        Some("found") => Ok(Verdict::Found(user()?)),
        Some("not_found") => Ok(Verdict::NotFound),
        Some("exists") => Ok(Verdict::Exists),
        Some("created") => Ok(Verdict::Done(Some(user()?))),
        Some("verified" | "changed" | "deleted") => Ok(Verdict::Done(None)),
        Some(other) => Err(CoreError::LegacyProtocol(format!("unknown verdict {other:?}"))),
        None => Err(CoreError::LegacyProtocol("answer without a verdict".into())),
    }
}

pub use super::signed::{sign, Signed};

thread_local! {
    /// Per connection, a moving average of answered legacy `login` calls (ms), in this isolate.
    static LOGIN_MS: std::cell::RefCell<Vec<(String, f64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn record_login_ms(connection_id: &str, ms: i64) {
    LOGIN_MS.with(|l| {
        let mut l = l.borrow_mut();
        let ms = ms.max(0) as f64;
        match l.iter_mut().find(|(c, _)| c == connection_id) {
            Some((_, avg)) => *avg = 0.8 * *avg + 0.2 * ms,
            None => l.push((connection_id.to_owned(), ms)),
        }
    });
}

/// How long a legacy `login` of this connection usually takes (moving average of the calls this
/// isolate made), if it made any. On an import-mode connection an unknown identifier costs that
/// round trip, a migrated user does not: their failed logins wait as long (see `oauth`), so the
/// time does not tell who was migrated.
pub fn typical_login_ms(connection_id: &str) -> Option<u64> {
    LOGIN_MS.with(|l| {
        l.borrow()
            .iter()
            .find(|(c, _)| c == connection_id)
            .map(|(_, avg)| *avg as u64)
    })
}

/// A connection's legacy backend, ready to call.
pub struct Legacy<'c, 'a> {
    core: &'c Core<'a>,
    connection_id: String,
    opts: LegacyOptions,
    secret: String,
}

impl<'c, 'a> Legacy<'c, 'a> {
    /// The legacy backend of `conn`, if it has one. Its secret must be configured.
    pub fn of(core: &'c Core<'a>, conn: &Connection) -> CoreResult<Option<Self>> {
        let Some(opts) = conn.options.legacy.clone() else {
            return Ok(None);
        };
        let secret = crate::core::platform::outbound::connection_secret(core, &opts.secret)?;
        Ok(Some(Self {
            core,
            connection_id: conn.id.clone(),
            opts,
            secret,
        }))
    }

    /// Whether hashes are handed over instead of passwords.
    pub fn hash_handover(&self) -> bool {
        self.opts.hash_handover
    }

    /// Calls `action` with `body`: signed, with timeout, retries and the circuit breaker
    /// ([`SignedEndpoint`]); the answer read as a [`Verdict`].
    pub async fn call(&self, action: &str, body: Value) -> CoreResult<Verdict> {
        let mut url = url::Url::parse(&self.opts.url).map_err(|e| CoreError::Internal(format!("legacy url: {e}")))?;
        let path = format!("{}/{action}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let endpoint = SignedEndpoint {
            core: self.core,
            breaker_key: &self.connection_id,
            secret: &self.secret,
            timeout_ms: self.opts.timeout_ms,
            budget_ms: self.opts.budget_ms,
        };
        let outcome = endpoint
            .post(&url, &body.to_string())
            .await
            .and_then(|b| read_answer(&b));
        if let Err(e) = &outcome {
            self.core
                .log(&format!("legacy {action} for {}: {e}", self.connection_id));
        }
        outcome
    }

    /// `login`: does this identifier/password pair match there? Answered calls feed the
    /// connection's typical round trip ([`typical_login_ms`]).
    pub async fn login(&self, identifier: &str, password: &str) -> CoreResult<Verdict> {
        let start = self.core.clock.now_ms();
        let verdict = self
            .call(
                "login",
                json!({"identifier": Identifier::new(identifier).as_str(), "password": password}),
            )
            .await?;
        record_login_ms(&self.connection_id, self.core.clock.now_ms() - start);
        Ok(verdict)
    }

    /// `get_user`: does this identifier exist there (with its hash, under hash hand-over)?
    pub async fn get_user(&self, identifier: &str) -> CoreResult<Verdict> {
        let body = json!({"identifier": Identifier::new(identifier).as_str(), "include_hash": self.opts.hash_handover});
        self.call("get_user", body).await
    }

    /// `create` (own-store sign-up).
    pub async fn create(&self, user: Value) -> CoreResult<Verdict> {
        self.call("create", json!({"user": user})).await
    }

    /// `verify` (own-store email verification).
    pub async fn verify(&self, email: &str) -> CoreResult<Verdict> {
        self.call("verify", json!({"email": email})).await
    }

    /// `change_password` (own-store reset).
    pub async fn change_password(&self, email: &str, password: &str) -> CoreResult<Verdict> {
        self.call("change_password", json!({"email": email, "password": password}))
            .await
    }

    /// `delete` (own-store deletion).
    pub async fn delete(&self, user_id: &str) -> CoreResult<Verdict> {
        self.call("delete", json!({"user_id": user_id})).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_covers_method_path_time_request_id_and_body() {
        let base = Signed {
            method: "POST",
            path: "/auth/login",
            timestamp: 1700000000,
            request_id: "00112233445566778899aabbccddeeff",
            body: "{}",
        };
        let a = sign(b"k", base);
        assert!(a.starts_with("v2=") && a.len() == 67);
        assert_ne!(
            a,
            sign(
                b"k",
                Signed {
                    path: "/auth/get_user",
                    ..base
                }
            )
        );
        assert_ne!(
            a,
            sign(
                b"k",
                Signed {
                    timestamp: 1700000001,
                    ..base
                }
            )
        );
        assert_ne!(
            a,
            sign(
                b"k",
                Signed {
                    request_id: "ffeeddccbbaa99887766554433221100",
                    ..base
                }
            )
        );
        assert_ne!(a, sign(b"k", Signed { body: "{ }", ..base }));
        assert_ne!(a, sign(b"other", base));
    }

    #[test]
    fn verdicts_are_explicit_and_profiles_need_an_id() {
        assert_eq!(verdict(&json!({"verdict": "no_match"})).unwrap(), Verdict::NoMatch);
        assert!(matches!(
            verdict(&json!({"ok": true})),
            Err(CoreError::LegacyProtocol(_))
        ));
        assert!(matches!(
            verdict(&json!({"verdict": "password_match", "user": {"email": "a@b.co"}})),
            Err(CoreError::LegacyProtocol(_))
        ));
        assert!(matches!(
            verdict(&json!({"verdict": "password_match", "user": {"user_id": "bad id!", "email": "a@b.co"}})),
            Err(CoreError::LegacyProtocol(_))
        ));
        let ok = verdict(&json!({"verdict": "password_match", "user": {"user_id": "42", "email": "a@b.co"}})).unwrap();
        assert!(matches!(ok, Verdict::PasswordMatch(u) if u.user_id.as_deref() == Some("42")));
    }
}
