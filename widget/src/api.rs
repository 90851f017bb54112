//! Calls to the edge with `gloo-net`: JSON bodies written from, and answers read into, the shared
//! wire types with serde.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::wire::{ErrorBody, ErrorCode};
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

async fn send(req: Result<Request, gloo_net::Error>) -> Result<Response, ApiFailure> {
    let res = req
        .map_err(|_| ApiFailure::Network)?
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    if res.ok() {
        return Ok(res);
    }
    let status = res.status();
    let body = res.json::<ErrorBody>().await.unwrap_or_default();
    Err(ApiFailure::Server { status, body })
}

fn post(url: &str, cookies: bool) -> RequestBuilder {
    let req = Request::post(url);
    if cookies {
        // Cross-origin authentication binds its ticket to the edge's cookie.
        req.credentials(RequestCredentials::Include)
    } else {
        req
    }
}

/// `POST url` with `body` as JSON (with the edge's cookies when `cookies`); the answer read as `T`.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(url: &str, body: &B, cookies: bool) -> Result<T, ApiFailure> {
    let res = send(post(url, cookies).json(body)).await?;
    res.json::<T>().await.map_err(|_| ApiFailure::Network)
}

/// `POST url` with `body` as JSON, for an answer that says nothing more than its status.
pub async fn post_only<B: Serialize>(url: &str, body: &B) -> Result<(), ApiFailure> {
    send(post(url, false).json(body)).await.map(|_| ())
}

/// `GET url`; the answer read as `T`.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    let res = send(Request::get(url).build()).await?;
    res.json::<T>().await.map_err(|_| ApiFailure::Network)
}
