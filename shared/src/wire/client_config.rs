//! What a client's configuration (`/client/{id}.json`, Lock's shape) tells the widget: the
//! connections, their password policy and username rules.

use serde::{Deserialize, Serialize};

use crate::password::{PasswordPolicy, PolicyLevel};
use crate::username::UsernameRules;

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
