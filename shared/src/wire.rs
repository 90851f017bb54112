//! Wire types shared by the widget and the edge, in Auth0's shapes.
//!
//! Two error styles coexist, as in Auth0: [`ApiError`] (`{name, code, description, statusCode}`) for
//! `/dbconnections/*`, and [`OAuthError`] (`{error, error_description}`) for `/oauth/token`,
//! `/userinfo` and `/authorize` redirects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::password::{PasswordPolicy, PolicyLevel};
use crate::username::UsernameRules;

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

/// `password_complexity_options` of a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplexityOptions {
    /// Overrides the level's minimum length (1–72).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
}

/// `validation` of a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// Username length bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<UsernameRules>,
}

/// A database connection as Lock reads it from the client configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbConnectionInfo {
    /// Connection name.
    pub name: String,
    /// Password strength level (absent on social connections).
    #[serde(rename = "passwordPolicy", default)]
    pub password_policy: PolicyLevel,
    /// Minimum-length override.
    #[serde(default)]
    pub password_complexity_options: ComplexityOptions,
    /// Whether the sign-up screen is offered.
    #[serde(rename = "showSignup", default = "yes")]
    pub show_signup: bool,
    /// Whether the forgot-password screen is offered.
    #[serde(rename = "showForgot", default = "yes")]
    pub show_forgot: bool,
    /// Whether sign-up needs a username.
    #[serde(default)]
    pub requires_username: bool,
    /// Username bounds.
    #[serde(default)]
    pub validation: Validation,
    /// Passkeys are on (`authentication_methods.passkey.enabled`): the passkey buttons show.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub passkey: bool,
}

fn yes() -> bool {
    true
}

impl DbConnectionInfo {
    /// An entry with only defaults (a federated connection in the client configuration).
    pub fn named() -> Self {
        Self {
            name: String::new(),
            password_policy: PolicyLevel::default(),
            password_complexity_options: ComplexityOptions::default(),
            show_signup: true,
            show_forgot: true,
            requires_username: false,
            validation: Validation::default(),
            passkey: false,
        }
    }

    /// The connection's password policy.
    pub fn policy(&self) -> PasswordPolicy {
        PasswordPolicy::new(self.password_policy, self.password_complexity_options.min_length)
    }

    /// The connection's username rules.
    pub fn username_rules(&self) -> UsernameRules {
        self.validation
            .username
            .map(|u| UsernameRules::new(u.min, u.max))
            .unwrap_or_default()
    }
}

/// One strategy of the client configuration (`auth0` = database connections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strategy {
    /// Strategy name.
    pub name: String,
    /// Connections of this strategy enabled for the client.
    pub connections: Vec<DbConnectionInfo>,
}

/// What Lock's `Auth0.setClient(...)` receives, also served as JSON to the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// Client id.
    pub id: String,
    /// Tenant name.
    pub tenant: String,
    /// Always `"free"`-like; Lock only checks for `free`/`dev`.
    pub subscription: String,
    /// Enabled connections grouped by strategy.
    pub strategies: Vec<Strategy>,
}

impl ClientConfig {
    /// The database connection named `name`, or the first one when `name` is `None`.
    pub fn database(&self, name: Option<&str>) -> Option<&DbConnectionInfo> {
        self.strategies
            .iter()
            .filter(|s| s.name == "auth0")
            .flat_map(|s| s.connections.iter())
            .find(|c| name.is_none_or(|n| c.name == n))
    }
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

/// The second-factor grant with a one-time password (TOTP).
pub const MFA_OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// The second-factor grant with an out-of-band code (email).
pub const MFA_OOB_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
/// The second-factor grant with a recovery code.
pub const MFA_RECOVERY_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

/// `POST /mfa/associate` (Bearer `mfa_token`, or an access token for `{issuer}mfa/` with the
/// `enroll` scope): enrol a factor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAssociateRequest {
    /// The application (optional; the token names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications may send their secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `["otp"]` or `["oob"]`.
    #[serde(default)]
    pub authenticator_types: Vec<String>,
    /// With `oob`: `["email"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channels: Option<Vec<String>>,
    /// With the email channel: the address (the user's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What `/mfa/associate` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAssociateResponse {
    /// `otp` or `oob`.
    pub authenticator_type: String,
    /// `otp`: the shared secret, unpadded Base32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `otp`: the `otpauth://totp/…` URI authenticator apps read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode_uri: Option<String>,
    /// Tollgate's addition: the `barcode_uri` as an SVG QR code (for the enrolment screen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode_svg: Option<String>,
    /// `oob`: `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channel: Option<String>,
    /// `oob`: the handle of the code sent (for the `mfa-oob` grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// `oob`: `prompt` (the user types the code they received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_method: Option<String>,
    /// At the first enrolment: the recovery code (shown once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

/// `POST /mfa/challenge`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaChallengeRequest {
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The `mfa_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// `otp` or `oob` (space-separated list accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_type: Option<String>,
    /// Which authenticator (from `GET /mfa/authenticators`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_id: Option<String>,
}

/// What `/mfa/challenge` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaChallengeResponse {
    /// `otp` or `oob`.
    pub challenge_type: String,
    /// `oob`: the handle of the code sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// `oob`: `prompt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_method: Option<String>,
}

/// One entry of `GET /mfa/authenticators`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAuthenticator {
    /// `totp|dev_…`, `email|dev_…`, `recovery-code|dev_…`.
    pub id: String,
    /// `otp`, `oob` or `recovery-code`.
    pub authenticator_type: String,
    /// Confirmed.
    pub active: bool,
    /// `oob`: `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channel: Option<String>,
    /// `oob`: the address, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The hosted page after a first factor when the tenant asks for a second: what the page shows
/// next. The `mfa_token` then works with `/mfa/*` like Auth0's, and `POST /u/mfa/verify` finishes
/// the login of the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaStep {
    /// The token for `/mfa/associate`, `/mfa/challenge` and `/u/mfa/verify`.
    pub mfa_token: String,
    /// No factor yet: enrol one (`otp` or `email`, as the tenant enables them).
    pub enroll: bool,
    /// The factors the tenant offers (`otp`, `email`).
    pub factors: Vec<String>,
    /// Hosted page: "Remember this browser" is offered, for this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_days: Option<u32>,
}

/// `POST /u/mfa/verify`: the hosted page's second factor, which finishes the transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedMfaVerify {
    /// The authorization transaction.
    pub tx: String,
    /// The `mfa_token` of the step.
    pub mfa_token: String,
    /// A TOTP code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
    /// An email challenge's handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// The emailed code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_code: Option<String>,
    /// A recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// Skip the second factor in this browser for the tenant's number of days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_browser: Option<bool>,
    /// A WebAuthn ceremony's handle (from `/u/mfa/webauthn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session: Option<String>,
    /// Its credential (`PublicKeyCredential.toJSON()`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<serde_json::Value>,
}

/// `POST /u/mfa/webauthn`: the hosted page starts a WebAuthn ceremony as the second factor
/// (answered like `/passkey/challenge`: `auth_session` and the options).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedMfaWebauthn {
    /// The authorization transaction.
    pub tx: String,
    /// The `mfa_token` of the step.
    pub mfa_token: String,
    /// Add a security key or passkey (no second factor yet), or use one.
    #[serde(default)]
    pub enroll: bool,
}
