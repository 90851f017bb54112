//! Password reset and email verification through one-time links, and password history.
//!
//! A link carries a 256-bit random ticket; only its SHA-256 is stored. Tickets are single use
//! (consumed by one `UPDATE .. WHERE used_at IS NULL .. RETURNING`), expire (reset: 5 days, like
//! Auth0's default URL lifetime), and only the newest reset ticket of a user is valid: issuing one
//! deletes the older ones.
//!
//! A ticket is bound to the address it was mailed to: when the user's email changes, every link
//! sent to the old address stops working.
//!
//! Reset flow: `request_reset` answers the same for every email (no enumeration) and mails a link
//! only to existing users → the page at `/lo/reset` shows the connection's policy checklist →
//! `reset_password` checks policy, dictionary, personal info and history *before* consuming the
//! ticket (a refused password does not burn the link), then consumes it, stores the new hash,
//! records the old one in the history, marks the email verified (the user proved they read it),
//! lifts brute-force blocks on the user's identifiers, and revokes the user's refresh tokens and
//! browser sessions (but the session of the browser that made the change, if any).
//!
//! History: with `password_history {enable, size}`, a new password may not equal the current one
//! or any of the `size - 1` before it (the last `size` passwords).

use serde::Deserialize;
use shared::personal_info::PersonalInfo;

use crate::core::directory::tenant::{self, Connection};
use crate::core::directory::users::{self, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::logs::Event;
use crate::core::migration::lazy;
use crate::core::migration::UserSource;
use crate::core::platform::db::{query_one, Stmt};
use crate::core::platform::mail::Mail;
use crate::core::platform::secrets::sha256_hex;
use crate::core::protection::attack;
use crate::core::Core;

/// Reset links live 5 days.
pub const RESET_TTL_MS: i64 = 5 * 24 * 3600 * 1000;
/// Verification links live 5 days.
pub const VERIFY_TTL_MS: i64 = 5 * 24 * 3600 * 1000;
/// Most history entries kept per user.
pub const MAX_HISTORY: u32 = 24;

/// The kinds of one-time links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKind {
    /// Sets a new password.
    ResetPassword,
    /// Marks the email verified.
    VerifyEmail,
}

impl TicketKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset_password",
            Self::VerifyEmail => "verify_email",
        }
    }
}

/// Creates a ticket for user `user_id`, bound to their current email (read by the same statement),
/// and returns the secret for the link. A new reset ticket replaces the user's older ones (only
/// the newest link works). For an id nobody has, the same statements run and store nothing: a
/// request for an unknown account does the same work as one for a known account.
pub async fn issue_ticket(
    core: &Core<'_>,
    user_id: &str,
    kind: TicketKind,
    client_id: Option<&str>,
) -> CoreResult<String> {
    let ttl = match kind {
        TicketKind::ResetPassword => RESET_TTL_MS,
        TicketKind::VerifyEmail => VERIFY_TTL_MS,
    };
    issue_ticket_for(core, user_id, kind, client_id, ttl).await
}

/// [`issue_ticket`] with its lifetime.
async fn issue_ticket_for(
    core: &Core<'_>,
    user_id: &str,
    kind: TicketKind,
    client_id: Option<&str>,
    ttl: i64,
) -> CoreResult<String> {
    let secret = core.random_token()?;
    let now = core.clock.now_ms();
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM tickets WHERE user_id = ?1 AND kind = ?2")
                .bind(user_id)
                .bind(kind.as_str()),
            Stmt::new(
                "INSERT INTO tickets (ticket_hash, user_id, kind, client_id, expires_at, created_at, email) \
                 SELECT ?1, user_id, ?3, ?4, ?5, ?6, email FROM users WHERE user_id = ?2",
            )
            .bind(sha256_hex(secret.as_bytes()))
            .bind(user_id)
            .bind(kind.as_str())
            .bind(client_id)
            .bind(now + ttl)
            .bind(now),
        ])
        .await?;
    Ok(secret)
}

#[derive(Debug, Deserialize)]
struct TicketRow {
    user_id: String,
}

/// The user a still-valid ticket belongs to, without consuming it.
async fn peek_ticket(core: &Core<'_>, secret: &str, kind: TicketKind) -> CoreResult<User> {
    let row: Option<TicketRow> = query_one(
        core.db,
        Stmt::new(
            "SELECT t.user_id FROM tickets t JOIN users u ON u.user_id = t.user_id WHERE t.ticket_hash = ?1 \
             AND t.kind = ?2 AND t.used_at IS NULL AND t.expires_at > ?3 AND t.email = u.email",
        )
        .bind(sha256_hex(secret.as_bytes()))
        .bind(kind.as_str())
        .bind(core.clock.now_ms()),
    )
    .await?;
    let row = row.ok_or(CoreError::InvalidTicket)?;
    users::by_id(core.db, &row.user_id)
        .await?
        .ok_or(CoreError::InvalidTicket)
}

/// Consumes a valid ticket (exactly once, even under concurrency); returns its user id.
async fn consume_ticket(core: &Core<'_>, secret: &str, kind: TicketKind) -> CoreResult<String> {
    let now = core.clock.now_ms();
    let row: Option<TicketRow> = query_one(
        core.db,
        Stmt::new(
            "UPDATE tickets SET used_at = ?1 WHERE ticket_hash = ?2 AND kind = ?3 AND used_at IS NULL AND expires_at > ?1 \
             AND email = (SELECT u.email FROM users u WHERE u.user_id = tickets.user_id) RETURNING user_id",
        )
        .bind(now)
        .bind(sha256_hex(secret.as_bytes()))
        .bind(kind.as_str()),
    )
    .await?;
    row.map(|r| r.user_id).ok_or(CoreError::InvalidTicket)
}

/// Link to a page of this server.
fn link(core: &Core<'_>, path: &str, ticket: &str) -> String {
    format!("{}{path}?ticket={ticket}", core.settings.issuer)
}

/// Longest lifetime of a ticket made through the Management API (`ttl_sec`), as Auth0: 30 days.
pub const MAX_TICKET_TTL_S: i64 = 30 * 24 * 3600;

/// `POST /api/v2/tickets/password-change` and `tickets/email-verification`: a link for an
/// existing user, handed to the operator instead of mailed. `ttl_s` 0 or absent: the default.
pub async fn ticket_url(core: &Core<'_>, user: &User, kind: TicketKind, ttl_s: Option<i64>) -> CoreResult<String> {
    let ttl = match ttl_s.filter(|t| *t != 0) {
        None => None,
        Some(t) if (1..=MAX_TICKET_TTL_S).contains(&t) => Some(t * 1000),
        Some(_) => {
            return Err(CoreError::InvalidRequest(format!(
                "ttl_sec must be between 0 and {MAX_TICKET_TTL_S}"
            )))
        }
    };
    let (path, default) = match kind {
        TicketKind::ResetPassword => ("lo/reset", RESET_TTL_MS),
        TicketKind::VerifyEmail => ("lo/verify", VERIFY_TTL_MS),
    };
    let ticket = issue_ticket_for(core, &user.user_id, kind, None, ttl.unwrap_or(default)).await?;
    Ok(link(core, path, &ticket))
}

/// Sends the verification mail after a sign-up.
pub async fn send_verification(core: &Core<'_>, user: &User, client_id: Option<&str>) -> CoreResult<()> {
    let ticket = issue_ticket(core, &user.user_id, TicketKind::VerifyEmail, client_id).await?;
    let url = link(core, "lo/verify", &ticket);
    core.mailer
        .send(&Mail {
            to: user.email.clone(),
            subject: "Verify your email".into(),
            text: format!("Welcome! Confirm your email address by opening this link:\n\n{url}\n\nIf you did not sign up, ignore this message."),
            link: Some(url),
            kind: "verify_email",
        })
        .await
}

/// `GET /lo/verify`: consumes a verification ticket and marks the email verified.
pub async fn verify_email(core: &Core<'_>, ticket: &str) -> CoreResult<User> {
    let outcome = verify_email_checked(core, ticket).await;
    core.record(match &outcome {
        Ok(u) => Event::new("sv", "Successful verification email").user(u),
        Err(e) => Event::new("fv", crate::core::logs::failure(e)),
    });
    outcome
}

async fn verify_email_checked(core: &Core<'_>, ticket: &str) -> CoreResult<User> {
    let user_id = consume_ticket(core, ticket, TicketKind::VerifyEmail).await?;
    if let Some(user) = users::by_id(core.db, &user_id).await? {
        let conn = connection_of(core, &user).await?;
        if let UserSource::OwnStore(legacy) = UserSource::of(core, &conn)? {
            legacy.verify(&user.email).await?;
        }
    }
    core.db
        .execute(users::mark_email_verified(&user_id, core.clock.now_ms()))
        .await?;
    users::by_id(core.db, &user_id).await?.ok_or(CoreError::InvalidTicket)
}

/// The `/dbconnections/change_password` request (the wire type is shared with the widget).
pub use shared::wire::ChangePasswordRequest;

/// The answer to every well-formed change-password request.
pub const RESET_SENT: &str = "We've just sent you an email to reset your password.";

/// `POST /dbconnections/change_password`: mails a reset link to an existing user; answers the same
/// for unknown emails.
pub async fn request_reset(core: &Core<'_>, req: ChangePasswordRequest, ip: &str) -> CoreResult<&'static str> {
    let email = users::Email::new(
        req.email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?,
    );
    let conn_name = req
        .connection
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| CoreError::InvalidRequest("Missing connection".into()))?;
    let quota = attack::take(
        core.db,
        &format!("reset:{ip}:{email}"),
        core.settings.limit(attack::Bucket::CHANGE_PASSWORD),
        1.0,
        core.clock.now_ms(),
    )
    .await?;
    if !quota.granted {
        return Err(CoreError::TooManyRequests(quota));
    }
    let conn = tenant::resolve_connection(core.db, req.client_id.as_deref(), conn_name).await?;
    let mut user = users::by_email(core.db, &conn.id, &email).await?;
    if user.is_none() {
        user = lazy::migrate_for_reset(core, &conn, &UserSource::of(core, &conn)?, &email).await?;
    }
    // The same statements for a known and an unknown email (nothing is stored for the latter);
    // the mail itself goes out after the response in the Worker.
    let user_id = user.as_ref().map_or("", |u| u.user_id.as_str());
    let ticket = issue_ticket(core, user_id, TicketKind::ResetPassword, req.client_id.as_deref()).await?;
    let event = match &user {
        Some(u) => Event::new("scpr", "Password change request sent").user(u),
        None => Event::new("fcpr", "The user does not exist").user_name(email.as_str()),
    };
    core.record(event.connection(&conn));
    if let Some(user) = user {
        core.mailer
            .send(&reset_mail(&user, link(core, "lo/reset", &ticket)))
            .await?;
    }
    Ok(RESET_SENT)
}

/// The mail with a password reset link.
pub fn reset_mail(user: &User, url: String) -> Mail {
    Mail {
        to: user.email.clone(),
        subject: "Reset your password".into(),
        text: format!(
            "Someone asked to reset the password of your account. To choose a new one, open:\n\n{url}\n\n\
             The link works once and expires. If it was not you, ignore this message."
        ),
        link: Some(url),
        kind: "reset_password",
    }
}

/// What the reset page needs to render: whose password, and under which policy.
pub async fn reset_info(core: &Core<'_>, ticket: &str) -> CoreResult<(User, Connection)> {
    let user = peek_ticket(core, ticket, TicketKind::ResetPassword).await?;
    let conn = connection_of(core, &user).await?;
    Ok((user, conn))
}

async fn connection_of(core: &Core<'_>, user: &User) -> CoreResult<Connection> {
    #[derive(Deserialize)]
    struct Name {
        name: String,
    }
    let name: Option<Name> = query_one(
        core.db,
        Stmt::new("SELECT name FROM connections WHERE id = ?1").bind(&user.connection_id),
    )
    .await?;
    let name = name
        .ok_or_else(|| CoreError::Internal("user without connection".into()))?
        .name;
    tenant::database_by_name(core.db, &name)
        .await?
        .ok_or_else(|| CoreError::Internal("connection vanished".into()))
}

#[derive(Debug, Deserialize)]
struct HistoryRow {
    password_hash: String,
}

/// Refuses `password` when it equals one of the user's last `size` passwords.
async fn check_history(core: &Core<'_>, conn: &Connection, user: &User, password: &str) -> CoreResult<()> {
    let h = conn.options.password_history;
    if !h.enable || h.size == 0 {
        return Ok(());
    }
    let size = h.size.min(MAX_HISTORY);
    let mut hashes: Vec<String> = user.password_hash.iter().cloned().collect();
    let rows = crate::core::platform::db::decode::<HistoryRow>(
        core.db
            .query(
                Stmt::new(
                    "SELECT password_hash FROM password_history WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2",
                )
                .bind(&user.user_id)
                .bind(size.saturating_sub(1)),
            )
            .await?,
    )?;
    hashes.extend(rows.into_iter().map(|r| r.password_hash));
    for phc in hashes.iter().take(size as usize) {
        if core.hasher.verify(password, phc).await? {
            return Err(CoreError::PasswordHistory);
        }
    }
    Ok(())
}

fn personal_meta(user: &User) -> Vec<&str> {
    ["name", "first", "last"]
        .iter()
        .filter_map(|k| user.user_metadata.get(*k).and_then(|v| v.as_str()))
        .collect()
}

fn personal_info<'u>(user: &'u User, meta: &[&'u str]) -> PersonalInfo<'u> {
    PersonalInfo {
        email: Some(&user.email),
        username: user.username.as_deref(),
        name: user.profile.name.as_deref(),
        nickname: user.profile.nickname.as_deref(),
        metadata: meta.to_vec(),
    }
}

/// Runs every check a new password must pass for `user` on `conn`.
pub async fn check_new_password(core: &Core<'_>, conn: &Connection, user: &User, password: &str) -> CoreResult<()> {
    let meta = personal_meta(user);
    conn.check_password(password, &personal_info(user, &meta))?;
    check_history(core, conn, user, password).await
}

/// What changing a user's credentials (or blocking them) revokes: their browser sessions but
/// `keep_session` (the cookie of the browser that made the change, if any), refresh tokens,
/// unredeemed codes and embedded-login tickets.
pub fn revocations(user_id: &str, now: i64, keep_session: Option<&str>) -> Vec<Stmt> {
    let keep = keep_session.map(|c| sha256_hex(c.as_bytes()));
    let mut stmts = vec![crate::core::oauth::sessions::revoke_sessions_stmt(
        user_id,
        now,
        keep.as_deref(),
    )];
    stmts.extend(crate::core::oauth::codes::revoke_grants_stmts(user_id, now));
    stmts
}

/// Stores a new password for `user`: the old hash goes to the history (trimmed to the maximum),
/// blocks on the user's identifiers are lifted, other reset links die, and every session (but
/// `keep_session`) and refresh token of the user is revoked.
pub async fn set_password(
    core: &Core<'_>,
    conn: &Connection,
    user: &User,
    password: &str,
    keep_session: Option<&str>,
) -> CoreResult<()> {
    let salt = core.random_bytes::<16>()?;
    let hash = core.hasher.hash(password, &salt).await?;
    let now = core.clock.now_ms();
    let mut stmts = vec![users::set_password(&user.user_id, &hash, now)];
    if let Some(old) = &user.password_hash {
        stmts.push(
            Stmt::new("INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?1, ?2, ?3)")
                .bind(&user.user_id)
                .bind(old)
                .bind(now),
        );
        stmts.push(
            Stmt::new(
                "DELETE FROM password_history WHERE user_id = ?1 AND rowid NOT IN \
                 (SELECT rowid FROM password_history WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2)",
            )
            .bind(&user.user_id)
            .bind(MAX_HISTORY),
        );
    }
    stmts.push(
        Stmt::new("DELETE FROM tickets WHERE user_id = ?1 AND kind = 'reset_password' AND used_at IS NULL")
            .bind(&user.user_id),
    );
    stmts.extend(revocations(&user.user_id, now, keep_session));
    core.db.batch(stmts).await?;
    let mut identifiers = vec![user.email.as_str()];
    identifiers.extend(user.username.as_deref());
    attack::unblock(core.db, &conn.id, &identifiers).await
}

/// `POST /lo/reset`: sets a new password with a reset ticket. `session` is the session cookie of
/// the browser making the change: it stays signed in, every other session is revoked.
pub async fn reset_password(core: &Core<'_>, ticket: &str, password: &str, session: Option<&str>) -> CoreResult<User> {
    let outcome = reset_password_checked(core, ticket, password, session).await;
    core.record(match &outcome {
        Ok(u) => Event::new("scp", "Successful change password").user(u),
        Err(e) => Event::new("fcp", crate::core::logs::failure(e)),
    });
    outcome
}

async fn reset_password_checked(
    core: &Core<'_>,
    ticket: &str,
    password: &str,
    session: Option<&str>,
) -> CoreResult<User> {
    let (user, conn) = reset_info(core, ticket).await?;
    let _permit = crate::core::credentials::hashing::admit(core).await?;
    let own_store = match UserSource::of(core, &conn)? {
        UserSource::OwnStore(legacy) => Some(legacy),
        _ => None,
    };
    if own_store.is_some() {
        // Legacy keeps the hashes: policy checks only, no local history.
        let meta = personal_meta(&user);
        conn.check_password(password, &personal_info(&user, &meta))?;
    } else {
        check_new_password(core, &conn, &user, password).await?;
    }
    let user_id = consume_ticket(core, ticket, TicketKind::ResetPassword).await?;
    if user_id != user.user_id {
        return Err(CoreError::InvalidTicket);
    }
    // Only a session of this very user is kept.
    let keep = match crate::core::oauth::sessions::session_user(core, session).await? {
        Some(owner) if owner == user.user_id => session,
        _ => None,
    };
    match own_store {
        Some(legacy) => {
            lazy::own_store_change_password(&legacy, &user.email, password).await?;
            let mut stmts = revocations(&user.user_id, core.clock.now_ms(), keep);
            stmts.push(users::clear_reset_required(&user.user_id));
            core.db.batch(stmts).await?;
            let mut identifiers = vec![user.email.as_str()];
            identifiers.extend(user.username.as_deref());
            attack::unblock(core.db, &conn.id, &identifiers).await?;
        }
        None => set_password(core, &conn, &user, password, keep).await?,
    }
    Ok(user)
}
