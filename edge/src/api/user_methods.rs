//! `/api/v2/users/{id}/authentication-methods[/{method}]`: a user's ways in (Auth0's endpoints;
//! `core::management::methods`). Scopes as Auth0's: `read:users` to list, `update:users` to delete.

use super::errors::WebError;
use super::http::{Request, Response};
use super::App;
use crate::core::management::{access, methods};

impl App<'_> {
    /// Answers `rest` (under `/api/v2/`) when it is a user's authentication methods; else `None`.
    pub(super) async fn user_methods(&self, req: &Request, rest: &str) -> Option<Response> {
        let parts: Vec<&str> = rest.split('/').collect();
        let (user, method) = match parts.as_slice() {
            ["users", user, "authentication-methods"] if !user.is_empty() => (*user, None),
            ["users", user, "authentication-methods", m] if !user.is_empty() && !m.is_empty() => (*user, Some(*m)),
            _ => return None,
        };
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let (user, method) = (decode(user), method.map(decode));
        let answer = match (req.method.as_str(), method) {
            ("GET", None) => self.list_methods(req, &user).await,
            ("DELETE", Some(m)) => self.delete_method(req, &user, &m).await,
            (_, None) => return Some(not_allowed("GET")),
            (_, Some(_)) => return Some(not_allowed("DELETE")),
        };
        Some(answer.unwrap_or_else(WebError::into_management_response))
    }

    async fn list_methods(&self, req: &Request, user: &str) -> Result<Response, WebError> {
        access::authenticate(&self.core, super::management::bearer(req))
            .await?
            .require(&["read:users"])?;
        Ok(Response::json(200, &methods::list(&self.core, user).await?))
    }

    async fn delete_method(&self, req: &Request, user: &str, method: &str) -> Result<Response, WebError> {
        access::authenticate(&self.core, super::management::bearer(req))
            .await?
            .require(&["update:users", "delete:users"])?;
        methods::delete(&self.core, user, method).await?;
        Ok(Response::new(204, "text/plain", Vec::new()))
    }
}

fn not_allowed(allow: &str) -> Response {
    WebError::MethodNotAllowed
        .into_management_response()
        .with_header("allow", allow)
}
