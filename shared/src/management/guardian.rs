//! Multi-factor settings as Auth0's Management API names them: `GET /api/v2/guardian/factors`,
//! `PUT /api/v2/guardian/factors/{name}` (`{enabled}`), `GET/PUT /api/v2/guardian/policies`
//! (`[]` = never, `["all-applications"]` = always), and Tollgate's
//! `GET/PUT /api/v2/guardian/remember-browser` (Auth0 fixes "remember this browser" at 30 days in
//! its Actions; here the tenant chooses).

use serde::{Deserialize, Serialize};

/// The factors Tollgate offers as a second factor (both WebAuthn names turn on security keys and
/// passkeys, on the hosted page).
pub const SUPPORTED_FACTORS: [&str; 4] = ["otp", "email", "webauthn-roaming", "webauthn-platform"];
/// Auth0's factor names Tollgate knows but does not offer as a second factor yet.
pub const KNOWN_FACTORS: [&str; 6] = [
    "otp",
    "email",
    "webauthn-roaming",
    "webauthn-platform",
    "sms",
    "push-notification",
];
/// The one policy besides "never".
pub const ALL_APPLICATIONS: &str = "all-applications";

/// One factor of `GET /api/v2/guardian/factors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// Its name (`otp`, `email`, …).
    pub name: String,
    /// Offered to users.
    pub enabled: bool,
    /// Whether it can be offered without more setup (Auth0: `trial_expired`/… are not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_trial_expired: Option<bool>,
}

/// `PUT /api/v2/guardian/factors/{name}`: the body and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorUpdate {
    /// On or off.
    pub enabled: bool,
}

/// The longest a browser may be remembered.
pub const REMEMBER_BROWSER_MAX_DAYS: u32 = 90;

/// `GET/PUT /api/v2/guardian/remember-browser`: whether the second factor's screen offers
/// "Remember this browser", and for how many days a remembered browser skips the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RememberBrowser {
    /// Offered.
    pub enabled: bool,
    /// 1 to [`REMEMBER_BROWSER_MAX_DAYS`].
    pub lifetime_days: u32,
}

impl Default for RememberBrowser {
    fn default() -> Self {
        Self {
            enabled: false,
            lifetime_days: 30,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn factors_and_policies_round_trip_in_auth0s_shape() {
        // As the Management API documents them (GET /guardian/factors; PUT /guardian/policies).
        let text = r#"[{"name":"otp","enabled":true},{"name":"email","enabled":false}]"#;
        let f: Vec<Factor> = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), text);
        let p: Vec<String> = serde_json::from_str(r#"["all-applications"]"#).unwrap();
        assert_eq!(p, [ALL_APPLICATIONS]);
        assert!(serde_json::from_str::<FactorUpdate>(r#"{"enabled":true,"x":1}"#).is_err());
    }
}
