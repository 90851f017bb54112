//! A database or passwordless connection's options, in Auth0's Management API shape: password
//! policy, usernames, sign-up, brute-force protection, a legacy store, passwordless codes, and which
//! ways in are on (passwords, passkeys).

use serde::{Deserialize, Serialize};
use shared::password::PolicyLevel;
use shared::wire::{ComplexityOptions, Validation};

/// `password_history` option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHistory {
    /// Whether reuse is refused.
    #[serde(default)]
    pub enable: bool,
    /// How many previous passwords are remembered (at most 24).
    #[serde(default = "default_history_size")]
    pub size: u32,
}

fn default_history_size() -> u32 {
    5
}

/// `password_dictionary` option.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordDictionary {
    /// Whether the dictionary check runs.
    #[serde(default)]
    pub enable: bool,
    /// Extra entries (up to 200).
    #[serde(default)]
    pub dictionary: Vec<String>,
}

/// A `{enable}` switch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toggle {
    /// Whether the feature is on.
    #[serde(default)]
    pub enable: bool,
}

/// A database connection's options, in Auth0's Management API shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionOptions {
    /// Strength level; Auth0 allows `null`, meaning `none`.
    #[serde(rename = "passwordPolicy", default, deserialize_with = "level_or_null")]
    pub password_policy: PolicyLevel,
    /// Minimum-length override.
    #[serde(default)]
    pub password_complexity_options: ComplexityOptions,
    /// Reuse protection.
    #[serde(default)]
    pub password_history: PasswordHistory,
    /// Dictionary check.
    #[serde(default)]
    pub password_dictionary: PasswordDictionary,
    /// Personal-information check.
    #[serde(default)]
    pub password_no_personal_info: Toggle,
    /// Whether sign-up needs a username (login then accepts either).
    #[serde(default)]
    pub requires_username: bool,
    /// Username bounds.
    #[serde(default)]
    pub validation: Validation,
    /// Refuse public sign-ups.
    #[serde(default)]
    pub disable_signup: bool,
    /// Brute-force protection (on by default).
    #[serde(default = "yes")]
    pub brute_force_protection: bool,
    /// With a legacy backend: `true` migrates users lazily (import mode), `false` forwards every
    /// action to it (own-store mode).
    #[serde(default)]
    pub import_mode: bool,
    /// The legacy backend, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacyOptions>,
    /// Passwordless (`email`) connections: the one-time code's length and lifetime.
    #[serde(default)]
    pub totp: Totp,
    /// Passwordless (`email`) connections: the mail's subject and text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailTemplate>,
    /// Database connections: which ways in are on (Auth0's `authentication_methods`).
    #[serde(default)]
    pub authentication_methods: AuthenticationMethods,
    /// Database connections: how passkeys are offered (Auth0's `passkey_options`).
    #[serde(default)]
    pub passkey_options: PasskeyOptions,
}

/// A `{enabled}` switch (Auth0's shape in `authentication_methods`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabled {
    /// On or off.
    #[serde(default)]
    pub enabled: bool,
}

/// `authentication_methods`: passwords on and passkeys off unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationMethods {
    /// Passwords.
    #[serde(default = "AuthenticationMethods::on")]
    pub password: Enabled,
    /// Passkeys.
    #[serde(default = "AuthenticationMethods::off")]
    pub passkey: Enabled,
}

impl AuthenticationMethods {
    fn on() -> Enabled {
        Enabled { enabled: true }
    }

    fn off() -> Enabled {
        Enabled { enabled: false }
    }
}

impl Default for AuthenticationMethods {
    fn default() -> Self {
        Self {
            password: Self::on(),
            passkey: Self::off(),
        }
    }
}

/// `passkey_options`: the login screen's passkey control (`both`, `autofill` or `button`) and
/// whether a password login offers to add a passkey (`progressive_enrollment_enabled`, on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyOptions {
    /// `both` (default), `autofill` or `button`.
    #[serde(default = "PasskeyOptions::both")]
    pub challenge_ui: String,
    /// Offer to add a passkey after a password login.
    #[serde(default = "yes")]
    pub progressive_enrollment_enabled: bool,
    /// Let people add a passkey on this device (Auth0's option; kept).
    #[serde(default = "yes")]
    pub local_enrollment_enabled: bool,
}

impl PasskeyOptions {
    fn both() -> String {
        "both".into()
    }
}

impl Default for PasskeyOptions {
    fn default() -> Self {
        Self {
            challenge_ui: Self::both(),
            progressive_enrollment_enabled: true,
            local_enrollment_enabled: true,
        }
    }
}

/// A passwordless code's shape, as Auth0 names it (`options.totp`): `length` digits, valid
/// `time_step` seconds. Defaults: 6 digits, 5 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totp {
    /// Digits in a code (4–10).
    #[serde(default = "Totp::default_length")]
    pub length: u32,
    /// Seconds a code or link works (60–3600).
    #[serde(default = "Totp::default_time_step")]
    pub time_step: u32,
}

impl Totp {
    fn default_length() -> u32 {
        6
    }

    fn default_time_step() -> u32 {
        300
    }

    /// Whether the values are within the bounds above.
    pub fn check(&self) -> Result<(), String> {
        if !(4..=10).contains(&self.length) {
            return Err("totp.length must be 4-10 digits".into());
        }
        if !(60..=3600).contains(&self.time_step) {
            return Err("totp.time_step must be 60-3600 seconds".into());
        }
        Ok(())
    }
}

impl Default for Totp {
    fn default() -> Self {
        Self {
            length: Self::default_length(),
            time_step: Self::default_time_step(),
        }
    }
}

/// A passwordless mail (`options.email`): `{{code}}`, `{{link}}` and `{{application}}` are filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailTemplate {
    /// Subject line.
    #[serde(default)]
    pub subject: Option<String>,
    /// Plain-text body (Auth0's `body`).
    #[serde(default)]
    pub body: Option<String>,
    /// Sender shown (the deployment's `MAIL_FROM` is used to send).
    #[serde(default)]
    pub from: Option<String>,
    /// Template syntax (`liquid`); only the placeholders above are filled in.
    #[serde(default)]
    pub syntax: Option<String>,
}

impl Default for ConnectionOptions {
    fn default() -> Self {
        Self {
            password_policy: PolicyLevel::None,
            password_complexity_options: ComplexityOptions::default(),
            password_history: PasswordHistory::default(),
            password_dictionary: PasswordDictionary::default(),
            password_no_personal_info: Toggle::default(),
            requires_username: false,
            validation: Validation::default(),
            disable_signup: false,
            brute_force_protection: true,
            import_mode: false,
            legacy: None,
            totp: Totp::default(),
            email: None,
            authentication_methods: AuthenticationMethods::default(),
            passkey_options: PasskeyOptions::default(),
        }
    }
}

fn yes() -> bool {
    true
}

fn level_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PolicyLevel, D::Error> {
    Ok(Option::<PolicyLevel>::deserialize(d)?.unwrap_or_default())
}

/// A connection's legacy backend (connection option `legacy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyOptions {
    /// Base URL of the legacy service (`https://legacy.example.com/auth`).
    pub url: String,
    /// Name of the Worker secret holding the HMAC key (`CONNECTION_SECRET_*`).
    #[serde(default = "default_secret_name")]
    pub secret: String,
    /// Ask `get_user` for the stored hash and verify it at the edge instead of sending the password.
    #[serde(default)]
    pub hash_handover: bool,
    /// Per-call timeout.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    /// Total time for one call including retries.
    #[serde(default = "default_budget")]
    pub budget_ms: u64,
}

fn default_secret_name() -> String {
    "CONNECTION_SECRET_LEGACY".into()
}
fn default_timeout() -> u64 {
    5_000
}
fn default_budget() -> u64 {
    8_000
}
