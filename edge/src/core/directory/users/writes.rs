//! Every write to the `users` table outside the bulk import's set statements, as named statements
//! the flows batch with their own.

use serde_json::{Map, Value};

use super::NewUser;
use crate::core::platform::db::Stmt;

/// Counts a login.
pub fn record_login(user_id: &str, now: i64) -> Stmt {
    Stmt::new("UPDATE users SET last_login = ?1, logins_count = logins_count + 1 WHERE user_id = ?2")
        .bind(now)
        .bind(user_id)
}

/// Replaces the hash `old` by `new` (a re-hash after a login), only if nobody replaced it meanwhile.
pub fn replace_hash(user_id: &str, new: &str, old: &str, now: i64) -> Stmt {
    Stmt::new("UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE user_id = ?3 AND password_hash = ?4")
        .bind(new)
        .bind(now)
        .bind(user_id)
        .bind(old)
}

/// Sets a new password chosen by the user (reset or change): it also proves the email.
pub fn set_password(user_id: &str, hash: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE users SET password_hash = ?1, last_password_reset = ?2, updated_at = ?2, email_verified = 1, \
         password_reset_required = 0 WHERE user_id = ?3",
    )
    .bind(hash)
    .bind(now)
    .bind(user_id)
}

/// Gives a migrated user without a password the one the legacy store just verified.
pub fn fill_missing_password(user_id: &str, connection_id: &str, hash: &str, reset_required: bool, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE users SET password_hash = ?1, password_reset_required = ?2, updated_at = ?3 \
         WHERE user_id = ?4 AND connection_id = ?5 AND password_hash IS NULL",
    )
    .bind(hash)
    .bind(reset_required)
    .bind(now)
    .bind(user_id)
    .bind(connection_id)
}

/// The user no longer needs to choose a new password.
pub fn clear_reset_required(user_id: &str) -> Stmt {
    Stmt::new("UPDATE users SET password_reset_required = 0 WHERE user_id = ?1").bind(user_id)
}

/// The email is proven.
pub fn mark_email_verified(user_id: &str, now: i64) -> Stmt {
    Stmt::new("UPDATE users SET email_verified = 1, updated_at = ?1 WHERE user_id = ?2")
        .bind(now)
        .bind(user_id)
}

/// Own-store mode: the local copy of a legacy user takes the legacy store's profile.
pub fn refresh_from_legacy(new: &NewUser) -> Stmt {
    Stmt::new(
        "UPDATE users SET email = ?1, email_verified = ?2, username = ?3, name = ?4, given_name = ?5, \
         family_name = ?6, nickname = ?7, picture = ?8, user_metadata = ?9, app_metadata = ?10, updated_at = ?11 \
         WHERE user_id = ?12 AND connection_id = ?13",
    )
    .bind(&new.email)
    .bind(new.email_verified)
    .bind(new.username.clone())
    .bind(new.profile.name.clone())
    .bind(new.profile.given_name.clone())
    .bind(new.profile.family_name.clone())
    .bind(new.profile.nickname.clone())
    .bind(new.profile.picture.clone())
    .bind(Value::Object(new.user_metadata.clone()).to_string())
    .bind(Value::Object(new.app_metadata.clone()).to_string())
    .bind(new.now)
    .bind(&new.user_id)
    .bind(&new.connection_id)
}

/// The names and picture an identity provider gives at each login.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderNames {
    /// Full name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
}

/// A federated user takes what the provider says now (absent fields keep their value).
pub fn refresh_from_provider(user_id: &str, connection_id: &str, p: ProviderNames, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE users SET name = COALESCE(?1, name), given_name = COALESCE(?2, given_name), \
         family_name = COALESCE(?3, family_name), picture = COALESCE(?4, picture), updated_at = ?5 \
         WHERE user_id = ?6 AND connection_id = ?7",
    )
    .bind(p.name)
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(p.picture)
    .bind(now)
    .bind(user_id)
    .bind(connection_id)
}

/// A Management API update: `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch {
    /// Normalised email.
    pub email: Option<String>,
    /// Email verified.
    pub email_verified: Option<bool>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
    /// Blocked by an administrator.
    pub blocked: Option<bool>,
    /// User metadata (replaces the stored object).
    pub user_metadata: Option<Map<String, Value>>,
    /// App metadata (replaces the stored object).
    pub app_metadata: Option<Map<String, Value>>,
}

/// Applies a Management API update.
pub fn patch(user_id: &str, p: Patch, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE users SET email = COALESCE(?1, email), email_verified = COALESCE(?2, email_verified), \
         given_name = COALESCE(?3, given_name), family_name = COALESCE(?4, family_name), name = COALESCE(?5, name), \
         nickname = COALESCE(?6, nickname), picture = COALESCE(?7, picture), blocked = COALESCE(?8, blocked), \
         user_metadata = COALESCE(?9, user_metadata), app_metadata = COALESCE(?10, app_metadata), updated_at = ?11 \
         WHERE user_id = ?12",
    )
    .bind(p.email)
    .bind(p.email_verified)
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(p.name)
    .bind(p.nickname)
    .bind(p.picture)
    .bind(p.blocked)
    .bind(p.user_metadata.map(|m| Value::Object(m).to_string()))
    .bind(p.app_metadata.map(|m| Value::Object(m).to_string()))
    .bind(now)
    .bind(user_id)
}

/// Deletes one user of a connection.
pub fn delete_in_connection(user_id: &str, connection_id: &str) -> Stmt {
    Stmt::new("DELETE FROM users WHERE user_id = ?1 AND connection_id = ?2")
        .bind(user_id)
        .bind(connection_id)
}

/// Asks again about adding a passkey only after `until` (ms): the user chose "not now".
pub fn postpone_passkey_prompt(user_id: &str, until: i64) -> Stmt {
    Stmt::new("UPDATE users SET passkey_prompt_after = ?2 WHERE user_id = ?1")
        .bind(user_id)
        .bind(until)
}

/// Deletes an administrator's account once it is no longer a member (in the batch that removed
/// the membership; nothing happens where the membership stayed).
pub fn delete_former_member(user_id: &str, connection_id: &str) -> Stmt {
    Stmt::new(
        "DELETE FROM users WHERE user_id = ?1 AND connection_id = ?2 \
         AND NOT EXISTS (SELECT 1 FROM tenant_members WHERE user_id = ?1)",
    )
    .bind(user_id)
    .bind(connection_id)
}

/// Deletes every user of a connection (the connection is being deleted).
pub fn delete_all_in_connection(connection_id: &str) -> Stmt {
    Stmt::new("DELETE FROM users WHERE connection_id = ?1").bind(connection_id)
}

/// The insert statement for `u`; fails with [`DbError::Conflict`] when the email or username is taken.
pub fn insert_stmt(u: &NewUser) -> Stmt {
    Stmt::new(
        "INSERT INTO users (user_id, connection_id, email, email_verified, username, password_hash, \
         given_name, family_name, name, nickname, picture, phone_number, user_metadata, created_at, updated_at, \
         app_metadata, migrated_from, migrated_at, password_reset_required) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, \
         CASE WHEN ?16 IS NULL THEN NULL ELSE ?14 END, ?17)",
    )
    .bind(&u.user_id)
    .bind(&u.connection_id)
    .bind(&u.email)
    .bind(u.email_verified)
    .bind(u.username.clone())
    .bind(u.password_hash.clone())
    .bind(u.profile.given_name.clone())
    .bind(u.profile.family_name.clone())
    .bind(u.profile.name.clone())
    .bind(u.profile.nickname.clone())
    .bind(u.profile.picture.clone())
    .bind(u.profile.phone_number.clone())
    .bind(Value::Object(u.user_metadata.clone()).to_string())
    .bind(u.now)
    .bind(Value::Object(u.app_metadata.clone()).to_string())
    .bind(u.migrated_from.clone())
    .bind(u.password_reset_required)
}
