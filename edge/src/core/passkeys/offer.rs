//! The passkey offer after a password login in the **embedded** widget: the widget's password
//! grant carries `passkey_offer: true`; when the account may add one (`flows::offer_enrollment`:
//! passkeys and progressive enrolment on, none yet, not declined in the last 30 days), the token
//! response carries a started enrolment (`passkey_enrollment`: `auth_session` + creation
//! options). Its `auth_session` — random, single use, 5 minutes, bound to the application and the
//! user, handed only to the caller that just proved the password — is the proof for the answer:
//! `POST /passkey/enrollment/verify` (the new credential) or `/passkey/enrollment/skip`.

use crate::core::directory::tenant::Client;
use crate::core::directory::users;
use crate::core::error::CoreResult;
use crate::core::passkeys::flows::{self, refused, CredentialJson, Started};
use crate::core::webauthn::credentials::{self, Purpose};
use crate::core::Core;

/// The enrolment to offer `user_id` after a password grant for `client`, if any. Never fails the
/// login: a refusal here is no offer.
pub async fn after_grant(core: &Core<'_>, client: &Client, user_id: &str) -> CoreResult<Option<Started>> {
    let Some(user) = users::by_id(core.db, user_id).await? else {
        return Ok(None);
    };
    let Ok(conn) = flows::connection(core, client, None).await else {
        return Ok(None);
    };
    if user.connection_id != conn.id || !flows::offer_enrollment(core, &conn, &user).await? {
        return Ok(None);
    }
    Ok(Some(
        flows::enrollment(core, &client.client_id, &conn.id, &user, None).await?,
    ))
}

/// `POST /passkey/enrollment/verify`: the offered enrolment finished with `credential`.
pub async fn verify(
    core: &Core<'_>,
    client_id: &str,
    auth_session: &str,
    credential: &CredentialJson,
) -> CoreResult<()> {
    flows::finish_enrollment(core, client_id, auth_session, None, credential, None).await?;
    Ok(())
}

/// `POST /passkey/enrollment/skip`: "not now" — the enrolment is void and the offer comes back in
/// 30 days.
pub async fn skip(core: &Core<'_>, client_id: &str, auth_session: &str) -> CoreResult<()> {
    let c = credentials::take(core, auth_session, Purpose::Enroll, client_id, None)
        .await?
        .ok_or_else(|| refused("unknown, used or expired enrolment", core))?;
    let user_id = c.user_id.ok_or_else(|| refused("an enrolment without a user", core))?;
    flows::skip_enrollment(core, &user_id).await
}
