//! Hooks: an operator's HTTPS endpoint called, signed, before a user is created
//! (`pre-user-registration`), after (`post-user-registration`) and before a user's tokens are
//! issued (`post-login`) — Tollgate's equivalent of Auth0 Actions (README, "Hooks").
//!
//! This file is the configuration (`/api/v2/hooks`, Auth0's Hooks API with `url` for `script`);
//! [`call`] runs the triggers. A hook names a Worker secret (`CONNECTION_SECRET_*`, the rule of
//! connections' secrets), its URL obeys the outbound rules (`https`, public host), and at most one
//! hook per trigger is enabled (a unique index). Hooks are configuration: their reads are cached
//! with the clients and connections (`platform::cache`), so a login with hooks configured reads no
//! extra row from D1.

pub mod call;

use serde::Deserialize;
use shared::management::hooks::{CreateHook, FailureMode, Hook, UpdateHook, TRIGGERS};

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{columns, decode, query_one, Database, DbError, Stmt};
use crate::core::platform::outbound::{check_secret_name, check_url};
use crate::core::Core;

/// Hooks a tenant may have.
pub const MAX_HOOKS: usize = 20;
/// One call's timeout unless the hook sets one (ms).
pub const DEFAULT_TIMEOUT_MS: u64 = 3_000;
/// The bounds of a hook's timeout (ms).
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 100..=10_000;

/// A hook as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct HookRow {
    /// `hk_…`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Trigger.
    pub trigger_id: String,
    /// Called or not.
    #[serde(deserialize_with = "columns::int_bool")]
    pub enabled: bool,
    /// Where.
    pub url: String,
    /// The Worker secret's name.
    pub secret: String,
    /// `closed` or `open`.
    pub failure_mode: String,
    /// One call's timeout (ms).
    #[serde(deserialize_with = "columns::int")]
    pub timeout_ms: i64,
}

impl HookRow {
    /// The wire shape.
    pub fn wire(self) -> Hook {
        Hook {
            failure_mode: FailureMode::parse(&self.failure_mode),
            timeout_ms: self.timeout_ms.max(0) as u64,
            id: self.id,
            name: self.name,
            trigger_id: self.trigger_id,
            enabled: self.enabled,
            url: self.url,
            secret: self.secret,
        }
    }
}

/// Every hook, oldest first (`GET /api/v2/hooks`).
pub async fn list(db: &dyn Database) -> CoreResult<Vec<Hook>> {
    let rows: Vec<HookRow> = decode(
        db.query(Stmt::new("SELECT * FROM hooks ORDER BY created_at, id"))
            .await?,
    )?;
    Ok(rows.into_iter().map(HookRow::wire).collect())
}

async fn row(db: &dyn Database, id: &str) -> CoreResult<HookRow> {
    query_one::<HookRow>(db, Stmt::new("SELECT * FROM hooks WHERE id = ?1").bind(id))
        .await?
        .ok_or_else(|| CoreError::NotFound("The hook does not exist.".into()))
}

/// One hook (`GET /api/v2/hooks/{id}`).
pub async fn get(db: &dyn Database, id: &str) -> CoreResult<Hook> {
    Ok(row(db, id).await?.wire())
}

/// The enabled hook of `trigger`, if any (a cached configuration read).
pub async fn enabled_for(db: &dyn Database, trigger: &str) -> CoreResult<Option<HookRow>> {
    Ok(query_one::<HookRow>(
        db,
        Stmt::new("SELECT * FROM hooks WHERE trigger_id = ?1 AND enabled = 1").bind(trigger),
    )
    .await?)
}

fn bad(msg: impl Into<String>) -> CoreError {
    CoreError::InvalidRequest(msg.into())
}

fn check_name(name: &str) -> CoreResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(bad("name must have 1 to 128 characters"));
    }
    Ok(name.to_owned())
}

fn check_hook_url(core: &Core<'_>, url: &str) -> CoreResult<String> {
    check_url(url.trim(), core.settings.allow_private_urls)
        .map(|u| u.to_string())
        .map_err(|e| bad(format!("url: {e}")))
}

/// The secret must be one connections may name, and set: a hook whose calls cannot be signed
/// would fail every sign-up or login it guards.
fn check_secret(core: &Core<'_>, name: &str) -> CoreResult<String> {
    check_secret_name(name).map_err(|e| bad(format!("secret: {e}")))?;
    if core.secrets.get(name).is_none() {
        return Err(bad(format!(
            "secret: the Worker secret {name} is not set (wrangler secret put {name})"
        )));
    }
    Ok(name.to_owned())
}

fn check_timeout(ms: u64) -> CoreResult<i64> {
    if !TIMEOUT_RANGE.contains(&ms) {
        return Err(bad(format!(
            "timeoutMs must be between {} and {}",
            TIMEOUT_RANGE.start(),
            TIMEOUT_RANGE.end()
        )));
    }
    Ok(ms as i64)
}

fn one_enabled(e: DbError, trigger: &str) -> CoreError {
    match e {
        DbError::Conflict(_) => CoreError::Conflict(format!(
            "Another {trigger} hook is enabled: a trigger has at most one enabled hook."
        )),
        e => e.into(),
    }
}

/// Creates a hook (`POST /api/v2/hooks`).
pub async fn create(core: &Core<'_>, body: CreateHook) -> CoreResult<Hook> {
    if !TRIGGERS.contains(&body.trigger_id.as_str()) {
        return Err(bad(format!("triggerId must be one of {}", TRIGGERS.join(", "))));
    }
    if list(core.db).await?.len() >= MAX_HOOKS {
        return Err(bad(format!("a tenant has at most {MAX_HOOKS} hooks")));
    }
    let name = check_name(&body.name)?;
    let url = check_hook_url(core, &body.url)?;
    let secret = check_secret(core, &body.secret)?;
    let timeout = check_timeout(body.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS))?;
    let id = format!("hk_{}", core.new_id()?);
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO hooks (id, name, trigger_id, enabled, url, secret, failure_mode, timeout_ms, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )
            .bind(id.as_str())
            .bind(name)
            .bind(body.trigger_id.as_str())
            .bind(body.enabled.unwrap_or(false))
            .bind(url)
            .bind(secret)
            .bind(body.failure_mode.unwrap_or_default().as_str())
            .bind(timeout)
            .bind(now),
        )
        .await
        .map_err(|e| one_enabled(e, &body.trigger_id))?;
    get(core.db, &id).await
}

/// Changes a hook (`PATCH /api/v2/hooks/{id}`).
pub async fn update(core: &Core<'_>, id: &str, body: UpdateHook) -> CoreResult<Hook> {
    let mut r = row(core.db, id).await?;
    if let Some(name) = &body.name {
        r.name = check_name(name)?;
    }
    if let Some(url) = &body.url {
        r.url = check_hook_url(core, url)?;
    }
    if let Some(secret) = &body.secret {
        r.secret = check_secret(core, secret)?;
    }
    if let Some(ms) = body.timeout_ms {
        r.timeout_ms = check_timeout(ms)?;
    }
    if let Some(mode) = body.failure_mode {
        r.failure_mode = mode.as_str().to_owned();
    }
    if let Some(on) = body.enabled {
        r.enabled = on;
    }
    core.db
        .execute(
            Stmt::new(
                "UPDATE hooks SET name = ?1, url = ?2, secret = ?3, timeout_ms = ?4, failure_mode = ?5, \
                 enabled = ?6, updated_at = ?7 WHERE id = ?8",
            )
            .bind(r.name.as_str())
            .bind(r.url.as_str())
            .bind(r.secret.as_str())
            .bind(r.timeout_ms)
            .bind(r.failure_mode.as_str())
            .bind(r.enabled)
            .bind(core.clock.now_ms())
            .bind(id),
        )
        .await
        .map_err(|e| one_enabled(e, &r.trigger_id))?;
    get(core.db, id).await
}

/// Deletes a hook (`DELETE /api/v2/hooks/{id}`), and its circuit breaker.
pub async fn delete(db: &dyn Database, id: &str) -> CoreResult<()> {
    row(db, id).await?;
    db.batch(vec![
        Stmt::new("DELETE FROM hooks WHERE id = ?1").bind(id),
        crate::core::migration::signed::forget_breaker(&call::breaker_key(id)),
    ])
    .await?;
    Ok(())
}
