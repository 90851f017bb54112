//! How a login continues after the credentials are accepted, per [`Mode`]: the hosted page
//! follows the server's redirect; an embedded widget either gets tokens in place (password-realm
//! grant) or goes through `/co/authenticate` and `/authorize` back to the application (Lock's
//! redirect mode). Also builds the `/authorize` URLs of the social buttons.

use serde::Serialize;
use shared::wire::{
    CoAuthenticateRequest, CoAuthenticateResponse, HostedPasswordlessRequest, PasswordlessSend,
    PasswordlessStartRequest, Redirect, TokenRequest, TokenResponse, UniversalLoginRequest, PASSWORDLESS_OTP,
    PASSWORD_REALM,
};

use crate::api::{post_json, ApiFailure};
use crate::context::{Mode, Offered, WidgetCtx};

/// Sends the browser to `url`.
pub fn navigate(url: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(url);
    }
}

/// The page's URL without its fragment (Lock's default `redirectUrl`).
fn current_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// `/authorize` for this application with Lock's `auth` options plus `extra` parameters.
pub fn authorize_url(ctx: &WidgetCtx, extra: &[(&str, &str)]) -> String {
    let mut params = authorize_params(ctx);
    params.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                js_sys::encode_uri_component(k),
                js_sys::encode_uri_component(v)
            )
        })
        .collect();
    ctx.url(&format!("/authorize?{}", query.join("&")))
}

/// The authorization request of this application from Lock's `auth` options: what `/authorize`
/// gets, and what a magic link completes.
fn authorize_params(ctx: &WidgetCtx) -> Vec<(String, String)> {
    let auth = &ctx.opts.auth;
    let redirect = auth.redirect_url.clone().unwrap_or_else(current_url);
    let default_type = if auth.redirect_url.is_some() { "code" } else { "token" };
    let mut params: Vec<(String, String)> = vec![
        ("client_id".into(), ctx.client_id.clone()),
        (
            "response_type".into(),
            auth.response_type.clone().unwrap_or_else(|| default_type.into()),
        ),
        ("redirect_uri".into(), redirect),
    ];
    let extra_params = auth.params.0.clone();
    if !extra_params.iter().any(|(k, _)| k == "scope") {
        params.push(("scope".into(), "openid profile email".into()));
    }
    params.extend(extra_params);
    for (k, v) in [
        ("audience", &auth.audience),
        ("state", &auth.state),
        ("nonce", &auth.nonce),
    ] {
        if let Some(v) = v {
            params.push((k.into(), v.clone()));
        }
    }
    params
}

/// The social button's destination: the hosted page continues its transaction; an embedded
/// widget starts an authorization for the connection.
pub fn social_url(ctx: &WidgetCtx, connection: &str) -> String {
    match &ctx.mode {
        Mode::Hosted { tx } => ctx.url(&format!(
            "/u/social?tx={}&connection={}",
            js_sys::encode_uri_component(tx),
            js_sys::encode_uri_component(connection)
        )),
        _ => authorize_url(ctx, &[("connection", connection)]),
    }
}

/// Lock's `authResult`, from a token response.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResult {
    /// Access token.
    pub access_token: String,
    /// ID token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// `Bearer`.
    pub token_type: String,
    /// Granted scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl From<TokenResponse> for AuthResult {
    fn from(t: TokenResponse) -> Self {
        Self {
            access_token: t.access_token,
            id_token: t.id_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
            token_type: t.token_type,
            scope: t.scope,
        }
    }
}

/// How a login continues.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// The browser is leaving the page.
    Leaving,
    /// Logged in here (embedded: the tokens went out in `authenticated`).
    Stay,
    /// Offer to add a passkey, then go on as [`Offered`] says.
    Enroll(Offered),
    /// The tenant asks for a second factor.
    Mfa(shared::wire::MfaStep),
}

/// Lock's redirect mode: `/co/authenticate`, then `/authorize` with the login ticket.
async fn cross_origin(ctx: &WidgetCtx, realm: &str, body: &CoAuthenticateRequest) -> Result<Next, ApiFailure> {
    let r: CoAuthenticateResponse = post_json(&ctx.url("/co/authenticate"), body, true).await?;
    navigate(&authorize_url(
        ctx,
        &[("realm", realm), ("login_ticket", &r.login_ticket)],
    ));
    Ok(Next::Leaving)
}

/// Embedded: the token grant; the tokens go to the page through `authenticated`, and an
/// `mfa_required` answer starts the second step.
async fn embedded_grant(ctx: &WidgetCtx, body: &TokenRequest) -> Result<Next, ApiFailure> {
    match post_json::<_, TokenResponse>(&ctx.url("/oauth/token"), body, false).await {
        // The edge offers a passkey: the tokens wait for the answer.
        Ok(tokens) if tokens.passkey_enrollment.is_some() => Ok(Next::Enroll(Offered::Embedded(Box::new(tokens)))),
        Ok(tokens) => {
            authenticated(ctx, tokens);
            Ok(Next::Stay)
        }
        Err(f) => crate::mfa::step_of(&f).map(Next::Mfa).ok_or(f),
    }
}

/// Embedded: the tokens go to the page (`authenticated`), without the passkey offer.
pub fn authenticated(ctx: &WidgetCtx, mut tokens: TokenResponse) {
    tokens.passkey_enrollment = None;
    ctx.emit("authenticated", &crate::api::js_value(&AuthResult::from(tokens)));
}

/// Goes on without answering a passkey offer (the enrolment it started expires unused).
pub fn decline_offer(ctx: &WidgetCtx, offered: Offered) {
    match offered {
        Offered::Hosted(url) => navigate(&url),
        Offered::Embedded(tokens) => authenticated(ctx, *tokens),
    }
}

/// Logs in with `username`/`password` and continues as the mode says. Takes the context by value:
/// it runs in an action's task.
pub async fn log_in(ctx: WidgetCtx, username: String, password: String) -> Result<Next, ApiFailure> {
    let realm = ctx.connection.name.clone();
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let body = UniversalLoginRequest {
                tx: Some(tx.clone()),
                username: Some(username),
                password: Some(password),
                connection: Some(realm),
            };
            let r: Redirect = post_json(&ctx.url("/u/login"), &body, false).await?;
            if let Some(step) = r.mfa {
                return Ok(Next::Mfa(step));
            }
            if r.enroll_passkey && crate::passkey::supported() {
                return Ok(Next::Enroll(Offered::Hosted(r.redirect)));
            }
            navigate(&r.redirect);
            Ok(Next::Leaving)
        }
        Mode::Redirect => {
            let body = CoAuthenticateRequest {
                client_id: Some(ctx.client_id.clone()),
                username: Some(username),
                password: Some(password),
                realm: Some(realm.clone()),
                credential_type: Some(PASSWORD_REALM.into()),
                otp: None,
            };
            cross_origin(&ctx, &realm, &body).await
        }
        Mode::Embedded => {
            let body = TokenRequest {
                grant_type: Some(PASSWORD_REALM.into()),
                client_id: Some(ctx.client_id.clone()),
                username: Some(username),
                password: Some(password),
                realm: Some(realm),
                scope: Some("openid profile email".into()),
                audience: ctx.opts.auth.audience.clone(),
                passkey_offer: (crate::context::passkeys_offered(&ctx) && crate::passkey::supported()).then_some(true),
                ..TokenRequest::default()
            };
            embedded_grant(&ctx, &body).await
        }
    }
}

/// How this page sends passwordless messages (`passwordlessMethod`: `code` unless `link`).
pub fn passwordless_send(ctx: &WidgetCtx) -> PasswordlessSend {
    match ctx.opts.passwordless_method.as_deref() {
        Some("link") => PasswordlessSend::Link,
        _ => PasswordlessSend::Code,
    }
}

/// Mails a code or link to `email`: for the hosted page's transaction, or (embedded) through
/// `/passwordless/start`, a link completing this page's authorization request.
pub async fn passwordless_start(ctx: WidgetCtx, email: String) -> Result<(), ApiFailure> {
    let send = passwordless_send(&ctx);
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let body = HostedPasswordlessRequest {
                tx: Some(tx.clone()),
                email: Some(email),
                send: Some(send),
                otp: None,
            };
            crate::api::post_only(&ctx.url("/u/passwordless/start"), &body).await
        }
        _ => {
            let auth_params = (send == PasswordlessSend::Link)
                .then(|| authorize_params(&ctx).into_iter().map(|(k, v)| (k, v.into())).collect());
            let body = PasswordlessStartRequest {
                client_id: Some(ctx.client_id.clone()),
                client_secret: None,
                connection: ctx.passwordless.clone(),
                email: Some(email),
                send: Some(send),
                auth_params,
            };
            crate::api::post_only(&ctx.url("/passwordless/start"), &body).await
        }
    }
}

/// Logs in with the code mailed to `email`, then continues as the mode says (as [`log_in`]).
pub async fn passwordless_verify(ctx: WidgetCtx, email: String, code: String) -> Result<Next, ApiFailure> {
    let realm = ctx.passwordless.clone().unwrap_or_else(|| "email".into());
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let body = HostedPasswordlessRequest {
                tx: Some(tx.clone()),
                email: Some(email),
                send: None,
                otp: Some(code),
            };
            let r: Redirect = post_json(&ctx.url("/u/passwordless/verify"), &body, false).await?;
            if let Some(step) = r.mfa {
                return Ok(Next::Mfa(step));
            }
            navigate(&r.redirect);
            Ok(Next::Leaving)
        }
        Mode::Redirect => {
            let body = CoAuthenticateRequest {
                client_id: Some(ctx.client_id.clone()),
                username: Some(email),
                realm: Some(realm.clone()),
                credential_type: Some(PASSWORDLESS_OTP.into()),
                otp: Some(code),
                ..CoAuthenticateRequest::default()
            };
            cross_origin(&ctx, &realm, &body).await
        }
        Mode::Embedded => {
            let body = TokenRequest {
                grant_type: Some(PASSWORDLESS_OTP.into()),
                client_id: Some(ctx.client_id.clone()),
                username: Some(email),
                otp: Some(code),
                realm: Some(realm),
                scope: Some("openid profile email".into()),
                audience: ctx.opts.auth.audience.clone(),
                passkey_offer: (crate::context::passkeys_offered(&ctx) && crate::passkey::supported()).then_some(true),
                ..TokenRequest::default()
            };
            embedded_grant(&ctx, &body).await
        }
    }
}

/// Lock's `authorization_error` payload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationError {
    /// The error code.
    pub error: String,
    /// Its description.
    pub error_description: String,
}

impl From<&ApiFailure> for AuthorizationError {
    fn from(f: &ApiFailure) -> Self {
        Self {
            error: f.code_text().into(),
            error_description: f.description(),
        }
    }
}
