//! Who may call the Management API (`{issuer}api/v2/`), and with which scopes.
//!
//! ```text
//! bearer token ──verify──▶ RS256, published kid, iss, aud = {issuer}api/v2/, exp
//!      │ gty = client-credentials, sub = {azp}@clients        (user and ID tokens stop here: 401)
//!      ▼
//! the client still exists, is confidential and may use client_credentials       (else 401)
//!      │ the client grant for the audience still exists                           (else 401)
//!      ▼
//! Principal::Client { scopes = token scopes ∩ the grant's scopes today }
//!      │ the route's scope (one table in `api::management::ROUTES`)               (else 403)
//!      ▼
//! handler
//! ```
//! The client, its grant and the grant's scopes are read at use time, so deleting a client or a
//! grant, or narrowing a grant, takes effect on tokens already issued.
//!
//! User flows (password, password-realm, code, implicit, refresh, embedded login) never receive
//! the Management API audience: `oauth::audiences::refuse_management_audience` answers Auth0's `access_denied`
//! instead of a silently reduced token. The one exception is explicit: tenant administrators
//! signed in to the console (`admins`) — a console token (`azp` = the console, no `gty`) is
//! accepted for a user who is still a member, with the scopes their role holds today.

use serde_json::Value;

use crate::core::directory::tenant;
use crate::core::directory::tenant::GrantType;
use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::audiences::{management_audience, CLIENT_CREDENTIALS_GTY};
use crate::core::oauth::tokens::{split_scope, verify};
use crate::core::Core;

/// A caller of the Management API that proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A machine-to-machine client holding a client grant for the Management API.
    Client {
        /// The client.
        client_id: String,
        /// Scopes of the token that its grant still holds.
        scopes: Vec<String>,
    },
    /// A tenant administrator signed in to the console (`admins`).
    Member {
        /// The stored user id.
        user_id: String,
        /// Their role today.
        role: crate::core::directory::admins::Role,
        /// Scopes of the token that the role still holds.
        scopes: Vec<String>,
    },
}

impl Principal {
    /// Whether the caller holds at least one of `scopes`.
    pub fn has_any(&self, scopes: &[&str]) -> bool {
        match self {
            Principal::Client { scopes: held, .. } | Principal::Member { scopes: held, .. } => {
                scopes.iter().any(|s| held.iter().any(|h| h == s))
            }
        }
    }

    /// Refuses with 403 unless the caller is a member who is an owner today and holds one of
    /// `scopes`: managing members is never a client's (a client grant may name any scope of the
    /// Management API's resource server, so the role itself is the check).
    pub fn require_owner(&self, scopes: &[&str]) -> CoreResult<()> {
        match self {
            Principal::Member {
                role: crate::core::directory::admins::Role::Owner,
                ..
            } => self.require(scopes),
            _ => Err(CoreError::InsufficientScope(
                "Only an owner of the tenant, signed in to the console, manages its members".into(),
            )),
        }
    }

    /// Refuses with 403 unless the caller holds one of `scopes`.
    pub fn require(&self, scopes: &[&str]) -> CoreResult<()> {
        if self.has_any(scopes) {
            Ok(())
        } else {
            Err(CoreError::InsufficientScope(format!(
                "Insufficient scope, expected any of: {}",
                scopes.join(",")
            )))
        }
    }
}

/// A console token: its user must still be a member; its scopes are cut to the role's today.
async fn member(core: &Core<'_>, sub: &str, scope: &str) -> CoreResult<Principal> {
    let user_id =
        crate::core::directory::users::id_from_sub(sub).ok_or_else(|| unauthorized("not a user of the console"))?;
    let role = crate::core::directory::admins::role_of(core, user_id)
        .await?
        .ok_or_else(|| unauthorized("not a member of the tenant"))?;
    let allowed = crate::core::directory::admins::role_scopes(role);
    Ok(Principal::Member {
        user_id: user_id.to_owned(),
        role,
        scopes: split_scope(scope)
            .into_iter()
            .filter(|s| allowed.contains(&s.as_str()))
            .collect(),
    })
}

fn unauthorized(why: &str) -> CoreError {
    CoreError::Unauthorized(format!("Invalid token: {why}"))
}

/// Authenticates a Management API bearer token (see the module diagram).
pub async fn authenticate(core: &Core<'_>, bearer: Option<&str>) -> CoreResult<Principal> {
    let token = bearer.ok_or(CoreError::Unauthorized("Missing authentication".into()))?;
    let keys = crate::core::oauth::keys::verifying_keys(core.db).await?;
    let audience = management_audience(core);
    let claims = verify(
        token,
        &keys,
        &core.settings.issuer,
        &audience,
        core.clock.now_ms() / 1000,
    )
    .map_err(|e| unauthorized(&e.to_string()))?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default();
    if text("azp") == crate::core::directory::admins::CONSOLE_CLIENT_ID && text("gty").is_empty() {
        core.events
            .note_client(crate::core::directory::admins::CONSOLE_CLIENT_ID, "Tollgate console");
        return member(core, text("sub"), text("scope")).await;
    }
    if text("gty") != CLIENT_CREDENTIALS_GTY {
        return Err(unauthorized("not a client credentials token"));
    }
    let client_id = text("azp");
    if client_id.is_empty() || text("sub") != format!("{client_id}@clients") {
        return Err(unauthorized("the subject is not the client"));
    }
    let client = tenant::client(core.db, client_id)
        .await?
        .filter(|c| !c.is_public && c.allows(GrantType::ClientCredentials))
        .ok_or_else(|| unauthorized("the client no longer exists or may not use client credentials"))?;
    let granted = tenant::client_grant(core.db, &client.client_id, &audience)
        .await?
        .ok_or_else(|| unauthorized("the client no longer holds a grant for this API"))?;
    let scopes = split_scope(text("scope"))
        .into_iter()
        .filter(|s| granted.contains(s))
        .collect();
    core.events.note_client(&client.client_id, &client.name);
    Ok(Principal::Client {
        client_id: client.client_id,
        scopes,
    })
}
