//! Auth0's My Account API for passkeys (`/me/v1/authentication-methods…`, `core::passkeys::account`)
//! and the hosted page's "Manage your passkeys" (`GET /u/passkeys`, which mounts the widget, and
//! `POST /u/passkeys/token`, the page's My Account API token for its signed-in session). Errors
//! are RFC 7807 problem details, as Auth0's.

use shared::my_account::{MyEnrollmentRequest, MyEnrollmentVerify};
use shared::wire::PasskeyStarted;

use super::errors::WebError;
use super::http::{Request, Response};
use super::{parse_json, query_param, App};
use crate::core::directory::tenant;
use crate::core::error::CoreError;
use crate::core::oauth::sessions::{self, SESSION_COOKIE};
use crate::core::passkeys::account::{self, Holder, NEW_PASSKEY_ID};

/// The path under which the API's methods are.
const METHODS: &str = "/me/v1/authentication-methods";

fn no_store(r: Response) -> Response {
    r.with_header("cache-control", "no-store")
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

impl App<'_> {
    async fn holder(&self, req: &Request) -> Result<Holder, WebError> {
        Ok(account::authenticate(&self.core, super::management::bearer(req)).await?)
    }

    /// `GET /me/v1/authentication-methods[?type=passkey]`.
    pub(super) async fn my_methods(&self, req: &Request) -> Result<Response, WebError> {
        let h = self.holder(req).await?;
        let kind = query_param(req, "type");
        let list = account::list(&self.core, &h, kind.as_deref()).await?;
        Ok(no_store(Response::json(200, &list)))
    }

    /// `POST /me/v1/authentication-methods` `{"type": "passkey"}`: 201, `Location` naming the
    /// method to verify, `{auth_session, authn_params_public_key}`.
    pub(super) async fn my_method_start(&self, req: &Request) -> Result<Response, WebError> {
        let h = self.holder(req).await?;
        let body: MyEnrollmentRequest = parse_json(req)?;
        let s = account::start(&self.core, &h, &body).await?;
        let location = format!(
            "{}{}/{}",
            self.core.settings.issuer.trim_end_matches('/'),
            METHODS,
            NEW_PASSKEY_ID.replace('|', "%7C")
        );
        let started = PasskeyStarted {
            auth_session: s.auth_session,
            authn_params_public_key: s.options,
        };
        Ok(no_store(Response::json(201, &started)).with_header("location", &location))
    }

    /// `GET`, `DELETE` `/me/v1/authentication-methods/{id}` and `POST …/{id}/verify`.
    pub(super) async fn my_method(&self, req: &Request) -> Result<Response, WebError> {
        let rest = req
            .path
            .strip_prefix(METHODS)
            .unwrap_or_default()
            .trim_start_matches('/');
        let (id, verify) = match rest.strip_suffix("/verify") {
            Some(id) => (decode(id), true),
            None => (decode(rest), false),
        };
        if id.is_empty() || id.contains('/') {
            return Err(WebError::NotFound);
        }
        let h = self.holder(req).await?;
        match (req.method.as_str(), verify) {
            ("GET", false) => Ok(no_store(Response::json(200, &account::get(&self.core, &h, &id).await?))),
            ("DELETE", false) => {
                account::delete(&self.core, &h, &id).await?;
                Ok(Response::new(204, "text/plain", Vec::new()))
            }
            ("POST", true) => {
                let body: MyEnrollmentVerify = parse_json(req)?;
                let method = account::finish(&self.core, &h, &id, &body).await?;
                Ok(no_store(Response::json(201, &method)))
            }
            _ => Err(WebError::MethodNotAllowed),
        }
    }

    /// `GET /u/passkeys?client_id=…`: the hosted "Manage your passkeys" page for this browser's
    /// session (the widget lists, adds and removes through the My Account API).
    pub(super) async fn passkeys_page(&self, req: &Request) -> Result<Response, WebError> {
        let client_id = query_param(req, "client_id").unwrap_or_default();
        let client = tenant::client(self.core.db, &client_id).await?;
        let session = sessions::session(&self.core, req.cookie(SESSION_COOKIE)).await?;
        let title = "Manage your passkeys";
        let (Some(client), Some(session)) = (client, session) else {
            return Ok(super::pages::message_page(
                401,
                title,
                "Log in first, then come back to manage your passkeys.",
            ));
        };
        let passkeys_on = tenant::connection_by_id(self.core.db, &session.connection_id)
            .await?
            .is_some_and(|c| c.options.authentication_methods.passkey.enabled);
        if !passkeys_on {
            return Ok(super::pages::message_page(
                400,
                title,
                "Passkeys are not enabled for your account.",
            ));
        }
        Ok(super::pages::passkeys_page(
            &client.client_id,
            query_param(req, "ui_locales").as_deref(),
        ))
    }

    /// `POST /u/passkeys/token` `{client_id}` from the hosted page itself (its own origin): a My
    /// Account API token for the session's user, with the session's `auth_time`.
    pub(super) async fn passkeys_token(&self, req: &Request) -> Result<Response, WebError> {
        #[derive(serde::Deserialize)]
        struct Body {
            client_id: String,
        }
        // Only the hosted page may turn the session cookie into a token (no other origin, even
        // an application's, reads one).
        if req.header("origin") != Some(self.core.settings.issuer.trim_end_matches('/')) {
            return Err(CoreError::AccessDenied("Only the hosted page asks for this token.".into()).into());
        }
        let b: Body = parse_json(req)?;
        let client = tenant::client(self.core.db, &b.client_id)
            .await?
            .ok_or(CoreError::UnknownClient)?;
        let session = sessions::session(&self.core, req.cookie(SESSION_COOKIE))
            .await?
            .ok_or_else(|| CoreError::Unauthorized("Log in first.".into()))?;
        let signer = self.signer().await?;
        let tokens = account::session_token(&self.core, &*signer, &client, &session).await?;
        Ok(no_store(Response::json(200, &tokens)))
    }
}
