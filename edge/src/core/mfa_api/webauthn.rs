//! WebAuthn as a second factor (Auth0's `webauthn-roaming` / `webauthn-platform`): a security key
//! or passkey of the user, on the hosted page. The ceremony's challenge is bound to the pending
//! login's `mfa_token` (as a browser binding is), so only its holder can finish it; the credential
//! is the user's (`passkey_credentials`), so a key enrolled here also logs in as a passkey.

use serde_json::{json, Value};

use crate::core::directory::tenant;
use crate::core::directory::users::{self, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::mfa::tickets::Pending;
use crate::core::passkeys::flows::{creation_options, relying_party, CredentialJson, Started};
use crate::core::webauthn::ceremony::{self, AssertionResponse, AttestationResponse, RelyingParty};
use crate::core::webauthn::credentials::{self, Purpose};
use crate::core::Core;

/// Starts a ceremony for the pending login: adding a key (`enroll`, only while the user has no
/// second factor) or using one of theirs.
pub async fn start(
    core: &Core<'_>,
    pending: &Pending,
    token: &str,
    enroll: bool,
    enrolled: bool,
) -> CoreResult<Started> {
    let user: User = users::by_id(core.db, &pending.user_id)
        .await?
        .ok_or_else(|| CoreError::InvalidGrant("Malformed mfa_token".into()))?;
    let (rp_id, _) = relying_party(core).await?;
    let creds = credentials::of_user(core.db, &user.user_id).await?;
    if enroll {
        if enrolled || !creds.is_empty() {
            return Err(CoreError::AccessDenied("User is already enrolled.".into()));
        }
        let (auth_session, challenge) = credentials::issue(
            core,
            Purpose::Enroll,
            &pending.client_id,
            &user.connection_id,
            Some(token),
            Some(&user.user_id),
            None,
        )
        .await?;
        let name = tenant::tenant(core.db).await?.name;
        return Ok(Started {
            auth_session,
            options: creation_options(&rp_id, &name, &challenge, &user.user_id, &user.email, &[]),
        });
    }
    if creds.is_empty() {
        return Err(CoreError::AccessDenied(
            "No security key or passkey is enrolled.".into(),
        ));
    }
    let (auth_session, challenge) = credentials::issue(
        core,
        Purpose::Login,
        &pending.client_id,
        &user.connection_id,
        Some(token),
        Some(&user.user_id),
        None,
    )
    .await?;
    let allow: Vec<Value> = creds
        .iter()
        .map(|c| json!({"type": "public-key", "id": c.credential_id}))
        .collect();
    Ok(Started {
        auth_session,
        options: json!({"challenge": challenge, "rpId": rp_id, "timeout": credentials::CHALLENGE_TTL_MS,
            "userVerification": "required", "allowCredentials": allow}),
    })
}

/// Checks a ceremony of the pending login: `Ok(true)` when a new key of the user was registered
/// or one of the user's keys signed the challenge; `Ok(false)` for anything else (a wrong answer).
pub async fn check(
    core: &Core<'_>,
    pending: &Pending,
    token: &str,
    auth_session: &str,
    credential: &CredentialJson,
) -> CoreResult<bool> {
    let (rp_id, origins) = relying_party(core).await?;
    let rp = RelyingParty {
        id: &rp_id,
        origins: &origins,
    };
    let mine = |c: &credentials::Challenge| c.user_id.as_deref() == Some(pending.user_id.as_str());
    let now = core.clock.now_ms();
    if let Some(c) = credentials::take(core, auth_session, Purpose::Enroll, &pending.client_id, Some(token))
        .await?
        .filter(mine)
    {
        let Ok(response) = serde_json::from_value::<AttestationResponse>(credential.response.clone()) else {
            return Ok(false);
        };
        let Ok(new) = ceremony::verify_registration(&rp, &c.challenge, &response) else {
            return Ok(false);
        };
        let stored = core
            .db
            .batch(vec![credentials::insert_stmt(
                &pending.user_id,
                &new,
                credential.name(),
                credential.response.get("transports"),
                now,
            )])
            .await;
        return Ok(stored.is_ok());
    }
    let Some(c) = credentials::take(core, auth_session, Purpose::Login, &pending.client_id, Some(token))
        .await?
        .filter(mine)
    else {
        return Ok(false);
    };
    let Ok(response) = serde_json::from_value::<AssertionResponse>(credential.response.clone()) else {
        return Ok(false);
    };
    let Some(stored) = credentials::by_id(core.db, &credential.id)
        .await?
        .filter(|s| s.user_id == pending.user_id)
    else {
        return Ok(false);
    };
    let Some(key) = stored.key() else { return Ok(false) };
    let count_before = u32::try_from(stored.sign_count).unwrap_or(u32::MAX);
    let Ok(count) = ceremony::verify_assertion(&rp, &c.challenge, &key, count_before, &response) else {
        return Ok(false);
    };
    let done = core
        .db
        .batch(vec![credentials::used_stmt(
            &stored.credential_id,
            stored.sign_count,
            count,
            now,
        )])
        .await?;
    Ok(done.first().is_some_and(|rows| !rows.is_empty()))
}
