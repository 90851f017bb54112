//! The `passwordless_codes` table: issuing one live code (or link) per connection, address and
//! application, and consuming it once.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::core::error::CoreResult;
use crate::core::platform::db::{query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;
use shared::wire::PasswordlessSend;

/// Wrong tries after which a code is void.
pub const MAX_CODE_ATTEMPTS: i64 = 3;

/// Who a code is for.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The `email` connection.
    pub connection_id: &'a str,
    /// The application that asked.
    pub client_id: &'a str,
    /// The normalised address.
    pub email: &'a str,
}

/// A code to send: the digits to type, or the token of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The row's id.
    pub id: String,
    /// What goes in the mail (never stored, never logged).
    pub secret: String,
}

/// The stored form of a code or link token: salted with its target, so one code's digest says
/// nothing about another address's.
fn digest(t: Target<'_>, secret: &str) -> String {
    sha256_hex(format!("{}\n{}\n{}\n{secret}", t.connection_id, t.client_id, t.email).as_bytes())
}

/// `length` random digits (uniform: a 64-bit draw modulo at most 10^10 has a bias below 10^-9).
fn digits(core: &Core<'_>, length: u32) -> CoreResult<String> {
    let n = u64::from_le_bytes(core.random_bytes::<8>()?) % 10u64.pow(length);
    Ok(format!("{n:0width$}", width = length as usize))
}

/// Voids the target's live codes and stores a new one, valid `ttl_ms`. For links, `auth_params`
/// is the authorization request the link completes.
pub async fn issue(
    core: &Core<'_>,
    t: Target<'_>,
    send: PasswordlessSend,
    length: u32,
    ttl_ms: i64,
    auth_params: Option<&Map<String, Value>>,
) -> CoreResult<Issued> {
    let id = core.random_token()?;
    let secret = match send {
        PasswordlessSend::Code => digits(core, length)?,
        PasswordlessSend::Link => core.random_token()?,
    };
    let now = core.clock.now_ms();
    core.db
        .batch(vec![
            Stmt::new(
                "UPDATE passwordless_codes SET used_at = ?4 WHERE connection_id = ?1 AND email = ?2 AND client_id = ?3 \
                 AND used_at IS NULL",
            )
            .bind(t.connection_id)
            .bind(t.email)
            .bind(t.client_id)
            .bind(now),
            Stmt::new(
                "INSERT INTO passwordless_codes (id, connection_id, client_id, email, code_hash, send, auth_params, \
                 created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(&id)
            .bind(t.connection_id)
            .bind(t.client_id)
            .bind(t.email)
            .bind(digest(t, &secret))
            .bind(send.as_str())
            .bind(auth_params.map(|p| Value::Object(p.clone()).to_string()))
            .bind(now)
            .bind(now + ttl_ms),
            // Spent rows of the target go with the new one (bounded storage).
            Stmt::new(
                "DELETE FROM passwordless_codes WHERE connection_id = ?1 AND email = ?2 AND client_id = ?3 \
                 AND id <> ?4 AND (used_at IS NOT NULL OR expires_at <= ?5)",
            )
            .bind(t.connection_id)
            .bind(t.email)
            .bind(t.client_id)
            .bind(&id)
            .bind(now),
        ])
        .await?;
    Ok(Issued { id, secret })
}

/// What a consumed code carried.
#[derive(Debug, Clone, Default)]
pub struct Consumed {
    /// For links: the authorization request the link completes.
    pub auth_params: Option<Map<String, Value>>,
}

/// Consumes the target's live code if `secret` is it (`send` says which kind is expected: a link
/// token is never accepted as a typed code, nor the reverse). A wrong secret counts against the
/// live code, which is void after [`MAX_CODE_ATTEMPTS`]. `None`: wrong, used, expired or void.
/// One statement, so two requests with the right code cannot both succeed.
pub async fn consume(
    core: &Core<'_>,
    t: Target<'_>,
    send: PasswordlessSend,
    secret: &str,
) -> CoreResult<Option<Consumed>> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "crate::core::platform::db::columns::int_bool")]
        ok: bool,
        auth_params: Option<String>,
    }
    let now = core.clock.now_ms();
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new(
            "UPDATE passwordless_codes SET used_at = CASE WHEN code_hash = ?6 THEN ?5 END, \
             attempts = attempts + (code_hash <> ?6) \
             WHERE id = (SELECT id FROM passwordless_codes WHERE connection_id = ?1 AND email = ?2 AND client_id = ?3 \
               AND send = ?4 AND used_at IS NULL AND expires_at > ?5 AND attempts < ?7 ORDER BY created_at DESC LIMIT 1) \
             RETURNING code_hash = ?6 AS ok, auth_params",
        )
        .bind(t.connection_id)
        .bind(t.email)
        .bind(t.client_id)
        .bind(send.as_str())
        .bind(now)
        .bind(digest(t, secret))
        .bind(MAX_CODE_ATTEMPTS),
    )
    .await?;
    Ok(row.filter(|r| r.ok).map(|r| Consumed {
        auth_params: r
            .auth_params
            .and_then(|p| serde_json::from_str::<Map<String, Value>>(&p).ok()),
    }))
}
