//! Wire types shared by the widget and the edge, in Auth0's shapes.
//!
//! Two error styles coexist, as in Auth0: [`ApiError`] (`{name, code, description, statusCode}`) for
//! `/dbconnections/*`, and [`OAuthError`] (`{error, error_description}`) for `/oauth/token`,
//! `/userinfo` and `/authorize` redirects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod client_config;
mod mfa;
mod passkeys;
mod passwordless;

pub use client_config::*;
pub use mfa::*;
pub use passkeys::*;
pub use passwordless::*;

/// The error codes (`code` / `error`) the edge returns and the widget translates: one type, one
/// spelling on the wire (the widget's messages are one table keyed by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed or incomplete request.
    InvalidRequest,
    /// A body that is not what the endpoint accepts (content type or JSON).
    InvalidBody,
    /// Body larger than the limit.
    PayloadTooLarge,
    /// Password refused by the policy, dictionary, personal-info or history check.
    InvalidPassword,
    /// Generic sign-up refusal (also the anti-enumeration answer for an existing user).
    InvalidSignup,
    /// Existing user, only when the tenant opts in.
    UserExists,
    /// Existing username, only when the tenant opts in.
    UsernameExists,
    /// Sign-ups are disabled on the connection.
    #[serde(rename = "operation_not_allowed")]
    SignupDisabled,
    /// A pre-registration hook refused the sign-up; the description is its message for the person.
    HookError,
    /// Unknown connection.
    ConnectionNotFound,
    /// Unknown or unusable client.
    InvalidClient,
    /// Too many attempts for one identifier (brute-force protection).
    TooManyAttempts,
    /// Rate limited.
    TooManyRequests,
    /// Route not found.
    NotFound,
    /// Method not allowed on a route.
    MethodNotAllowed,
    /// Internal error; details are logged, never returned.
    ServerError,
    /// Wrong credentials (or an unusable code or refresh token) on `/oauth/token`.
    InvalidGrant,
    /// Wrong credentials on `/co/authenticate`, or a refusal by policy.
    AccessDenied,
    /// A blocked user.
    Unauthorized,
    /// The client may not use the grant.
    UnauthorizedClient,
    /// A legacy store or identity provider cannot be reached.
    TemporarilyUnavailable,
    /// A one-time link that is unknown, used or expired.
    InvalidTicket,
    /// A bearer token was refused.
    InvalidToken,
    /// Lock's name for wrong credentials.
    InvalidUserPassword,
    /// The first factor held; a second is needed (the answer carries an `mfa_token`).
    MfaRequired,
    /// An `mfa_token` that was used, voided or is too old.
    ExpiredToken,
    /// A code this version does not know.
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The code as it travels.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidBody => "invalid_body",
            Self::PayloadTooLarge => "payload_too_large",
            Self::InvalidPassword => "invalid_password",
            Self::InvalidSignup => "invalid_signup",
            Self::UserExists => "user_exists",
            Self::UsernameExists => "username_exists",
            Self::SignupDisabled => "operation_not_allowed",
            Self::HookError => "hook_error",
            Self::ConnectionNotFound => "connection_not_found",
            Self::InvalidClient => "invalid_client",
            Self::TooManyAttempts => "too_many_attempts",
            Self::TooManyRequests => "too_many_requests",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::ServerError => "server_error",
            Self::InvalidGrant => "invalid_grant",
            Self::AccessDenied => "access_denied",
            Self::Unauthorized => "unauthorized",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::InvalidTicket => "invalid_ticket",
            Self::InvalidToken => "invalid_token",
            Self::InvalidUserPassword => "invalid_user_password",
            Self::MfaRequired => "mfa_required",
            Self::ExpiredToken => "expired_token",
            Self::Other => "other",
        }
    }
}

/// The codes as strings, for the edge's error table.
pub mod codes {
    use super::ErrorCode;

    /// Malformed or incomplete request.
    pub const INVALID_REQUEST: &str = ErrorCode::InvalidRequest.as_str();
    /// A body that is not what the endpoint accepts (content type or JSON).
    pub const INVALID_BODY: &str = ErrorCode::InvalidBody.as_str();
    /// Body larger than the limit.
    pub const PAYLOAD_TOO_LARGE: &str = ErrorCode::PayloadTooLarge.as_str();
    /// Password refused by the policy, dictionary, personal-info or history check.
    pub const INVALID_PASSWORD: &str = ErrorCode::InvalidPassword.as_str();
    /// Generic sign-up refusal (also the anti-enumeration answer for an existing user).
    pub const INVALID_SIGNUP: &str = ErrorCode::InvalidSignup.as_str();
    /// Existing user, only when the tenant opts in.
    pub const USER_EXISTS: &str = ErrorCode::UserExists.as_str();
    /// Existing username, only when the tenant opts in.
    pub const USERNAME_EXISTS: &str = ErrorCode::UsernameExists.as_str();
    /// Sign-ups are disabled on the connection.
    pub const SIGNUP_DISABLED: &str = ErrorCode::SignupDisabled.as_str();
    /// A pre-registration hook refused the sign-up (its message is the description).
    pub const HOOK_ERROR: &str = ErrorCode::HookError.as_str();
    /// Unknown connection.
    pub const CONNECTION_NOT_FOUND: &str = ErrorCode::ConnectionNotFound.as_str();
    /// Unknown or unusable client.
    pub const INVALID_CLIENT: &str = ErrorCode::InvalidClient.as_str();
    /// Too many attempts for one identifier (brute-force protection).
    pub const TOO_MANY_ATTEMPTS: &str = ErrorCode::TooManyAttempts.as_str();
    /// Rate limited.
    pub const TOO_MANY_REQUESTS: &str = ErrorCode::TooManyRequests.as_str();
    /// Route not found.
    pub const NOT_FOUND: &str = ErrorCode::NotFound.as_str();
    /// Method not allowed on a route.
    pub const METHOD_NOT_ALLOWED: &str = ErrorCode::MethodNotAllowed.as_str();
    /// Internal error; details are logged, never returned.
    pub const SERVER_ERROR: &str = ErrorCode::ServerError.as_str();
    /// Wrong credentials on `/oauth/token`.
    pub const INVALID_GRANT: &str = ErrorCode::InvalidGrant.as_str();
}

/// Either error shape, as a client reads it: `code`/`name`/`description` (Auth0's legacy shape)
/// or `error`/`error_description` (OAuth's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Error class of the legacy shape (`PasswordStrengthError`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Code of the legacy shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// Description of the legacy shape: its text (the rule tree of `PasswordStrengthError` reads
    /// as no text; the `name` says which rule failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<DescriptionText>,
    /// Code of the OAuth shape (or the `type` of the My Account API's problem details).
    #[serde(default, alias = "type", skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorCode>,
    /// Description of the OAuth shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// With `mfa_required`: the token for the MFA API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
}

impl ErrorBody {
    /// The code, whichever shape carried it.
    pub fn code(&self) -> Option<ErrorCode> {
        self.code.or(self.error)
    }

    /// The description as text, whichever shape carried it.
    pub fn description_text(&self) -> String {
        match (&self.error_description, &self.description) {
            (Some(d), _) => d.clone(),
            (None, Some(DescriptionText(d))) => d.clone(),
            _ => String::new(),
        }
    }
}

/// A legacy-shape `description` as a client reads it: text, or empty text for any other shape
/// (the rule tree), skipped without building it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DescriptionText(pub String);

impl<'de> Deserialize<'de> for DescriptionText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> serde::de::Visitor<'de> for Text {
            type Value = DescriptionText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a description")
            }
            fn visit_str<E>(self, v: &str) -> Result<DescriptionText, E> {
                Ok(DescriptionText(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DescriptionText, A::Error> {
                serde::de::IgnoredAny.visit_map(map).map(|_| DescriptionText::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<DescriptionText, A::Error> {
                serde::de::IgnoredAny.visit_seq(seq).map(|_| DescriptionText::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<DescriptionText, E> {
                Ok(DescriptionText::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<DescriptionText, E> {
                Ok(DescriptionText::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<DescriptionText, E> {
                Ok(DescriptionText::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<DescriptionText, E> {
                Ok(DescriptionText::default())
            }
            fn visit_unit<E>(self) -> Result<DescriptionText, E> {
                Ok(DescriptionText::default())
            }
        }
        d.deserialize_any(Text)
    }
}

/// Auth0's "legacy API" error body, used by `/dbconnections/*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// Error class (`BadRequestError`, `PasswordStrengthError`, ...).
    pub name: String,
    /// Stable code (see [`codes`]).
    pub code: String,
    /// Human-readable text, or the rule tree for `PasswordStrengthError`.
    pub description: Value,
    /// Short message (`Password is too weak`), present on password errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The policy as markdown bullets, present on `PasswordStrengthError`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// HTTP status code.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
}

impl ApiError {
    /// A `BadRequestError`-style body with a string description.
    pub fn new(name: &str, code: &str, description: &str, status_code: u16) -> Self {
        Self {
            name: name.to_owned(),
            code: code.to_owned(),
            description: Value::String(description.to_owned()),
            message: None,
            policy: None,
            status_code,
        }
    }

    /// The description as text (the rule tree gives the `message` instead).
    pub fn description_text(&self) -> String {
        match &self.description {
            Value::String(s) => s.clone(),
            _ => self.message.clone().unwrap_or_default(),
        }
    }
}

/// OAuth 2.0 error body, used by `/oauth/token` and friends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// Error code.
    pub error: String,
    /// Human-readable description.
    pub error_description: String,
    /// With `mfa_required`: the token for the MFA API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
}

/// `POST /dbconnections/signup` body. Every field is optional here so that a missing one gets our
/// own error body rather than a deserializer message; unknown fields (auth0-js passes extra keys
/// through) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignupRequest {
    /// Application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Database connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Username, when the connection requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Up to 10 string properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Map<String, Value>>,
}

/// `POST /dbconnections/signup` success body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignupResponse {
    /// User id without the `auth0|` prefix.
    #[serde(rename = "_id")]
    pub id: String,
    /// Email address (normalised).
    pub email: String,
    /// Always false right after sign-up.
    pub email_verified: bool,
    /// Username, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Metadata as stored: sign-up takes string properties only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<std::collections::BTreeMap<String, String>>,
}

/// `POST /oauth/token` body (JSON or form-encoded). Every field is optional so that a missing one
/// gets the endpoint's own error; unknown fields are ignored, as Auth0's SDKs send extras.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Grant type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
    /// Client id (or from HTTP Basic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Client secret (or from HTTP Basic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Email or username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Connection name (password-realm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Requested scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// API identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Authorization code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// PKCE verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
    /// Redirect URI of the code request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// A one-time code (passwordless `otp` grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
    /// The webauthn grant: the ceremony's handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session: Option<String>,
    /// The webauthn grant: the credential (an object, or its JSON text in a form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authn_response: Option<serde_json::Value>,
    /// The MFA grants: the `mfa_token` of the `mfa_required` answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// The `mfa-oob` grant: the challenge's `oob_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// The `mfa-oob` grant: the code the user read in the email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_code: Option<String>,
    /// The `mfa-recovery-code` grant: a recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// Tollgate's extension, sent by the embedded widget with a password grant: offer to add a
    /// passkey when the account has none (the answer's `passkey_enrollment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_offer: Option<bool>,
}

/// Every scope of the Management API (`{issuer}api/v2/`): what the edge grants by role and the
/// console asks for.
pub const MANAGEMENT_SCOPES: [&str; 38] = [
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "read:connections",
    "create:connections",
    "update:connections",
    "delete:connections",
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "update:client_keys",
    "read:client_grants",
    "create:client_grants",
    "update:client_grants",
    "delete:client_grants",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "read:stats",
    "create:user_tickets",
    "read:anomaly_blocks",
    "delete:anomaly_blocks",
    "read:guardian_factors",
    "update:guardian_factors",
    "read:mfa_policies",
    "update:mfa_policies",
    "delete:guardian_enrollments",
    "read:logs",
    "read:log_streams",
    "create:log_streams",
    "update:log_streams",
    "delete:log_streams",
    "read:hooks",
    "create:hooks",
    "update:hooks",
    "delete:hooks",
];

/// The password-realm grant type.
pub const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

/// What `/oauth/token` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// Access token (JWT).
    pub access_token: String,
    /// ID token, when `openid` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Refresh token, when `offline_access` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Granted scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Access token lifetime in seconds.
    pub expires_in: i64,
    /// Always `Bearer`.
    pub token_type: String,
    /// The `mfa-recovery-code` grant: the new recovery code (the used one is void).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// Tollgate's extension, with `passkey_offer`: a started enrolment of a passkey for the user
    /// who just logged in (finish with `POST /passkey/enrollment/verify`, decline with
    /// `/passkey/enrollment/skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_enrollment: Option<PasskeyStarted>,
}

/// `POST /dbconnections/change_password` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
}

/// `POST /co/authenticate` body (embedded, cross-origin login).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoAuthenticateRequest {
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Email or username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// `http://auth0.com/oauth/grant-type/password-realm` or `…/passwordless/otp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    /// The one-time code (passwordless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
}

/// `/co/authenticate` answer: the ticket for `/authorize?login_ticket=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoAuthenticateResponse {
    /// Single use, bound to this browser.
    pub login_ticket: String,
    /// Auth0's verification value (kept for compatibility).
    pub co_verifier: String,
    /// Auth0's verification id (kept for compatibility).
    pub co_id: String,
}

/// `POST /u/login` body: the hosted page's login for its transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniversalLoginRequest {
    /// Authorization transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
    /// Email or username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
}

/// Where the browser goes next (`/u/login`'s answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// URL that finishes the authorization.
    pub redirect: String,
    /// After a password login on the hosted page: offer to add a passkey first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enroll_passkey: bool,
    /// The tenant asks for a second factor: no redirect yet (`redirect` is empty), the MFA step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<MfaStep>,
    /// After a recovery code: the new one, to show once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// `GET /lo/reset/info?ticket=`: whose password, under which policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetInfo {
    /// The account's email.
    pub email: String,
    /// Its connection as the checklist needs it.
    pub connection: DbConnectionInfo,
}

/// `POST /lo/reset` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetRequest {
    /// The ticket from the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The new password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `/lo/reset` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetDone {
    /// Always true.
    pub ok: bool,
    /// The account's email.
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn api_error_uses_status_code_camel_case() {
        let e = ApiError::new("BadRequestError", codes::INVALID_SIGNUP, "Invalid sign up", 400);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"name":"BadRequestError","code":"invalid_signup","description":"Invalid sign up","statusCode":400})
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn signup_response_uses_underscore_id() {
        let r = SignupResponse {
            id: "abc".into(),
            email: "a@b.co".into(),
            email_verified: false,
            username: None,
            given_name: None,
            family_name: None,
            name: None,
            nickname: None,
            picture: None,
            user_metadata: None,
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"_id":"abc","email":"a@b.co","email_verified":false})
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn client_config_round_trips_lock_shape() {
        let json = serde_json::json!({"id":"c","tenant":"t","subscription":"free","strategies":[{"name":"auth0","connections":[
            {"name":"DB","passwordPolicy":"good","password_complexity_options":{"min_length":10},"showSignup":true,"showForgot":false,"requires_username":true,"validation":{"username":{"min":3,"max":20}}}]}]});
        let cfg: ClientConfig = serde_json::from_value(json).unwrap();
        let db = cfg.database(None).unwrap();
        assert_eq!(db.policy().min_length(), 10);
        assert_eq!(db.username_rules().max, 20);
        assert!(!db.show_forgot);
        assert!(cfg.database(Some("nope")).is_none());
    }
}
