//! Lazy migration (import mode) and own-store mode over a legacy backend ([`crate::core::migration::legacy`]).
//!
//! # Import mode (`import_mode: true`)
//! ```text
//!                      login: local user missing ──▶ legacy login (or get_user + edge hash check)
//!   ┌──────────────┐        password_match ──▶ local user created: legacy user_id, profile,
//!   │ only legacy  │                           argon2id of the typed password, migrated_from/at
//!   └──────────────┘        (password fails today's policy ──▶ also password_reset_required)
//!      │  forgot password: get_user found ──▶ local user without password ──reset──▶ migrated
//!      │                                        (until then, login still asks legacy)
//!      ▼
//!   ┌──────────────┐  the local store answers; legacy is never asked about this user again,
//!   │   migrated   │  a wrong password is just wrong (no fallback)
//!   └──────────────┘
//! ```
//! Sign-up first asks legacy (`get_user`) so nobody can claim an identifier that still lives
//! there; if legacy cannot answer, the sign-up is refused rather than guessed. The local user is
//! created only after the password verdict. Two concurrent first logins race on the primary key:
//! one insert wins, the other reads the winner's row — exactly one local user.
//!
//! # Own-store mode (`import_mode: false`)
//! Legacy stays the source of truth: login, get_user, create, verify, change_password and delete
//! are forwarded. A local profile without a password (refreshed at each login) carries sessions and
//! tokens.

use serde_json::{json, Map, Value};
use shared::personal_info::PersonalInfo;

use crate::core::credentials::legacy_hash::LegacyHash;
use crate::core::directory::tenant::Connection;
use crate::core::directory::users::{self, NewUser, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::logs::Event;
use crate::core::migration::legacy::{Legacy, LegacyUser, Verdict};
use crate::core::migration::UserSource;
use crate::core::platform::db::{DbError, Stmt};
use crate::core::Core;

/// The `migrated_from` value of users coming from `conn`'s legacy backend.
pub fn origin(conn: &Connection) -> String {
    format!("legacy:{}", conn.name)
}

fn unexpected(v: &Verdict) -> CoreError {
    CoreError::LegacyProtocol(format!("unexpected verdict {v:?}"))
}

fn new_user(
    core: &Core<'_>,
    conn: &Connection,
    lu: &LegacyUser,
    hash: Option<String>,
    reset_required: bool,
) -> NewUser {
    NewUser {
        user_id: lu.user_id.clone().unwrap_or_default(),
        connection_id: conn.id.clone(),
        email: shared::email::normalize(lu.email.as_deref().unwrap_or_default()),
        email_verified: lu.email_verified.unwrap_or(false),
        username: lu.username.as_deref().map(shared::username::UsernameRules::normalize),
        password_hash: hash,
        profile: crate::core::directory::users::Profile {
            given_name: lu.given_name.clone(),
            family_name: lu.family_name.clone(),
            name: lu.name.clone(),
            nickname: lu.nickname.clone(),
            picture: lu.picture.clone(),
            phone_number: None,
        },
        user_metadata: lu.user_metadata.clone().unwrap_or_default(),
        app_metadata: lu.app_metadata.clone().unwrap_or_default(),
        migrated_from: Some(origin(conn)),
        password_reset_required: reset_required,
        now: core.clock.now_ms(),
    }
}

/// Inserts `new`; when the row already exists (a concurrent first login, an earlier reset or
/// login) runs `on_conflict` instead. Returns the local user, which must belong to `conn`.
async fn insert_or(core: &Core<'_>, conn: &Connection, new: &NewUser, on_conflict: Option<Stmt>) -> CoreResult<User> {
    match users::insert(core.db, new).await {
        Ok(()) => {}
        Err(DbError::Conflict(_)) => {
            if let Some(stmt) = on_conflict {
                core.db.execute(stmt).await?;
            }
        }
        Err(e) => return Err(e.into()),
    }
    users::by_id(core.db, &new.user_id)
        .await?
        .filter(|u| u.connection_id == conn.id)
        .ok_or_else(|| CoreError::LegacyProtocol("the legacy identifier already belongs to another local user".into()))
}

/// Stores the local copy of a legacy user, exactly once: when the row already exists (a
/// concurrent first login, or the forgot-password path) its missing password is filled in.
async fn store(
    core: &Core<'_>,
    conn: &Connection,
    lu: &LegacyUser,
    hash: Option<String>,
    reset_required: bool,
) -> CoreResult<User> {
    let new = new_user(core, conn, lu, hash, reset_required);
    let fill_password = new
        .password_hash
        .as_ref()
        .map(|h| users::fill_missing_password(&new.user_id, &conn.id, h, reset_required, new.now));
    insert_or(core, conn, &new, fill_password).await
}

fn personal_info(lu: &LegacyUser) -> PersonalInfo<'_> {
    let meta = lu.user_metadata.as_ref();
    PersonalInfo {
        email: lu.email.as_deref(),
        username: lu.username.as_deref(),
        name: lu.name.as_deref(),
        nickname: lu.nickname.as_deref(),
        metadata: ["name", "first", "last"]
            .iter()
            .filter_map(|k| meta.and_then(|m| m.get(*k)).and_then(Value::as_str))
            .collect(),
    }
}

/// Import mode: checks a password against legacy for a user that is not (fully) migrated, and
/// migrates them on a match. `None` for a wrong password or an unknown user; either spends one
/// argon2id dummy, as a match spends one argon2id hash. Also returns the work of a handed-over
/// foreign hash it verified (the caller then need not spend the connection's foreign work).
pub async fn import_login(
    core: &Core<'_>,
    conn: &Connection,
    legacy: &Legacy<'_, '_>,
    identifier: &str,
    password: &str,
) -> CoreResult<(Option<User>, f64)> {
    let outcome = import_login_checked(core, conn, legacy, identifier, password).await;
    match &outcome {
        Ok((Some(u), _)) => core.record(
            Event::new("tg_migration_success", "User migrated from the legacy store")
                .user(u)
                .connection(conn),
        ),
        Err(_) => core.record(
            Event::new(
                "tg_migration_failure",
                "Lazy migration failed: the legacy store did not answer as expected",
            )
            .user_name(identifier)
            .connection(conn),
        ),
        Ok(_) => {}
    }
    outcome
}

async fn import_login_checked(
    core: &Core<'_>,
    conn: &Connection,
    legacy: &Legacy<'_, '_>,
    identifier: &str,
    password: &str,
) -> CoreResult<(Option<User>, f64)> {
    let mut foreign_spent = 0.0;
    let matched = if legacy.hash_handover() {
        match legacy.get_user(identifier).await? {
            Verdict::Found(u) => {
                let stored = u
                    .password_hash
                    .as_ref()
                    .ok_or_else(|| CoreError::LegacyProtocol("get_user without password_hash".into()))?;
                let hash = LegacyHash::from_value(stored)
                    .and_then(|h| h.check_work(core.hasher.verification_budget()).map(|()| h))
                    .map_err(|e| CoreError::LegacyProtocol(format!("password_hash: {e}")))?;
                crate::core::directory::tenant::record_foreign_hash(core.db, conn, &hash, core.random_bytes::<48>()?)
                    .await?;
                foreign_spent = hash.work();
                hash.verify(password).then_some(u)
            }
            Verdict::NotFound => None,
            other => return Err(unexpected(&other)),
        }
    } else {
        match legacy.login(identifier, password).await? {
            Verdict::PasswordMatch(u) => Some(u),
            Verdict::NoMatch | Verdict::NotFound => None,
            other => return Err(unexpected(&other)),
        }
    };
    let Some(lu) = matched else {
        core.hasher.verify_dummy(password).await?;
        return Ok((None, foreign_spent));
    };
    let reset_required = conn.check_password(password, &personal_info(&lu)).is_err();
    let salt = core.random_bytes::<16>()?;
    let hash = core.hasher.hash(password, &salt).await?;
    let user = store(core, conn, &lu, Some(hash), reset_required).await?;
    Ok((Some(user), foreign_spent))
}

/// Own-store mode: legacy decides; the local profile is refreshed from its answer.
pub async fn own_store_login(
    core: &Core<'_>,
    conn: &Connection,
    legacy: &Legacy<'_, '_>,
    identifier: &str,
    password: &str,
) -> CoreResult<Option<User>> {
    match legacy.login(identifier, password).await? {
        Verdict::PasswordMatch(lu) => Ok(Some(upsert_profile(core, conn, &lu).await?)),
        Verdict::NoMatch | Verdict::NotFound => Ok(None),
        other => Err(unexpected(&other)),
    }
}

/// Own-store mode: the local profile (no password) of a legacy user, created or refreshed.
async fn upsert_profile(core: &Core<'_>, conn: &Connection, lu: &LegacyUser) -> CoreResult<User> {
    let new = new_user(core, conn, lu, None, false);
    let refresh = users::refresh_from_legacy(&new);
    insert_or(core, conn, &new, Some(refresh)).await
}

/// Whether legacy still knows any of these identifiers (import-mode sign-up).
pub async fn taken_in_legacy(legacy: &Legacy<'_, '_>, identifiers: &[&str]) -> CoreResult<bool> {
    for id in identifiers {
        match legacy.get_user(id).await? {
            Verdict::Found(_) => return Ok(true),
            Verdict::NotFound => {}
            other => return Err(unexpected(&other)),
        }
    }
    Ok(false)
}

/// What own-store sign-up sends to legacy.
pub struct NewLegacyUser<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// Normalised username.
    pub username: Option<&'a str>,
    /// The password (legacy stores it its own way).
    pub password: &'a str,
    /// Root profile attributes.
    pub profile: Map<String, Value>,
    /// User metadata.
    pub user_metadata: &'a Map<String, Value>,
}

/// Own-store sign-up: legacy creates the user; the local profile follows. `None` when the
/// identifier is taken there.
pub async fn own_store_signup(
    core: &Core<'_>,
    conn: &Connection,
    legacy: &Legacy<'_, '_>,
    u: NewLegacyUser<'_>,
) -> CoreResult<Option<User>> {
    if taken_in_legacy(
        legacy,
        &[Some(u.email), u.username].into_iter().flatten().collect::<Vec<_>>(),
    )
    .await?
    {
        return Ok(None);
    }
    let mut user = json!({"email": u.email, "password": u.password, "user_metadata": u.user_metadata});
    if let Some(name) = u.username {
        user["username"] = json!(name);
    }
    for (k, v) in u.profile {
        user[k] = v;
    }
    match legacy.create(user).await? {
        Verdict::Done(Some(lu)) => Ok(Some(upsert_profile(core, conn, &lu).await?)),
        Verdict::Exists => Ok(None),
        other => Err(unexpected(&other)),
    }
}

/// Forgot password for an identifier unknown locally: the legacy user is brought over without a
/// password (import) or as a profile (own-store), so a reset link can be issued.
pub async fn migrate_for_reset(
    core: &Core<'_>,
    conn: &Connection,
    source: &UserSource<'_, '_>,
    email: &str,
) -> CoreResult<Option<User>> {
    let Some(legacy) = source.legacy() else {
        return Ok(None);
    };
    match legacy.get_user(email).await? {
        Verdict::Found(lu) if matches!(source, UserSource::Import(_)) => {
            Ok(Some(store(core, conn, &lu, None, false).await?))
        }
        Verdict::Found(lu) => Ok(Some(upsert_profile(core, conn, &lu).await?)),
        Verdict::NotFound => Ok(None),
        other => Err(unexpected(&other)),
    }
}

/// Own-store reset: the new password goes to legacy.
pub async fn own_store_change_password(legacy: &Legacy<'_, '_>, email: &str, password: &str) -> CoreResult<()> {
    match legacy.change_password(email, password).await? {
        Verdict::Done(_) => Ok(()),
        Verdict::NotFound => Err(CoreError::InvalidTicket),
        other => Err(unexpected(&other)),
    }
}

/// Deletes a user; in own-store mode legacy first (it is the source of truth).
pub async fn delete_user(core: &Core<'_>, conn: &Connection, user_id: &str) -> CoreResult<()> {
    if let UserSource::OwnStore(legacy) = UserSource::of(core, conn)? {
        match legacy.delete(user_id).await? {
            Verdict::Done(_) | Verdict::NotFound => {}
            other => return Err(unexpected(&other)),
        }
    }
    core.db.execute(users::delete_in_connection(user_id, &conn.id)).await?;
    Ok(())
}
