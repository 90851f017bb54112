//! Handlers for Universal Login: `/authorize`, `/u/login`, `/authorize/resume`,
//! `/co/authenticate`, `/v2/logout`, `/oidc/logout`, and the rendering of authorization responses
//! in the four response modes.

use crate::core::mfa::remember::COOKIE as REMEMBER_COOKIE;
use html_escape::encode_double_quoted_attribute;
use serde_json::{json, Map, Value};
use shared::wire::{CoAuthenticateRequest, CoAuthenticateResponse, Redirect, UniversalLoginRequest};

use super::errors::WebError;
use super::http::{Request, Response};
use super::{pages, parse_json, App};
use crate::core::directory::tenant;
use crate::core::error::CoreError;
use crate::core::federation::round_trip;
use crate::core::logs::Event;
use crate::core::oauth::authorize;
use crate::core::oauth::delivery::{Delivery, Outcome, ResponseMode};
use crate::core::oauth::grants::{self, Origin};
use crate::core::oauth::logout::LogoutTarget;
use crate::core::oauth::sessions::{BROWSER_COOKIE, BROWSER_COOKIE_TTL_S, SESSION_COOKIE, SESSION_TTL_MS};

fn query_pairs(req: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query.as_bytes()).into_owned().collect()
}

/// Escapes a JSON text for an inline `<script>`: `<` cannot close the element.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

impl App<'_> {
    fn secure(&self) -> bool {
        self.core.settings.issuer.starts_with("https://")
    }

    /// A cookie of ours: HttpOnly; over https `SameSite=None; Secure` so silent authentication and
    /// embedded login work cross-site; over http (local development) `SameSite=Lax`.
    pub(super) fn cookie(&self, name: &str, value: &str, max_age_s: i64) -> String {
        let site = if self.secure() {
            "SameSite=None; Secure"
        } else {
            "SameSite=Lax"
        };
        format!("{name}={value}; Path=/; HttpOnly; {site}; Max-Age={max_age_s}")
    }

    pub(super) fn session_cookie(&self, value: &str, max_age_s: i64) -> String {
        self.cookie(SESSION_COOKIE, value, max_age_s)
    }

    /// The browser's binding value: the `tg_browser` cookie it sent (well-formed: 43 base64url
    /// characters), or a new one, with the `Set-Cookie` to send it back when it is new.
    pub(super) fn binding(&self, req: &Request) -> Result<(String, Option<String>), WebError> {
        let sent = req
            .cookie(BROWSER_COOKIE)
            .filter(|v| v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        Ok(match sent {
            Some(v) => (v.to_owned(), None),
            None => {
                let v = self.core.random_token()?;
                let set = self.cookie(BROWSER_COOKIE, &v, BROWSER_COOKIE_TTL_S);
                (v, Some(set))
            }
        })
    }

    fn nonce(&self) -> Result<String, WebError> {
        Ok(self.core.random_token()?)
    }

    /// Renders an authorization response in its response mode.
    fn deliver(&self, d: &Delivery) -> Result<Response, WebError> {
        let mut url =
            url::Url::parse(&d.redirect_uri).map_err(|e| CoreError::Internal(format!("redirect_uri: {e}")))?;
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&d.params)
            .finish();
        match d.mode {
            ResponseMode::Query => {
                url.query_pairs_mut().extend_pairs(&d.params);
                Ok(redirect(url.as_str()))
            }
            ResponseMode::Fragment => {
                url.set_fragment(Some(&encoded));
                Ok(redirect(url.as_str()))
            }
            ResponseMode::FormPost => {
                let nonce = self.nonce()?;
                let inputs: String = d
                    .params
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                            encode_double_quoted_attribute(k),
                            encode_double_quoted_attribute(v)
                        )
                    })
                    .collect();
                let origin = url.origin().ascii_serialization();
                let html = format!(
                    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Submitting…</title></head><body>\
                     <form method=\"post\" action=\"{}\">{inputs}<noscript><button>Continue</button></noscript></form>\
                     <script nonce=\"{nonce}\">document.forms[0].submit();</script></body></html>",
                    encode_double_quoted_attribute(&d.redirect_uri)
                );
                Ok(script_page(html, &nonce, &format!("form-action {origin}")))
            }
            ResponseMode::WebMessage => {
                let nonce = self.nonce()?;
                let origin = url.origin().ascii_serialization();
                let response: Map<String, Value> = d.params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                let message = json!({"type": "authorization_response", "response": response});
                let html = format!(
                    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization response</title></head><body>\
                     <script nonce=\"{nonce}\">(window.opener || window.parent).postMessage({}, {});</script></body></html>",
                    script_json(&message),
                    script_json(&json!(origin))
                );
                Ok(script_page(html, &nonce, ""))
            }
        }
    }

    pub(super) fn render_outcome(&self, outcome: &Outcome) -> Result<Response, WebError> {
        match outcome {
            Outcome::Deliver(d) => self.deliver(d),
            Outcome::ErrorPage { error, description } => Ok(pages::message_page(
                400,
                "Authorization error",
                &format!("{error}: {description}"),
            )),
            Outcome::LoginPage { tx, request, mfa } => Ok(pages::login_page(tx, request, mfa.as_deref())),
            Outcome::Redirect(url) => Ok(redirect(url)),
        }
    }

    /// `GET /u/social?tx=&connection=`: a social button of the hosted page.
    pub(super) async fn social(&self, req: &Request) -> Result<Response, WebError> {
        let tx = super::query_param(req, "tx").unwrap_or_default();
        let connection = super::query_param(req, "connection").unwrap_or_default();
        let (binding, set_binding) = self.binding(req)?;
        let outcome = round_trip::social(&self.core, &tx, &connection, &binding).await?;
        Ok(with_cookie(self.render_outcome(&outcome)?, set_binding))
    }

    /// `GET /login/callback`: an identity provider's answer. Logged in → session cookie and on to
    /// `/authorize/resume`; otherwise the application gets an Auth0-shaped error.
    pub(super) async fn federated_callback(&self, req: &Request) -> Result<Response, WebError> {
        let binding = req.cookie(BROWSER_COOKIE);
        match round_trip::callback(&self.core, &query_pairs(req), self.client_ip(req), binding).await? {
            round_trip::Callback::Session { token, resume_url } => Ok(
                redirect(&resume_url).with_header("set-cookie", &self.session_cookie(&token, SESSION_TTL_MS / 1000))
            ),
            round_trip::Callback::Outcome(o) => self.render_outcome(&o),
        }
    }

    /// `GET /authorize`.
    pub(super) async fn authorize(&self, req: &Request) -> Result<Response, WebError> {
        let signer = self.signer().await?;
        let (binding, set_binding) = self.binding(req)?;
        let browser = crate::core::oauth::sessions::Browser {
            session: req.cookie(SESSION_COOKIE),
            binding: &binding,
            binding_sent: set_binding.is_none(),
            remembered: req.cookie(REMEMBER_COOKIE),
        };
        let mut result = authorize::authorize(&self.core, &*signer, &query_pairs(req), browser).await?;
        if let Outcome::LoginPage { tx, request, mfa: None } = &result.outcome {
            if let Some(outcome) = round_trip::direct(&self.core, tx, request, &binding).await? {
                result.outcome = outcome;
            }
        }
        let mut res = with_cookie(self.render_outcome(&result.outcome)?, set_binding);
        if let Some(token) = result.new_session {
            res = res.with_header("set-cookie", &self.session_cookie(&token, SESSION_TTL_MS / 1000));
        }
        Ok(res)
    }

    /// `POST /u/login` from the hosted page: `{tx, username, password, connection?}`.
    pub(super) async fn universal_login(&self, req: &Request) -> Result<Response, WebError> {
        let b: UniversalLoginRequest = parse_json(req)?;
        let tx = b.tx.ok_or_else(|| CoreError::InvalidRequest("Missing tx".into()))?;
        let username = b
            .username
            .filter(|u| !u.is_empty())
            .ok_or_else(|| CoreError::InvalidRequest("Missing username".into()))?;
        let password = b
            .password
            .ok_or_else(|| CoreError::InvalidRequest("Missing password".into()))?;
        let done = authorize::login(
            &self.core,
            &tx,
            &username,
            &password,
            b.connection.as_deref(),
            self.client_ip(req),
            req.cookie(REMEMBER_COOKIE),
        )
        .await?;
        let done = match done {
            authorize::Login::Done(d) => d,
            authorize::Login::Mfa(step) => {
                let answer = Redirect {
                    mfa: Some(step),
                    ..Redirect::default()
                };
                return Ok(Response::json(200, &answer).with_header("cache-control", "no-store"));
            }
        };
        let enroll_passkey =
            crate::core::passkeys::flows::offer_enrollment(&self.core, &done.connection, &done.user).await?;
        let answer = Redirect {
            redirect: done.redirect,
            enroll_passkey,
            ..Redirect::default()
        };
        Ok(Response::json(200, &answer)
            .with_header("set-cookie", &self.session_cookie(&done.token, SESSION_TTL_MS / 1000))
            .with_header("cache-control", "no-store"))
    }

    /// `GET /authorize/resume?tx=`.
    pub(super) async fn resume(&self, req: &Request) -> Result<Response, WebError> {
        let tx = super::query_param(req, "tx").unwrap_or_default();
        let signer = self.signer().await?;
        let outcome = authorize::resume(
            &self.core,
            &*signer,
            &tx,
            req.cookie(SESSION_COOKIE),
            req.cookie(REMEMBER_COOKIE),
        )
        .await?;
        self.render_outcome(&outcome)
    }

    /// `POST /co/authenticate`: embedded (cross-origin) login for auth0-js and Lock — a password
    /// (`password-realm`) or a passwordless code (`passwordless/otp`, realm `email`).
    pub(super) async fn co_authenticate(&self, req: &Request) -> Result<Response, WebError> {
        let answer = self.co_authenticate_checked(req).await;
        self.core.record(match &answer {
            Ok(r) if r.status == 200 => Event::new("scoa", "Successful cross-origin authentication"),
            Ok(r) => Event::new("fcoa", "Failed cross-origin authentication").details(json!({"status": r.status})),
            Err(e) => Event::new("fcoa", super::logs::describe(e)),
        });
        answer
    }

    async fn co_authenticate_checked(&self, req: &Request) -> Result<Response, WebError> {
        let b: CoAuthenticateRequest = parse_json(req)?;
        let passwordless = b.credential_type.as_deref() == Some(shared::wire::PASSWORDLESS_OTP);
        let secret = if passwordless { b.otp } else { b.password };
        let (Some(client_id), Some(username), Some(secret)) = (b.client_id, b.username, secret) else {
            return Err(CoreError::InvalidRequest(
                "Invalid request body. All and only of client_id, credential_type, username, otp, realm are required."
                    .into(),
            )
            .into());
        };
        let client = tenant::client(self.core.db, &client_id)
            .await?
            .ok_or(CoreError::UnknownClient)?;
        if let Some(origin) = req.header("origin") {
            if !client.web_origins.iter().any(|o| o == origin) {
                return Ok(Response::text(403, &format!("Origin {origin} is not allowed.")));
            }
        }
        self.core.events.note_client(&client.client_id, &client.name);
        if !client.cross_origin_auth {
            return Err(CoreError::InvalidClient("Cross origin login not allowed.".into()).into());
        }
        let origin = Origin {
            ip: self.client_ip(req),
        };
        let (user, connection_id) = if passwordless {
            let realm = b.realm.unwrap_or_else(|| "email".into());
            let conn = crate::core::passwordless::flows::connection(&self.core, &client.client_id, &realm)
                .await
                .map_err(|_| CoreError::InvalidRequest(format!("Unknown realm {realm}.")))?;
            let verified = crate::core::passwordless::flows::verify(
                &self.core,
                &conn,
                &client.client_id,
                Some(&username),
                shared::wire::PasswordlessSend::Code,
                &secret,
                origin,
            )
            .await;
            match verified {
                Err(CoreError::InvalidGrant(msg)) => return Err(CoreError::AccessDenied(msg).into()),
                Err(CoreError::UserBlocked) => return Err(CoreError::AccessDenied("Blocked user".into()).into()),
                other => (other?.user, conn.id),
            }
        } else {
            let realm = match b.realm {
                Some(r) => r,
                None => tenant::tenant(self.core.db)
                    .await?
                    .flags
                    .default_directory
                    .ok_or_else(|| {
                        CoreError::InvalidRequest("Authorization server not configured with default connection.".into())
                    })?,
            };
            let conn = tenant::database_by_name(self.core.db, &realm)
                .await?
                .filter(|c| c.strategy == crate::core::directory::tenant::Strategy::Auth0)
                .ok_or_else(|| CoreError::InvalidRequest(format!("Unknown realm {realm}.")))?;
            if !tenant::connection_enabled(self.core.db, &client.client_id, &conn.id).await? {
                return Err(CoreError::InvalidRequest(format!("Unknown realm {realm}.")).into());
            }
            match grants::check_credentials(&self.core, &conn, &username, &secret, origin).await {
                Err(CoreError::WrongCredentials) => {
                    return Err(CoreError::AccessDenied("Wrong email or password.".into()).into())
                }
                Err(CoreError::UserBlocked) => return Err(CoreError::AccessDenied("Blocked user".into()).into()),
                other => (other?, conn.id),
            }
        };
        // Embedded logins cannot pass a second factor: when the tenant asks for one, the
        // application uses the hosted page or the MFA API (Auth0's embedded-login rule).
        if crate::core::mfa::gate::needed(&self.core, &user).await? {
            return Err(CoreError::AccessDenied("Multifactor authentication required".into()).into());
        }
        // The ticket is redeemable only by this browser: `/authorize?login_ticket=` checks the
        // binding cookie this answer sets (or the one the browser sent).
        let (binding, set_binding) = self.binding(req)?;
        let ticket = crate::core::oauth::sessions::issue_login_ticket(
            &self.core,
            &client.client_id,
            &user,
            &connection_id,
            &binding,
        )
        .await?;
        let answer = CoAuthenticateResponse {
            login_ticket: ticket,
            co_verifier: self.core.random_token()?,
            co_id: self.core.random_token()?,
        };
        let res = Response::json(200, &answer).with_header("cache-control", "no-store");
        Ok(with_cookie(res, set_binding))
    }

    fn logout_response(&self, target: LogoutTarget) -> Response {
        let clear = self.session_cookie("", 0);
        match target {
            LogoutTarget::Redirect(url) => redirect(&url).with_header("set-cookie", &clear),
            LogoutTarget::Page => {
                pages::message_page(200, "Logged out", "You are logged out.").with_header("set-cookie", &clear)
            }
            LogoutTarget::Refused(msg) => pages::message_page(400, "Logout error", &msg),
        }
    }

    /// `GET /v2/logout?client_id&returnTo`.
    pub(super) async fn logout(&self, req: &Request) -> Result<Response, WebError> {
        let q = query_pairs(req);
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let target = crate::core::oauth::logout::logout_target(&self.core, get("client_id"), get("returnTo")).await?;
        if !matches!(target, LogoutTarget::Refused(_)) {
            crate::core::oauth::sessions::end_session(&self.core, req.cookie(SESSION_COOKIE)).await?;
        }
        Ok(self.logout_response(target))
    }

    /// `GET|POST /oidc/logout` (RP-initiated logout).
    pub(super) async fn oidc_logout(&self, req: &Request) -> Result<Response, WebError> {
        let mut q = query_pairs(req);
        if req.method == "POST" && req.media_type().as_deref() == Some("application/x-www-form-urlencoded") {
            q.extend(url::form_urlencoded::parse(&req.body).into_owned());
        }
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let target = crate::core::oauth::logout::oidc_logout_target(
            &self.core,
            get("id_token_hint"),
            get("client_id"),
            get("post_logout_redirect_uri"),
            get("state"),
        )
        .await?;
        if !matches!(target, LogoutTarget::Refused(_)) {
            crate::core::oauth::sessions::end_session(&self.core, req.cookie(SESSION_COOKIE)).await?;
        }
        Ok(self.logout_response(target))
    }
}

pub(super) fn with_cookie(res: Response, set_cookie: Option<String>) -> Response {
    match set_cookie {
        Some(c) => res.with_header("set-cookie", &c),
        None => res,
    }
}

fn redirect(url: &str) -> Response {
    Response::new(302, "text/plain; charset=utf-8", Vec::new())
        .with_header("location", url)
        .with_header("cache-control", "no-store")
}

/// A page whose only script carries `nonce`: no other script, style or frame ancestry rules are
/// relaxed (a web_message page must be framable by the app that opened the silent iframe).
fn script_page(html: String, nonce: &str, extra: &str) -> Response {
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; base-uri 'none'; {extra}");
    Response::new(200, "text/html; charset=utf-8", html.into_bytes())
        .with_header("content-security-policy", csp.trim_end_matches([' ', ';']))
        .with_header("cache-control", "no-store")
        .with_header("referrer-policy", "no-referrer")
}
