//! Client grants (`/api/v2/client-grants`): what a machine-to-machine client may ask of an API.

use serde::{Deserialize, Serialize};

/// A grant (`GET /api/v2/client-grants`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientGrant {
    /// `cgr_…`.
    pub id: String,
    /// The client.
    pub client_id: String,
    /// The API's identifier.
    pub audience: String,
    /// The scopes granted.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// `POST /api/v2/client-grants`: only a confidential client with the `client_credentials` grant
/// type may hold one; every scope must be offered by the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClientGrant {
    /// The client.
    pub client_id: String,
    /// The API's identifier.
    pub audience: String,
    /// The scopes to grant.
    pub scope: Vec<String>,
}

/// `PATCH /api/v2/client-grants/{id}`: the new scopes (tokens already issued follow).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateClientGrant {
    /// The scopes to grant.
    pub scope: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::management::vectors;
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/client_grants.json");

    #[test]
    fn grants_round_trip() {
        let g: ClientGrant = vectors::round_trip(FILE, "client_grant");
        assert_eq!(g.scope, ["read:users", "update:users"]);
        vectors::round_trip::<CreateClientGrant>(FILE, "create_client_grant");
        vectors::round_trip::<UpdateClientGrant>(FILE, "update_client_grant");
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<CreateClientGrant>(json!({"client_id": "c", "audience": "https://api/"})),
            "Payload validation error: 'Missing required property: scope'."
        );
        assert_eq!(
            vectors::refusal::<UpdateClientGrant>(json!({"scope": "read:users"})),
            "Payload validation error: 'Expected type array but found type string'."
        );
        assert_eq!(
            vectors::refusal::<CreateClientGrant>(
                json!({"client_id": "c", "audience": "a", "scope": [], "allow_all_scopes": true})
            ),
            "Payload validation error: 'Additional properties not allowed: allow_all_scopes'."
        );
    }
}
