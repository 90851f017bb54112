//! Calls to the edge with `gloo-net`: JSON bodies written from, and answers read into, the shared
//! wire types with serde. The browser parses and writes the JSON text (`Response.json()`,
//! `JSON.stringify`); serde maps JS values to and from the wire types (`serde-wasm-bindgen`), so
//! the widget carries no JSON parser of its own.

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::wire::{ErrorBody, ErrorCode};
use wasm_bindgen::JsValue;
use web_sys::RequestCredentials;

/// A non-2xx answer or a network failure.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server answered with an error (its body read as either of Auth0's error shapes).
    Server {
        /// HTTP status.
        status: u16,
        /// The error body (empty when it was not JSON).
        body: ErrorBody,
    },
    /// No usable answer (offline, CORS, DNS, a 2xx body of the wrong shape).
    Network,
}

impl ApiFailure {
    /// The error code, when the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiFailure::Server { body, .. } => body.code(),
            ApiFailure::Network => None,
        }
    }

    /// The code as text for the page's events (`lock.network` without an answer, Lock's name).
    pub fn code_text(&self) -> &'static str {
        match (self, self.code()) {
            (ApiFailure::Network, _) => "lock.network",
            (_, Some(code)) => code.as_str(),
            (_, None) => "lock.fallback",
        }
    }

    /// The human-readable description, when the server sent one.
    pub fn description(&self) -> String {
        match self {
            ApiFailure::Server { body, .. } => body.description_text(),
            ApiFailure::Network => String::new(),
        }
    }

    /// The error `name` (`PasswordStrengthError`, …), when present.
    pub fn name(&self) -> Option<&str> {
        match self {
            ApiFailure::Server { body, .. } => body.name.as_deref(),
            ApiFailure::Network => None,
        }
    }
}

/// Sends `req`; a 2xx answer's JSON body as a JS value (none when it is not JSON), else the
/// failure.
async fn send(req: Result<Request, gloo_net::Error>) -> Result<Option<JsValue>, ApiFailure> {
    let res = req
        .map_err(|_| ApiFailure::Network)?
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    let (ok, status) = (res.ok(), res.status());
    let body = body(res.into()).await;
    if ok {
        return Ok(body);
    }
    let body = body.and_then(decode).unwrap_or_default();
    Err(ApiFailure::Server { status, body })
}

/// The answer's body parsed by the browser (`Response.json()`); none when it is not JSON.
async fn body(res: web_sys::Response) -> Option<JsValue> {
    let parsing = res.json().ok()?;
    wasm_bindgen_futures::JsFuture::from(parsing).await.ok()
}

/// `POST url` with `body` (a JS value) as JSON text, with the edge's cookies when `cookies`.
fn post(
    url: &str,
    body: Result<JsValue, serde_wasm_bindgen::Error>,
    cookies: bool,
) -> Result<Request, gloo_net::Error> {
    post_with(url, body, cookies, None)
}

/// [`post`] with a bearer token.
fn post_with(
    url: &str,
    body: Result<JsValue, serde_wasm_bindgen::Error>,
    cookies: bool,
    bearer: Option<&str>,
) -> Result<Request, gloo_net::Error> {
    let text = body
        .ok()
        .and_then(|b| js_sys::JSON::stringify(&b).ok())
        .ok_or_else(|| gloo_net::Error::GlooError("unserialisable body".into()))?;
    let req = Request::post(url).header("content-type", "application/json");
    let req = match bearer {
        Some(t) => req.header("authorization", &format!("Bearer {t}")),
        None => req,
    };
    // Cross-origin authentication binds its ticket to the edge's cookie.
    let req = if cookies {
        req.credentials(RequestCredentials::Include)
    } else {
        req
    };
    req.body(JsValue::from(text))
}

/// `value` as a plain JS value (objects for structs and maps, as `JSON.parse` would give).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, serde_wasm_bindgen::Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

/// `value` as a plain JS value for the page (null if it cannot be written).
pub fn js_value<T: Serialize + ?Sized>(value: &T) -> JsValue {
    to_js(value).unwrap_or(JsValue::NULL)
}

/// An answer's body (as `Response.json()` gives it) read as `T`.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

/// A 2xx answer's body as `T`; a missing or differently shaped body is no usable answer.
fn read<T: DeserializeOwned>(value: Option<JsValue>) -> Result<T, ApiFailure> {
    value.and_then(decode).ok_or(ApiFailure::Network)
}

/// `POST url` with `body` as JSON (with the edge's cookies when `cookies`); the answer read as `T`.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(url: &str, body: &B, cookies: bool) -> Result<T, ApiFailure> {
    read(send(post(url, to_js(body), cookies)).await?)
}

/// `POST url` with `body` as JSON and `Authorization: Bearer {bearer}`; the answer read as `T`.
pub async fn post_bearer<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
    bearer: &str,
) -> Result<T, ApiFailure> {
    read(send(post_with(url, to_js(body), false, Some(bearer))).await?)
}

/// `POST url` with a JS value as its JSON body (with the edge's cookies when `cookies`); the answer
/// as the browser parsed it.
pub async fn post_js(url: &str, body: JsValue, cookies: bool) -> Result<JsValue, ApiFailure> {
    send(post(url, Ok(body), cookies)).await?.ok_or(ApiFailure::Network)
}

/// `POST url` with a JS value as its JSON body, for an answer without one (`204`).
pub async fn post_empty(url: &str, body: JsValue) -> Result<(), ApiFailure> {
    send(post(url, Ok(body), false)).await.map(|_| ())
}

/// `POST url` with `body` as JSON, for an answer that says nothing more than its status.
pub async fn post_only<B: Serialize>(url: &str, body: &B) -> Result<(), ApiFailure> {
    // The body of a 2xx does not matter (`/dbconnections/change_password` answers with text).
    send(post(url, to_js(body), false)).await.map(|_| ())
}

/// `method` (`GET`, `POST`, `DELETE`) `url` with `Authorization: Bearer {bearer}` and a JSON `body`;
/// the answer as the browser parsed it (none for an empty one, as a `204`).
pub async fn bearer_js(
    method: &str,
    url: &str,
    bearer: &str,
    body: Option<JsValue>,
) -> Result<Option<JsValue>, ApiFailure> {
    let req = match method {
        "POST" => Request::post(url),
        "DELETE" => Request::delete(url),
        _ => Request::get(url),
    }
    .header("authorization", &format!("Bearer {bearer}"));
    let req = match body.and_then(|b| js_sys::JSON::stringify(&b).ok()) {
        Some(text) => req.header("content-type", "application/json").body(JsValue::from(text)),
        None => req.build(),
    };
    send(req).await
}

/// `GET url`; the answer read as `T`.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    read(send(Request::get(url).build()).await?)
}
