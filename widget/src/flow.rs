//! How a login continues after the credentials are accepted, per [`Mode`]: the hosted page
//! follows the server's redirect; an embedded widget either gets tokens in place (password-realm
//! grant) or goes through `/co/authenticate` and `/authorize` back to the application (Lock's
//! redirect mode). Also builds the `/authorize` URLs of the social buttons.

use crate::api::{post_json, post_json_with_cookies, ApiFailure};
use crate::context::{Mode, WidgetCtx};
use crate::json::Json;
use crate::obj;

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
    let mut has_scope = false;
    for (k, v) in &auth.params {
        has_scope |= k == "scope";
        params.push((k.clone(), v.clone()));
    }
    if !has_scope {
        params.push(("scope".into(), "openid profile email".into()));
    }
    for (k, v) in [
        ("audience", &auth.audience),
        ("state", &auth.state),
        ("nonce", &auth.nonce),
    ] {
        if let Some(v) = v {
            params.push((k.into(), v.clone()));
        }
    }
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

/// Lock's `authResult` from a token response.
fn auth_result(v: &Json) -> Json {
    let mut out = Vec::new();
    for (from, to) in [
        ("access_token", "accessToken"),
        ("id_token", "idToken"),
        ("refresh_token", "refreshToken"),
        ("expires_in", "expiresIn"),
        ("token_type", "tokenType"),
        ("scope", "scope"),
    ] {
        let x = v.get(from);
        if !x.is_null() {
            out.push((to.to_owned(), x.clone()));
        }
    }
    Json::Obj(out)
}

/// Logs in with `username`/`password` and continues as the mode says. `Ok(true)` means the
/// browser is leaving the page. Takes the context by value: it runs in a spawned task.
pub async fn log_in(ctx: WidgetCtx, username: String, password: String) -> Result<bool, ApiFailure> {
    let realm = ctx.connection.name.clone();
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let body = obj! {"tx" => tx, "username" => username, "password" => password, "connection" => realm};
            let v = post_json(&ctx.url("/u/login"), &body).await?;
            let url = v.get("redirect").as_str();
            if let Some(url) = url {
                navigate(url);
            }
            Ok(url.is_some())
        }
        Mode::Redirect => {
            let body = obj! {
                "client_id" => &ctx.client_id, "username" => username, "password" => password, "realm" => &realm,
                "credential_type" => "http://auth0.com/oauth/grant-type/password-realm",
            };
            let v = post_json_with_cookies(&ctx.url("/co/authenticate"), &body).await?;
            let ticket = v.get("login_ticket").as_str().unwrap_or_default();
            navigate(&authorize_url(&ctx, &[("realm", &realm), ("login_ticket", ticket)]));
            Ok(true)
        }
        Mode::Embedded => {
            let mut body = obj! {
                "grant_type" => "http://auth0.com/oauth/grant-type/password-realm",
                "client_id" => &ctx.client_id, "username" => username, "password" => password,
                "realm" => realm, "scope" => "openid profile email",
            };
            if let Some(a) = &ctx.opts.auth.audience {
                body.set("audience", a);
            }
            let v = post_json(&ctx.url("/oauth/token"), &body).await?;
            ctx.emit("authenticated", &auth_result(&v));
            Ok(false)
        }
    }
}

/// Lock's `authorization_error` payload.
pub fn authorization_error(f: &ApiFailure) -> Json {
    obj! {"error" => f.code(), "errorDescription" => f.description()}
}
