//! Browser sessions (a random cookie whose SHA-256 is stored; 30 days at most, 3 days idle), the
//! browser-binding cookie, and one-time login tickets of embedded login. Both the authorization
//! server and federation use this surface; password changes revoke through it.

use crate::core::directory::users::User;
use crate::core::error::CoreResult;
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;
use serde::Deserialize;

/// Session lifetime (absolute).
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

/// Session lifetime without use.
pub const SESSION_IDLE_MS: i64 = 3 * 24 * 3600 * 1000;

/// Embedded-login ticket lifetime.
pub const LOGIN_TICKET_TTL_MS: i64 = 5 * 60 * 1000;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tg_session";

/// The browser-binding cookie's name: a random value per browser that embedded-login tickets and
/// provider round trips are tied to.
pub const BROWSER_COOKIE: &str = "tg_browser";

/// How long the browser-binding cookie lives (longer than any ticket or round trip it binds).
pub const BROWSER_COOKIE_TTL_S: i64 = 24 * 3600;

/// A live browser session.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    /// SHA-256 of the cookie value.
    pub id_hash: String,
    /// The user.
    pub user_id: String,
    /// The connection the user authenticated on: the session completes `/authorize` only for
    /// clients that have it enabled.
    pub connection_id: String,
    /// Epoch seconds of the authentication.
    #[serde(deserialize_with = "columns::int")]
    pub auth_time: i64,
    /// The methods beyond the first factor (`["mfa"]`), as the tokens' `amr` claim says.
    #[serde(default, deserialize_with = "columns::json_text")]
    pub amr: Vec<String>,
}

/// Creates a session for `user_id`, authenticated on `connection_id`; returns the cookie value.
pub async fn create_session(
    core: &Core<'_>,
    user_id: &str,
    connection_id: &str,
    auth_time_s: i64,
) -> CoreResult<String> {
    insert_session(core, user_id, connection_id, auth_time_s, None).await
}

/// [`create_session`] for a login that passed two factors (a second factor, or a passkey with user
/// verification): one write, `amr` included.
pub async fn create_mfa_session(
    core: &Core<'_>,
    user_id: &str,
    connection_id: &str,
    auth_time_s: i64,
) -> CoreResult<String> {
    insert_session(core, user_id, connection_id, auth_time_s, Some(AMR_MFA)).await
}

/// The `amr` column of a session that passed two factors.
const AMR_MFA: &str = "[\"mfa\"]";

async fn insert_session(
    core: &Core<'_>,
    user_id: &str,
    connection_id: &str,
    auth_time_s: i64,
    amr: Option<&str>,
) -> CoreResult<String> {
    let token = core.random_token()?;
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO sessions (id_hash, user_id, connection_id, auth_time, created_at, last_seen, expires_at, amr) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
            )
            .bind(sha256_hex(token.as_bytes()))
            .bind(user_id)
            .bind(connection_id)
            .bind(auth_time_s)
            .bind(now)
            .bind(now + SESSION_TTL_MS)
            .bind(amr),
        )
        .await?;
    Ok(token)
}

/// Records that the session (by its id hash) passed a second factor.
async fn mark_mfa_hash(core: &Core<'_>, id_hash: &str) -> CoreResult<()> {
    core.db
        .batch(vec![Stmt::new("UPDATE sessions SET amr = ?2 WHERE id_hash = ?1")
            .bind(id_hash)
            .bind(AMR_MFA)])
        .await?;
    Ok(())
}

/// What a session may do for an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// It completes the authorization.
    Serves,
    /// It may once it passes a second factor: the tenant asks for one and the session has only
    /// the first (it predates the policy, or a provider login just made it).
    NeedsMfa,
    /// It does not: the login page is shown.
    No,
}

/// Whether session `s` may complete an authorization for `client_id`: only where the connection it
/// was authenticated on is enabled for that client (Auth0's rule), and only with a second factor
/// when the tenant asks for one. The console and the administrators' connection belong only to
/// each other (`directory::tenant::connection_enabled`), so administrator sessions never reach
/// applications and application sessions never the console.
///
/// A session that owes its second factor in a browser remembered for its user (`remembered`, the
/// browser's cookie) is marked as having passed it.
pub async fn serves(core: &Core<'_>, s: &mut Session, client_id: &str, remembered: Option<&str>) -> CoreResult<Fit> {
    if !crate::core::directory::tenant::connection_enabled(core.db, client_id, &s.connection_id).await? {
        return Ok(Fit::No);
    }
    if s.amr.iter().any(|m| m == "mfa") || !crate::core::mfa::gate::needed_on(core, &s.connection_id).await? {
        return Ok(Fit::Serves);
    }
    if crate::core::mfa::remember::remembered(core, &s.user_id, remembered).await? {
        mark_mfa_hash(core, &s.id_hash).await?;
        s.amr = vec!["mfa".to_owned()];
        return Ok(Fit::Serves);
    }
    Ok(Fit::NeedsMfa)
}

/// The session a cookie value names, if it is live; refreshes its idle timer.
pub async fn session(core: &Core<'_>, token: Option<&str>) -> CoreResult<Option<Session>> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let now = core.clock.now_ms();
    let hash = sha256_hex(token.as_bytes());
    Ok(query_one(
        core.db,
        Stmt::new(
            "UPDATE sessions SET last_seen = ?1 WHERE id_hash = ?2 AND revoked_at IS NULL AND expires_at > ?1 \
             AND last_seen > ?3 RETURNING id_hash, user_id, connection_id, auth_time, amr",
        )
        .bind(now)
        .bind(hash)
        .bind(now - SESSION_IDLE_MS),
    )
    .await?)
}

/// Revokes every live session of `user_id` but the one whose cookie hashes to `keep` (the browser
/// that made the change, if any): credentials changed, or the user was blocked.
pub fn revoke_sessions_stmt(user_id: &str, now: i64, keep: Option<&str>) -> Stmt {
    Stmt::new("UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL AND id_hash IS NOT ?3")
        .bind(now)
        .bind(user_id)
        .bind(keep)
}

/// The user a live session cookie belongs to, without touching its idle timer.
pub async fn session_user(core: &Core<'_>, token: Option<&str>) -> CoreResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new("SELECT user_id FROM sessions WHERE id_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2")
            .bind(sha256_hex(token.as_bytes()))
            .bind(core.clock.now_ms()),
    )
    .await?;
    Ok(row.map(|r| r.user_id))
}

/// Ends a session (logout).
pub async fn end_session(core: &Core<'_>, token: Option<&str>) -> CoreResult<()> {
    if let Some(t) = token {
        core.db
            .execute(
                Stmt::new("UPDATE sessions SET revoked_at = ?1 WHERE id_hash = ?2")
                    .bind(core.clock.now_ms())
                    .bind(sha256_hex(t.as_bytes())),
            )
            .await?;
    }
    Ok(())
}

/// What a redeemed embedded-login ticket proves: who logged in, on which connection, when.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct RedeemedTicket {
    pub user_id: String,
    pub connection_id: String,
    #[serde(deserialize_with = "columns::int")]
    pub auth_time: i64,
}

/// Consumes an embedded-login ticket of `client_id`, only in the browser it was issued to.
pub(super) async fn consume_login_ticket(
    core: &Core<'_>,
    client_id: &str,
    ticket: &str,
    browser: Option<&str>,
) -> CoreResult<Option<RedeemedTicket>> {
    let Some(browser) = browser else {
        return Ok(None);
    };
    let now = core.clock.now_ms();
    Ok(query_one(
        core.db,
        Stmt::new(
            "UPDATE login_tickets SET used_at = ?1 WHERE ticket_hash = ?2 AND client_id = ?3 AND used_at IS NULL \
             AND expires_at > ?1 AND browser_hash = ?4 RETURNING user_id, connection_id, auth_time",
        )
        .bind(now)
        .bind(sha256_hex(ticket.as_bytes()))
        .bind(client_id)
        .bind(sha256_hex(browser.as_bytes())),
    )
    .await?)
}

/// The cookies of the browser making a request: its session, and its binding value (a random
/// value per browser, `tg_browser`, that tickets and provider round trips are tied to).
#[derive(Debug, Clone, Copy, Default)]
pub struct Browser<'a> {
    /// The session cookie, if any.
    pub session: Option<&'a str>,
    /// The binding cookie: the one it sent, or the one set with this answer.
    pub binding: &'a str,
    /// Whether `binding` came with the request (a browser that did not send it cannot finish a
    /// login bound to it).
    pub binding_sent: bool,
    /// The "remember this browser" cookie, if any (`mfa::remember`).
    pub remembered: Option<&'a str>,
}

impl<'a> Browser<'a> {
    /// The binding value the browser proved it holds.
    pub(super) fn sent_binding(&self) -> Option<&'a str> {
        Some(self.binding).filter(|b| self.binding_sent && !b.is_empty())
    }
}

/// Creates an embedded-login ticket for a user verified on `connection_id` (`/co/authenticate`),
/// redeemable only by the browser holding the binding cookie value `binding`.
pub async fn issue_login_ticket(
    core: &Core<'_>,
    client_id: &str,
    user: &User,
    connection_id: &str,
    binding: &str,
) -> CoreResult<String> {
    let ticket = core.random_token()?;
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO login_tickets (ticket_hash, client_id, user_id, connection_id, auth_time, expires_at, browser_hash) \
                 VALUES (?1, ?2, ?3, ?7, ?4, ?5, ?6)",
            )
            .bind(sha256_hex(ticket.as_bytes()))
            .bind(client_id)
            .bind(&user.user_id)
            .bind(now / 1000)
            .bind(now + LOGIN_TICKET_TTL_MS)
            .bind(sha256_hex(binding.as_bytes()))
            .bind(connection_id),
        )
        .await?;
    Ok(ticket)
}
