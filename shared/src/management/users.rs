//! Users (`/api/v2/users`, `/api/v2/users-by-email`): the user, its identities, the search page,
//! and the create and update bodies.

use serde::{Deserialize, Serialize};

use super::{nullable, Metadata};

/// One account of a user: its own (`auth0` for database users) or a linked provider's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The connection's name.
    pub connection: String,
    /// The account's id at the provider (without the `provider|` prefix).
    pub user_id: String,
    /// The provider (`auth0`, `google-oauth2`, `oidc`, …).
    pub provider: String,
    /// Whether the provider is a social one.
    #[serde(rename = "isSocial", default, skip_serializing_if = "Option::is_none")]
    pub is_social: Option<bool>,
    /// The provider's profile as it last sent it (linked accounts).
    #[serde(rename = "profileData", default, skip_serializing_if = "Option::is_none")]
    pub profile_data: Option<Metadata>,
}

/// A user (`GET /api/v2/users/{id}` and every answer that carries users).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// `auth0|…` for database users, `<provider>|…` for federated ones.
    pub user_id: String,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// The username (connections that require one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Created (ISO 8601).
    pub created_at: String,
    /// Last changed (ISO 8601).
    pub updated_at: String,
    /// The user's accounts: its own first, then linked ones.
    #[serde(default)]
    pub identities: Vec<Identity>,
    /// Data the user may not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<Metadata>,
    /// Data the user may change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Metadata>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Enrolled multi-factor providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor: Option<Vec<String>>,
    /// Last change of the multi-factor enrolments (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor_last_modified: Option<String>,
    /// Address of the last login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
    /// Last login (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    /// Last password reset (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_password_reset: Option<String>,
    /// Successful logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logins_count: Option<i64>,
    /// Blocked by an administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Tollgate: the legacy store the user was migrated from (lazy migration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrated_from: Option<String>,
    /// Tollgate: when it was migrated (ISO 8601; `null` when the time is unknown).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub migrated_at: Option<Option<String>>,
}

impl User {
    /// The email, or `""`.
    pub fn email(&self) -> &str {
        self.email.as_deref().unwrap_or_default()
    }

    /// The connection of the user's own identity (`""` when it has none).
    pub fn connection(&self) -> &str {
        self.identities.first().map_or("", |i| i.connection.as_str())
    }
}

/// `GET /api/v2/users?include_totals=true`: one page of a search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsersPage {
    /// The users of this page.
    pub users: Vec<User>,
    /// Index of the first one (`page * per_page`).
    pub start: i64,
    /// The page size asked for.
    pub limit: i64,
    /// Users on this page.
    pub length: i64,
    /// Users matching the search.
    pub total: i64,
}

/// `POST /api/v2/users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// The connection's name (required).
    pub connection: String,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Data the user may change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Metadata>,
    /// Blocked from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Whether the address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Data the user may not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<Metadata>,
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
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// The id to give the user (without `auth0|`); a random one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The initial password (database connections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Whether to mail a verification link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// The username (connections that require one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// `PATCH /api/v2/users/{id}`: root attributes replace, metadata merges one level deep (a `null`
/// value removes a key; `null` metadata empties it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// Block or unblock (blocking signs the user out everywhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Whether the address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// A new email address.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    /// A new phone number.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<Option<String>>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Keys to set (`null`: remove) in the user's metadata.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Option<Metadata>>,
    /// Keys to set (`null`: remove) in the app's metadata.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<Option<Metadata>>,
    /// Given name.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub given_name: Option<Option<String>>,
    /// Family name.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub family_name: Option<Option<String>>,
    /// Full name.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub name: Option<Option<String>>,
    /// Nickname.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub nickname: Option<Option<String>>,
    /// Avatar URL.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub picture: Option<Option<String>>,
    /// Whether to mail a verification link for a new address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// Whether to text a new phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_phone_number: Option<bool>,
    /// A new password (policy and history apply; the user's sessions end).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub password: Option<Option<String>>,
    /// The connection the update targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The application, when the email changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// A new username.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub username: Option<Option<String>>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::management::{vectors, Listing};
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/users.json");

    #[test]
    fn users_round_trip() {
        let u: User = vectors::round_trip(FILE, "user");
        assert_eq!(u.connection(), "Username-Password-Authentication");
        let linked: User = vectors::round_trip(FILE, "linked_user");
        assert_eq!(linked.identities.len(), 2);
        vectors::round_trip::<User>(FILE, "migrated_user");
        let page: UsersPage = vectors::round_trip(FILE, "users_page");
        assert_eq!(page.length, page.users.len() as i64);
        vectors::round_trip::<CreateUser>(FILE, "create_user");
        let update: UpdateUser = vectors::round_trip(FILE, "update_user");
        assert_eq!(update.nickname, Some(None), "null and absent differ");
        let list: Listing<User, UsersPage> = serde_json::from_value(json!([vectors::sample(FILE, "user")])).unwrap();
        assert!(matches!(list, Listing::Plain(ref l) if l.len() == 1));
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<CreateUser>(json!({"connection": "db", "email": "a@b.co", "shoe_size": 42})),
            "Payload validation error: 'Additional properties not allowed: shoe_size'."
        );
        assert_eq!(
            vectors::refusal::<CreateUser>(json!({"email": "a@b.co"})),
            "Payload validation error: 'Missing required property: connection'."
        );
        assert_eq!(
            vectors::refusal::<UpdateUser>(json!({"blocked": "yes"})),
            "Payload validation error: 'Expected type boolean but found type string'."
        );
        assert!(serde_json::from_value::<UpdateUser>(json!({"user_metadata": [1]})).is_err());
    }
}
