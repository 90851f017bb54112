//! Multi-factor: Auth0's MFA API (associate, challenge, authenticators, the MFA grants) and the
//! hosted page's second step.

use serde::{Deserialize, Serialize};

/// The second-factor grant with a one-time password (TOTP).
pub const MFA_OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// The second-factor grant with an out-of-band code (email).
pub const MFA_OOB_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
/// The second-factor grant with a recovery code.
pub const MFA_RECOVERY_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

/// `POST /mfa/associate` (Bearer `mfa_token`, or an access token for `{issuer}mfa/` with the
/// `enroll` scope): enrol a factor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAssociateRequest {
    /// The application (optional; the token names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications may send their secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `["otp"]` or `["oob"]`.
    #[serde(default)]
    pub authenticator_types: Vec<String>,
    /// With `oob`: `["email"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channels: Option<Vec<String>>,
    /// With the email channel: the address (the user's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What `/mfa/associate` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAssociateResponse {
    /// `otp` or `oob`.
    pub authenticator_type: String,
    /// `otp`: the shared secret, unpadded Base32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `otp`: the `otpauth://totp/…` URI authenticator apps read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode_uri: Option<String>,
    /// Tollgate's addition: the `barcode_uri` as an SVG QR code (for the enrolment screen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode_svg: Option<String>,
    /// `oob`: `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channel: Option<String>,
    /// `oob`: the handle of the code sent (for the `mfa-oob` grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// `oob`: `prompt` (the user types the code they received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_method: Option<String>,
    /// At the first enrolment: the recovery code (shown once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

/// `POST /mfa/challenge`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaChallengeRequest {
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Confidential applications authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The `mfa_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// `otp` or `oob` (space-separated list accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_type: Option<String>,
    /// Which authenticator (from `GET /mfa/authenticators`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_id: Option<String>,
}

/// What `/mfa/challenge` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaChallengeResponse {
    /// `otp` or `oob`.
    pub challenge_type: String,
    /// `oob`: the handle of the code sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// `oob`: `prompt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_method: Option<String>,
}

/// One entry of `GET /mfa/authenticators`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAuthenticator {
    /// `totp|dev_…`, `email|dev_…`, `recovery-code|dev_…`.
    pub id: String,
    /// `otp`, `oob` or `recovery-code`.
    pub authenticator_type: String,
    /// Confirmed.
    pub active: bool,
    /// `oob`: `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_channel: Option<String>,
    /// `oob`: the address, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The hosted page after a first factor when the tenant asks for a second: what the page shows
/// next. The `mfa_token` then works with `/mfa/*` like Auth0's, and `POST /u/mfa/verify` finishes
/// the login of the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaStep {
    /// The token for `/mfa/associate`, `/mfa/challenge` and `/u/mfa/verify`.
    pub mfa_token: String,
    /// No factor yet: enrol one (`otp` or `email`, as the tenant enables them).
    pub enroll: bool,
    /// The factors the tenant offers (`otp`, `email`).
    pub factors: Vec<String>,
    /// Hosted page: "Remember this browser" is offered, for this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_days: Option<u32>,
}

/// `POST /u/mfa/verify`: the hosted page's second factor, which finishes the transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedMfaVerify {
    /// The authorization transaction.
    pub tx: String,
    /// The `mfa_token` of the step.
    pub mfa_token: String,
    /// A TOTP code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
    /// An email challenge's handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oob_code: Option<String>,
    /// The emailed code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_code: Option<String>,
    /// A recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// Skip the second factor in this browser for the tenant's number of days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_browser: Option<bool>,
    /// A WebAuthn ceremony's handle (from `/u/mfa/webauthn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session: Option<String>,
    /// Its credential (`PublicKeyCredential.toJSON()`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<serde_json::Value>,
}

/// `POST /u/mfa/webauthn`: the hosted page starts a WebAuthn ceremony as the second factor
/// (answered like `/passkey/challenge`: `auth_session` and the options).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedMfaWebauthn {
    /// The authorization transaction.
    pub tx: String,
    /// The `mfa_token` of the step.
    pub mfa_token: String,
    /// Add a security key or passkey (no second factor yet), or use one.
    #[serde(default)]
    pub enroll: bool,
}
