//! Calls to the edge with the browser's `fetch`, kept tiny to stay small.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use crate::json::Json;

/// A non-2xx answer or a network failure.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server answered with an error body.
    Server {
        /// HTTP status.
        status: u16,
        /// Parsed JSON body (the text as a string when it was not JSON).
        body: Json,
    },
    /// No answer (offline, CORS, DNS).
    Network,
}

impl ApiFailure {
    /// The Auth0 error code of the body (`code` or `error`), or `network`.
    pub fn code(&self) -> String {
        match self {
            ApiFailure::Server { body, .. } => body
                .str("code")
                .or_else(|| body.str("error"))
                .unwrap_or_else(|| "lock.fallback".to_owned()),
            ApiFailure::Network => "lock.network".to_owned(),
        }
    }

    /// The human-readable description of the error, when the server sent one.
    pub fn description(&self) -> String {
        match self {
            ApiFailure::Server { body, .. } => body
                .str("error_description")
                .or_else(|| body.str("description"))
                .unwrap_or_default(),
            ApiFailure::Network => String::new(),
        }
    }

    /// The error `name` (`PasswordStrengthError`, ...), when present.
    pub fn name(&self) -> Option<String> {
        match self {
            ApiFailure::Server { body, .. } => body.str("name"),
            ApiFailure::Network => None,
        }
    }
}

fn js_err(_: JsValue) -> ApiFailure {
    ApiFailure::Network
}

async fn send(method: &str, url: &str, body: Option<String>, cookies: bool) -> Result<(u16, Json), ApiFailure> {
    let window = web_sys::window().ok_or(ApiFailure::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    if cookies {
        init.set_credentials(web_sys::RequestCredentials::Include);
    }
    if let Some(b) = body {
        let headers = web_sys::Headers::new().map_err(js_err)?;
        headers.set("content-type", "application/json").map_err(js_err)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&b));
    }
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(js_err)?
        .dyn_into()
        .map_err(js_err)?;
    let status = resp.status();
    let text = JsFuture::from(resp.text().map_err(js_err)?).await.map_err(js_err)?;
    let text = text.as_string().unwrap_or_default();
    let json = Json::parse(&text).unwrap_or(Json::Str(text));
    if (200..300).contains(&status) {
        Ok((status, json))
    } else {
        Err(ApiFailure::Server { status, body: json })
    }
}

/// `POST url` with a JSON body; the parsed answer on 2xx.
pub async fn post_json(url: &str, body: &Json) -> Result<Json, ApiFailure> {
    send("POST", url, Some(body.stringify()), false).await.map(|(_, v)| v)
}

/// `POST url` with a JSON body and the edge's cookies (cross-origin authentication sets the
/// session cookie the following `/authorize` reads).
pub async fn post_json_with_cookies(url: &str, body: &Json) -> Result<Json, ApiFailure> {
    send("POST", url, Some(body.stringify()), true).await.map(|(_, v)| v)
}

/// `GET url`; the parsed answer on 2xx.
pub async fn get_json(url: &str) -> Result<Json, ApiFailure> {
    send("GET", url, None, false).await.map(|(_, v)| v)
}
