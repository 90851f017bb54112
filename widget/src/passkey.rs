//! Passkeys in the browser: the edge's WebAuthn options go to `PublicKeyCredential.parse…FromJSON`,
//! then `navigator.credentials.create()` / `.get()`, and the credential goes back as its
//! `toJSON()`, all as JS values (nothing of WebAuthn is re-modelled in Rust). The ceremonies run
//! against the hosted page's transaction (`/u/passkey/*`) or, embedded, Auth0's native passkey API
//! and the webauthn grant.

use js_sys::{Function, Object, Promise, Reflect};
use serde::Serialize;
use shared::wire::{TokenResponse, WEBAUTHN_GRANT};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::{bearer_js, decode, post_js, ApiFailure};
use crate::context::{Mode, WidgetCtx};
use crate::flow::{navigate, AuthResult};

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).dyn_into()?;
    let list = js_sys::Array::new();
    for a in args {
        list.push(a);
    }
    f.apply(target, &list)
}

fn pkc() -> JsValue {
    get(&js_sys::global(), "PublicKeyCredential")
}

/// Whether this browser can use passkeys the way the widget does (WebAuthn with the JSON helpers).
pub fn supported() -> bool {
    let p = pkc();
    !p.is_undefined() && get(&p, "parseCreationOptionsFromJSON").is_function()
}

/// Whether the browser offers passkeys in the email field's autofill (conditional mediation).
pub async fn autofill_available() -> bool {
    if !supported() {
        return false;
    }
    match call(&pkc(), "isConditionalMediationAvailable", &[]) {
        Ok(p) => JsFuture::from(Promise::from(p))
            .await
            .ok()
            .is_some_and(|v| v.is_truthy()),
        Err(_) => false,
    }
}

/// A failed ceremony.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The person dismissed the browser's dialog (or it timed out): nothing to say.
    Cancelled,
    /// The edge refused or could not be reached.
    Api(ApiFailure),
}

impl From<ApiFailure> for Failure {
    fn from(f: ApiFailure) -> Self {
        Self::Api(f)
    }
}

/// Runs `navigator.credentials.create|get` for the edge's options; the credential's JSON.
async fn ceremony(
    create: bool,
    options: &JsValue,
    mediation: Option<&str>,
    signal: Option<&JsValue>,
) -> Result<JsValue, Failure> {
    let parse = if create {
        "parseCreationOptionsFromJSON"
    } else {
        "parseRequestOptionsFromJSON"
    };
    let public_key = call(&pkc(), parse, std::slice::from_ref(options)).map_err(|_| Failure::Cancelled)?;
    let request = Object::new();
    let _ = Reflect::set(&request, &"publicKey".into(), &public_key);
    if let Some(m) = mediation {
        let _ = Reflect::set(&request, &"mediation".into(), &m.into());
    }
    if let Some(s) = signal {
        let _ = Reflect::set(&request, &"signal".into(), s);
    }
    let credentials = get(&get(&js_sys::global(), "navigator"), "credentials");
    let promise =
        call(&credentials, if create { "create" } else { "get" }, &[request.into()]).map_err(|_| Failure::Cancelled)?;
    let credential = JsFuture::from(Promise::from(promise))
        .await
        .map_err(|_| Failure::Cancelled)?;
    call(&credential, "toJSON", &[]).map_err(|_| Failure::Cancelled)
}

/// A plain object with these string fields (and `credential` when given).
fn body(fields: &[(&str, &str)], credential: Option<&JsValue>) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    if let Some(c) = credential {
        let _ = Reflect::set(&o, &"credential".into(), c);
    }
    o.into()
}

#[derive(Serialize)]
struct Profile<'a> {
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
}

/// What a ceremony is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Log in (discoverable).
    Login,
    /// Sign up with `email` (and `username`).
    Register {
        /// The address.
        email: String,
        /// The username, where the connection needs one.
        username: Option<String>,
    },
    /// Add a passkey to the account that just logged in (hosted page).
    Enroll,
    /// Add the passkey a password grant offered (embedded; the tokens wait for the answer).
    Offered(Box<TokenResponse>),
}

/// Starts a ceremony at the edge: (`auth_session`, options).
async fn start(ctx: &WidgetCtx, purpose: &Purpose) -> Result<(String, JsValue), Failure> {
    if let Purpose::Offered(tokens) = purpose {
        let e = tokens
            .passkey_enrollment
            .as_ref()
            .ok_or(Failure::Api(ApiFailure::Network))?;
        let options = crate::api::to_js(&e.authn_params_public_key).map_err(|_| Failure::Api(ApiFailure::Network))?;
        return Ok((e.auth_session.clone(), options));
    }
    let answer = match (&ctx.mode, purpose) {
        (Mode::Hosted { tx }, p) => {
            let (kind, email, username) = match p {
                Purpose::Login => ("login", "", None),
                Purpose::Enroll | Purpose::Offered(_) => ("enroll", "", None),
                Purpose::Register { email, username } => ("register", email.as_str(), username.as_deref()),
            };
            let mut fields = vec![("tx", tx.as_str()), ("purpose", kind), ("email", email)];
            if let Some(u) = username {
                fields.push(("username", u));
            }
            post_js(&ctx.url("/u/passkey/start"), body(&fields, None), true).await?
        }
        (_, Purpose::Register { email, username }) => {
            let o = body(&[("client_id", &ctx.client_id), ("realm", &ctx.connection.name)], None);
            let profile = crate::api::to_js(&Profile {
                email,
                username: username.as_deref(),
            })
            .unwrap_or(JsValue::NULL);
            let _ = Reflect::set(&o, &"user_profile".into(), &profile);
            post_js(&ctx.url("/passkey/register"), o, true).await?
        }
        _ => {
            post_js(
                &ctx.url("/passkey/challenge"),
                body(&[("client_id", &ctx.client_id), ("realm", &ctx.connection.name)], None),
                true,
            )
            .await?
        }
    };
    let session = get(&answer, "auth_session")
        .as_string()
        .ok_or(Failure::Api(ApiFailure::Network))?;
    Ok((session, get(&answer, "authn_params_public_key")))
}

/// Runs a whole ceremony and continues as the mode says: the hosted page follows the edge's
/// redirect (`Ok(true)`: the browser is leaving); embedded, the webauthn grant's tokens go to the
/// page through `authenticated` (`Ok(false)`). `mediation: Some("conditional")` waits for the
/// email field's autofill.
pub async fn run(
    ctx: WidgetCtx,
    purpose: Purpose,
    mediation: Option<&str>,
    signal: Option<JsValue>,
) -> Result<bool, Failure> {
    let (session, options) = start(&ctx, &purpose).await?;
    let create = !matches!(purpose, Purpose::Login);
    let credential = ceremony(create, &options, mediation, signal.as_ref()).await?;
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let kind = if purpose == Purpose::Enroll { "enroll" } else { "" };
            let b = body(
                &[("tx", tx), ("auth_session", &session), ("purpose", kind)],
                Some(&credential),
            );
            let answer = post_js(&ctx.url("/u/passkey/finish"), b, true).await?;
            if let Some(r) = get(&answer, "redirect").as_string() {
                navigate(&r);
            }
            Ok(true)
        }
        _ if matches!(purpose, Purpose::Offered(_)) => {
            let Purpose::Offered(tokens) = purpose else {
                return Ok(false);
            };
            let b = body(&[("client_id", &ctx.client_id), ("auth_session", &session)], None);
            let _ = Reflect::set(&b, &"authn_response".into(), &credential);
            crate::api::post_empty(&ctx.url("/passkey/enrollment/verify"), b).await?;
            crate::flow::authenticated(&ctx, *tokens);
            Ok(false)
        }
        _ => {
            let b = body(
                &[
                    ("grant_type", WEBAUTHN_GRANT),
                    ("client_id", &ctx.client_id),
                    ("auth_session", &session),
                    ("realm", &ctx.connection.name),
                    ("scope", "openid profile email"),
                ],
                None,
            );
            let _ = Reflect::set(&b, &"authn_response".into(), &credential);
            if let Some(a) = &ctx.opts.auth.audience {
                let _ = Reflect::set(&b, &"audience".into(), &a.into());
            }
            let answer = post_js(&ctx.url("/oauth/token"), b, true).await?;
            let tokens: TokenResponse = decode(answer).ok_or(Failure::Api(ApiFailure::Network))?;
            ctx.emit("authenticated", &crate::api::js_value(&AuthResult::from(tokens)));
            Ok(false)
        }
    }
}

/// "Not now" on the hosted page: the edge asks again in 30 days; the transaction resumes.
pub async fn skip(ctx: WidgetCtx) -> Result<(), Failure> {
    let Mode::Hosted { tx } = &ctx.mode else {
        return Ok(());
    };
    let answer = post_js(&ctx.url("/u/passkey/skip"), body(&[("tx", tx)], None), true).await?;
    if let Some(r) = get(&answer, "redirect").as_string() {
        navigate(&r);
    }
    Ok(())
}

/// "Not now" to the embedded offer: the edge asks again in 30 days; the waiting tokens go to the
/// page whatever the edge answers (the offer is only an offer).
pub async fn skip_offered(ctx: WidgetCtx, tokens: TokenResponse) {
    if let Some(e) = &tokens.passkey_enrollment {
        let b = body(
            &[("client_id", &ctx.client_id), ("auth_session", &e.auth_session)],
            None,
        );
        let _ = crate::api::post_empty(&ctx.url("/passkey/enrollment/skip"), b).await;
    }
    crate::flow::authenticated(&ctx, tokens);
}

/// One of the signed-in user's passkeys (My Account API).
#[derive(Debug, Clone, PartialEq)]
pub struct MyPasskey {
    /// `passkey|<credential id>`.
    pub id: String,
    /// Its name (`Passkey`, `Security key`).
    pub name: String,
    /// When it was added (ISO 8601).
    pub created_at: String,
    /// When it last logged in (ISO 8601).
    pub last_used: Option<String>,
}

/// A change to the user's passkeys.
#[derive(Debug, Clone, PartialEq)]
pub enum MyChange {
    /// Add one (a ceremony).
    Add,
    /// Remove the one with this id.
    Remove(String),
}

const MY_METHODS: &str = "/me/v1/authentication-methods";

/// The hosted page's My Account API token, for its session.
pub async fn my_token(ctx: &WidgetCtx) -> Result<String, Failure> {
    let answer = post_js(
        &ctx.url("/u/passkeys/token"),
        body(&[("client_id", &ctx.client_id)], None),
        true,
    )
    .await?;
    get(&answer, "access_token")
        .as_string()
        .ok_or(Failure::Api(ApiFailure::Network))
}

/// The user's passkeys, oldest first.
pub async fn my_passkeys(ctx: &WidgetCtx, token: &str) -> Result<Vec<MyPasskey>, Failure> {
    let url = ctx.url(&format!("{MY_METHODS}?type=passkey"));
    let answer = bearer_js("GET", &url, token, None).await?.unwrap_or_default();
    let list: js_sys::Array = get(&answer, "authentication_methods")
        .dyn_into()
        .map_err(|_| Failure::Api(ApiFailure::Network))?;
    Ok(list
        .iter()
        .filter_map(|m| {
            Some(MyPasskey {
                id: get(&m, "id").as_string()?,
                name: get(&m, "name").as_string().unwrap_or_default(),
                created_at: get(&m, "created_at").as_string().unwrap_or_default(),
                last_used: get(&m, "last_auth_at").as_string(),
            })
        })
        .collect())
}

/// Adds a passkey (`POST …/authentication-methods`, the ceremony, `…/passkey|new/verify`) or
/// removes one.
pub async fn my_change(ctx: &WidgetCtx, token: &str, change: MyChange) -> Result<(), Failure> {
    let network = || Failure::Api(ApiFailure::Network);
    match change {
        MyChange::Remove(id) => {
            let url = ctx.url(&format!("{MY_METHODS}/{}", js_sys::encode_uri_component(&id)));
            bearer_js("DELETE", &url, token, None).await?;
        }
        MyChange::Add => {
            let started = bearer_js(
                "POST",
                &ctx.url(MY_METHODS),
                token,
                Some(body(&[("type", "passkey")], None)),
            )
            .await?
            .ok_or_else(network)?;
            let session = get(&started, "auth_session").as_string().ok_or_else(network)?;
            let credential = ceremony(true, &get(&started, "authn_params_public_key"), None, None).await?;
            let b = body(&[("auth_session", &session)], None);
            let _ = Reflect::set(&b, &"authn_response".into(), &credential);
            let url = ctx.url(&format!("{MY_METHODS}/passkey%7Cnew/verify"));
            bearer_js("POST", &url, token, Some(b)).await?;
        }
    }
    Ok(())
}

/// An `AbortController` and its signal, to end a pending autofill request before another ceremony.
pub fn abort_controller() -> Option<(JsValue, JsValue)> {
    let ctor: Function = get(&js_sys::global(), "AbortController").dyn_into().ok()?;
    let controller = Reflect::construct(&ctor, &js_sys::Array::new()).ok()?;
    let signal = get(&controller, "signal");
    Some((controller, signal))
}

/// Aborts a pending request.
pub fn abort(controller: &JsValue) {
    let _ = call(controller, "abort", &[]);
}

/// A security key or passkey as the hosted page's second factor: starts the ceremony for the
/// pending login (`enroll`: add one), runs it, and finishes the login. The new recovery code and
/// the way back when one was made (a first factor), else the browser is on its way.
pub async fn second_factor(
    ctx: WidgetCtx,
    mfa_token: String,
    enroll: bool,
    remember: bool,
) -> Result<Option<(String, String)>, Failure> {
    let Mode::Hosted { tx } = &ctx.mode else {
        return Err(Failure::Api(ApiFailure::Network));
    };
    let start = body(&[("tx", tx), ("mfa_token", &mfa_token)], None);
    let _ = Reflect::set(&start, &"enroll".into(), &enroll.into());
    let answer = post_js(&ctx.url("/u/mfa/webauthn"), start, false).await?;
    let session = get(&answer, "auth_session")
        .as_string()
        .ok_or(Failure::Api(ApiFailure::Network))?;
    let credential = ceremony(enroll, &get(&answer, "authn_params_public_key"), None, None).await?;
    let finish = body(
        &[("tx", tx), ("mfa_token", &mfa_token), ("auth_session", &session)],
        Some(&credential),
    );
    if remember {
        let _ = Reflect::set(&finish, &"remember_browser".into(), &true.into());
    }
    let done = post_js(&ctx.url("/u/mfa/verify"), finish, false).await?;
    let redirect = get(&done, "redirect").as_string().unwrap_or_default();
    if let Some(code) = get(&done, "recovery_code").as_string() {
        return Ok(Some((code, redirect)));
    }
    navigate(&redirect);
    Ok(None)
}
