//! `GET /api/v2/users/{id}/authentication-methods` and `DELETE …/{method}`: a user's password and
//! passkeys, as Auth0 lists them; a passkey can be deleted (a password cannot: a reset replaces it).

use shared::management::authentication_methods::AuthenticationMethod;

use crate::core::directory::admins;
use crate::core::directory::users;
use crate::core::error::{CoreError, CoreResult};
use crate::core::management::users::local_id;
use crate::core::passkeys::credentials;
use crate::core::platform::dates::iso8601;
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
    Ok(out)
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
        Some(("password", _)) => Err(CoreError::InvalidRequest(
            "The password is not deleted: a password-change ticket or a reset replaces it.".into(),
        )),
        _ => Err(not_found()),
    }
}
