//! Applications (`/api/v2/clients`): the client, its settings, and the create and update bodies.
//! Tollgate refuses the client properties of Auth0's it does not implement (addons, SSO settings,
//! organizations, …) rather than storing them without effect.

use serde::{Deserialize, Serialize};

use super::Metadata;

/// The kind of application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    /// A single-page application (public).
    Spa,
    /// A mobile or desktop application (public).
    Native,
    /// A server-side web application (confidential).
    #[default]
    RegularWeb,
    /// A machine-to-machine client (confidential, `client_credentials`).
    NonInteractive,
}

impl AppType {
    /// Every type, in the order the console offers them.
    pub const ALL: [AppType; 4] = [Self::Spa, Self::Native, Self::RegularWeb, Self::NonInteractive];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Spa => "spa",
            Self::Native => "native",
            Self::RegularWeb => "regular_web",
            Self::NonInteractive => "non_interactive",
        }
    }

    /// The wire name parsed.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Public clients have no secret.
    pub const fn is_public(self) -> bool {
        matches!(self, Self::Spa | Self::Native)
    }
}

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    /// A public client.
    None,
    /// The secret in the body.
    ClientSecretPost,
    /// The secret in HTTP Basic.
    ClientSecretBasic,
}

/// `jwt_configuration`: the ID tokens' signing algorithm and lifetime.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtConfiguration {
    /// Signing algorithm (Tollgate: `RS256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// ID token lifetime (1–2,592,000 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_in_seconds: Option<i64>,
    /// Whether the secret is base64-encoded (HS256, unused by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_encoded: Option<bool>,
}

/// `refresh_token`: how refresh tokens rotate and expire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenConfiguration {
    /// `rotating` (Tollgate) or `non-rotating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_type: Option<String>,
    /// `expiring` or `non-expiring`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_type: Option<String>,
    /// Seconds a rotated token still works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leeway: Option<i64>,
    /// Absolute lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<i64>,
    /// Whether the absolute lifetime is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infinite_token_lifetime: Option<bool>,
    /// Lifetime without use (1–31,557,600 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_token_lifetime: Option<i64>,
    /// Whether the idle lifetime is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infinite_idle_token_lifetime: Option<bool>,
}

/// An application (`GET /api/v2/clients/{id}`); `client_secret` only in the answers to create,
/// a change to confidential, and rotation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// Its id.
    pub client_id: String,
    /// The tenant's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Its name.
    pub name: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The secret, shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// Its logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// A first-party application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_party: Option<bool>,
    /// Follows OIDC strictly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_conformant: Option<bool>,
    /// Allowed redirect URLs (exact matches).
    #[serde(default)]
    pub callbacks: Vec<String>,
    /// Origins allowed to call the APIs (same as `web_origins` in Tollgate).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Origins allowed for web messages and cross-origin authentication.
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// Allowed URLs after logout.
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    /// Grant types it may use.
    #[serde(default)]
    pub grant_types: Vec<String>,
    /// ID token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
    /// Whether SSO is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_disabled: Option<bool>,
    /// Embedded login from its web origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_authentication: Option<bool>,
    /// The same, by its older name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_auth: Option<bool>,
    /// Token endpoint authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<Metadata>,
    /// Refresh token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshTokenConfiguration>,
    /// Tollgate: access token lifetime of its tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_lifetime: Option<i64>,
}

impl Client {
    /// Whether it has a secret (not a public client).
    pub fn is_confidential(&self) -> bool {
        self.token_endpoint_auth_method
            .is_some_and(|m| m != TokenEndpointAuthMethod::None)
    }
}

/// `POST /api/v2/clients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// Its name (1–100 characters).
    pub name: String,
    /// What it is for (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its logo (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Its kind (`regular_web` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// Token endpoint authentication (from the kind when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    /// Allowed redirect URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<Vec<String>>,
    /// Web origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_origins: Option<Vec<String>>,
    /// Web origins, by Auth0's other name (used when `web_origins` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed URLs after logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_logout_urls: Option<Vec<String>>,
    /// Grant types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// Embedded login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_authentication: Option<bool>,
    /// Embedded login, by its older name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_auth: Option<bool>,
    /// ID token settings (its `lifetime_in_seconds` is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
    /// Tollgate: access token lifetime (1–2,592,000 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_lifetime: Option<i64>,
    /// Refresh token settings (its `idle_token_lifetime` is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshTokenConfiguration>,
    /// First-party (Tollgate: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_party: Option<bool>,
    /// OIDC-conformant (Tollgate: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_conformant: Option<bool>,
}

/// `PATCH /api/v2/clients/{id}`: the fields given replace the stored ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateClient {
    /// Its name (1–100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is for (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its logo (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// Token endpoint authentication (to `none`: the secret is dropped; from `none`: a new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    /// Allowed redirect URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<Vec<String>>,
    /// Web origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_origins: Option<Vec<String>>,
    /// Web origins, by Auth0's other name (used when `web_origins` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed URLs after logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_logout_urls: Option<Vec<String>>,
    /// Grant types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// Embedded login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_authentication: Option<bool>,
    /// Embedded login, by its older name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_auth: Option<bool>,
    /// ID token settings (its `lifetime_in_seconds` is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
    /// Tollgate: access token lifetime (1–2,592,000 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_lifetime: Option<i64>,
    /// Refresh token settings (its `idle_token_lifetime` is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshTokenConfiguration>,
    /// First-party (Tollgate: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_party: Option<bool>,
    /// OIDC-conformant (Tollgate: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_conformant: Option<bool>,
}

impl From<CreateClient> for UpdateClient {
    fn from(c: CreateClient) -> Self {
        Self {
            name: Some(c.name),
            description: c.description,
            logo_uri: c.logo_uri,
            app_type: c.app_type,
            token_endpoint_auth_method: c.token_endpoint_auth_method,
            callbacks: c.callbacks,
            web_origins: c.web_origins,
            allowed_origins: c.allowed_origins,
            allowed_logout_urls: c.allowed_logout_urls,
            grant_types: c.grant_types,
            cross_origin_authentication: c.cross_origin_authentication,
            cross_origin_auth: c.cross_origin_auth,
            jwt_configuration: c.jwt_configuration,
            access_token_lifetime: c.access_token_lifetime,
            refresh_token: c.refresh_token,
            is_first_party: c.is_first_party,
            oidc_conformant: c.oidc_conformant,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::management::vectors;
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/clients.json");

    #[test]
    fn clients_round_trip() {
        let c: Client = vectors::round_trip(FILE, "client");
        assert!(c.is_confidential());
        let spa: Client = vectors::round_trip(FILE, "spa_client");
        assert!(!spa.is_confidential() && spa.client_secret.is_none());
        let create: CreateClient = vectors::round_trip(FILE, "create_client");
        assert_eq!(UpdateClient::from(create).name.as_deref(), Some("My SPA"));
        vectors::round_trip::<UpdateClient>(FILE, "update_client");
        assert_eq!(AppType::parse("non_interactive"), Some(AppType::NonInteractive));
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<UpdateClient>(json!({"addons": {"aws": {}}})),
            "Payload validation error: 'Additional properties not allowed: addons'."
        );
        assert_eq!(
            vectors::refusal::<CreateClient>(json!({"name": "x", "app_type": "sso_integration"})),
            "Payload validation error: 'No enum match for: \"sso_integration\" (expected one of spa, native, regular_web, non_interactive)'."
        );
        assert_eq!(
            vectors::refusal::<CreateClient>(json!({"app_type": "spa"})),
            "Payload validation error: 'Missing required property: name'."
        );
    }
}
