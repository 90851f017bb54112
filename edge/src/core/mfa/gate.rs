//! The gate after a first factor: whether the tenant asks for a second one, the `mfa_token` of a
//! login that waits for it (`mfa_required`), and the hosted page's step (enrol or challenge). Every
//! path that ends in tokens or a session runs it; what happens next is `mfa_api`'s.

use super::authenticators::{self, Kind};
use super::policy;
use super::tickets::{self, Purpose};
use crate::core::directory::admins::ADMIN_CONNECTION_ID;
use crate::core::directory::tenant::Client;
use crate::core::directory::users::User;
use crate::core::error::{CoreError, CoreResult};
use crate::core::webauthn::credentials;
use crate::core::Core;

/// The scopes of the MFA API as an audience (`{issuer}mfa/`; Auth0's fixed 600 s lifetime).
pub const MFA_API_SCOPES: [&str; 3] = ["enroll", "read:authenticators", "remove:authenticators"];

/// The audience of access tokens for the MFA API itself.
pub fn mfa_audience(core: &Core<'_>) -> String {
    format!("{}mfa/", core.settings.issuer)
}
/// The `amr` of a login that passed a second factor.
pub const AMR_MFA: &[&str] = &["mfa"];

/// What a first factor asked for.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// Scopes (space-separated).
    pub scope: &'a str,
    /// The API.
    pub audience: Option<&'a str>,
    /// The first factor's `gty`.
    pub gty: Option<&'a str>,
    /// The hosted page's transaction.
    pub tx: Option<&'a str>,
    /// The browser's "remember this browser" cookie (hosted page logins).
    pub remembered: Option<&'a str>,
}

/// After a first factor: an `mfa_token` when the tenant asks for a second factor (the
/// administrators of the console are outside the tenant's policy).
pub async fn gate(core: &Core<'_>, client: &Client, user: &User, asked: Asked<'_>) -> CoreResult<Option<String>> {
    if !needed(core, user).await? || super::remember::remembered(core, &user.user_id, asked.remembered).await? {
        return Ok(None);
    }
    let token = tickets::issue(
        core,
        Purpose {
            user_id: &user.user_id,
            client_id: &client.client_id,
            scope: asked.scope,
            audience: asked.audience,
            gty: asked.gty,
            tx: asked.tx,
        },
    )
    .await?;
    // The first factor's `s` is half a login: Auth0 logs `mfar`, and `s` once the second passes.
    core.events.retype("s", "mfar", "Multifactor authentication required");
    Ok(Some(token))
}

/// Whether `user` must pass a second factor to log in.
pub async fn needed(core: &Core<'_>, user: &User) -> CoreResult<bool> {
    needed_on(core, &user.connection_id).await
}

/// Whether a login on `connection_id` must pass a second factor.
pub async fn needed_on(core: &Core<'_>, connection_id: &str) -> CoreResult<bool> {
    Ok(connection_id != ADMIN_CONNECTION_ID && policy::settings(core.db).await?.required())
}

/// Whether WebAuthn is on as a second factor.
pub fn webauthn_on(settings: &policy::MfaSettings) -> bool {
    settings.enabled().iter().any(|f| FACTORS.contains(f))
}

/// Whether the user has a second factor: a confirmed app or address, or — with WebAuthn on — a
/// security key or passkey.
pub async fn enrolled(core: &Core<'_>, user_id: &str) -> CoreResult<bool> {
    if !authenticators::active_factors(core, user_id).await?.is_empty() {
        return Ok(true);
    }
    let settings = policy::settings(core.db).await?;
    Ok(webauthn_on(&settings) && has_credential(core, user_id).await?)
}

/// The hosted page's gate after a first factor for transaction `tx`: the second step to show,
/// or `None` when the login may go on (no factor asked, or a remembered browser).
pub async fn hosted_step(
    core: &Core<'_>,
    client: &Client,
    user: &User,
    tx: &str,
    remembered: Option<&str>,
) -> CoreResult<Option<shared::wire::MfaStep>> {
    let asked = Asked {
        scope: "",
        audience: None,
        gty: None,
        tx: Some(tx),
        remembered,
    };
    match gate(core, client, user, asked).await? {
        Some(token) => Ok(Some(step(core, user, token).await?)),
        None => Ok(None),
    }
}

/// What the hosted page shows after a first factor that needs a second: `factors` are what the
/// user can enrol (`otp`, `email`, `webauthn`) or, enrolled, use.
pub async fn step(core: &Core<'_>, user: &User, mfa_token: String) -> CoreResult<shared::wire::MfaStep> {
    let settings = policy::settings(core.db).await?;
    let active = authenticators::active_factors(core, &user.user_id).await?;
    let webauthn = webauthn_on(&settings);
    let keys = webauthn && has_credential(core, &user.user_id).await?;
    let enroll = active.is_empty() && !keys;
    let mut factors: Vec<String> = if enroll {
        settings
            .enabled()
            .into_iter()
            .filter(|f| !FACTORS.contains(f))
            .map(String::from)
            .collect()
    } else {
        active
            .iter()
            .map(|a| if a.is(Kind::Otp) { "otp" } else { "email" }.to_owned())
            .collect()
    };
    if webauthn && (enroll || keys) {
        factors.push("webauthn".into());
    }
    factors.dedup();
    Ok(shared::wire::MfaStep {
        mfa_token,
        enroll,
        factors,
        remember_days: u32::try_from(settings.remember_browser_days).ok().filter(|d| *d > 0),
    })
}

/// `gate` as the token endpoint answers it: `403 mfa_required` with the token.
pub async fn require(core: &Core<'_>, client: &Client, user: &User, asked: Asked<'_>) -> CoreResult<()> {
    match gate(core, client, user, asked).await? {
        Some(token) => Err(CoreError::MfaRequired(token)),
        None => Ok(()),
    }
}

/// The factor names that turn WebAuthn on.
pub const FACTORS: [&str; 2] = ["webauthn-roaming", "webauthn-platform"];

/// Whether the user has a WebAuthn credential.
pub async fn has_credential(core: &Core<'_>, user_id: &str) -> CoreResult<bool> {
    Ok(!credentials::of_user(core.db, user_id).await?.is_empty())
}
