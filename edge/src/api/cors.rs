//! CORS. A cross-origin browser request gets `Access-Control-Allow-Origin: <origin>` with
//! credentials only when its `Origin` is exactly one of the allowed web origins of **the client the
//! request is for** — `client_id` in the body (JSON or form) or in HTTP Basic, the client of
//! `/client/{id}.json`, the `azp` of a `/userinfo` bearer token — not of any client: an origin
//! registered by one application cannot read another application's answers with the user's
//! cookies. Discovery and JWKS are public documents and allow every origin. Preflights (`OPTIONS`)
//! carry no body, so they allow the methods and headers to any origin some client lists; the
//! answer to the request itself decides. Preflights are answered without touching any other route.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;

use super::http::{Request, Response};
use super::App;
use crate::core::directory::tenant;
use crate::core::platform::db::Stmt;

const ALLOW_HEADERS: &str = "Content-Type, Authorization, Auth0-Client, Auth0-Forwarded-For";
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

fn is_public_document(path: &str) -> bool {
    path.starts_with("/.well-known/")
}

/// The client a request is for, as the request itself names it (the handler checks it).
pub(crate) fn request_client(req: &Request) -> Option<String> {
    #[derive(Deserialize)]
    struct Body {
        client_id: Option<String>,
    }
    if let Some(file) = req.path.strip_prefix("/client/") {
        return file
            .strip_suffix(".json")
            .or_else(|| file.strip_suffix(".js"))
            .map(str::to_owned);
    }
    if let Some(auth) = req.header("authorization") {
        if let Some(basic) = auth.strip_prefix("Basic ").or_else(|| auth.strip_prefix("basic ")) {
            let decoded = STANDARD.decode(basic.trim()).ok()?;
            let id = String::from_utf8(decoded).ok()?.split(':').next()?.to_owned();
            return percent_encoding::percent_decode_str(&id)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned());
        }
        if let Some(token) = auth.strip_prefix("Bearer ").or_else(|| auth.strip_prefix("bearer ")) {
            // Unverified on purpose: it only picks whose origins may read the answer, and the
            // answer to a forged token is a 401. An opaque token (an `mfa_token`) names no
            // client: the body's `client_id` does.
            let azp = || -> Option<String> {
                let claims = URL_SAFE_NO_PAD.decode(token.trim().split('.').nth(1)?).ok()?;
                let v: serde_json::Value = serde_json::from_slice(&claims).ok()?;
                v.get("azp").and_then(|a| a.as_str()).map(str::to_owned)
            };
            if token.trim().matches('.').count() == 2 {
                return azp();
            }
        }
    }
    let body: Body = match req.media_type().as_deref() {
        Some("application/json") => serde_json::from_slice(&req.body).ok()?,
        Some("application/x-www-form-urlencoded") => serde_urlencoded::from_bytes(&req.body).ok()?,
        _ => return None,
    };
    body.client_id
}

impl App<'_> {
    /// Whether `origin` is an allowed web origin of some client (preflights only).
    async fn origin_of_some_client(&self, origin: &str) -> bool {
        let needle = serde_json::Value::String(origin.to_owned()).to_string();
        self.core
            .db
            .query(Stmt::new("SELECT 1 AS ok FROM clients WHERE instr(web_origins, ?1) > 0 LIMIT 1").bind(needle))
            .await
            .is_ok_and(|rows| !rows.is_empty())
    }

    /// Whether `origin` is an allowed web origin of the client `req` is for.
    async fn origin_of_request_client(&self, req: &Request, origin: &str) -> bool {
        let Some(client_id) = request_client(req) else {
            return false;
        };
        tenant::client(self.core.db, &client_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|c| c.web_origins.iter().any(|o| o == origin))
    }

    fn own_origin(&self, origin: &str) -> bool {
        self.core.settings.issuer.trim_end_matches('/') == origin
    }

    /// Adds the CORS headers `req` earns to `res`.
    pub(super) async fn with_cors(&self, req: &Request, mut res: Response) -> Response {
        let Some(origin) = req.header("origin") else {
            return res;
        };
        if is_public_document(&req.path) {
            res.headers.push(("access-control-allow-origin".into(), "*".into()));
        } else if !self.own_origin(origin) && self.origin_of_request_client(req, origin).await {
            credentialed(&mut res, origin);
        } else {
            res.headers.push(("vary".into(), "Origin".into()));
        }
        res
    }

    /// Answers an `OPTIONS` preflight.
    pub(super) async fn preflight(&self, req: &Request) -> Response {
        let mut res = Response::new(204, "text/plain", Vec::new());
        let Some(origin) = req.header("origin") else {
            return res;
        };
        let public = is_public_document(&req.path);
        if public || self.origin_of_some_client(origin).await {
            res.headers.extend([
                ("access-control-allow-methods".into(), ALLOW_METHODS.into()),
                ("access-control-allow-headers".into(), ALLOW_HEADERS.into()),
                ("access-control-max-age".into(), "86400".into()),
            ]);
            if public {
                res.headers.push(("access-control-allow-origin".into(), "*".into()));
            } else {
                credentialed(&mut res, origin);
            }
        }
        res
    }
}

/// The headers of a credentialed cross-origin answer for `origin`.
fn credentialed(res: &mut Response, origin: &str) {
    res.headers.extend([
        ("access-control-allow-origin".into(), origin.to_owned()),
        ("access-control-allow-credentials".into(), "true".into()),
        (
            "access-control-expose-headers".into(),
            "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset".into(),
        ),
        ("vary".into(), "Origin".into()),
    ]);
}
