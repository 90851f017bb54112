//! APIs (`/api/v2/resource-servers`): the identifiers tokens are issued for and their scopes. The
//! Management API itself is one, a system API that cannot be changed.

use serde::{Deserialize, Serialize};

/// One scope an API offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceServerScope {
    /// The scope (no spaces, up to 280 characters).
    pub value: String,
    /// What it allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An API (`GET /api/v2/resource-servers/{id}`; its id is its identifier).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceServer {
    /// Its id (Tollgate: the identifier).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is the Management API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_system: Option<bool>,
    /// The `audience` of its tokens.
    pub identifier: String,
    /// The scopes it offers.
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
    /// Signing algorithm of its tokens (Tollgate: `RS256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_alg: Option<String>,
    /// Whether refresh tokens may be issued for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_offline_access: Option<bool>,
    /// Access token lifetime (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<i64>,
    /// Whether consent is skipped for first-party clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_consent_for_verifiable_first_party_clients: Option<bool>,
}

/// `POST /api/v2/resource-servers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateResourceServer {
    /// The `audience` of its tokens (up to 600 characters).
    pub identifier: String,
    /// Its name (the identifier when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The scopes it offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ResourceServerScope>>,
    /// Signing algorithm (Tollgate signs with `RS256` whatever is asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_alg: Option<String>,
    /// Whether refresh tokens may be issued for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_offline_access: Option<bool>,
    /// Access token lifetime (1–2,592,000 s; 86,400 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<i64>,
    /// Skip consent for first-party clients (Tollgate never asks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_consent_for_verifiable_first_party_clients: Option<bool>,
}

/// `PATCH /api/v2/resource-servers/{id}`: the fields given replace the stored ones; scopes no
/// longer offered leave every grant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateResourceServer {
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The scopes it offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ResourceServerScope>>,
    /// Signing algorithm (Tollgate signs with `RS256` whatever is asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_alg: Option<String>,
    /// Whether refresh tokens may be issued for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_offline_access: Option<bool>,
    /// Access token lifetime (1–2,592,000 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<i64>,
    /// Skip consent for first-party clients (Tollgate never asks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_consent_for_verifiable_first_party_clients: Option<bool>,
}

impl From<CreateResourceServer> for UpdateResourceServer {
    fn from(c: CreateResourceServer) -> Self {
        Self {
            name: c.name,
            scopes: c.scopes,
            signing_alg: c.signing_alg,
            allow_offline_access: c.allow_offline_access,
            token_lifetime: c.token_lifetime,
            skip_consent_for_verifiable_first_party_clients: c.skip_consent_for_verifiable_first_party_clients,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::management::vectors;
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/resource_servers.json");

    #[test]
    fn resource_servers_round_trip() {
        let api: ResourceServer = vectors::round_trip(FILE, "resource_server");
        assert_eq!(api.scopes.len(), 2);
        let system: ResourceServer = vectors::round_trip(FILE, "management_api");
        assert_eq!(system.is_system, Some(true));
        vectors::round_trip::<CreateResourceServer>(FILE, "create_resource_server");
        vectors::round_trip::<UpdateResourceServer>(FILE, "update_resource_server");
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<CreateResourceServer>(json!({"name": "x"})),
            "Payload validation error: 'Missing required property: identifier'."
        );
        assert_eq!(
            vectors::refusal::<UpdateResourceServer>(json!({"scopes": ["read:things"]})),
            "Payload validation error: 'Expected type object but found type string'."
        );
        assert_eq!(
            vectors::refusal::<UpdateResourceServer>(json!({"identifier": "https://other/"})),
            "Payload validation error: 'Additional properties not allowed: identifier'."
        );
    }
}
