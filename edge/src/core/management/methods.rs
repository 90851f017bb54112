//! `GET /api/v2/users/{id}/authentication-methods` and `DELETE …/{method}`: a user's password and
//! passkeys, as Auth0 lists them; a passkey can be deleted (a password cannot: a reset replaces it).

use shared::management::authentication_methods::AuthenticationMethod;

use crate::core::directory::admins;
use crate::core::directory::users;
use crate::core::error::{CoreError, CoreResult};
use crate::core::management::users::local_id;
use crate::core::mfa::authenticators::{self, Kind};
use crate::core::platform::dates::iso8601;
use crate::core::webauthn::credentials;
use crate::core::Core;

/// The user's ways in.
pub async fn list(core: &Core<'_>, id: &str) -> CoreResult<Vec<AuthenticationMethod>> {
    let user = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let mut out = Vec::new();
    if user.password_hash.is_some() {
        out.push(AuthenticationMethod {
            id: format!("password|{}", user.user_id),
            kind: "password".into(),
            confirmed: Some(true),
            name: None,
            created_at: Some(iso8601(user.created_at)),
            last_auth_at: None,
            credential_device_type: None,
            credential_backed_up: None,
        });
    }
    for c in credentials::of_user(core.db, &user.user_id).await? {
        out.push(AuthenticationMethod {
            id: format!("passkey|{}", c.credential_id),
            kind: "passkey".into(),
            confirmed: Some(true),
            name: Some(c.name),
            created_at: Some(iso8601(c.created_at)),
            last_auth_at: c.last_used_at.map(iso8601),
            credential_device_type: Some(if c.backed_up { "multi_device" } else { "single_device" }.into()),
            credential_backed_up: Some(c.backed_up),
        });
    }
    for a in authenticators::of_user(core, &user.user_id).await? {
        if a.is(Kind::RecoveryCode) && !a.active {
            continue;
        }
        out.push(AuthenticationMethod {
            id: a.id.clone(),
            kind: match a.kind.as_str() {
                "otp" => "totp",
                other => other,
            }
            .into(),
            confirmed: Some(a.active),
            name: a.email.as_deref().map(authenticators::mask_email),
            created_at: Some(iso8601(a.created_at)),
            last_auth_at: a.last_auth_at.map(iso8601),
            credential_device_type: None,
            credential_backed_up: None,
        });
    }
    Ok(out)
}

/// `DELETE /api/v2/users/{id}/authenticators`: every second factor of the user goes (they enrol
/// again at their next login when the tenant asks for MFA).
pub async fn reset_mfa(core: &Core<'_>, id: &str) -> CoreResult<()> {
    let user = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    authenticators::delete_all(core, &user.user_id).await
}

/// `POST /api/v2/users/{id}/multifactor/actions/invalidate-remember-browser`: every browser
/// remembered for the user asks for the second factor again.
pub async fn forget_browsers(core: &Core<'_>, id: &str) -> CoreResult<()> {
    let user = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    core.db
        .batch(vec![crate::core::mfa::remember::forget_all_stmt(&user.user_id)])
        .await?;
    Ok(())
}

/// Deletes one passkey of the user, and with it their sessions and refresh tokens (a lost device:
/// whatever it signed in is signed out).
pub async fn delete(core: &Core<'_>, id: &str, method: &str) -> CoreResult<()> {
    let user = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let not_found = || CoreError::NotFound("The authentication method does not exist.".into());
    match method.split_once('|') {
        Some(("passkey", cred)) if credentials::delete(core.db, &user.user_id, cred).await? => {
            let now = core.clock.now_ms();
            core.db
                .batch(crate::core::accounts::lifecycle::revocations(&user.user_id, now, None))
                .await?;
            Ok(())
        }
        Some(("totp" | "email" | "recovery-code", _))
            if authenticators::delete(core, &user.user_id, method).await? =>
        {
            Ok(())
        }
        Some(("password", _)) => Err(CoreError::InvalidRequest(
            "The password is not deleted: a password-change ticket or a reset replaces it.".into(),
        )),
        _ => Err(not_found()),
    }
}
