//! "Remember this browser": after a second factor on the hosted page, a person may ask that this
//! browser skip it for the tenant's number of days. The browser keeps a random cookie; its SHA-256
//! is stored with the user it was earned by, so the cookie is worth nothing to anyone else, and
//! the operator (`POST /api/v2/users/{id}/multifactor/actions/invalidate-remember-browser`), a
//! reset of the user's factors or a deleted account forgets every such browser at once.

use super::policy;
use crate::core::error::CoreResult;
use crate::core::platform::db::{query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;

/// The cookie's name.
pub const COOKIE: &str = "tg_mfa_rb";

/// A remembered browser for `user_id`: the cookie value and its lifetime in seconds, when the
/// tenant offers it.
pub async fn remember(core: &Core<'_>, user_id: &str) -> CoreResult<Option<(String, i64)>> {
    let days = policy::settings(core.db).await?.remember_browser_days;
    if days <= 0 {
        return Ok(None);
    }
    let token = core.random_token()?;
    let now = core.clock.now_ms();
    let ttl_s = days * 24 * 3600;
    core.db
        .batch(vec![Stmt::new(
            "INSERT INTO mfa_remembered_browsers (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(user_id)
        .bind(now)
        .bind(now + ttl_s * 1000)])
        .await?;
    Ok(Some((token, ttl_s)))
}

/// Whether `cookie` remembers this browser for `user_id` (and the tenant still offers it: turning
/// the setting off stops every remembered browser).
pub async fn remembered(core: &Core<'_>, user_id: &str, cookie: Option<&str>) -> CoreResult<bool> {
    let Some(cookie) = cookie.filter(|c| !c.is_empty() && c.len() <= 64) else {
        return Ok(false);
    };
    let row: Option<serde_json::Value> = query_one(
        core.db,
        Stmt::new(
            "SELECT 1 AS one FROM mfa_remembered_browsers b JOIN mfa_settings s ON s.id = 1 \
             WHERE b.token_hash = ?1 AND b.user_id = ?2 AND b.expires_at > ?3 AND s.remember_browser_days > 0",
        )
        .bind(sha256_hex(cookie.as_bytes()))
        .bind(user_id)
        .bind(core.clock.now_ms()),
    )
    .await?;
    Ok(row.is_some())
}

/// Forgets every browser remembered for `user_id`.
pub fn forget_all_stmt(user_id: &str) -> Stmt {
    Stmt::new("DELETE FROM mfa_remembered_browsers WHERE user_id = ?1").bind(user_id)
}
