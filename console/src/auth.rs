//! Signing in to the console: authorization code with PKCE (S256) against this Worker's
//! `/authorize`, for the Management API audience, through the hosted login page of the admins'
//! connection. The access token lives in `sessionStorage` (this tab only) until it expires or the
//! operator signs out; the PKCE verifier and `state` live there only between the redirect and the
//! exchange.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The console's client id (`core::admins::CONSOLE_CLIENT_ID`).
pub const CLIENT_ID: &str = "tollgate-console";
const TOKEN_KEY: &str = "tg_console_token";
const PKCE_KEY: &str = "tg_console_pkce";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// This Worker's origin (`https://tenant.example`).
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Where the console lives and the hosted page sends the operator back to.
pub fn redirect_uri() -> String {
    format!("{}/admin/", origin())
}

/// The Management API audience.
pub fn audience() -> String {
    format!("{}/api/v2/", origin())
}

fn random_b64(n: usize) -> Option<String> {
    let mut bytes = vec![0u8; n];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

async fn sha256_b64(text: &str) -> Option<String> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let data = js_sys::Uint8Array::from(text.as_bytes());
    let digest = JsFuture::from(subtle.digest_with_str_and_buffer_source("SHA-256", &data).ok()?)
        .await
        .ok()?;
    Some(URL_SAFE_NO_PAD.encode(js_sys::Uint8Array::new(&digest).to_vec()))
}

/// Sends the browser to the hosted login page (code + PKCE).
pub async fn sign_in() {
    let (Some(verifier), Some(state), Some(store)) = (random_b64(32), random_b64(16), storage()) else {
        return;
    };
    let Some(challenge) = sha256_b64(&verifier).await else {
        return;
    };
    let _ = store.set_item(PKCE_KEY, &format!("{state} {verifier}"));
    // Every tenant scope, and the owner-only ones (members): the edge keeps what the role holds.
    let scope = format!(
        "openid profile email {} {}",
        shared::wire::MANAGEMENT_SCOPES.join(" "),
        shared::management::members::OWNER_SCOPES.join(" ")
    );
    let params = [
        ("client_id", CLIENT_ID.to_owned()),
        ("response_type", "code".to_owned()),
        ("redirect_uri", redirect_uri()),
        ("audience", audience()),
        ("scope", scope),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256".to_owned()),
    ];
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
        .collect();
    if let Some(w) = web_sys::window() {
        let _ = w
            .location()
            .set_href(&format!("{}/authorize?{}", origin(), query.join("&")));
    }
}

/// Forgets the token and ends the server session (`/v2/logout`, back to the console's sign-in
/// page): the next person at this browser is asked for a password, not signed in by a cookie.
pub fn sign_out() {
    if let Some(s) = storage() {
        let _ = s.remove_item(TOKEN_KEY);
    }
    let query = format!(
        "client_id={}&returnTo={}",
        CLIENT_ID,
        String::from(js_sys::encode_uri_component(&redirect_uri()))
    );
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(&format!("{}/v2/logout?{query}", origin()));
    }
}

/// What the sign-in page says for an `error` the hosted page sent back. A fixed text per code:
/// the `error_description` of the URL is never shown, since anyone can put words in a link.
pub fn refusal_text(error: &str) -> &'static str {
    match error {
        "access_denied" => "this account is not a member of this tenant, or it may not use the console.",
        "login_required" => "the sign-in was not completed. Please sign in again.",
        "unauthorized" => "this account is blocked.",
        "invalid_request" | "unsupported_response_type" | "unauthorized_client" => {
            "the sign-in request was not accepted. Please sign in again."
        }
        _ => "the sign-in did not complete. Please try again.",
    }
}

/// The stored access token, if it has not expired.
pub fn token() -> Option<String> {
    let stored = storage()?.get_item(TOKEN_KEY).ok()??;
    let (expires, token) = stored.split_once(' ')?;
    let expires: f64 = expires.parse().ok()?;
    (js_sys::Date::now() < expires).then(|| token.to_owned())
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<f64>,
    error_description: Option<String>,
    error: Option<String>,
}

/// Back from the hosted page with `?code=&state=`: exchanges the code. `Err` carries what to tell
/// the operator (a refusal: the account is not a member of this tenant).
pub async fn finish_sign_in() -> Result<bool, String> {
    let Some(window) = web_sys::window() else {
        return Ok(false);
    };
    let search = window.location().search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).map_err(|_| String::new())?;
    if let Some(error) = params.get("error") {
        clean_url();
        return Err(refusal_text(&error).to_owned());
    }
    let (Some(code), Some(state)) = (params.get("code"), params.get("state")) else {
        return Ok(false);
    };
    clean_url();
    let store = storage().ok_or("No session storage")?;
    let pkce = store.get_item(PKCE_KEY).ok().flatten().unwrap_or_default();
    let _ = store.remove_item(PKCE_KEY);
    let (expected, verifier) = pkce.split_once(' ').ok_or("The sign-in was not started here")?;
    if expected != state {
        return Err("The sign-in answer does not match the request (state)".into());
    }
    let body = shared::wire::TokenRequest {
        grant_type: Some("authorization_code".into()),
        client_id: Some(CLIENT_ID.into()),
        code: Some(code),
        code_verifier: Some(verifier.into()),
        redirect_uri: Some(redirect_uri()),
        ..shared::wire::TokenRequest::default()
    };
    let answer: TokenAnswer = gloo_net::http::Request::post(&format!("{}/oauth/token", origin()))
        .json(&body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    match (answer.access_token, answer.expires_in) {
        (Some(t), Some(s)) => {
            let expires = js_sys::Date::now() + s * 1000.0;
            let _ = store.set_item(TOKEN_KEY, &format!("{expires} {t}"));
            Ok(true)
        }
        _ => Err(answer
            .error_description
            .or(answer.error)
            .unwrap_or_else(|| "The sign-in failed".into())),
    }
}

fn clean_url() {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&redirect_uri()));
    }
}

/// The file input's first file.
pub fn first_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    ev.target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?
        .files()?
        .get(0)
}
