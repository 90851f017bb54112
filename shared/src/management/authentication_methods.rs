//! A user's authentication methods (`GET /api/v2/users/{id}/authentication-methods`, Auth0's
//! names): the password and each passkey (and, later, second factors).

use serde::{Deserialize, Serialize};

/// One way a user signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationMethod {
    /// Its id (`password|…`, `passkey|<credential id>`).
    pub id: String,
    /// `password`, `passkey`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// Confirmed (enrolled to the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was added (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last used (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_auth_at: Option<String>,
    /// Passkeys: synced across devices (`multi_device`) or not (`single_device`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_device_type: Option<String>,
    /// Passkeys: backed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_backed_up: Option<bool>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_passkey_method_round_trips_in_auth0s_shape() {
        let text = r#"{"id":"passkey|AbCd","type":"passkey","confirmed":true,"name":"Passkey","created_at":"2026-12-06T20:00:00.000Z","last_auth_at":"2026-12-06T21:00:00.000Z","credential_device_type":"multi_device","credential_backed_up":true}"#;
        let m: AuthenticationMethod = serde_json::from_str(text).unwrap();
        assert_eq!(m.kind, "passkey");
        assert_eq!(serde_json::to_string(&m).unwrap(), text);
        let pw: AuthenticationMethod = serde_json::from_str(r#"{"id":"password|1","type":"password"}"#).unwrap();
        assert_eq!(pw.confirmed, None);
    }
}
