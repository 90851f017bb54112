//! CORS. A cross-origin browser request is allowed when its `Origin` is exactly one of a client's
//! allowed web origins (`clients.web_origins`); then the answer carries
//! `Access-Control-Allow-Origin: <origin>` with credentials (embedded login needs cookies).
//! Discovery and JWKS are public documents and allow every origin. Preflights (`OPTIONS`) are
//! answered without touching any other route.

use super::http::{Request, Response};
use super::App;
use crate::core::db::Stmt;

const ALLOW_HEADERS: &str = "Content-Type, Authorization, Auth0-Client, Auth0-Forwarded-For";
const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";

fn is_public_document(path: &str) -> bool {
    path.starts_with("/.well-known/")
}

impl App<'_> {
    /// Whether `origin` is an allowed web origin of some client.
    async fn origin_allowed(&self, origin: &str) -> bool {
        let needle = serde_json::Value::String(origin.to_owned()).to_string();
        self.core
            .db
            .query(Stmt::new("SELECT 1 AS ok FROM clients WHERE instr(web_origins, ?1) > 0 LIMIT 1").bind(needle))
            .await
            .is_ok_and(|rows| !rows.is_empty())
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
        } else if !self.own_origin(origin) && self.origin_allowed(origin).await {
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
        res
    }

    /// Answers an `OPTIONS` preflight.
    pub(super) async fn preflight(&self, req: &Request) -> Response {
        let mut res = Response::new(204, "text/plain", Vec::new());
        let allowed = match req.header("origin") {
            Some(o) => is_public_document(&req.path) || self.origin_allowed(o).await,
            None => false,
        };
        if allowed {
            res.headers.extend([
                ("access-control-allow-methods".into(), ALLOW_METHODS.into()),
                ("access-control-allow-headers".into(), ALLOW_HEADERS.into()),
                ("access-control-max-age".into(), "86400".into()),
            ]);
        }
        self.with_cors(req, res).await
    }
}
