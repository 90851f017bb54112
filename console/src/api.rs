//! The Management API, called with the signed-in operator's token (gloo-net). Errors come back in
//! the Management API's shape `{statusCode, error, message}` and are shown as they are.

use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde_json::Value;

use crate::auth;

/// What went wrong, in words for the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status (0: no answer).
    pub status: u16,
    /// The API's message.
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            0 => write!(f, "No answer from the server: {}", self.message),
            s => write!(f, "{} ({s})", self.message),
        }
    }
}

fn url(path: &str) -> String {
    format!("{}/api/v2/{path}", auth::origin())
}

fn authed(b: RequestBuilder) -> RequestBuilder {
    b.header(
        "authorization",
        &format!("Bearer {}", auth::token().unwrap_or_default()),
    )
}

fn network(e: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: 0,
        message: e.to_string(),
    }
}

async fn finish(req: Result<Request, gloo_net::Error>) -> Result<Value, ApiError> {
    let res = req.map_err(network)?.send().await.map_err(network)?;
    let status = res.status();
    let text = res.text().await.map_err(network)?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(body);
    }
    if status == 401 {
        // The token expired or the membership ended: sign in again.
        auth::sign_out();
    }
    let message = body["message"]
        .as_str()
        .or(body["error_description"].as_str())
        .or(body["error"].as_str())
        .unwrap_or("The request failed")
        .to_owned();
    Err(ApiError { status, message })
}

/// `GET /api/v2/{path}`.
pub async fn get(path: &str) -> Result<Value, ApiError> {
    finish(authed(Request::get(&url(path))).build()).await
}

/// `DELETE /api/v2/{path}`.
pub async fn delete(path: &str) -> Result<Value, ApiError> {
    finish(authed(Request::delete(&url(path))).build()).await
}

/// `POST` with a JSON body.
pub async fn post(path: &str, body: &impl Serialize) -> Result<Value, ApiError> {
    finish(authed(Request::post(&url(path))).json(body)).await
}

/// `PATCH` with a JSON body.
pub async fn patch(path: &str, body: &impl Serialize) -> Result<Value, ApiError> {
    finish(authed(Request::patch(&url(path))).json(body)).await
}

/// `POST` of a multipart form (imports).
pub async fn post_form(path: &str, form: web_sys::FormData) -> Result<Value, ApiError> {
    finish(authed(Request::post(&url(path))).body(form)).await
}

/// A query-string value, percent-encoded.
pub fn enc(v: &str) -> String {
    js_sys::encode_uri_component(v).into()
}

/// A string field of a JSON value ("" when absent).
pub fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or_default()
}
