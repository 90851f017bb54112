//! Wire types shared by the widget and the edge, in Auth0's shapes.
//!
//! Two error styles coexist, as in Auth0: [`ApiError`] (`{name, code, description, statusCode}`) for
//! `/dbconnections/*`, and [`OAuthError`] (`{error, error_description}`) for `/oauth/token`,
//! `/userinfo` and `/authorize` redirects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::password::{PasswordPolicy, PolicyLevel};
use crate::username::UsernameRules;

/// Error codes (`code` / `error`) the edge returns and the widget translates.
pub mod codes {
    /// Malformed or incomplete request.
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// A body that is not what the endpoint accepts (content type or JSON).
    pub const INVALID_BODY: &str = "invalid_body";
    /// Body larger than the limit.
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// Password refused by the policy, dictionary, personal-info or history check.
    pub const INVALID_PASSWORD: &str = "invalid_password";
    /// Generic sign-up refusal (also the anti-enumeration answer for an existing user).
    pub const INVALID_SIGNUP: &str = "invalid_signup";
    /// Existing user, only when the tenant opts in.
    pub const USER_EXISTS: &str = "user_exists";
    /// Existing username, only when the tenant opts in.
    pub const USERNAME_EXISTS: &str = "username_exists";
    /// Sign-ups are disabled on the connection.
    pub const SIGNUP_DISABLED: &str = "operation_not_allowed";
    /// Unknown connection.
    pub const CONNECTION_NOT_FOUND: &str = "connection_not_found";
    /// Unknown or unusable client.
    pub const INVALID_CLIENT: &str = "invalid_client";
    /// Too many attempts for one identifier (brute-force protection).
    pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
    /// Rate limited.
    pub const TOO_MANY_REQUESTS: &str = "too_many_requests";
    /// Route not found.
    pub const NOT_FOUND: &str = "not_found";
    /// Method not allowed on a route.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// Internal error; details are logged, never returned.
    pub const SERVER_ERROR: &str = "server_error";
    /// Wrong credentials on `/oauth/token`.
    pub const INVALID_GRANT: &str = "invalid_grant";
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
    /// Metadata as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Map<String, Value>>,
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
