//! Auth0's My Account API (`{issuer}me/v1/…`, audience `{issuer}me/`): a user manages their own
//! passkeys with a token issued to them. Field names are Auth0's.

use serde::{Deserialize, Serialize};

/// One of the user's ways in, as `GET /me/v1/authentication-methods` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAuthenticationMethod {
    /// `passkey|<credential id>` or `password|<user id>`.
    pub id: String,
    /// `passkey` or `password`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it was added (ISO 8601).
    pub created_at: String,
    /// `primary` (a way to log in).
    pub usage: Vec<String>,
    /// The account (`auth0|<id>`).
    pub identity_user_id: String,
    /// A name for people (`Passkey`, `Security key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Passkeys: the credential id (base64url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Passkeys: the RP id it is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party_id: Option<String>,
    /// Passkeys: synced across devices (`multi_device`) or not (`single_device`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_device_type: Option<String>,
    /// Passkeys: backed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_backed_up: Option<bool>,
    /// Passkeys: when it was last used to log in (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_auth_at: Option<String>,
}

/// `GET /me/v1/authentication-methods`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAuthenticationMethods {
    /// The methods, oldest first.
    pub authentication_methods: Vec<MyAuthenticationMethod>,
}

/// `POST /me/v1/authentication-methods`: start enrolling a method (only `passkey` here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyEnrollmentRequest {
    /// `passkey`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The database connection (the user's own when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The identity (`auth0|<id>`; the token's user when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_user_id: Option<String>,
}

/// `POST /me/v1/authentication-methods/{id}/verify`: the ceremony's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyEnrollmentVerify {
    /// The handle `POST /me/v1/authentication-methods` answered.
    pub auth_session: String,
    /// The credential's JSON (`PublicKeyCredential.toJSON()`).
    pub authn_response: serde_json::Value,
}

/// The My Account API's errors (RFC 7807 problem details, as Auth0's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The kind of error (a code: `insufficient_scope`, `invalid_token`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status.
    pub status: u16,
    /// The status' reason phrase.
    pub title: String,
    /// What happened.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_listed_passkey_reads_as_auth0_writes_it() {
        let text = r#"{"id":"passkey|abc","type":"passkey","created_at":"2025-03-10T08:00:00.000Z","usage":["primary"],"identity_user_id":"auth0|1","key_id":"abc","relying_party_id":"example.com","credential_device_type":"multi_device","credential_backed_up":true}"#;
        let m: MyAuthenticationMethod = serde_json::from_str(text).unwrap();
        assert_eq!((m.kind.as_str(), m.key_id.as_deref()), ("passkey", Some("abc")));
        assert_eq!(serde_json::to_string(&m).unwrap(), text);
        let start: MyEnrollmentRequest = serde_json::from_str(r#"{"type":"passkey"}"#).unwrap();
        assert_eq!((start.kind.as_str(), start.connection), ("passkey", None));
    }
}
