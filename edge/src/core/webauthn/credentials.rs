//! The tables of passkeys: `passkey_credentials` (a user's credentials) and `webauthn_challenges`
//! (one per ceremony, single use).

use serde::Deserialize;
use serde_json::Value;

use crate::core::error::CoreResult;
use crate::core::platform::db::{columns, decode, query_one, Database, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::webauthn::ceremony::{NewCredential, PublicKey};
use crate::core::Core;

/// How long a ceremony may take.
pub const CHALLENGE_TTL_MS: i64 = 5 * 60 * 1000;

/// A stored credential.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Credential {
    /// base64url credential id.
    pub credential_id: String,
    /// Its user.
    pub user_id: String,
    /// Its key (JSON of [`PublicKey`]).
    pub public_key: String,
    /// The last counter seen.
    #[serde(deserialize_with = "columns::int")]
    pub sign_count: i64,
    /// A name for people (the authenticator's kind, or what the user called it).
    pub name: String,
    /// Backed up (synced).
    #[serde(deserialize_with = "columns::int_bool")]
    pub backed_up: bool,
    /// Created (ms).
    #[serde(deserialize_with = "columns::int")]
    pub created_at: i64,
    /// Last used (ms).
    #[serde(default)]
    pub last_used_at: Option<i64>,
}

impl Credential {
    /// Its public key; `None` for a row that does not read as one.
    pub fn key(&self) -> Option<PublicKey> {
        serde_json::from_str(&self.public_key).ok()
    }
}

/// The credential with id `id`.
pub async fn by_id(db: &dyn Database, id: &str) -> CoreResult<Option<Credential>> {
    const SQL: &str =
        "SELECT credential_id, user_id, public_key, sign_count, name, backed_up, created_at, last_used_at \
                       FROM passkey_credentials WHERE credential_id = ?1";
    Ok(query_one(db, Stmt::new(SQL).bind(id)).await?)
}

/// A user's credentials, oldest first.
pub async fn of_user(db: &dyn Database, user_id: &str) -> CoreResult<Vec<Credential>> {
    const SQL: &str =
        "SELECT credential_id, user_id, public_key, sign_count, name, backed_up, created_at, last_used_at \
                       FROM passkey_credentials WHERE user_id = ?1 ORDER BY created_at";
    Ok(decode(db.query(Stmt::new(SQL).bind(user_id)).await?)?)
}

/// Stores a verified credential for `user_id`.
pub fn insert_stmt(user_id: &str, c: &NewCredential, name: &str, transports: Option<&Value>, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO passkey_credentials (credential_id, user_id, public_key, sign_count, name, transports, backed_up, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&c.id)
    .bind(user_id)
    .bind(serde_json::to_string(&c.public_key).unwrap_or_default())
    .bind(i64::from(c.sign_count))
    .bind(name)
    .bind(transports.map(Value::to_string))
    .bind(c.backed_up)
    .bind(now)
}

/// Records a use: the new counter, only over the counter that was checked (two uses of one
/// assertion cannot both pass: the second finds the counter moved).
pub fn used_stmt(id: &str, checked: i64, new_count: u32, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE passkey_credentials SET sign_count = ?3, last_used_at = ?4 WHERE credential_id = ?1 AND sign_count = ?2 \
         RETURNING credential_id",
    )
    .bind(id)
    .bind(checked)
    .bind(i64::from(new_count))
    .bind(now)
}

/// Deletes one credential of `user_id`; whether it existed.
pub async fn delete(db: &dyn Database, user_id: &str, id: &str) -> CoreResult<bool> {
    let rows = db
        .query(
            Stmt::new(
                "DELETE FROM passkey_credentials WHERE user_id = ?1 AND credential_id = ?2 RETURNING credential_id",
            )
            .bind(user_id)
            .bind(id),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Deletes one credential of `user_id` unless it is their last way in (no password and no other
/// passkey), in one statement; whether it was deleted.
pub async fn delete_unless_last(db: &dyn Database, user_id: &str, id: &str) -> CoreResult<bool> {
    let rows = db
        .query(
            Stmt::new(
                "DELETE FROM passkey_credentials WHERE user_id = ?1 AND credential_id = ?2 \
                 AND ((SELECT password_hash FROM users WHERE user_id = ?1) IS NOT NULL \
                 OR (SELECT COUNT(*) FROM passkey_credentials WHERE user_id = ?1) > 1) RETURNING credential_id",
            )
            .bind(user_id)
            .bind(id),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// What a ceremony was started for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new account with a passkey.
    Register,
    /// A login with a passkey.
    Login,
    /// A passkey for a signed-in user.
    Enroll,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::Enroll => "enroll",
        }
    }
}

/// A started ceremony.
#[derive(Debug, Clone, Deserialize)]
pub struct Challenge {
    /// The challenge (base64url).
    pub challenge: String,
    /// The connection.
    pub connection_id: String,
    /// Enrolment: the signed-in user.
    pub user_id: Option<String>,
    /// Registration: the new user's fields (JSON).
    pub payload: Option<String>,
}

/// Starts a ceremony: a random challenge under a random handle (the `auth_session`), bound to the
/// browser's binding value when there is one. Returns (handle, challenge).
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    core: &Core<'_>,
    purpose: Purpose,
    client_id: &str,
    connection_id: &str,
    browser: Option<&str>,
    user_id: Option<&str>,
    payload: Option<&Value>,
) -> CoreResult<(String, String)> {
    let (handle, challenge) = (core.random_token()?, core.random_token()?);
    let now = core.clock.now_ms();
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM webauthn_challenges WHERE expires_at < ?1").bind(now),
            Stmt::new(
                "INSERT INTO webauthn_challenges (id, challenge, purpose, client_id, connection_id, browser_hash, user_id, \
                 payload, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .bind(sha256_hex(handle.as_bytes()))
            .bind(&challenge)
            .bind(purpose.as_str())
            .bind(client_id)
            .bind(connection_id)
            .bind(browser.map(|b| sha256_hex(b.as_bytes())))
            .bind(user_id)
            .bind(payload.map(Value::to_string))
            .bind(now)
            .bind(now + CHALLENGE_TTL_MS),
        ])
        .await?;
    Ok((handle, challenge))
}

/// Takes a started ceremony once: the handle, for this purpose and client, unexpired, from the
/// browser that started it (when one did).
pub async fn take(
    core: &Core<'_>,
    handle: &str,
    purpose: Purpose,
    client_id: &str,
    browser: Option<&str>,
) -> CoreResult<Option<Challenge>> {
    let now = core.clock.now_ms();
    Ok(query_one(
        core.db,
        Stmt::new(
            "UPDATE webauthn_challenges SET used_at = ?1 WHERE id = ?2 AND purpose = ?3 AND client_id = ?4 \
             AND used_at IS NULL AND expires_at > ?1 AND (browser_hash IS NULL OR browser_hash = ?5) \
             RETURNING challenge, connection_id, user_id, payload",
        )
        .bind(now)
        .bind(sha256_hex(handle.as_bytes()))
        .bind(purpose.as_str())
        .bind(client_id)
        .bind(browser.map(|b| sha256_hex(b.as_bytes()))),
    )
    .await?)
}
