//! A provider's profile, normalized: from OIDC claims or through an OAuth 2.0 attribute mapping.

use serde_json::{Map, Value};
use shared::email::Email;

/// What an identity provider says about its user, normalized (its root attributes become the
/// user's [`crate::core::directory::users::Profile`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderProfile {
    /// The provider's user id.
    pub provider_user_id: String,
    /// Normalized email, if shared.
    pub email: Option<Email>,
    /// Whether the provider vouches for the email.
    pub email_verified: bool,
    /// Full name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
    /// The provider's profile as received (token bookkeeping claims removed).
    pub raw: Map<String, Value>,
}

pub(super) fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

pub(super) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().chars().take(300).collect()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn truthy(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true))) || matches!(v, Some(Value::String(s)) if s == "true")
}

/// Maps an OIDC ID token's claims to a profile.
pub fn profile_from_claims(claims: &Map<String, Value>) -> Result<ProviderProfile, String> {
    let v = Value::Object(claims.clone());
    let provider_user_id = text(v.get("sub")).ok_or("the ID token has no sub")?;
    let mut raw = claims.clone();
    for k in [
        "iss",
        "aud",
        "exp",
        "iat",
        "nbf",
        "nonce",
        "at_hash",
        "c_hash",
        "azp",
        "auth_time",
        "jti",
        "sid",
    ] {
        raw.remove(k);
    }
    Ok(ProviderProfile {
        provider_user_id,
        email: text(v.get("email")).map(|e| Email::new(&e)),
        email_verified: truthy(v.get("email_verified")),
        name: text(v.get("name")),
        given_name: text(v.get("given_name")),
        family_name: text(v.get("family_name")),
        picture: text(v.get("picture")),
        raw,
    })
}

/// Maps an OAuth 2.0 profile with `mapping` (attribute → dotted path, or `true`/`false` for
/// `email_verified`).
pub fn profile_from_mapping(profile: &Value, mapping: &Map<String, Value>) -> Result<ProviderProfile, String> {
    let get = |attr: &str| match mapping.get(attr) {
        Some(Value::String(path)) => text(lookup(profile, path)),
        _ => None,
    };
    let provider_user_id = get("user_id").ok_or("the profile has no user id")?;
    let email_verified = match mapping.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(path)) => truthy(lookup(profile, path)),
        _ => false,
    };
    let email = get("email").map(|e| Email::new(&e));
    Ok(ProviderProfile {
        provider_user_id,
        email_verified: email_verified && email.is_some(),
        email,
        name: get("name"),
        given_name: get("given_name"),
        family_name: get("family_name"),
        picture: get("picture"),
        raw: profile.as_object().cloned().unwrap_or_default(),
    })
}
