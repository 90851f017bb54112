//! Passkeys over HTTP (`core::passkeys`): Auth0's native API (`POST /passkey/register`,
//! `POST /passkey/challenge`; the webauthn grant is the token endpoint's), the hosted page's steps
//! (`POST /u/passkey/start`, `/u/passkey/finish`, `/u/passkey/skip`), and
//! `GET /.well-known/webauthn` (Related Origin Requests).

use serde_json::{json, Value};
use shared::wire::{
    HostedPasskeyRequest, PasskeyChallengeRequest, PasskeyEnrollmentRequest, PasskeyRegisterRequest, PasskeyStarted,
    Redirect,
};

use super::errors::WebError;
use super::http::{Request, Response};
use super::{parse_json, App};
use crate::core::directory::users;
use crate::core::error::CoreError;
use crate::core::oauth::authorize;
use crate::core::oauth::grants;
use crate::core::oauth::sessions::{self, BROWSER_COOKIE, SESSION_COOKIE, SESSION_TTL_MS};
use crate::core::passkeys::flows::{self, CredentialJson, Started};
use crate::core::passkeys::offer;

fn started(s: Started) -> Response {
    Response::json(
        200,
        &PasskeyStarted {
            auth_session: s.auth_session,
            authn_params_public_key: s.options,
        },
    )
    .with_header("cache-control", "no-store")
}

impl App<'_> {
    /// The application of a native call: a public one from one of its web origins (or without
    /// `Origin`), a confidential one with its secret.
    async fn passkey_client(
        &self,
        req: &Request,
        id: Option<&str>,
        secret: Option<&str>,
    ) -> Result<crate::core::directory::tenant::Client, WebError> {
        let (client, _) = grants::authenticate_client(&self.core, id, secret).await?;
        if let Some(origin) = req.header("origin") {
            let own = self.core.settings.issuer.trim_end_matches('/') == origin;
            if client.is_public && !own && !client.web_origins.iter().any(|o| o == origin) {
                return Err(CoreError::InvalidClient(format!("Origin {origin} is not allowed.")).into());
            }
        }
        Ok(client)
    }

    /// `POST /passkey/register`: starts a sign-up with a passkey.
    pub(super) async fn passkey_register(&self, req: &Request) -> Result<Response, WebError> {
        let b: PasskeyRegisterRequest = parse_json(req)?;
        let client = self
            .passkey_client(req, b.client_id.as_deref(), b.client_secret.as_deref())
            .await?;
        let conn = flows::connection(&self.core, &client, b.realm.as_deref()).await?;
        let profile = b.user_profile.unwrap_or_default();
        let text = |k: &str| profile.get(k).and_then(Value::as_str);
        let s = flows::start_registration(
            &self.core,
            &client,
            &conn,
            text("email"),
            text("username"),
            req.cookie(BROWSER_COOKIE),
        )
        .await?;
        Ok(started(s))
    }

    /// `POST /passkey/challenge`: starts a login with a passkey.
    pub(super) async fn passkey_challenge(&self, req: &Request) -> Result<Response, WebError> {
        let b: PasskeyChallengeRequest = parse_json(req)?;
        let client = self
            .passkey_client(req, b.client_id.as_deref(), b.client_secret.as_deref())
            .await?;
        let conn = flows::connection(&self.core, &client, b.realm.as_deref()).await?;
        let s = flows::start_login(&self.core, &client, &conn, req.cookie(BROWSER_COOKIE)).await?;
        Ok(started(s))
    }

    /// `POST /passkey/enrollment/verify` (`add`) and `/passkey/enrollment/skip`: the answer to the
    /// passkey offer of an embedded password login (`core::passkeys::offer`).
    pub(super) async fn passkey_enrollment(&self, req: &Request, add: bool) -> Result<Response, WebError> {
        let b: PasskeyEnrollmentRequest = parse_json(req)?;
        let client = self
            .passkey_client(req, b.client_id.as_deref(), b.client_secret.as_deref())
            .await?;
        let session = b
            .auth_session
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: auth_session".into()))?;
        if add {
            let credential = CredentialJson::parse(b.authn_response.as_ref().unwrap_or(&Value::Null))?;
            offer::verify(&self.core, &client.client_id, session, &credential).await?;
        } else {
            offer::skip(&self.core, &client.client_id, session).await?;
        }
        Ok(Response::new(204, "text/plain", Vec::new()).with_header("cache-control", "no-store"))
    }

    /// `POST /u/passkey/start` from the hosted page: `register`, `login`, or `enroll` (a passkey
    /// for the user who just logged in for this transaction).
    pub(super) async fn hosted_passkey_start(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedPasskeyRequest = parse_json(req)?;
        let t = authorize::transaction(&self.core, b.tx.as_deref().unwrap_or_default()).await?;
        let (binding, set_binding) = self.binding(req)?;
        let core = &self.core;
        let s = match b.purpose.as_deref() {
            Some("register") => {
                let conn = flows::connection(core, &t.client, t.request.connection.as_deref()).await?;
                flows::start_registration(
                    core,
                    &t.client,
                    &conn,
                    b.email.as_deref(),
                    b.username.as_deref(),
                    Some(&binding),
                )
                .await?
            }
            Some("login") => {
                let conn = flows::connection(core, &t.client, t.request.connection.as_deref()).await?;
                flows::start_login(core, &t.client, &conn, Some(&binding)).await?
            }
            Some("enroll") => {
                let user = self.signed_in(req, t.created_at).await?;
                flows::start_enrollment(core, &t.client, &user, Some(&binding)).await?
            }
            _ => return Err(CoreError::InvalidRequest("purpose must be register, login or enroll".into()).into()),
        };
        Ok(super::authorize::with_cookie(started(s), set_binding))
    }

    /// The user of this browser's session, signed in during transaction `tx_created` (ms).
    async fn signed_in(&self, req: &Request, tx_created: i64) -> Result<users::User, WebError> {
        let s = sessions::session(&self.core, req.cookie(SESSION_COOKIE))
            .await?
            .filter(|s| s.auth_time >= tx_created / 1000)
            .ok_or_else(|| CoreError::InvalidRequest("Your login session expired. Please try again.".into()))?;
        Ok(users::by_id(self.core.db, &s.user_id)
            .await
            .map_err(CoreError::from)?
            .ok_or_else(|| CoreError::InvalidRequest("Your login session expired. Please try again.".into()))?)
    }

    /// `POST /u/passkey/finish`: a registration or login opens a session; an enrolment stores the
    /// passkey; then the transaction resumes.
    pub(super) async fn hosted_passkey_finish(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedPasskeyRequest = parse_json(req)?;
        let tx = b.tx.clone().unwrap_or_default();
        let t = authorize::transaction(&self.core, &tx).await?;
        let session = b.auth_session.as_deref().unwrap_or_default();
        let credential = CredentialJson::parse(b.credential.as_ref().unwrap_or(&Value::Null))?;
        let browser = req.cookie(BROWSER_COOKIE);
        let redirect = format!("{}authorize/resume?tx={tx}", self.core.settings.issuer);
        let answer = |cookie: Option<String>| {
            let r = Response::json(
                200,
                &Redirect {
                    redirect: redirect.clone(),
                    ..Redirect::default()
                },
            )
            .with_header("cache-control", "no-store");
            match cookie {
                Some(c) => r.with_header("set-cookie", &c),
                None => r,
            }
        };
        if b.purpose.as_deref() == Some("enroll") {
            let user = self.signed_in(req, t.created_at).await?;
            flows::finish_enrollment(
                &self.core,
                &t.client.client_id,
                session,
                Some(&user.user_id),
                &credential,
                browser,
            )
            .await?;
            return Ok(answer(None));
        }
        let done = flows::finish(
            &self.core,
            &t.client.client_id,
            session,
            &credential,
            browser,
            self.client_ip(req),
        )
        .await?;
        let now_s = self.core.clock.now_ms() / 1000;
        // A passkey with user verification is two factors in one (something held, and the
        // person's biometric or PIN): the tenant's MFA policy asks no more of it.
        let token = sessions::create_mfa_session(&self.core, &done.user.user_id, &done.connection_id, now_s).await?;
        Ok(answer(Some(self.session_cookie(&token, SESSION_TTL_MS / 1000))))
    }

    /// `POST /u/passkey/skip`: "not now" — asked again in 30 days; the transaction resumes.
    pub(super) async fn hosted_passkey_skip(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedPasskeyRequest = parse_json(req)?;
        let tx = b.tx.unwrap_or_default();
        let t = authorize::transaction(&self.core, &tx).await?;
        let user = self.signed_in(req, t.created_at).await?;
        flows::skip_enrollment(&self.core, &user.user_id).await?;
        Ok(Response::json(
            200,
            &Redirect {
                redirect: format!("{}authorize/resume?tx={tx}", self.core.settings.issuer),
                ..Redirect::default()
            },
        ))
    }

    /// `GET /.well-known/webauthn`: the origins that may use this RP id (Related Origin Requests).
    pub(super) async fn webauthn_origins(&self) -> Result<Response, WebError> {
        let (_, origins) = flows::relying_party(&self.core).await?;
        Ok(Response::json(200, &json!({ "origins": origins })).with_header("cache-control", "public, max-age=300"))
    }
}
