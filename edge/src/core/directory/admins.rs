//! Tenant administrators: the people who operate the tenant through the console at `/admin`.
//!
//! Administrators are not end users. They are the users of one database connection of their own,
//! `tollgate-admins` (a separate store: sign-up off, enabled for the console client only, hidden
//! from the Management API's users, connections and exports), each with a role in
//! `tenant_members`: `owner`, `admin` or `viewer`.
//!
//! ```text
//! /admin (console, public client `tollgate-console`)
//!   └─ /authorize?response_type=code&code_challenge=…&audience={issuer}api/v2/   (PKCE required)
//!        └─ hosted login page, connection tollgate-admins only
//!             └─ /oauth/token (authorization_code): a member? role's scopes ∩ requested, else access_denied
//!                  └─ /api/v2/*: token of the console for a member: scopes ∩ the role's scopes *today*
//! ```
//! This is the only user-facing path to Management API scopes: any other client, any other
//! connection's user, any other grant type is refused (`access.rs`). The role is read at every
//! call, so removing a member or lowering a role takes effect on tokens already issued.

use serde::Deserialize;

use crate::core::directory::users::User;
use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{query_one, Stmt};
use crate::core::Core;

/// The administrators' connection (created by migration 0012).
pub const ADMIN_CONNECTION_ID: &str = "con_tenant_admins";
/// Its name.
pub const ADMIN_CONNECTION: &str = "tollgate-admins";
/// The console's client (public, code + PKCE).
pub const CONSOLE_CLIENT_ID: &str = "tollgate-console";

/// Every Management API scope (one list, in `shared`, for the edge and the console).
pub use shared::wire::MANAGEMENT_SCOPES as ALL_SCOPES;

/// What a member may do (one type with the Management API's `members` resource).
pub use shared::management::members::Role;

/// The Management API scopes of `role`: owners hold every scope and the owner-only ones
/// (members), admins every tenant scope, viewers the `read:` ones.
pub fn role_scopes(role: Role) -> Vec<&'static str> {
    match role {
        Role::Owner => ALL_SCOPES.iter().chain(OWNER_SCOPES.iter()).copied().collect(),
        Role::Admin => ALL_SCOPES.to_vec(),
        Role::Viewer => ALL_SCOPES.iter().copied().filter(|s| s.starts_with("read:")).collect(),
    }
}

/// The scopes only owners hold; no client grant can carry them (`management::access`).
pub use shared::management::members::OWNER_SCOPES;

/// The role of stored user `user_id`, if they are a member (users of other connections never are).
pub async fn role_of(core: &Core<'_>, user_id: &str) -> CoreResult<Option<Role>> {
    #[derive(Deserialize)]
    struct Row {
        role: String,
    }
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new(
            "SELECT m.role FROM tenant_members m JOIN users u ON u.user_id = m.user_id \
             WHERE m.user_id = ?1 AND u.connection_id = ?2 AND u.blocked = 0",
        )
        .bind(user_id)
        .bind(ADMIN_CONNECTION_ID),
    )
    .await?;
    Ok(row.and_then(|r| Role::parse(&r.role)))
}

/// Whether a user is an administrator account (never shown or changed through the Management API).
pub fn is_admin_account(u: &User) -> bool {
    u.connection_id == ADMIN_CONNECTION_ID
}

/// The Management API's view of a user id: administrators do not exist there.
pub fn managed(u: Option<User>) -> CoreResult<User> {
    u.filter(|u| !is_admin_account(u))
        .ok_or_else(|| CoreError::NotFound("The user does not exist.".into()))
}

/// The scopes a console token for this member may carry: the requested ones the role holds,
/// plus the OpenID ones.
pub fn token_scopes(role: Role, requested: &[String]) -> Vec<String> {
    let allowed = role_scopes(role);
    requested
        .iter()
        .filter(|s| matches!(s.as_str(), "openid" | "profile" | "email") || allowed.contains(&s.as_str()))
        .cloned()
        .collect()
}

/// Makes `user_id` (an administrators'-connection account) a member with `role`.
pub fn add_member(user_id: &str, role: Role, now: i64) -> Stmt {
    Stmt::new("INSERT INTO tenant_members (user_id, role, created_at) VALUES (?1, ?2, ?3)")
        .bind(user_id)
        .bind(role.as_str())
        .bind(now)
}

/// Gives a member `role`, returning their id, unless that would leave the tenant without an
/// owner (then it changes nothing and returns no row). One statement: two owners demoting each
/// other cannot both succeed.
pub fn change_role(user_id: &str, role: Role) -> Stmt {
    Stmt::new(
        "UPDATE tenant_members SET role = ?2 WHERE user_id = ?1 AND (?2 = 'owner' OR role <> 'owner' \
         OR (SELECT COUNT(*) FROM tenant_members WHERE role = 'owner') > 1) RETURNING user_id",
    )
    .bind(user_id)
    .bind(role.as_str())
}

/// Ends a membership, returning the id, unless it is the last owner's (then no row).
pub fn remove_member(user_id: &str) -> Stmt {
    Stmt::new(
        "DELETE FROM tenant_members WHERE user_id = ?1 AND (role <> 'owner' \
         OR (SELECT COUNT(*) FROM tenant_members WHERE role = 'owner') > 1) RETURNING user_id",
    )
    .bind(user_id)
}
