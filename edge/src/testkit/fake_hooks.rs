//! A hook server of native tests (`hooks.example`): it checks each call's signature like a real
//! one would, keeps every call, and answers as told per path.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{json, Value};

use crate::core::migration::signed::{sign, Signed};
use crate::core::platform::outbound::{OutboundError, OutboundRequest, OutboundResponse};

/// The host the fake hook server answers for.
pub const HOOKS_HOST: &str = "hooks.example";
/// The HMAC key it shares with Tollgate (the Worker secret `CONNECTION_SECRET_HOOKS`).
pub const HOOK_SECRET: &str = "test-hook-secret";

/// The value of header `name` of `req` (`""` when absent).
pub fn header(req: &OutboundRequest, name: &str) -> String {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// How the server answers a path.
#[derive(Debug, Clone, PartialEq)]
pub enum HookReply {
    /// `200` with this JSON.
    Json(Value),
    /// This status.
    Status(u16),
    /// No connection.
    Down,
    /// No answer in time.
    Timeout,
}

/// One call received.
#[derive(Debug, Clone)]
pub struct HookCall {
    /// The URL's path.
    pub path: String,
    /// The body.
    pub body: Value,
    /// Whether the signature was right.
    pub signed: bool,
}

/// The server.
#[derive(Default)]
pub struct FakeHooks {
    /// Answers by path (default `{"verdict": "allow"}`).
    pub replies: RefCell<HashMap<String, HookReply>>,
    /// Calls received, in order.
    pub calls: RefCell<Vec<HookCall>>,
}

impl FakeHooks {
    /// Answers `path` with `reply` from now on.
    pub fn reply(&self, path: &str, reply: HookReply) {
        self.replies.borrow_mut().insert(path.to_owned(), reply);
    }

    /// The calls of `path`.
    pub fn calls_to(&self, path: &str) -> Vec<HookCall> {
        self.calls.borrow().iter().filter(|c| c.path == path).cloned().collect()
    }

    /// Answers one request (signature checked first: a wrong one gets `401`).
    pub fn answer(&self, url: &url::Url, req: &OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let header = |n: &str| header(req, n);
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let request_id = header("x-tollgate-request-id");
        let expected = sign(
            HOOK_SECRET.as_bytes(),
            Signed {
                method: "POST",
                path: url.path(),
                timestamp: header("x-tollgate-timestamp").parse().unwrap_or(0),
                request_id: &request_id,
                body: &body,
            },
        );
        let signed = header("x-tollgate-signature") == expected;
        self.calls.borrow_mut().push(HookCall {
            path: url.path().to_owned(),
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
            signed,
        });
        if !signed {
            return Ok(OutboundResponse {
                status: 401,
                body: b"{}".to_vec(),
            });
        }
        let reply = self
            .replies
            .borrow()
            .get(url.path())
            .cloned()
            .unwrap_or(HookReply::Json(json!({"verdict": "allow"})));
        match reply {
            HookReply::Json(v) => Ok(OutboundResponse {
                status: 200,
                body: v.to_string().into_bytes(),
            }),
            HookReply::Status(status) => Ok(OutboundResponse {
                status,
                body: b"{}".to_vec(),
            }),
            HookReply::Down => Err(OutboundError::Connect("connection refused".into())),
            HookReply::Timeout => Err(OutboundError::Timeout(req.timeout_ms.unwrap_or(0))),
        }
    }
}
