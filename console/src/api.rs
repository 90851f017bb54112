//! The Management API, called with the signed-in operator's token (gloo-net). Answers are read
//! into the types of `shared::management` (the ones the edge writes them from); errors come back
//! as its [`ManagementError`] body and their message is shown as it is.

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::management::errors::ManagementError;

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

/// No body to read (`204 No Content`), or one the caller has no use for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done;

impl<'de> serde::Deserialize<'de> for Done {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Done)
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

/// The answer's text, or the error to show. One future type for every call (boxed): only
/// [`decode`] is generic, so each answer type adds its serde code and nothing of the request's.
type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(u16, String), ApiError>>>>;

fn send(req: Result<Request, gloo_net::Error>) -> Answer {
    Box::pin(async move {
        let res = req.map_err(network)?.send().await.map_err(network)?;
        let status = res.status();
        let text = res.text().await.map_err(network)?;
        if (200..300).contains(&status) {
            return Ok((status, text));
        }
        if status == 401 {
            // The token expired or the membership ended: sign in again.
            auth::sign_out();
        }
        let message = serde_json::from_str::<ManagementError>(&text)
            .map(|e| e.message)
            .unwrap_or_else(|_| "The request failed".to_owned());
        Err(ApiError { status, message })
    })
}

/// A successful answer read into its type (an empty body, `204`, reads as JSON `null`).
fn decode<T: DeserializeOwned>((status, text): (u16, String)) -> Result<T, ApiError> {
    let json = if text.trim().is_empty() { "null" } else { &text };
    serde_json::from_str(json).map_err(|e| ApiError {
        status,
        message: format!("The answer was not understood: {e}"),
    })
}

/// `GET /api/v2/{path}`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send(authed(Request::get(&url(path))).build()).await?)
}

/// `DELETE /api/v2/{path}`.
pub async fn delete(path: &str) -> Result<Done, ApiError> {
    decode(send(authed(Request::delete(&url(path))).build()).await?)
}

/// `POST` with a JSON body.
pub async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(send(authed(Request::post(&url(path))).json(body)).await?)
}

/// `PATCH` with a JSON body.
pub async fn patch<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(send(authed(Request::patch(&url(path))).json(body)).await?)
}

/// `PUT` with a JSON body.
pub async fn put<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(send(authed(Request::put(&url(path))).json(body)).await?)
}

/// `POST` of a multipart form (imports).
pub async fn post_form<T: DeserializeOwned>(path: &str, form: web_sys::FormData) -> Result<T, ApiError> {
    decode(send(authed(Request::post(&url(path))).body(form)).await?)
}

/// A query-string value, percent-encoded.
pub fn enc(v: &str) -> String {
    js_sys::encode_uri_component(v).into()
}
