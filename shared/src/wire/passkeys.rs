//! Passkeys: Auth0's native passkey API, the embedded offer's answer, the hosted page's steps.

use serde::{Deserialize, Serialize};

/// The webauthn grant (Auth0's native passkey API).
pub const WEBAUTHN_GRANT: &str = "urn:okta:params:oauth:grant-type:webauthn";

/// `POST /passkey/register` (Auth0's native passkey API): a sign-up with a passkey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyRegisterRequest {
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The database connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// `{email, name?, username?}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_profile: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /passkey/enrollment/verify` (the credential in `authn_response`) and
/// `POST /passkey/enrollment/skip`: the answer to a token response's `passkey_enrollment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyEnrollmentRequest {
    /// The application the login was for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The enrolment's handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session: Option<String>,
    /// The new credential (`PublicKeyCredential.toJSON()`); verify only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authn_response: Option<serde_json::Value>,
}

/// `POST /passkey/challenge`: a login with a passkey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyChallengeRequest {
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The database connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
}

/// What `/passkey/register` and `/passkey/challenge` answer: the handle and the WebAuthn options
/// (the JSON form `PublicKeyCredential.parseCreationOptionsFromJSON` / `…RequestOptionsFromJSON` read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasskeyStarted {
    /// The ceremony's handle.
    pub auth_session: String,
    /// The options.
    pub authn_params_public_key: serde_json::Value,
}

/// The hosted page's passkey steps for transaction `tx`: `POST /u/passkey/start` (`purpose`
/// `register`, `login` or `enroll`; `email`/`username` for `register`), `POST /u/passkey/finish`
/// (`auth_session`, `credential`), `POST /u/passkey/skip`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedPasskeyRequest {
    /// The login transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
    /// `register`, `login` or `enroll`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Registration: the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Registration: the username where the connection needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Finish: the handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session: Option<String>,
    /// Finish: `PublicKeyCredential.toJSON()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<serde_json::Value>,
}
