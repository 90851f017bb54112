//! Hooks (`/api/v2/hooks`): Tollgate's equivalent of Auth0 Actions — an operator's HTTPS endpoint
//! called, signed, at three points of sign-up and login. The resource has the shape of Auth0's
//! Hooks API (`id`, `name`, `triggerId`, `enabled`), with `url` where Auth0 has `script`: the
//! code runs on the operator's server, not on ours.
//!
//! The call and its answer ([`HookEvent`], [`HookAnswer`]) are the hook contract of the README
//! ("Hooks"); a hook server written in Rust can use these types as they are.

use serde::{Deserialize, Serialize};

use super::Metadata;

/// Before a user is created (database sign-up, passwordless first login, passkey sign-up): may
/// deny with a message for the person, or set `user_metadata` / `app_metadata`.
pub const PRE_USER_REGISTRATION: &str = "pre-user-registration";
/// After a user is created: a notification; its answer changes nothing.
pub const POST_USER_REGISTRATION: &str = "post-user-registration";
/// Before a user's tokens are issued (every grant that issues them, refresh included): may deny,
/// add namespaced claims to the ID and access tokens, or set `app_metadata`.
pub const POST_LOGIN: &str = "post-login";
/// Every trigger.
pub const TRIGGERS: [&str; 3] = [PRE_USER_REGISTRATION, POST_USER_REGISTRATION, POST_LOGIN];

/// What a failed call (no answer in time, an error status, an answer outside the contract, an
/// open circuit breaker) means for the sign-up or login that waited for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureMode {
    /// Refuse: the sign-up or login fails with a "try again later" message (the default, as a
    /// failing Auth0 Action fails the login).
    #[default]
    Closed,
    /// Go on as if the hook had allowed without changes.
    Open,
}

impl FailureMode {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
        }
    }

    /// The stored name parsed (anything else: closed).
    pub fn parse(s: &str) -> Self {
        if s == "open" {
            Self::Open
        } else {
            Self::Closed
        }
    }
}

/// One hook (`GET /api/v2/hooks`, `/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    /// `hk_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// One of [`TRIGGERS`].
    pub trigger_id: String,
    /// Whether it is called (at most one enabled hook per trigger, as Auth0).
    pub enabled: bool,
    /// Where it is called (`https`, public host).
    pub url: String,
    /// The name of the Worker secret that signs the calls (`CONNECTION_SECRET_…`); never its value.
    pub secret: String,
    /// What a failed call means.
    pub failure_mode: FailureMode,
    /// How long one call may take (ms).
    pub timeout_ms: u64,
}

/// `POST /api/v2/hooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateHook {
    /// Its name.
    pub name: String,
    /// One of [`TRIGGERS`].
    pub trigger_id: String,
    /// Where it is called.
    pub url: String,
    /// The Worker secret that signs the calls (`CONNECTION_SECRET_…`).
    pub secret: String,
    /// Called from now on (default `false`, as Auth0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Default `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_mode: Option<FailureMode>,
    /// 100–10,000 ms (default 3,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `PATCH /api/v2/hooks/{id}`: absent fields stay; the trigger never changes (as Auth0).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateHook {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Another Worker secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// On or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Open or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_mode: Option<FailureMode>,
    /// New timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// The application a sign-up or login is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookClient {
    /// Its id.
    pub client_id: String,
    /// Its name.
    pub name: String,
}

/// The connection a user signs up or logs in on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookConnection {
    /// `con_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `auth0`, `email`, a provider's strategy.
    pub strategy: String,
}

/// The user as a hook sees them: before a sign-up without `user_id`; never a password or hash.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HookUser {
    /// `auth0|…` (absent before the user exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Email.
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Username, where the connection has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The person's metadata.
    #[serde(default)]
    pub user_metadata: Metadata,
    /// The application's metadata about them.
    #[serde(default)]
    pub app_metadata: Metadata,
    /// Logins so far (post-login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logins_count: Option<i64>,
}

/// The body of a call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HookEvent {
    /// One of [`TRIGGERS`].
    pub trigger: String,
    /// The tenant's issuer (`https://auth.example.com/`).
    pub tenant: String,
    /// The application, when the request names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<HookClient>,
    /// The connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<HookConnection>,
    /// The user.
    pub user: HookUser,
    /// post-login: the grant that issues the tokens (`authorization_code`, `refresh_token`,
    /// `password`, `http://auth0.com/oauth/grant-type/passwordless/otp`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// post-login: the scopes being granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// post-login: the API the access token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// A hook's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HookVerdict {
    /// Go on (with the changes of the answer).
    Allow,
    /// Refuse the sign-up or login.
    Deny,
}

/// What a hook answers: `200` with this JSON object (anything else is a failed call). The fields a
/// trigger does not take are refused as a failed call, so a mistake is seen, not ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookAnswer {
    /// Allow or deny.
    pub verdict: HookVerdict,
    /// deny: why, for the operator (tenant log; Auth0's `reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// deny: what the person is shown (Auth0's `userMessage`; a generic text when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
    /// pre-user-registration: merged into the new user's `user_metadata` (`null` removes a key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Metadata>,
    /// pre-user-registration, post-login: merged into `app_metadata` (`null` removes a key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<Metadata>,
    /// post-login: claims added to the ID token; names are namespaced URLs (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_claims: Option<Metadata>,
    /// post-login: claims added to the access token; names are namespaced URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_claims: Option<Metadata>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    /// Auth0's hook object (`GET /api/v2/hooks`) reads as ours apart from `script`, which a hook
    /// that runs elsewhere has not; ours carries the URL instead.
    #[test]
    fn hooks_have_auth0s_shape_and_bodies_refuse_unknown_fields() {
        let h = Hook {
            id: "hk_1".into(),
            name: "block-domains".into(),
            trigger_id: PRE_USER_REGISTRATION.into(),
            enabled: true,
            url: "https://hooks.example/pre".into(),
            secret: "CONNECTION_SECRET_HOOKS".into(),
            failure_mode: FailureMode::Closed,
            timeout_ms: 3000,
        };
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(v["triggerId"], "pre-user-registration");
        assert_eq!(v["failureMode"], "closed");
        assert_eq!(serde_json::from_value::<Hook>(v).unwrap(), h);
        let create: CreateHook = serde_json::from_value(json!({
            "name": "n", "triggerId": "post-login", "url": "https://h.example/", "secret": "CONNECTION_SECRET_H",
            "enabled": true
        }))
        .unwrap();
        assert_eq!(create.enabled, Some(true));
        assert!(serde_json::from_value::<CreateHook>(json!({
            "name": "n", "triggerId": "post-login", "url": "u", "secret": "s", "script": "module.exports = …"
        }))
        .is_err());
        assert!(serde_json::from_value::<UpdateHook>(json!({"triggerId": "post-login"})).is_err());
    }

    #[test]
    fn answers_are_strict() {
        let a: HookAnswer = serde_json::from_value(json!({
            "verdict": "allow", "id_token_claims": {"https://example.com/roles": ["admin"]}
        }))
        .unwrap();
        assert_eq!(a.verdict, HookVerdict::Allow);
        assert!(serde_json::from_value::<HookAnswer>(json!({"verdict": "maybe"})).is_err());
        assert!(serde_json::from_value::<HookAnswer>(json!({"verdict": "allow", "extra": 1})).is_err());
        assert!(serde_json::from_value::<HookAnswer>(json!({})).is_err());
    }
}
