//! Connections (`/api/v2/connections`): the connection with its options as Auth0 names them
//! (option keys not typed here are kept as they are), the create and update bodies, the paged
//! list, and Tollgate's legacy-store test (`POST /api/v2/connections/{id}/legacy-test`).

use serde::{Deserialize, Serialize};

use super::Metadata;
use crate::password::PolicyLevel;
use crate::wire::{ComplexityOptions, Validation};

/// `password_history`: refuse the last `size` passwords.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHistory {
    /// Whether reuse is refused.
    #[serde(default)]
    pub enable: bool,
    /// How many previous passwords count (at most 24; 5 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

/// `password_dictionary`: refuse common passwords and these words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordDictionary {
    /// Whether the dictionary check runs.
    #[serde(default)]
    pub enable: bool,
    /// Extra words (up to 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dictionary: Option<Vec<String>>,
}

/// An `{enable}` switch (`password_no_personal_info`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toggle {
    /// Whether the feature is on.
    #[serde(default)]
    pub enable: bool,
}

/// Tollgate: a database connection's legacy user store (`options.legacy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyOptions {
    /// Base URL of the legacy service.
    pub url: String,
    /// Name of the Worker secret with the HMAC key (`CONNECTION_SECRET_*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Ask for the stored hash and verify it at the edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_handover: Option<bool>,
    /// Per-call timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Time for one call including retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_ms: Option<u64>,
}

/// A connection's `options`. The database options Tollgate reads are typed; every other key
/// (a federated connection's `client_id`, `issuer`, …, or options of Auth0's that Tollgate does
/// not use) is kept in [`ConnectionOptions::extra`] and written back unchanged. A `null` typed
/// option reads as absent. (Serde's `flatten` would do the same with a buffered copy of every
/// value, which doubles the console's deserialising code; the two impls below read the object
/// once into a map and take the typed keys out of it.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionOptions {
    /// Password strength level (`passwordPolicy`).
    pub password_policy: Option<PolicyLevel>,
    /// Minimum-length override.
    pub password_complexity_options: Option<ComplexityOptions>,
    /// Reuse protection.
    pub password_history: Option<PasswordHistory>,
    /// Dictionary check.
    pub password_dictionary: Option<PasswordDictionary>,
    /// Personal-information check.
    pub password_no_personal_info: Option<Toggle>,
    /// Sign-up needs a username.
    pub requires_username: Option<bool>,
    /// Username bounds.
    pub validation: Option<Validation>,
    /// Public sign-ups refused.
    pub disable_signup: Option<bool>,
    /// Brute-force protection (on unless `false`).
    pub brute_force_protection: Option<bool>,
    /// With a legacy store: migrate users at their first login (`true`) or keep them there.
    pub import_mode: Option<bool>,
    /// Auth0's custom-database switch (`enabledDatabaseCustomization`).
    pub enabled_database_customization: Option<bool>,
    /// Tollgate: the legacy user store.
    pub legacy: Option<LegacyOptions>,
    /// Passwordless (`email`): the code's length and lifetime.
    pub totp: Option<Totp>,
    /// Database connections: which ways in are on (passwords, passkeys).
    pub authentication_methods: Option<AuthenticationMethods>,
    /// Database connections: how passkeys are offered.
    pub passkey_options: Option<PasskeyOptions>,
    /// Every other option, kept.
    pub extra: Metadata,
}

/// A passwordless connection's code (`options.totp`, Auth0's names): `length` digits (4–10, default
/// 6), valid `time_step` seconds (60–3600, default 300).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totp {
    /// Digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_step: Option<u32>,
}

/// `options.authentication_methods` (Auth0's names): each way in with its switch. Absent means the
/// edge's default (passwords on, passkeys off).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationMethods {
    /// Passwords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<MethodSwitch>,
    /// Passkeys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<MethodSwitch>,
    /// One-time codes by email (Auth0's; kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_otp: Option<MethodSwitch>,
    /// One-time codes by phone (Auth0's; kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_otp: Option<MethodSwitch>,
}

/// One way in of [`AuthenticationMethods`]: `enabled`, and for passwords Auth0's `api_behavior`
/// and `signup_behavior` (kept as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodSwitch {
    /// On or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Passwords: `required` or `optional` (Auth0's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_behavior: Option<String>,
    /// Passwords: Auth0's sign-up behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signup_behavior: Option<String>,
}

/// `options.passkey_options` (Auth0's names). Absent values are the edge's defaults: `both`, and
/// both enrolment prompts on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyOptions {
    /// The login screen's passkey control: `both`, `autofill` or `button`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_ui: Option<String>,
    /// Offer to add a passkey after a password login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progressive_enrollment_enabled: Option<bool>,
    /// Offer a passkey on this device after a cross-device passkey login (Auth0's; kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_enrollment_enabled: Option<bool>,
}

/// The typed options' keys, in the order they are written.
const OPTION_KEYS: [&str; 15] = [
    "passwordPolicy",
    "password_complexity_options",
    "password_history",
    "password_dictionary",
    "password_no_personal_info",
    "requires_username",
    "validation",
    "disable_signup",
    "brute_force_protection",
    "import_mode",
    "enabledDatabaseCustomization",
    "legacy",
    "totp",
    "authentication_methods",
    "passkey_options",
];

impl Serialize for ConnectionOptions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        let k = &OPTION_KEYS;
        entry(&mut map, k[0], &self.password_policy)?;
        entry(&mut map, k[1], &self.password_complexity_options)?;
        entry(&mut map, k[2], &self.password_history)?;
        entry(&mut map, k[3], &self.password_dictionary)?;
        entry(&mut map, k[4], &self.password_no_personal_info)?;
        entry(&mut map, k[5], &self.requires_username)?;
        entry(&mut map, k[6], &self.validation)?;
        entry(&mut map, k[7], &self.disable_signup)?;
        entry(&mut map, k[8], &self.brute_force_protection)?;
        entry(&mut map, k[9], &self.import_mode)?;
        entry(&mut map, k[10], &self.enabled_database_customization)?;
        entry(&mut map, k[11], &self.legacy)?;
        entry(&mut map, k[12], &self.totp)?;
        entry(&mut map, k[13], &self.authentication_methods)?;
        entry(&mut map, k[14], &self.passkey_options)?;
        for (key, value) in &self.extra {
            if !OPTION_KEYS.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Writes a typed option that is present.
fn entry<M: serde::ser::SerializeMap, T: Serialize>(map: &mut M, key: &str, value: &Option<T>) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// Takes `key` out of the options and reads it as `T`; `key: …` prefixes a misfit's message,
/// so the error names the option.
fn take<T: serde::de::DeserializeOwned, E: serde::de::Error>(map: &mut Metadata, key: &str) -> Result<Option<T>, E> {
    match map.remove(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(|e| E::custom(format!("{key}: {e}"))),
    }
}

impl<'de> Deserialize<'de> for ConnectionOptions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut extra = Metadata::deserialize(d)?;
        let m = &mut extra;
        Ok(Self {
            password_policy: take(m, OPTION_KEYS[0])?,
            password_complexity_options: take(m, OPTION_KEYS[1])?,
            password_history: take(m, OPTION_KEYS[2])?,
            password_dictionary: take(m, OPTION_KEYS[3])?,
            password_no_personal_info: take(m, OPTION_KEYS[4])?,
            requires_username: take(m, OPTION_KEYS[5])?,
            validation: take(m, OPTION_KEYS[6])?,
            disable_signup: take(m, OPTION_KEYS[7])?,
            brute_force_protection: take(m, OPTION_KEYS[8])?,
            import_mode: take(m, OPTION_KEYS[9])?,
            enabled_database_customization: take(m, OPTION_KEYS[10])?,
            legacy: take(m, OPTION_KEYS[11])?,
            totp: take(m, OPTION_KEYS[12])?,
            authentication_methods: take(m, OPTION_KEYS[13])?,
            passkey_options: take(m, OPTION_KEYS[14])?,
            extra,
        })
    }
}

/// A connection (`GET /api/v2/connections/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// `con_…`.
    pub id: String,
    /// Its unique name (the `realm` of logins).
    pub name: String,
    /// Name shown on login screens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `auth0` (database) or the provider's strategy.
    pub strategy: String,
    /// Its options.
    #[serde(default)]
    pub options: ConnectionOptions,
    /// The applications it is enabled for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
    /// Whether it is a domain-level connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain_connection: Option<bool>,
    /// Its realms (its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<Vec<String>>,
    /// Whether the login page shows a button for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl Connection {
    /// Whether it is a database connection.
    pub fn is_database(&self) -> bool {
        self.strategy == "auth0"
    }

    /// A passwordless connection (strategy `email`).
    pub fn is_passwordless(&self) -> bool {
        self.strategy == "email"
    }
}

/// `GET /api/v2/connections` with paging (`take`/`from`) or `include_totals=true`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsPage {
    /// The connections.
    pub connections: Vec<Connection>,
    /// Index of the first one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// The page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Connections in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// Checkpoint of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `POST /api/v2/connections`. Federated strategies need `options.client_id` and
/// `options.client_secret_env` (the Worker secret's name; secrets are never stored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateConnection {
    /// 1–128 letters, digits or `-`.
    pub name: String,
    /// Name shown on login screens (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `auth0`, `google-oauth2`, `facebook`, `oidc` or `oauth2`.
    pub strategy: String,
    /// Its options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ConnectionOptions>,
    /// The applications to enable it for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
    /// Domain-level (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain_connection: Option<bool>,
    /// Login button (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    /// Realms (Tollgate: always the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<Vec<String>>,
    /// Free-form metadata (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `PATCH /api/v2/connections/{id}`: replaces `options` and/or `enabled_clients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnection {
    /// Name shown on login screens (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The new options (all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ConnectionOptions>,
    /// The applications to enable it for (all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
    /// Domain-level (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain_connection: Option<bool>,
    /// Login button (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    /// Realms (Tollgate: always the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<Vec<String>>,
    /// Free-form metadata (not stored by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// Tollgate: `POST /api/v2/connections/{id}/legacy-test`, asks the legacy store for one user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyTest {
    /// An email or username.
    pub identifier: String,
}

/// What the legacy store answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegacyVerdict {
    /// It knows the user.
    Found,
    /// It does not.
    NotFound,
    /// An answer `get_user` does not give.
    Unexpected,
    /// No usable answer (the detail says why).
    Error,
}

/// The answer of [`LegacyTest`] (never more of the profile than its email).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyTestResult {
    /// What it answered.
    pub verdict: LegacyVerdict,
    /// The profile's email (`found`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Why (`unexpected`, `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// How long the store took.
    pub ms: i64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::management::{vectors, Listing};
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/connections.json");

    #[test]
    fn connections_round_trip_and_keep_unknown_options() {
        let db: Connection = vectors::round_trip(FILE, "database_connection");
        assert!(db.is_database());
        assert_eq!(db.options.password_policy, Some(PolicyLevel::Good));
        assert!(
            db.options.extra.contains_key("mfa"),
            "options Tollgate does not read are kept"
        );
        let social: Connection = vectors::round_trip(FILE, "social_connection");
        assert_eq!(social.options.extra["client_id"], "abc.apps.googleusercontent.com");
        vectors::round_trip::<Connection>(FILE, "legacy_connection");
        vectors::round_trip::<ConnectionsPage>(FILE, "connections_page");
        vectors::round_trip::<CreateConnection>(FILE, "create_connection");
        vectors::round_trip::<UpdateConnection>(FILE, "update_connection");
        vectors::round_trip::<LegacyTestResult>(FILE, "legacy_test_found");
        vectors::round_trip::<LegacyTestResult>(FILE, "legacy_test_error");
        let list: Listing<Connection, ConnectionsPage> =
            serde_json::from_value(vectors::sample(FILE, "connections_page")).unwrap();
        assert!(matches!(list, Listing::Page(ref p) if p.connections.len() == 1));
    }

    #[test]
    fn passkey_options_are_typed_and_kept() {
        let text = json!({
            "passwordPolicy": "good",
            "authentication_methods": {
                "password": {"enabled": true, "api_behavior": "required"},
                "passkey": {"enabled": true}
            },
            "passkey_options": {"challenge_ui": "both", "progressive_enrollment_enabled": false, "local_enrollment_enabled": true},
            "mfa": {"active": true}
        });
        let o: ConnectionOptions = serde_json::from_value(text.clone()).unwrap();
        let methods = o.authentication_methods.clone().unwrap();
        assert_eq!(methods.passkey.and_then(|p| p.enabled), Some(true));
        assert_eq!(
            methods.password.and_then(|p| p.api_behavior).as_deref(),
            Some("required")
        );
        assert_eq!(
            o.passkey_options
                .as_ref()
                .and_then(|p| p.progressive_enrollment_enabled),
            Some(false)
        );
        assert!(!o.extra.contains_key("passkey_options"), "typed, not kept twice");
        assert_eq!(serde_json::to_value(&o).unwrap(), text, "written back unchanged");
        let none: ConnectionOptions = serde_json::from_value(json!({"passwordPolicy": "low"})).unwrap();
        assert_eq!((none.authentication_methods, none.passkey_options), (None, None));
        assert_eq!(
            super::super::errors::payload_error(
                "options",
                &serde_json::from_value::<ConnectionOptions>(json!({"passkey_options": {"progressive_enrollment_enabled": "yes"}}))
                    .unwrap_err()
                    .to_string()
            ),
            "Payload validation error: 'Expected type boolean but found type string' on property options.passkey_options."
        );
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<UpdateConnection>(json!({"options": {"passwordPolicy": "impossible"}})),
            "Payload validation error: 'No enum match for: \"impossible\" (expected one of none, low, fair, good, excellent)' on property passwordPolicy."
        );
        assert_eq!(
            super::super::errors::payload_error(
                "options",
                "password_history: invalid type: string \"yes\", expected a boolean"
            ),
            "Payload validation error: 'Expected type boolean but found type string' on property options.password_history."
        );
        assert_eq!(
            vectors::refusal::<CreateConnection>(json!({"name": "x", "strategy": "auth0", "enabled": true})),
            "Payload validation error: 'Additional properties not allowed: enabled'."
        );
        assert_eq!(
            vectors::refusal::<LegacyTest>(json!({})),
            "Payload validation error: 'Missing required property: identifier'."
        );
    }
}
