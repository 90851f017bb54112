//! Passwordless by email (`core::passwordless`): `POST /passwordless/start`, the magic link
//! `GET /passwordless/verify_redirect`, and the hosted page's `POST /u/passwordless/start` and
//! `/u/passwordless/verify`. The `otp` grant is the token endpoint's; `/co/authenticate` takes the
//! passwordless `credential_type` (`authorize.rs`).

use serde_json::{Map, Value};
use shared::wire::{HostedPasswordlessRequest, PasswordlessSend, PasswordlessStartRequest, Redirect};

use super::errors::WebError;
use super::http::{Request, Response};
use super::{parse_json, query_param, App};
use crate::core::error::CoreError;
use crate::core::oauth::authorize;
use crate::core::oauth::delivery::{page_error, Outcome};
use crate::core::oauth::grants::{self, Origin};
use crate::core::oauth::sessions::{create_session, Session, SESSION_TTL_MS};
use crate::core::passwordless::flows::{self, Start};
use crate::core::platform::secrets::sha256_hex;

/// A link's own stored request names the hosted page's transaction it finishes.
const TX_PARAM: &str = "tollgate_tx";

impl App<'_> {
    /// `POST /passwordless/start`: a public client from one of its web origins (or with no
    /// `Origin`, as native apps), a confidential one with its secret.
    pub(super) async fn passwordless_start(&self, req: &Request) -> Result<Response, WebError> {
        let b: PasswordlessStartRequest = parse_json(req)?;
        let (client, _) =
            grants::authenticate_client(&self.core, b.client_id.as_deref(), b.client_secret.as_deref()).await?;
        if let Some(origin) = req.header("origin") {
            let own = self.core.settings.issuer.trim_end_matches('/') == origin;
            if client.is_public && !own && !client.web_origins.iter().any(|o| o == origin) {
                return Err(CoreError::InvalidClient(format!("Origin {origin} is not allowed.")).into());
            }
        }
        let answer = flows::start(
            &self.core,
            Start {
                client: &client,
                connection: b.connection.as_deref().unwrap_or("email"),
                email: b.email.as_deref(),
                send: b.send.unwrap_or(PasswordlessSend::Code),
                auth_params: b.auth_params,
                ip: self.client_ip(req),
            },
        )
        .await?;
        Ok(Response::json(200, &answer).with_header("cache-control", "no-store"))
    }

    /// `POST /u/passwordless/start` from the hosted page: a code or link for the transaction's
    /// application; a link finishes this transaction.
    pub(super) async fn hosted_passwordless_start(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedPasswordlessRequest = parse_json(req)?;
        let t = authorize::transaction(&self.core, b.tx.as_deref().unwrap_or_default()).await?;
        let conn = flows::client_connection(&self.core, &t.client.client_id)
            .await?
            .ok_or_else(|| {
                CoreError::InvalidRequest("Passwordless login is not enabled for this application.".into())
            })?;
        let send = b.send.unwrap_or(PasswordlessSend::Code);
        let auth_params = (send == PasswordlessSend::Link).then(|| {
            let mut p = Map::new();
            p.insert("redirect_uri".into(), Value::String(t.request.redirect_uri.clone()));
            p.insert(TX_PARAM.into(), Value::String(b.tx.clone().unwrap_or_default()));
            p
        });
        let answer = flows::start(
            &self.core,
            Start {
                client: &t.client,
                connection: &conn.name,
                email: b.email.as_deref(),
                send,
                auth_params,
                ip: self.client_ip(req),
            },
        )
        .await?;
        Ok(Response::json(200, &answer).with_header("cache-control", "no-store"))
    }

    /// `POST /u/passwordless/verify` from the hosted page: the code opens a session and the
    /// transaction resumes.
    pub(super) async fn hosted_passwordless_verify(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedPasswordlessRequest = parse_json(req)?;
        let tx = b.tx.unwrap_or_default();
        let t = authorize::transaction(&self.core, &tx).await?;
        let conn = flows::client_connection(&self.core, &t.client.client_id)
            .await?
            .ok_or_else(|| {
                CoreError::InvalidRequest("Passwordless login is not enabled for this application.".into())
            })?;
        let verified = flows::verify(
            &self.core,
            &conn,
            &t.client.client_id,
            b.email.as_deref(),
            PasswordlessSend::Code,
            b.otp.as_deref().unwrap_or_default(),
            Origin {
                ip: self.client_ip(req),
            },
        )
        .await?;
        let remembered = req.cookie(crate::core::mfa::remember::COOKIE);
        if let Some(step) =
            crate::core::mfa::gate::hosted_step(&self.core, &t.client, &verified.user, &tx, remembered).await?
        {
            let answer = Redirect {
                mfa: Some(step),
                ..Redirect::default()
            };
            return Ok(Response::json(200, &answer).with_header("cache-control", "no-store"));
        }
        let now_s = self.core.clock.now_ms() / 1000;
        let token = create_session(&self.core, &verified.user.user_id, &conn.id, now_s).await?;
        let redirect = format!("{}authorize/resume?tx={tx}", self.core.settings.issuer);
        Ok(Response::json(
            200,
            &Redirect {
                redirect,
                ..Redirect::default()
            },
        )
        .with_header("set-cookie", &self.session_cookie(&token, SESSION_TTL_MS / 1000))
        .with_header("cache-control", "no-store"))
    }

    /// `GET /passwordless/verify_redirect?client_id&connection&email&verification_code`: a magic
    /// link. Used once; it opens a session in the browser that opened it and completes the
    /// authorization request stored when the link was sent (never one the link's own query names).
    pub(super) async fn passwordless_verify_redirect(&self, req: &Request) -> Result<Response, WebError> {
        let client_id = query_param(req, "client_id").unwrap_or_default();
        let connection = query_param(req, "connection").unwrap_or_default();
        let refused = |why: &str| self.render_outcome(&page_error("access_denied", why));
        let conn = match flows::connection(&self.core, &client_id, &connection).await {
            Ok(c) => c,
            Err(CoreError::ConnectionNotFound(_)) => return refused("This link is not valid."),
            Err(e) => return Err(e.into()),
        };
        let verified = flows::verify(
            &self.core,
            &conn,
            &client_id,
            query_param(req, "email").as_deref(),
            PasswordlessSend::Link,
            &query_param(req, "verification_code").unwrap_or_default(),
            Origin {
                ip: self.client_ip(req),
            },
        )
        .await;
        let verified = match verified {
            Ok(v) => v,
            Err(CoreError::InvalidGrant(_) | CoreError::InvalidRequest(_)) => {
                return refused("This link is invalid, was already used or has expired. Please ask for a new one.")
            }
            Err(e) => return Err(e.into()),
        };
        // A link proves the mailbox only: when the tenant asks for a second factor, the session
        // it opens completes nothing until the login page has asked for it
        // (`oauth::sessions::serves`).
        let now_s = self.core.clock.now_ms() / 1000;
        let token = create_session(&self.core, &verified.user.user_id, &conn.id, now_s).await?;
        let cookie = self.session_cookie(&token, SESSION_TTL_MS / 1000);
        let params = verified.consumed.auth_params.unwrap_or_default();
        let outcome = match params.get(TX_PARAM).and_then(Value::as_str) {
            // The hosted page's transaction: resume it with the new session.
            Some(tx) => Outcome::Redirect(format!("{}authorize/resume?tx={tx}", self.core.settings.issuer)),
            None => {
                let mut q: Vec<(String, String)> = params
                    .iter()
                    .filter_map(|(k, v)| match v {
                        Value::String(s) => Some((k.clone(), s.clone())),
                        Value::Number(n) => Some((k.clone(), n.to_string())),
                        _ => None,
                    })
                    .filter(|(k, _)| !matches!(k.as_str(), "client_id" | "prompt" | "login_ticket"))
                    .collect();
                q.push(("client_id".into(), client_id.clone()));
                match authorize::validate(&self.core, &q).await? {
                    Err(outcome) => outcome,
                    Ok((client, request)) => {
                        let session = Session {
                            id_hash: sha256_hex(token.as_bytes()),
                            user_id: verified.user.user_id.clone(),
                            connection_id: conn.id.clone(),
                            auth_time: now_s,
                            amr: Vec::new(),
                        };
                        let signer = self.signer().await?;
                        authorize::complete(&self.core, &*signer, &client, &request, &session).await?
                    }
                }
            }
        };
        Ok(self.render_outcome(&outcome)?.with_header("set-cookie", &cookie))
    }
}
