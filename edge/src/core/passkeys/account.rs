//! Auth0's My Account API for passkeys (`{issuer}me/v1/authentication-methods`): a user lists,
//! adds and removes their own passkeys with an access token issued to them for the audience
//! `{issuer}me/` (any login of any application of the tenant may ask for it).
//!
//! ```text
//! bearer ──verify──▶ RS256, published kid, iss, aud ∋ {issuer}me/, exp (600 s tokens)
//!    │ sub = a user (auth0|…), no client-credentials gty; the user exists, not blocked   (else 401)
//!    ▼
//! Holder { user, azp, scopes, auth_time }
//!    │ list / get   read:me:authentication_methods                                     (else 403)
//!    │ add          create:me:authentication_methods + a login in the last 10 minutes  (else 403)
//!    │ delete       delete:me:authentication_methods + a login in the last 10 minutes  (else 403)
//!    │              and never the last way in (no password, one passkey)               (409)
//!    ▼
//! add:    start ──▶ a challenge bound to the user and azp (5 minutes, single use) ──▶ verify
//! delete: the passkey goes, with every session and refresh token of the user
//! ```
//! Why a recent login: a stolen token (or an unattended session) must not let someone plant their
//! own passkey (a way back in for good) or take the owner's away. A refresh token keeps the
//! `auth_time` of the login it came from, so refreshing does not make a login recent.

use serde_json::Value;
use shared::my_account::{MyAuthenticationMethod, MyAuthenticationMethods, MyEnrollmentRequest, MyEnrollmentVerify};

use crate::core::directory::tenant;
use crate::core::directory::users::{self, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::audiences::{my_account_audience, CLIENT_CREDENTIALS_GTY};
use crate::core::oauth::tokens::{split_scope, verify};
use crate::core::passkeys::flows::{self, CredentialJson, Started};
use crate::core::platform::dates::iso8601;
use crate::core::webauthn::credentials::{self, Credential};
use crate::core::Core;

/// How recent a login must be to add or remove a passkey (seconds).
pub const RECENT_LOGIN_S: i64 = 600;

/// The id of a passkey being enrolled (the `Location` of `POST …/authentication-methods`; the
/// credential's id is known once the ceremony is done).
pub const NEW_PASSKEY_ID: &str = "passkey|new";

/// Scope to list.
pub const READ: &str = "read:me:authentication_methods";
/// Scope to add.
pub const CREATE: &str = "create:me:authentication_methods";
/// Scope to remove.
pub const DELETE: &str = "delete:me:authentication_methods";

/// The user a My Account API token was issued to.
#[derive(Debug, Clone)]
pub struct Holder {
    /// The user (as stored now).
    pub user: User,
    /// The application the token was issued to.
    pub client_id: String,
    /// The token's scopes.
    pub scopes: Vec<String>,
    /// When the user logged in (epoch seconds).
    pub auth_time: i64,
}

impl Holder {
    fn require(&self, scope: &str) -> CoreResult<()> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(CoreError::InsufficientScope(format!(
                "Insufficient scope, expected: {scope}"
            )))
        }
    }

    fn require_recent_login(&self, core: &Core<'_>) -> CoreResult<()> {
        if core.clock.now_ms() / 1000 - self.auth_time <= RECENT_LOGIN_S {
            Ok(())
        } else {
            Err(CoreError::AccessDenied(
                "Adding or removing a passkey takes a recent login: log in again.".into(),
            ))
        }
    }
}

fn invalid(why: impl std::fmt::Display) -> CoreError {
    CoreError::InvalidToken(format!("Invalid token: {why}"))
}

/// Authenticates a My Account API bearer token (see the module diagram).
pub async fn authenticate(core: &Core<'_>, bearer: Option<&str>) -> CoreResult<Holder> {
    let token = bearer
        .filter(|b| !b.is_empty())
        .ok_or_else(|| CoreError::Unauthorized("Missing authentication".into()))?;
    let keys = crate::core::oauth::keys::verifying_keys(core.db).await?;
    let claims = verify(
        token,
        &keys,
        &core.settings.issuer,
        &my_account_audience(core),
        core.clock.now_ms() / 1000,
    )
    .map_err(invalid)?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default();
    if text("gty") == CLIENT_CREDENTIALS_GTY {
        return Err(invalid("not a user's token"));
    }
    let user_id = users::id_from_sub(text("sub")).ok_or_else(|| invalid("not a user's token"))?;
    let user = users::by_id(core.db, user_id)
        .await?
        .filter(|u| !u.blocked)
        .ok_or_else(|| invalid("the user no longer exists or is blocked"))?;
    let auth_time = claims.get("auth_time").and_then(Value::as_i64).unwrap_or(0);
    Ok(Holder {
        user,
        client_id: text("azp").to_owned(),
        scopes: split_scope(text("scope")),
        auth_time,
    })
}

/// One passkey as the API shows it.
pub fn view(rp_id: &str, user_id: &str, c: &Credential) -> MyAuthenticationMethod {
    MyAuthenticationMethod {
        id: format!("passkey|{}", c.credential_id),
        kind: "passkey".into(),
        created_at: iso8601(c.created_at),
        usage: vec!["primary".into()],
        identity_user_id: users::sub(user_id),
        name: Some(c.name.clone()),
        key_id: Some(c.credential_id.clone()),
        relying_party_id: Some(rp_id.to_owned()),
        credential_device_type: Some(if c.backed_up { "multi_device" } else { "single_device" }.into()),
        credential_backed_up: Some(c.backed_up),
        last_auth_at: c.last_used_at.map(iso8601),
    }
}

/// `GET /me/v1/authentication-methods` (`type` filters: `passkey`, `password`).
pub async fn list(core: &Core<'_>, h: &Holder, kind: Option<&str>) -> CoreResult<MyAuthenticationMethods> {
    h.require(READ)?;
    let (rp_id, _) = flows::relying_party(core).await?;
    let mut out = Vec::new();
    if h.user.password_hash.is_some() {
        out.push(MyAuthenticationMethod {
            id: format!("password|{}", h.user.user_id),
            kind: "password".into(),
            created_at: iso8601(h.user.created_at),
            usage: vec!["primary".into()],
            identity_user_id: users::sub(&h.user.user_id),
            name: None,
            key_id: None,
            relying_party_id: None,
            credential_device_type: None,
            credential_backed_up: None,
            last_auth_at: None,
        });
    }
    for c in credentials::of_user(core.db, &h.user.user_id).await? {
        out.push(view(&rp_id, &h.user.user_id, &c));
    }
    out.retain(|m| kind.is_none_or(|k| m.kind == k));
    Ok(MyAuthenticationMethods {
        authentication_methods: out,
    })
}

/// `GET /me/v1/authentication-methods/{id}`: one of the user's methods.
pub async fn get(core: &Core<'_>, h: &Holder, id: &str) -> CoreResult<MyAuthenticationMethod> {
    list(core, h, None)
        .await?
        .authentication_methods
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(not_found)
}

fn not_found() -> CoreError {
    CoreError::NotFound("The authentication method does not exist.".into())
}

/// `POST /me/v1/authentication-methods` with `{"type": "passkey"}`: starts adding a passkey on the
/// user's own database connection (which must have passkeys on).
pub async fn start(core: &Core<'_>, h: &Holder, req: &MyEnrollmentRequest) -> CoreResult<Started> {
    h.require(CREATE)?;
    if req.kind != "passkey" {
        return Err(CoreError::InvalidRequest(format!(
            "Enrolling {} is not supported: only passkey.",
            req.kind
        )));
    }
    if req
        .identity_user_id
        .as_deref()
        .is_some_and(|i| i != users::sub(&h.user.user_id))
    {
        return Err(CoreError::InvalidRequest(
            "identity_user_id is not this user's identity.".into(),
        ));
    }
    h.require_recent_login(core)?;
    let conn = tenant::connection_by_id(core.db, &h.user.connection_id)
        .await?
        .filter(|c| c.options.authentication_methods.passkey.enabled)
        .filter(|c| req.connection.as_deref().is_none_or(|n| n == c.name))
        .ok_or_else(|| CoreError::InvalidRequest("Passkeys are not enabled for this account's connection.".into()))?;
    flows::enrollment(core, &h.client_id, &conn.id, &h.user, None).await
}

/// `POST /me/v1/authentication-methods/passkey|new/verify`: finishes adding the passkey the same
/// user started with the same application; the new passkey.
pub async fn finish(
    core: &Core<'_>,
    h: &Holder,
    method_id: &str,
    req: &MyEnrollmentVerify,
) -> CoreResult<MyAuthenticationMethod> {
    h.require(CREATE)?;
    if method_id != NEW_PASSKEY_ID {
        return Err(not_found());
    }
    h.require_recent_login(core)?;
    let credential = CredentialJson::parse(&req.authn_response)?;
    let id = flows::finish_enrollment(
        core,
        &h.client_id,
        &req.auth_session,
        Some(&h.user.user_id),
        &credential,
        None,
    )
    .await?;
    let stored = credentials::by_id(core.db, &id)
        .await?
        .ok_or_else(|| CoreError::Internal("new passkey vanished".into()))?;
    let (rp_id, _) = flows::relying_party(core).await?;
    Ok(view(&rp_id, &h.user.user_id, &stored))
}

/// `DELETE /me/v1/authentication-methods/{id}`: removes one of the user's passkeys — never their
/// last way in — and ends their sessions and refresh tokens (a lost device is signed out).
pub async fn delete(core: &Core<'_>, h: &Holder, id: &str) -> CoreResult<()> {
    h.require(DELETE)?;
    let Some(("passkey", credential_id)) = id.split_once('|') else {
        return match id.split_once('|') {
            Some(("password", u)) if u == h.user.user_id => Err(CoreError::InvalidRequest(
                "The password is not deleted: a reset replaces it.".into(),
            )),
            _ => Err(not_found()),
        };
    };
    let mine = credentials::of_user(core.db, &h.user.user_id).await?;
    if !mine.iter().any(|c| c.credential_id == credential_id) {
        return Err(not_found());
    }
    h.require_recent_login(core)?;
    // Checked in the DELETE itself: two removals at once cannot both pass as "not the last".
    if !credentials::delete_unless_last(core.db, &h.user.user_id, credential_id).await? {
        return Err(CoreError::Conflict(
            "This passkey is the only way into the account: add another passkey or a password first.".into(),
        ));
    }
    core.db
        .batch(crate::core::accounts::lifecycle::revocations(
            &h.user.user_id,
            core.clock.now_ms(),
            None,
        ))
        .await?;
    Ok(())
}

/// The hosted "Manage your passkeys" page's token: a My Account API token for the signed-in
/// session's user (on a connection `client` has), with the session's login time.
pub async fn session_token(
    core: &Core<'_>,
    signer: &dyn crate::core::oauth::tokens::Signer,
    client: &tenant::Client,
    session: &crate::core::oauth::sessions::Session,
) -> CoreResult<shared::wire::TokenResponse> {
    let user = users::by_id(core.db, &session.user_id)
        .await?
        .filter(|u| !u.blocked)
        .ok_or_else(|| CoreError::Unauthorized("Log in first.".into()))?;
    if !tenant::connection_enabled(core.db, &client.client_id, &session.connection_id).await? {
        return Err(CoreError::AccessDenied(
            "This application does not use the connection of your login.".into(),
        ));
    }
    let api = crate::core::oauth::audiences::my_account_api(core);
    let amr: Vec<&str> = session.amr.iter().map(String::as_str).collect();
    crate::core::oauth::grants::issue_user_tokens(
        core,
        signer,
        &crate::core::oauth::grants::UserGrant {
            client,
            user: &user,
            scopes: &api.scopes,
            api: Some(&api),
            gty: None,
            nonce: None,
            auth_time: Some(session.auth_time),
            amr: &amr,
        },
    )
    .await
}
