//! `mfa_authenticators`: a user's second factors — TOTP apps (secret sealed with the
//! key-encryption key), email addresses, and one recovery code (its SHA-256).

use serde::Deserialize;

use crate::core::error::CoreResult;
use crate::core::platform::db::{columns, decode, query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;

/// Characters of a recovery code (Base32's: no 0/1/8/9 to misread).
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Length of a recovery code (120 bits).
pub const RECOVERY_CODE_LEN: usize = 24;

/// What a factor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A TOTP authenticator app.
    Otp,
    /// Codes by email.
    Email,
    /// The recovery code.
    RecoveryCode,
}

impl Kind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Otp => "otp",
            Kind::Email => "email",
            Kind::RecoveryCode => "recovery-code",
        }
    }

    /// The prefix of its ids (Auth0's: `totp|dev_…`, `email|dev_…`, `recovery-code|dev_…`).
    fn id_prefix(self) -> &'static str {
        match self {
            Kind::Otp => "totp",
            Kind::Email => "email",
            Kind::RecoveryCode => "recovery-code",
        }
    }
}

/// A stored factor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Authenticator {
    /// Its id.
    pub id: String,
    /// Its user.
    pub user_id: String,
    /// `otp`, `email`, `recovery-code`.
    pub kind: String,
    /// otp: the sealed secret.
    pub secret_sealed: Option<String>,
    /// recovery-code: the digest.
    pub code_hash: Option<String>,
    /// email: the address.
    pub email: Option<String>,
    /// Confirmed.
    #[serde(deserialize_with = "columns::int_bool")]
    pub active: bool,
    /// otp: the last step accepted.
    #[serde(deserialize_with = "columns::int")]
    pub last_step: i64,
    /// Created (ms).
    #[serde(deserialize_with = "columns::int")]
    pub created_at: i64,
    /// Last used (ms).
    pub last_auth_at: Option<i64>,
}

impl Authenticator {
    /// Whether this is a factor of `kind`.
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == kind.as_str()
    }
}

/// `SELECT` of every column, then `$rest`.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, user_id, kind, secret_sealed, code_hash, email, active, last_step, created_at, last_auth_at \
             FROM mfa_authenticators ",
            $rest
        )
    };
}

/// The user's factors (active or not), oldest first.
pub async fn of_user(core: &Core<'_>, user_id: &str) -> CoreResult<Vec<Authenticator>> {
    let rows = core
        .db
        .query(Stmt::new(select!("WHERE user_id = ?1 ORDER BY created_at, id")).bind(user_id))
        .await?;
    Ok(decode(rows)?)
}

/// The user's confirmed factors other than the recovery code.
pub async fn active_factors(core: &Core<'_>, user_id: &str) -> CoreResult<Vec<Authenticator>> {
    Ok(of_user(core, user_id)
        .await?
        .into_iter()
        .filter(|a| a.active && !a.is(Kind::RecoveryCode))
        .collect())
}

/// One factor of the user.
pub async fn get(core: &Core<'_>, user_id: &str, id: &str) -> CoreResult<Option<Authenticator>> {
    Ok(query_one(
        core.db,
        Stmt::new(select!("WHERE user_id = ?1 AND id = ?2"))
            .bind(user_id)
            .bind(id),
    )
    .await?)
}

/// Stores a new, unconfirmed factor (replacing the user's other unconfirmed ones); its id.
pub async fn add_pending(
    core: &Core<'_>,
    user_id: &str,
    kind: Kind,
    secret_sealed: Option<&str>,
    email: Option<&str>,
) -> CoreResult<String> {
    let id = format!("{}|dev_{}", kind.id_prefix(), hex::encode(core.random_bytes::<12>()?));
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM mfa_authenticators WHERE user_id = ?1 AND active = 0").bind(user_id),
            Stmt::new(
                "INSERT INTO mfa_authenticators (id, user_id, kind, secret_sealed, email, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(&id)
            .bind(user_id)
            .bind(kind.as_str())
            .bind(secret_sealed)
            .bind(email)
            .bind(core.clock.now_ms()),
        ])
        .await?;
    Ok(id)
}

/// Records a successful use (and confirms the factor). For TOTP, `step` must be newer than the
/// last accepted one: `false` when another request used it first (a replay).
pub async fn used(core: &Core<'_>, a: &Authenticator, step: Option<i64>) -> CoreResult<bool> {
    #[derive(Deserialize)]
    struct Row {
        #[allow(dead_code)]
        id: String,
    }
    let now = core.clock.now_ms();
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new(
            "UPDATE mfa_authenticators SET active = 1, last_auth_at = ?3, last_step = MAX(last_step, ?4) \
             WHERE id = ?1 AND user_id = ?2 AND (?4 = 0 OR last_step < ?4) RETURNING id",
        )
        .bind(&a.id)
        .bind(&a.user_id)
        .bind(now)
        .bind(step.unwrap_or(0)),
    )
    .await?;
    if row.is_some() && !a.active {
        core.record(
            crate::core::logs::Event::new("gd_enrollment_complete", "Guardian enrollment complete")
                .user_id(&a.user_id)
                .details(serde_json::json!({"authenticator": {"type": a.kind}})),
        );
    }
    Ok(row.is_some())
}

fn recovery_digest(user_id: &str, code: &str) -> String {
    sha256_hex(format!("{user_id}\n{code}").as_bytes())
}

/// A new recovery code for the user (the old one is void); shown once, stored as a digest.
pub async fn new_recovery_code(core: &Core<'_>, user_id: &str) -> CoreResult<String> {
    let bytes = core.random_bytes::<RECOVERY_CODE_LEN>()?;
    let code: String = bytes
        .iter()
        .map(|b| RECOVERY_ALPHABET[usize::from(b % 32)] as char)
        .collect();
    let id = format!("recovery-code|dev_{}", hex::encode(core.random_bytes::<12>()?));
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM mfa_authenticators WHERE user_id = ?1 AND kind = 'recovery-code'").bind(user_id),
            Stmt::new(
                "INSERT INTO mfa_authenticators (id, user_id, kind, code_hash, active, created_at) \
                 VALUES (?1, ?2, 'recovery-code', ?3, 1, ?4)",
            )
            .bind(&id)
            .bind(user_id)
            .bind(recovery_digest(user_id, &code))
            .bind(core.clock.now_ms()),
        ])
        .await?;
    Ok(code)
}

/// Uses the user's recovery code if `code` is it: `true` once (the row is deleted).
pub async fn take_recovery_code(core: &Core<'_>, user_id: &str, code: &str) -> CoreResult<bool> {
    #[derive(Deserialize)]
    struct Row {
        #[allow(dead_code)]
        id: String,
    }
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if code.len() != RECOVERY_CODE_LEN {
        return Ok(false);
    }
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new(
            "DELETE FROM mfa_authenticators WHERE user_id = ?1 AND kind = 'recovery-code' AND code_hash = ?2 \
             RETURNING id",
        )
        .bind(user_id)
        .bind(recovery_digest(user_id, &code)),
    )
    .await?;
    Ok(row.is_some())
}

/// Deletes one factor; `false` when the user has none with that id. Deleting the last factor
/// deletes the recovery code too.
pub async fn delete(core: &Core<'_>, user_id: &str, id: &str) -> CoreResult<bool> {
    let Some(a) = get(core, user_id, id).await? else {
        return Ok(false);
    };
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM mfa_authenticators WHERE user_id = ?1 AND id = ?2")
                .bind(user_id)
                .bind(&a.id),
            Stmt::new(
                "DELETE FROM mfa_authenticators WHERE user_id = ?1 AND kind = 'recovery-code' AND NOT EXISTS \
                 (SELECT 1 FROM mfa_authenticators WHERE user_id = ?1 AND active = 1 AND kind <> 'recovery-code')",
            )
            .bind(user_id),
        ])
        .await?;
    Ok(true)
}

/// Deletes every factor of the user (`DELETE /api/v2/users/{id}/authenticators`).
pub async fn delete_all(core: &Core<'_>, user_id: &str) -> CoreResult<()> {
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM mfa_authenticators WHERE user_id = ?1").bind(user_id),
            Stmt::new("UPDATE mfa_tokens SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL")
                .bind(user_id)
                .bind(core.clock.now_ms()),
            super::remember::forget_all_stmt(user_id),
        ])
        .await?;
    Ok(())
}

/// `a***@example.com`: how an address is named to someone holding only an mfa_token.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}
