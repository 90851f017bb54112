//! How `/authorize` answers: the response type and mode a request asked for, and the outcome —
//! a page, a redirect, or tokens and codes delivered by query, fragment, form post or web message.

use crate::core::oauth::authorize::AuthorizeRequest;
use serde::{Deserialize, Serialize};

/// What `/authorize` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseType {
    /// Authorization code.
    Code,
    /// Access token in the fragment.
    Token,
    /// ID token in the fragment.
    IdToken,
    /// Both.
    IdTokenToken,
}

impl ResponseType {
    pub(super) fn parse(s: &str) -> Option<Self> {
        let mut parts: Vec<&str> = s.split_whitespace().collect();
        parts.sort_unstable();
        match parts.as_slice() {
            ["code"] => Some(Self::Code),
            ["token"] => Some(Self::Token),
            ["id_token"] => Some(Self::IdToken),
            ["id_token", "token"] => Some(Self::IdTokenToken),
            _ => None,
        }
    }
}

/// How the response travels back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// `?code=..&state=..`
    Query,
    /// `#access_token=..`
    Fragment,
    /// An auto-submitted POST form.
    FormPost,
    /// `postMessage({type: "authorization_response", response})` to the redirect URI's origin.
    WebMessage,
}

impl ResponseMode {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "query" => Some(Self::Query),
            "fragment" => Some(Self::Fragment),
            "form_post" => Some(Self::FormPost),
            "web_message" => Some(Self::WebMessage),
            _ => None,
        }
    }
}

/// An authorization response ready to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The validated redirect URI.
    pub redirect_uri: String,
    /// How.
    pub mode: ResponseMode,
    /// The response parameters (code/tokens or error, and state).
    pub params: Vec<(String, String)>,
}

/// What the browser gets from `/authorize`.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Send a response to the client's redirect URI.
    Deliver(Delivery),
    /// Show the hosted login page for a stored transaction.
    LoginPage {
        /// Transaction id.
        tx: String,
        /// The request (for the page's options).
        request: Box<AuthorizeRequest>,
        /// A second factor the page asks first: the browser's session (or the provider login it
        /// just made) passed only the first factor and the tenant asks for a second.
        mfa: Option<Box<shared::wire::MfaStep>>,
    },
    /// Send the browser to an identity provider (a federated connection).
    Redirect(String),
    /// Show an error page: the redirect URI cannot be trusted.
    ErrorPage {
        /// Error code.
        error: String,
        /// Description.
        description: String,
    },
}

/// The outcome plus a session cookie value to set, when a session was created.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizeResult {
    /// What to send.
    pub outcome: Outcome,
    /// New session cookie value.
    pub new_session: Option<String>,
}

/// An error page (the redirect URI cannot be trusted, or is unknown).
pub(crate) fn page_error(error: &str, description: &str) -> Outcome {
    Outcome::ErrorPage {
        error: error.into(),
        description: description.into(),
    }
}

/// An error for the application, delivered to its redirect URI.
pub(crate) fn error_delivery(req: &AuthorizeRequest, error: &str, description: &str) -> Outcome {
    let mut params = vec![
        ("error".to_owned(), error.to_owned()),
        ("error_description".to_owned(), description.to_owned()),
    ];
    if let Some(s) = &req.state {
        params.push(("state".into(), s.clone()));
    }
    Outcome::Deliver(Delivery {
        redirect_uri: req.redirect_uri.clone(),
        mode: req.response_mode,
        params,
    })
}
