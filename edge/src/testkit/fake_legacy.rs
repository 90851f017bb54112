//! A legacy user store implementing the wire contract in memory, for native tests.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{json, Value};

use super::fake_hooks::{FakeHooks, HOOKS_HOST};
use crate::core::migration::legacy::{sign, LegacyUser, Signed};
use crate::core::platform::outbound::{HttpClient, OutboundError, OutboundRequest, OutboundResponse};

/// The HMAC key the fake legacy service and the test connection share.
pub const LEGACY_SECRET: &str = "test-legacy-secret";

/// The host of the fake OAuth 2.0 identity provider the same client answers for.
pub const IDP_HOST: &str = "idp.example";
/// The address of the provider's one person.
pub const IDP_EMAIL: &str = "idp-person@example.com";

/// Faults the fake legacy service can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers normally.
    None,
    /// No answer (connection refused / timeout).
    Down,
    /// Answers with this status.
    Status(u16),
    /// Answers 200 with a body that is not JSON.
    Malformed,
    /// Answers `password_match` with a profile that has no `user_id`.
    NoId,
    /// Takes longer than the timeout (the call may have been processed).
    Timeout,
    /// Answers 200 with a valid verdict padded far beyond the size bound.
    Huge,
}

/// A legacy user store implementing the wire contract in memory, for native tests. It checks the
/// request signatures like a real one and counts calls per action.
pub struct FakeLegacy {
    /// email → (profile, password)
    pub users: RefCell<HashMap<String, (LegacyUser, String)>>,
    /// Current fault.
    pub fault: Cell<Fault>,
    /// Actions received, in order.
    pub calls: RefCell<Vec<String>>,
    /// `X-Tollgate-Request-Id` of every request received, in order.
    pub request_ids: RefCell<Vec<String>>,
    /// The hook server at `hooks.example` (same client).
    pub hooks: FakeHooks,
}

impl Default for FakeLegacy {
    fn default() -> Self {
        Self {
            users: RefCell::default(),
            fault: Cell::new(Fault::None),
            calls: RefCell::default(),
            request_ids: RefCell::default(),
            hooks: FakeHooks::default(),
        }
    }
}

impl FakeLegacy {
    /// Adds a user.
    pub fn add(&self, id: &str, email: &str, password: &str, hash: Option<String>) {
        let user = LegacyUser {
            user_id: Some(id.into()),
            email: Some(email.into()),
            email_verified: Some(true),
            name: Some("Legacy Person".into()),
            user_metadata: Some(serde_json::Map::from_iter([("plan".to_string(), json!("gold"))])),
            password_hash: hash.map(Value::String),
            ..LegacyUser::default()
        };
        self.users.borrow_mut().insert(email.into(), (user, password.into()));
    }

    /// How many calls of `action` arrived.
    pub fn count(&self, action: &str) -> usize {
        self.calls.borrow().iter().filter(|a| *a == action).count()
    }

    fn answer(&self, action: &str, body: &Value) -> Value {
        let users = self.users.borrow();
        let find = |id: &str| {
            users
                .values()
                .find(|(u, _)| u.email.as_deref() == Some(id) || u.username.as_deref() == Some(id))
        };
        let profile = |u: &LegacyUser, with_hash: bool| {
            let mut v = json!(u);
            if !with_hash {
                v["password_hash"] = Value::Null;
            }
            v
        };
        let id = body["identifier"]
            .as_str()
            .or(body["email"].as_str())
            .unwrap_or_default();
        match action {
            "login" => match find(id) {
                Some((u, pw)) if pw == body["password"].as_str().unwrap_or_default() => {
                    if self.fault.get() == Fault::NoId {
                        json!({"verdict": "password_match", "user": {"email": u.email}})
                    } else {
                        json!({"verdict": "password_match", "user": profile(u, false)})
                    }
                }
                Some(_) => json!({"verdict": "no_match"}),
                None => json!({"verdict": "not_found"}),
            },
            "get_user" => match find(id) {
                Some((u, _)) => json!({"verdict": "found", "user": profile(u, body["include_hash"] == json!(true))}),
                None => json!({"verdict": "not_found"}),
            },
            "create" => {
                let email = body["user"]["email"].as_str().unwrap_or_default().to_owned();
                if find(&email).is_some() {
                    return json!({"verdict": "exists"});
                }
                drop(users);
                let id = format!("legacy-{}", self.users.borrow().len() + 1);
                self.add(&id, &email, body["user"]["password"].as_str().unwrap_or_default(), None);
                json!({"verdict": "created", "user": {"user_id": id, "email": email}})
            }
            "change_password" => {
                drop(users);
                let mut users = self.users.borrow_mut();
                match users.get_mut(id) {
                    Some((_, pw)) => {
                        *pw = body["password"].as_str().unwrap_or_default().to_owned();
                        json!({"verdict": "changed"})
                    }
                    None => json!({"verdict": "not_found"}),
                }
            }
            "verify" => json!({"verdict": "verified"}),
            "delete" => {
                drop(users);
                self.users
                    .borrow_mut()
                    .retain(|_, (u, _)| u.user_id.as_deref() != body["user_id"].as_str());
                json!({"verdict": "deleted"})
            }
            _ => json!({"error": "unknown action"}),
        }
    }
}

#[async_trait(?Send)]
impl HttpClient for FakeLegacy {
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let url = url::Url::parse(&req.url).map_err(|e| OutboundError::Connect(e.to_string()))?;
        if url.host_str() == Some(HOOKS_HOST) {
            return self.hooks.answer(&url, &req);
        }
        let action = url.path().rsplit('/').next().unwrap_or_default().to_owned();
        self.calls.borrow_mut().push(action.clone());
        let header = |n: &str| super::fake_hooks::header(&req, n);
        let ts: i64 = header("x-tollgate-timestamp").parse().unwrap_or(0);
        let request_id = header("x-tollgate-request-id");
        self.request_ids.borrow_mut().push(request_id.clone());
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let signed = Signed {
            method: "POST",
            path: url.path(),
            timestamp: ts,
            request_id: &request_id,
            body: &body,
        };
        let expected = sign(LEGACY_SECRET.as_bytes(), signed);
        let respond = |status: u16, body: Vec<u8>| Ok(OutboundResponse { status, body });
        // `idp.example` is an OAuth 2.0 provider that knows one person (code `good-code`).
        if url.host_str() == Some(IDP_HOST) {
            return match url.path() {
                "/token" if body.contains("code=good-code") => {
                    respond(200, br#"{"access_token":"idp-at","token_type":"Bearer"}"#.to_vec())
                }
                "/me" if header("authorization") == "Bearer idp-at" => respond(
                    200,
                    json!({"id": "idp-7", "email": IDP_EMAIL, "email_verified": true, "name": "Idp Person"})
                        .to_string()
                        .into_bytes(),
                ),
                _ => respond(400, br#"{"error":"invalid_grant"}"#.to_vec()),
            };
        }
        match self.fault.get() {
            Fault::Down => return Err(OutboundError::Connect("connection refused".into())),
            Fault::Timeout => return Err(OutboundError::Timeout(req.timeout_ms.unwrap_or(0))),
            Fault::Status(s) => return respond(s, b"{}".to_vec()),
            Fault::Malformed => return respond(200, b"<html>oops".to_vec()),
            Fault::None | Fault::NoId | Fault::Huge => {}
        }
        if header("x-tollgate-signature") != expected {
            return respond(401, br#"{"error":"bad signature"}"#.to_vec());
        }
        let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let mut answer = self.answer(&action, &parsed);
        if self.fault.get() == Fault::Huge {
            answer["padding"] = json!("x".repeat(2 * crate::core::platform::outbound::MAX_RESPONSE_BYTES));
        }
        respond(200, answer.to_string().into_bytes())
    }

    async fn pause(&self, _ms: u64) {}
}
