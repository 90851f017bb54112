//! `mfa_tokens`: a login waiting for its second factor. The token is random (256 bits), stored as
//! its SHA-256, lives 10 minutes, is bound to the user, the client and what was asked (scope,
//! audience, or the hosted page's transaction), is used once, and is void after 5 wrong codes.

use serde::Deserialize;

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;

/// Lifetime of an mfa_token.
pub const MFA_TOKEN_TTL_MS: i64 = 10 * 60 * 1000;
/// Wrong codes after which an mfa_token is void.
pub const MAX_FAILURES: i64 = 5;

/// A pending login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pending {
    /// SHA-256 of the token (the row's key).
    pub token_hash: String,
    /// The user.
    pub user_id: String,
    /// The application.
    pub client_id: String,
    /// The scopes granted after the second factor.
    pub scope: String,
    /// The API asked for.
    pub audience: Option<String>,
    /// The first factor's `gty`.
    pub gty: Option<String>,
    /// The hosted page's transaction.
    pub tx: Option<String>,
    /// Wrong codes so far.
    #[serde(deserialize_with = "columns::int")]
    pub failures: i64,
    /// Expiry (ms).
    #[serde(deserialize_with = "columns::int")]
    pub expires_at: i64,
    /// When it was used.
    pub used_at: Option<i64>,
}

/// What a pending login is for.
#[derive(Debug, Clone, Copy)]
pub struct Purpose<'a> {
    /// The user.
    pub user_id: &'a str,
    /// The application.
    pub client_id: &'a str,
    /// Scopes (space-separated).
    pub scope: &'a str,
    /// The API.
    pub audience: Option<&'a str>,
    /// The first factor's `gty`.
    pub gty: Option<&'a str>,
    /// The hosted page's transaction.
    pub tx: Option<&'a str>,
}

/// Stores a pending login; returns its token.
pub async fn issue(core: &Core<'_>, p: Purpose<'_>) -> CoreResult<String> {
    let token = core.random_token()?;
    let now = core.clock.now_ms();
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM mfa_tokens WHERE expires_at < ?1").bind(now - MFA_TOKEN_TTL_MS),
            Stmt::new("DELETE FROM mfa_oob_codes WHERE expires_at < ?1").bind(now - MFA_TOKEN_TTL_MS),
            Stmt::new(
                "INSERT INTO mfa_tokens (token_hash, user_id, client_id, scope, audience, gty, tx, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(sha256_hex(token.as_bytes()))
            .bind(p.user_id)
            .bind(p.client_id)
            .bind(p.scope)
            .bind(p.audience)
            .bind(p.gty)
            .bind(p.tx)
            .bind(now)
            .bind(now + MFA_TOKEN_TTL_MS),
        ])
        .await?;
    Ok(token)
}

/// The live pending login of `token` for `client_id` (`None`: any client, for calls that carry
/// only the token). Another client's token reads as malformed; a used, voided or old one as
/// expired (Auth0's `expired_token`).
pub async fn open(core: &Core<'_>, token: &str, client_id: Option<&str>) -> CoreResult<Pending> {
    let malformed = || CoreError::InvalidGrant("Malformed mfa_token".into());
    if token.is_empty() || token.len() > 128 {
        return Err(malformed());
    }
    let row: Option<Pending> = query_one(
        core.db,
        Stmt::new(
            "SELECT token_hash, user_id, client_id, scope, audience, gty, tx, failures, expires_at, used_at \
             FROM mfa_tokens WHERE token_hash = ?1",
        )
        .bind(sha256_hex(token.as_bytes())),
    )
    .await?;
    let p = row.ok_or_else(malformed)?;
    if client_id.is_some_and(|c| c != p.client_id) {
        return Err(malformed());
    }
    if p.used_at.is_some() || p.failures >= MAX_FAILURES || p.expires_at <= core.clock.now_ms() {
        return Err(CoreError::ExpiredToken("mfa_token is expired".into()));
    }
    Ok(p)
}

/// Counts a wrong code against the token.
pub async fn fail(core: &Core<'_>, p: &Pending) -> CoreResult<()> {
    core.db
        .batch(vec![Stmt::new(
            "UPDATE mfa_tokens SET failures = failures + 1 WHERE token_hash = ?1",
        )
        .bind(&p.token_hash)])
        .await?;
    Ok(())
}

/// Uses the token: `true` for the one caller that got it first.
pub async fn consume(core: &Core<'_>, p: &Pending) -> CoreResult<bool> {
    #[derive(Deserialize)]
    struct Row {
        #[allow(dead_code)]
        token_hash: String,
    }
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new("UPDATE mfa_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL RETURNING token_hash")
            .bind(&p.token_hash)
            .bind(core.clock.now_ms()),
    )
    .await?;
    Ok(row.is_some())
}
