//! Passwordless by email: the start request and answer, the hosted page's steps, the otp grant's name.

use serde::{Deserialize, Serialize};

/// The passwordless grant (`/oauth/token`, `/co/authenticate`'s `credential_type`).
pub const PASSWORDLESS_OTP: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

/// Whether a passwordless message carries a code to type or a link to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PasswordlessSend {
    /// A one-time code.
    Code,
    /// A magic link.
    Link,
}

impl PasswordlessSend {
    /// Auth0's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Link => "link",
        }
    }
}

/// `POST /passwordless/start` (Auth0's body; `authParams` are the authorization request a magic
/// link completes: `redirect_uri`, `response_type`, `scope`, `state`, `nonce`, PKCE…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordlessStartRequest {
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Where the code or link goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `code` (default) or `link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<PasswordlessSend>,
    /// The authorization request a link completes.
    #[serde(default, rename = "authParams", skip_serializing_if = "Option::is_none")]
    pub auth_params: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /passwordless/start` answer: the same for every address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordlessStartResponse {
    /// An id of this request (not of a user).
    #[serde(rename = "_id")]
    pub id: String,
    /// The address, normalised.
    pub email: String,
    /// Always `false` here: nothing is said about the address.
    pub email_verified: bool,
}

/// The hosted page's passwordless steps: `POST /u/passwordless/start` (`otp` absent) and
/// `POST /u/passwordless/verify` for the login transaction `tx`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedPasswordlessRequest {
    /// The login transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `code` or `link` (start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<PasswordlessSend>,
    /// The code typed (verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
}
