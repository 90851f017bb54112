//! Bulk import and export jobs (Management API `jobs/users-imports`, `jobs/users-exports`).
//!
//! An import file is a JSON array of users (Auth0's import schema). At upload the array is split
//! without building a tree: each element is kept as its raw text, in-file duplicates (same email)
//! are marked, and the rows are stored in chunks of [`IMPORT_CHUNK`]. Each chunk is then one unit
//! of work delivered by a [`JobQueue`] (Cloudflare Queues in the Worker: every chunk gets its own
//! invocation and CPU budget, so there is no size cap). A chunk is claimed atomically, validated
//! row by row — bad rows fail alone with Auth0's error codes, good rows land — written with D1
//! batches, and its counters and errors are committed together with its `done` mark, so a chunk
//! delivered twice counts once. Exports page through users the same way, one gzip member per
//! chunk; the concatenation of the members is the downloadable `.gz` file.

use std::collections::HashSet;
use std::io::Write;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use super::db::{columns, decode, query_one, Stmt};
use super::error::{CoreError, CoreResult};
use super::legacy_hash::{HashError, LegacyHash};
use super::management::{self, RESERVED_APP_METADATA};
use super::tenant::Connection;
use super::tokens::iso8601;
use super::users::User;
use super::Core;

/// Rows per import chunk.
pub const IMPORT_CHUNK: usize = 250;
/// Users per export chunk.
pub const EXPORT_CHUNK: i64 = 1000;
/// A claimed chunk may be claimed again after this long (its worker died).
pub const RECLAIM_MS: i64 = 5 * 60 * 1000;
/// Statements per D1 batch call.
const BATCH: usize = 200;

/// Delivers chunk work: Cloudflare Queues in the Worker, a list in native tests.
#[async_trait(?Send)]
pub trait JobQueue {
    /// Schedules chunks `0..chunks` of `job_id`.
    async fn enqueue(&self, job_id: &str, chunks: u32) -> CoreResult<()>;
}

/// One unit of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkMessage {
    /// Job id.
    pub job_id: String,
    /// Chunk number.
    pub chunk: u32,
}

/// An import error on one row, in Auth0's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// `FORMAT`, `INVALID_TYPE`, `DUPLICATED_USER`, …
    pub code: String,
    /// Explanation.
    pub message: String,
    /// JSON path of the offending field.
    pub path: String,
}

fn err(code: &str, message: impl Into<String>, path: &str) -> RowError {
    RowError {
        code: code.into(),
        message: message.into(),
        path: path.into(),
    }
}

const ALLOWED: [&str; 17] = [
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
    "user_id",
    "username",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "blocked",
    "app_metadata",
    "user_metadata",
    "password_hash",
    "custom_password_hash",
    "mfa_factors",
];
const CUSTOM_HASH_KEYS: [&str; 8] = [
    "algorithm",
    "hash",
    "salt",
    "password",
    "keylen",
    "cost",
    "blockSize",
    "parallelization",
];

/// A row that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportUser {
    /// Id without prefix (generated when absent).
    pub user_id: Option<String>,
    /// Normalised email.
    pub email: String,
    /// Supplied `email_verified`.
    pub email_verified: Option<bool>,
    /// Normalised username.
    pub username: Option<String>,
    /// Root attributes.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Picture.
    pub picture: Option<String>,
    /// Phone.
    pub phone_number: Option<String>,
    /// Blocked.
    pub blocked: bool,
    /// Metadata (None = not supplied).
    pub user_metadata: Option<Map<String, Value>>,
    /// App metadata (None = not supplied).
    pub app_metadata: Option<Map<String, Value>>,
    /// bcrypt string or `custom_password_hash` JSON text.
    pub password_hash: Option<String>,
    /// Whether the hash came as `custom_password_hash` (upsertable).
    pub custom_hash: bool,
    /// The work of verifying the hash (argon2 KiB·passes; 0 without one).
    pub hash_work: f64,
}

fn string_field(o: &Map<String, Value>, key: &str, max: usize, errors: &mut Vec<RowError>) -> Option<String> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.push(err(
                "MAX_LENGTH",
                format!("String is too long ({} chars), maximum {max}", s.chars().count()),
                key,
            ));
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.push(err("MIN_LENGTH", "String is too short (0 chars), minimum 1", key));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type string", key));
            None
        }
    }
}

fn bool_field(o: &Map<String, Value>, key: &str, errors: &mut Vec<RowError>) -> Option<bool> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type boolean", key));
            None
        }
    }
}

fn object_field(o: &Map<String, Value>, key: &str, errors: &mut Vec<RowError>) -> Option<Map<String, Value>> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type object", key));
            None
        }
    }
}

fn hash_error(e: HashError, path: &str) -> RowError {
    match e {
        HashError::Unsupported => err(
            "ENUM_MISMATCH",
            "Unsupported hash algorithm or format",
            &format!("{path}.algorithm"),
        ),
        HashError::Malformed(what) => err("FORMAT", format!("Invalid hash: {what}"), path),
        HashError::TooExpensive(what) => err("MAXIMUM", format!("Hash cost above the allowed maximum: {what}"), path),
    }
}

/// Validates one import row against Auth0's schema (`additionalProperties: false`, `email`
/// required, field types and limits, hash formats with capped costs).
/// `budget` is the most work one hash verification may cost (argon2 KiB·passes, see
/// `PasswordHasher::verification_budget`): heavier hashes are refused with `MAXIMUM`, naming the
/// parameter that is too high.
pub fn validate_row(v: &Value, conn: &Connection, budget: f64) -> Result<ImportUser, Vec<RowError>> {
    let Some(o) = v.as_object() else {
        return Err(vec![err("INVALID_TYPE", "Expected type object", "")]);
    };
    let mut errors = Vec::new();
    for k in o.keys().filter(|k| !ALLOWED.contains(&k.as_str())) {
        errors.push(err(
            "OBJECT_ADDITIONAL_PROPERTIES",
            format!("Additional properties not allowed: {k}"),
            k,
        ));
    }
    let email = match o.get("email") {
        None | Some(Value::Null) => {
            errors.push(err("OBJECT_REQUIRED", "Missing required property: email", "email"));
            None
        }
        Some(Value::String(e)) => {
            let e = shared::email::normalize(e);
            if !shared::email::is_valid(&e) {
                errors.push(err("FORMAT", "Object didn't pass validation for format email", "email"));
            }
            Some(e)
        }
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type string", "email"));
            None
        }
    };
    let email_verified = bool_field(o, "email_verified", &mut errors);
    bool_field(o, "phone_verified", &mut errors);
    let blocked = bool_field(o, "blocked", &mut errors).unwrap_or(false);
    let phone_number = string_field(o, "phone_number", 16, &mut errors);
    if phone_number.as_deref().is_some_and(|p| {
        !(p.starts_with('+') && (2..=16).contains(&p.len()) && p[1..].chars().all(|c| c.is_ascii_digit()))
    }) {
        errors.push(err(
            "PATTERN",
            "String does not match pattern ^\\+[0-9]{1,15}$",
            "phone_number",
        ));
    }
    let user_id = string_field(o, "user_id", 255, &mut errors).map(|id| id.trim_start_matches("auth0|").to_owned());
    if user_id
        .as_deref()
        .is_some_and(|id| id.is_empty() || id.contains('|') || id.chars().any(char::is_whitespace))
    {
        errors.push(err(
            "PATTERN",
            "user_id may not be empty or contain '|' or spaces",
            "user_id",
        ));
    }
    let username =
        string_field(o, "username", 128, &mut errors).map(|u| shared::username::UsernameRules::normalize(&u));
    if let Some(u) = &username {
        if !conn.username_rules().is_valid(u) {
            errors.push(err(
                "PATTERN",
                "The username does not satisfy the connection's rules",
                "username",
            ));
        }
    }
    let given_name = string_field(o, "given_name", 150, &mut errors);
    let family_name = string_field(o, "family_name", 150, &mut errors);
    let name = string_field(o, "name", 300, &mut errors);
    let nickname = string_field(o, "nickname", 300, &mut errors);
    let picture = string_field(o, "picture", 2000, &mut errors);
    let user_metadata = object_field(o, "user_metadata", &mut errors);
    let app_metadata = object_field(o, "app_metadata", &mut errors);
    if let Some(m) = &app_metadata {
        for k in m.keys().filter(|k| RESERVED_APP_METADATA.contains(&k.as_str())) {
            errors.push(err(
                "NOT_PASSED",
                format!("app_metadata may not contain {k}"),
                &format!("app_metadata.{k}"),
            ));
        }
    }
    let mut password_hash = None;
    let mut custom_hash = false;
    let mut hash_work = 0.0;
    match (o.get("password_hash"), o.get("custom_password_hash")) {
        (Some(_), Some(_)) => errors.push(err(
            "NOT_PASSED",
            "password_hash and custom_password_hash cannot be combined",
            "password_hash",
        )),
        (Some(Value::String(h)), None) => {
            if !(h.starts_with("$2a$") || h.starts_with("$2b$")) {
                errors.push(err(
                    "PATTERN",
                    "password_hash must be a bcrypt hash ($2a$ or $2b$)",
                    "password_hash",
                ));
            } else {
                match LegacyHash::parse(h).and_then(|p| p.check_work(budget).map(|()| p)) {
                    Ok(p) => {
                        hash_work = p.work();
                        password_hash = Some(h.clone());
                    }
                    Err(e) => errors.push(hash_error(e, "password_hash")),
                }
            }
        }
        (Some(_), None) => errors.push(err("INVALID_TYPE", "Expected type string", "password_hash")),
        (None, Some(c @ Value::Object(m))) => {
            for k in m.keys().filter(|k| !CUSTOM_HASH_KEYS.contains(&k.as_str())) {
                errors.push(err(
                    "OBJECT_ADDITIONAL_PROPERTIES",
                    format!("Additional properties not allowed: {k}"),
                    &format!("custom_password_hash.{k}"),
                ));
            }
            match LegacyHash::from_custom(c).and_then(|p| p.check_work(budget).map(|()| p)) {
                Ok(p) => {
                    hash_work = p.work();
                    password_hash = Some(c.to_string());
                    custom_hash = true;
                }
                Err(e) => errors.push(hash_error(e, "custom_password_hash")),
            }
        }
        (None, Some(_)) => errors.push(err("INVALID_TYPE", "Expected type object", "custom_password_hash")),
        (None, None) => {}
    }
    match o.get("mfa_factors") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.is_empty() => errors.push(err(
            "ARRAY_LENGTH_SHORT",
            "Array is too short (0), minimum 1",
            "mfa_factors",
        )),
        Some(Value::Array(a)) if a.len() > 10 => {
            errors.push(err("ARRAY_LENGTH_LONG", "Array is too long, maximum 10", "mfa_factors"))
        }
        Some(Value::Array(a)) => {
            for (i, f) in a.iter().enumerate() {
                let kinds = ["totp", "phone", "email"]
                    .iter()
                    .filter(|k| f.get(**k).is_some())
                    .count();
                if kinds != 1 {
                    errors.push(err(
                        "ANY_OF_MISSING",
                        "Each factor needs exactly one of totp, phone, email",
                        &format!("mfa_factors[{i}]"),
                    ));
                }
            }
        }
        Some(_) => errors.push(err("INVALID_TYPE", "Expected type array", "mfa_factors")),
    }
    match (errors.is_empty(), email) {
        (true, Some(email)) => Ok(ImportUser {
            user_id,
            email,
            email_verified,
            username,
            given_name,
            family_name,
            name,
            nickname,
            picture,
            phone_number,
            blocked,
            user_metadata,
            app_metadata,
            password_hash,
            custom_hash,
            hash_work,
        }),
        _ => Err(errors),
    }
}

/// Replaces hash values by `*****` for the error report.
pub fn redact(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        if o.contains_key("password_hash") {
            o.insert("password_hash".into(), json!("*****"));
        }
        if let Some(c) = o.get_mut("custom_password_hash").and_then(Value::as_object_mut) {
            if let Some(h) = c.get_mut("hash").and_then(Value::as_object_mut) {
                h.insert("value".into(), json!("*****"));
                if let Some(k) = h.get_mut("key").and_then(Value::as_object_mut) {
                    k.insert("value".into(), json!("*****"));
                }
            }
        }
    }
    v
}

#[derive(Serialize, Deserialize)]
struct StoredRow {
    index: usize,
    user: Box<RawValue>,
    #[serde(default)]
    duplicate: bool,
}

/// Options of an import job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// `connection_id`.
    pub connection_id: String,
    /// Update users matched by email.
    pub upsert: bool,
    /// Caller's correlation id.
    pub external_id: Option<String>,
    /// Mail on completion (accepted; there is no tenant-owner list to mail).
    pub send_completion_email: bool,
}

/// `POST /api/v2/jobs/users-imports`: stores the rows in chunks and schedules them.
pub async fn create_import(
    core: &Core<'_>,
    queue: &dyn JobQueue,
    file: &[u8],
    opts: ImportOptions,
) -> CoreResult<Value> {
    let conn = management::connection(core, &opts.connection_id).await.map_err(|_| {
        CoreError::InvalidRequest(format!(
            "CONNECTION_NOT_FOUND: connection {} not found",
            opts.connection_id
        ))
    })?;
    if conn.strategy != "auth0" {
        return Err(CoreError::InvalidRequest(format!(
            "CONNECTION_NOT_DATABASE: users can only be imported into database connections; {} uses the {} strategy",
            conn.name, conn.strategy
        )));
    }
    let rows: Vec<&RawValue> = serde_json::from_slice(file)
        .map_err(|e| CoreError::InvalidRequest(format!("The users file must be a JSON array of users: {e}")))?;
    let mut seen = HashSet::new();
    let mut stored = Vec::with_capacity(rows.len());
    for (index, raw) in rows.iter().enumerate() {
        #[derive(Deserialize)]
        struct EmailOnly {
            email: Option<Value>,
        }
        let email = serde_json::from_str::<EmailOnly>(raw.get())
            .ok()
            .and_then(|e| e.email)
            .and_then(|e| e.as_str().map(shared::email::normalize));
        let duplicate = email.is_some_and(|e| !seen.insert(e));
        stored.push(StoredRow {
            index,
            user: (*raw).to_owned(),
            duplicate,
        });
    }
    let id = format!("job_{}", core.new_id()?);
    let now = core.clock.now_ms();
    let chunks: Vec<&[StoredRow]> = stored.chunks(IMPORT_CHUNK).collect();
    let options = json!({"upsert": opts.upsert, "send_completion_email": opts.send_completion_email});
    let mut stmts = vec![Stmt::new(
        "INSERT INTO jobs (id, type, status, connection_id, external_id, options, total, chunks, created_at) \
         VALUES (?1, 'users_import', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&id)
    .bind(if chunks.is_empty() { "completed" } else { "pending" })
    .bind(&conn.id)
    .bind(opts.external_id.clone())
    .bind(options.to_string())
    .bind(stored.len() as i64)
    .bind(chunks.len() as i64)
    .bind(now)];
    for (n, chunk) in chunks.iter().enumerate() {
        let text = serde_json::to_string(chunk).map_err(|e| CoreError::Internal(e.to_string()))?;
        stmts.push(
            Stmt::new("INSERT INTO job_chunks (job_id, chunk, rows) VALUES (?1, ?2, ?3)")
                .bind(&id)
                .bind(n as i64)
                .bind(text),
        );
    }
    for part in stmts.chunks(BATCH) {
        core.db.batch(part.to_vec()).await?;
    }
    queue.enqueue(&id, chunks.len() as u32).await?;
    job_status(core, &id, None).await
}

#[derive(Debug, Deserialize)]
struct JobRow {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    connection_id: Option<String>,
    external_id: Option<String>,
    options: String,
    #[serde(deserialize_with = "columns::int")]
    total: i64,
    #[serde(deserialize_with = "columns::int")]
    chunks: i64,
    #[serde(deserialize_with = "columns::int")]
    chunks_done: i64,
    #[serde(deserialize_with = "columns::int")]
    inserted: i64,
    #[serde(deserialize_with = "columns::int")]
    updated: i64,
    #[serde(deserialize_with = "columns::int")]
    failed: i64,
    status_details: Option<String>,
    #[serde(deserialize_with = "columns::int")]
    created_at: i64,
    #[serde(deserialize_with = "columns::opt_int")]
    started_at: Option<i64>,
}

async fn job(core: &Core<'_>, id: &str) -> CoreResult<JobRow> {
    query_one(
        core.db,
        Stmt::new(
            "SELECT id, type, status, connection_id, external_id, options, total, chunks, chunks_done, inserted, updated, \
             failed, status_details, created_at, started_at FROM jobs WHERE id = ?1",
        )
        .bind(id),
    )
    .await?
    .ok_or_else(|| CoreError::NotFound("The job does not exist.".into()))
}

/// `GET /api/v2/jobs/{id}`. `download` makes the export's signed `location` from its path.
pub async fn job_status(core: &Core<'_>, id: &str, download: Option<&dyn Fn(&str) -> String>) -> CoreResult<Value> {
    let j = job(core, id).await?;
    let options: Value = serde_json::from_str(&j.options).unwrap_or(json!({}));
    let now = core.clock.now_ms();
    let pct = if j.chunks == 0 {
        100
    } else {
        j.chunks_done * 100 / j.chunks
    };
    let mut v = json!({
        "id": j.id, "type": j.kind, "status": j.status, "created_at": iso8601(j.created_at),
        "connection_id": j.connection_id, "percentage_done": pct,
    });
    if let Some(e) = &j.external_id {
        v["external_id"] = json!(e);
    }
    if let Some(cid) = &j.connection_id {
        if let Ok(c) = management::connection(core, cid).await {
            v["connection"] = json!(c.name);
        }
    }
    if let (Some(started), true) = (j.started_at, j.chunks_done > 0 && j.status == "processing") {
        let per_chunk = (now - started) as f64 / j.chunks_done as f64;
        v["time_left_seconds"] = json!(((j.chunks - j.chunks_done) as f64 * per_chunk / 1000.0).ceil() as i64);
    } else {
        v["time_left_seconds"] = json!(0);
    }
    if let Some(d) = &j.status_details {
        v["status_details"] = json!(d);
    }
    if j.kind == "users_import" {
        v["upsert"] = options["upsert"].clone();
        v["send_completion_email"] = options["send_completion_email"].clone();
        v["summary"] = json!({"failed": j.failed, "updated": j.updated, "inserted": j.inserted, "total": j.total});
    } else {
        for k in ["format", "fields", "limit"] {
            if !options[k].is_null() {
                v[k] = options[k].clone();
            }
        }
        if j.status == "completed" {
            if let Some(make) = download {
                v["location"] = json!(make(&j.id));
            }
        }
    }
    Ok(v)
}

/// `GET /api/v2/jobs/{id}/errors`.
pub async fn job_errors(core: &Core<'_>, id: &str) -> CoreResult<Value> {
    let j = job(core, id).await?;
    if j.status == "failed" {
        return Ok(
            json!({"status": j.status, "type": j.kind, "created_at": iso8601(j.created_at), "id": j.id,
            "connection_id": j.connection_id, "status_details": j.status_details}),
        );
    }
    #[derive(Deserialize)]
    struct E {
        #[serde(deserialize_with = "columns::int")]
        row_index: i64,
        user: String,
        errors: String,
    }
    let rows: Vec<E> = decode(
        core.db
            .query(
                Stmt::new("SELECT row_index, user, errors FROM job_errors WHERE job_id = ?1 ORDER BY row_index")
                    .bind(id),
            )
            .await?,
    )?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|e| {
                json!({"user": serde_json::from_str::<Value>(&e.user).unwrap_or(Value::Null),
                       "errors": serde_json::from_str::<Value>(&e.errors).unwrap_or(json!([])),
                       // Not in Auth0's shape: the row's position in the job's file, for tools.
                       "index": e.row_index})
            })
            .collect(),
    ))
}

/// Claims a chunk; `None` when it is done or another worker holds it.
async fn claim(core: &Core<'_>, job_id: &str, chunk: u32) -> CoreResult<Option<String>> {
    #[derive(Deserialize)]
    struct R {
        rows: String,
    }
    let now = core.clock.now_ms();
    let r: Option<R> = query_one(
        core.db,
        Stmt::new(
            "UPDATE job_chunks SET status = 'processing', claimed_at = ?1 WHERE job_id = ?2 AND chunk = ?3 \
             AND (status = 'pending' OR (status = 'processing' AND claimed_at < ?4)) RETURNING rows",
        )
        .bind(now)
        .bind(job_id)
        .bind(i64::from(chunk))
        .bind(now - RECLAIM_MS),
    )
    .await?;
    if r.is_some() {
        core.db
            .execute(
                Stmt::new("UPDATE jobs SET status = 'processing', started_at = COALESCE(started_at, ?1) WHERE id = ?2 AND status = 'pending'")
                    .bind(now)
                    .bind(job_id),
            )
            .await?;
    }
    Ok(r.map(|r| r.rows))
}

/// The statements that finish a chunk: its counters, errors and `done` mark, in one transaction.
fn finish_stmts(
    job_id: &str,
    chunk: u32,
    inserted: i64,
    updated: i64,
    errors: &[(usize, Value, Vec<RowError>)],
    now: i64,
) -> Vec<Stmt> {
    let mut stmts: Vec<Stmt> = errors
        .iter()
        .map(|(i, user, errs)| {
            Stmt::new("INSERT OR REPLACE INTO job_errors (job_id, row_index, user, errors) VALUES (?1, ?2, ?3, ?4)")
                .bind(job_id)
                .bind(*i as i64)
                .bind(redact(user).to_string())
                .bind(json!(errs).to_string())
        })
        .collect();
    stmts.push(
        Stmt::new("UPDATE job_chunks SET status = 'done' WHERE job_id = ?1 AND chunk = ?2")
            .bind(job_id)
            .bind(i64::from(chunk)),
    );
    stmts.push(
        Stmt::new(
            "UPDATE jobs SET chunks_done = chunks_done + 1, inserted = inserted + ?1, updated = updated + ?2, failed = failed + ?3, \
             status = CASE WHEN chunks_done + 1 >= chunks THEN 'completed' ELSE 'processing' END, \
             completed_at = CASE WHEN chunks_done + 1 >= chunks THEN ?4 ELSE NULL END WHERE id = ?5",
        )
        .bind(inserted)
        .bind(updated)
        .bind(errors.len() as i64)
        .bind(now)
        .bind(job_id),
    );
    stmts
}

fn insert_stmt(conn: &Connection, u: &ImportUser, id: &str, now: i64) -> Stmt {
    Stmt::new(
        "INSERT OR IGNORE INTO users (user_id, connection_id, email, email_verified, username, password_hash, given_name, \
         family_name, name, nickname, picture, phone_number, user_metadata, app_metadata, blocked, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16) RETURNING user_id",
    )
    .bind(id)
    .bind(&conn.id)
    .bind(&u.email)
    .bind(u.email_verified.unwrap_or(false))
    .bind(u.username.clone())
    .bind(u.password_hash.clone())
    .bind(u.given_name.clone())
    .bind(u.family_name.clone())
    .bind(u.name.clone())
    .bind(u.nickname.clone())
    .bind(u.picture.clone())
    .bind(u.phone_number.clone())
    .bind(Value::Object(u.user_metadata.clone().unwrap_or_default()).to_string())
    .bind(Value::Object(u.app_metadata.clone().unwrap_or_default()).to_string())
    .bind(u.blocked)
    .bind(now)
}

/// Upsert: the upsertable attributes of the user with this email; metadata is replaced, not
/// merged; a custom hash replaces one not yet upgraded to argon2id by a login.
fn upsert_stmt(conn: &Connection, u: &ImportUser, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE users SET email_verified = COALESCE(?1, email_verified), given_name = COALESCE(?2, given_name), \
         family_name = COALESCE(?3, family_name), name = COALESCE(?4, name), nickname = COALESCE(?5, nickname), \
         picture = COALESCE(?6, picture), user_metadata = COALESCE(?7, user_metadata), app_metadata = COALESCE(?8, app_metadata), \
         password_hash = CASE WHEN ?9 IS NOT NULL AND (password_hash IS NULL OR password_hash NOT LIKE '$argon2id$%') \
                              THEN ?9 ELSE password_hash END, updated_at = ?10 \
         WHERE connection_id = ?11 AND email = ?12 RETURNING user_id",
    )
    .bind(u.email_verified)
    .bind(u.given_name.clone())
    .bind(u.family_name.clone())
    .bind(u.name.clone())
    .bind(u.nickname.clone())
    .bind(u.picture.clone())
    .bind(u.user_metadata.clone().map(|m| Value::Object(m).to_string()))
    .bind(u.app_metadata.clone().map(|m| Value::Object(m).to_string()))
    .bind(u.password_hash.clone().filter(|_| u.custom_hash))
    .bind(now)
    .bind(&conn.id)
    .bind(&u.email)
}

/// Why an insert was ignored: which identifier is taken.
async fn conflict_of(
    core: &Core<'_>,
    conn: &Connection,
    u: &ImportUser,
    id: &str,
    upsert: bool,
) -> CoreResult<RowError> {
    #[derive(Deserialize)]
    struct R {
        user_id: String,
        email: String,
        username: Option<String>,
    }
    let rows: Vec<R> = decode(
        core.db
            .query(
                Stmt::new("SELECT user_id, email, username FROM users WHERE user_id = ?1 OR (connection_id = ?2 AND (email = ?3 OR username = ?4))")
                    .bind(id)
                    .bind(&conn.id)
                    .bind(&u.email)
                    .bind(u.username.clone()),
            )
            .await?,
    )?;
    Ok(if rows.iter().any(|r| r.email == u.email) && !upsert {
        err(
            "DUPLICATED_USER",
            "The user already exists and upsert is false",
            "email",
        )
    } else if rows.iter().any(|r| r.user_id == id) {
        err("CONFLICT", "The user_id is already taken", "user_id")
    } else if rows.iter().any(|r| r.username.is_some() && r.username == u.username) {
        err("CONFLICT_USERNAME", "The username is already taken", "username")
    } else if rows.iter().any(|r| r.email == u.email) {
        err(
            "CONFLICT_EMAIL",
            "The email belongs to a user with another user_id",
            "email",
        )
    } else {
        err("CONFLICT", "The user conflicts with an existing user", "")
    })
}

/// Processes one import chunk (idempotent: a chunk already done or held is skipped).
pub async fn process_import_chunk(core: &Core<'_>, job_id: &str, chunk: u32) -> CoreResult<()> {
    let Some(text) = claim(core, job_id, chunk).await? else {
        return Ok(());
    };
    let j = job(core, job_id).await?;
    let upsert = serde_json::from_str::<Value>(&j.options)
        .ok()
        .and_then(|o| o["upsert"].as_bool())
        .unwrap_or(false);
    let conn = management::connection(core, j.connection_id.as_deref().unwrap_or_default()).await?;
    let rows: Vec<StoredRow> =
        serde_json::from_str(&text).map_err(|e| CoreError::Internal(format!("chunk rows: {e}")))?;
    let now = core.clock.now_ms();
    let mut errors: Vec<(usize, Value, Vec<RowError>)> = Vec::new();
    let mut valid: Vec<(usize, Value, ImportUser, String)> = Vec::new();
    for row in rows {
        let user: Value = serde_json::from_str(row.user.get()).unwrap_or(Value::Null);
        if row.duplicate {
            errors.push((
                row.index,
                user,
                vec![err("DUPLICATED_USER", "The user is duplicated in the file", "email")],
            ));
            continue;
        }
        match validate_row(&user, &conn, core.hasher.verification_budget()) {
            Ok(u) => {
                let id = match &u.user_id {
                    Some(id) => id.clone(),
                    None => core.new_id()?,
                };
                valid.push((row.index, user, u, id));
            }
            Err(e) => errors.push((row.index, user, e)),
        }
    }
    // Upsert first (matched by email), then insert what did not match.
    let mut updated_rows = vec![false; valid.len()];
    if upsert {
        let stmts: Vec<Stmt> = valid.iter().map(|(_, _, u, _)| upsert_stmt(&conn, u, now)).collect();
        let mut i = 0;
        for part in stmts.chunks(BATCH) {
            for result in core.db.batch(part.to_vec()).await? {
                updated_rows[i] = !result.is_empty();
                i += 1;
            }
        }
    }
    let pending: Vec<usize> = (0..valid.len()).filter(|i| !updated_rows[*i]).collect();
    let stmts: Vec<Stmt> = pending
        .iter()
        .map(|i| insert_stmt(&conn, &valid[*i].2, &valid[*i].3, now))
        .collect();
    let mut inserted_rows = vec![false; valid.len()];
    let mut k = 0;
    for part in stmts.chunks(BATCH) {
        for result in core.db.batch(part.to_vec()).await? {
            inserted_rows[pending[k]] = !result.is_empty();
            k += 1;
        }
    }
    let mut inserted = 0i64;
    let mut updated = 0i64;
    for (i, (index, user, u, id)) in valid.iter().enumerate() {
        if updated_rows[i] {
            updated += 1;
        } else if inserted_rows[i] {
            inserted += 1;
        } else {
            errors.push((
                *index,
                user.clone(),
                vec![conflict_of(core, &conn, u, id, upsert).await?],
            ));
        }
    }
    // The heaviest hash class this chunk brought: failed logins on the connection spend its work.
    let heaviest = valid
        .iter()
        .filter(|(_, _, u, _)| u.hash_work > conn.foreign_hash_work as f64)
        .max_by(|a, b| a.2.hash_work.total_cmp(&b.2.hash_work));
    if let Some(hash) = heaviest.and_then(|(_, _, u, _)| LegacyHash::from_stored(u.password_hash.as_deref()?).ok()) {
        super::tenant::record_foreign_hash(core.db, &conn, &hash, core.random_bytes::<48>()?).await?;
    }
    for part in finish_stmts(job_id, chunk, inserted, updated, &errors, now).chunks(BATCH) {
        core.db.batch(part.to_vec()).await?;
    }
    Ok(())
}

/// Export options (`POST /api/v2/jobs/users-exports`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    /// Only this connection; all when absent.
    #[serde(default)]
    pub connection_id: Option<String>,
    /// `json` (NDJSON, default) or `csv`.
    #[serde(default)]
    pub format: Option<String>,
    /// At most this many users.
    #[serde(default)]
    pub limit: Option<i64>,
    /// `[{name, export_as?}]`; a predefined set when absent.
    #[serde(default)]
    pub fields: Option<Vec<ExportField>>,
}

/// One exported field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportField {
    /// Path in the user (`email`, `user_metadata.plan`, `identities[0].connection`).
    pub name: String,
    /// Column / key name in the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_as: Option<String>,
}

/// Exported when no `fields` are given.
pub const DEFAULT_FIELDS: [&str; 14] = [
    "user_id",
    "email",
    "email_verified",
    "username",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "picture",
    "created_at",
    "updated_at",
    "last_login",
    "logins_count",
    "blocked",
];

/// `POST /api/v2/jobs/users-exports`.
pub async fn create_export(core: &Core<'_>, queue: &dyn JobQueue, req: ExportRequest) -> CoreResult<Value> {
    let format = req.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "csv") {
        return Err(CoreError::InvalidRequest("format must be json or csv".into()));
    }
    if let Some(fields) = &req.fields {
        if format == "csv" && fields.len() > 30 {
            return Err(CoreError::InvalidRequest(
                "A CSV export can have at most 30 fields".into(),
            ));
        }
        if format == "csv"
            && fields
                .iter()
                .any(|f| f.name == "user_metadata" || f.name == "app_metadata")
        {
            return Err(CoreError::InvalidRequest(
                "A CSV export cannot take user_metadata or app_metadata as a whole".into(),
            ));
        }
    }
    if let Some(cid) = &req.connection_id {
        management::connection(core, cid)
            .await
            .map_err(|_| CoreError::InvalidRequest("Unknown connection_id".into()))?;
    }
    let total = super::users::count(core.db, req.connection_id.as_deref(), None).await?;
    let total = req.limit.map_or(total, |l| l.clamp(0, total));
    let chunks = (total + EXPORT_CHUNK - 1) / EXPORT_CHUNK;
    let id = format!("job_{}", core.new_id()?);
    let mut options = json!({"format": format, "fields": req.fields.clone().unwrap_or_else(|| DEFAULT_FIELDS.iter().map(|f| ExportField { name: (*f).into(), export_as: None }).collect())});
    if let Some(l) = req.limit {
        options["limit"] = json!(l);
    }
    let mut stmts = vec![Stmt::new(
        "INSERT INTO jobs (id, type, status, connection_id, options, total, chunks, created_at) VALUES (?1, 'users_export', ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(&id)
    .bind(if chunks == 0 { "completed" } else { "pending" })
    .bind(req.connection_id.clone())
    .bind(options.to_string())
    .bind(total)
    .bind(chunks)
    .bind(core.clock.now_ms())];
    for n in 0..chunks {
        stmts.push(
            Stmt::new("INSERT INTO job_chunks (job_id, chunk) VALUES (?1, ?2)")
                .bind(&id)
                .bind(n),
        );
    }
    for part in stmts.chunks(BATCH) {
        core.db.batch(part.to_vec()).await?;
    }
    queue.enqueue(&id, chunks as u32).await?;
    job_status(core, &id, None).await
}

/// Resolves `user_metadata.consent.given` or `identities[0].connection` in a user.
pub fn field(user: &Value, path: &str) -> Value {
    let mut cur = user;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = match cur.get(key) {
            Some(v) => v,
            None => return Value::Null,
        };
        if let Some(i) = index {
            cur = match cur.get(i) {
                Some(v) => v,
                None => return Value::Null,
            };
        }
    }
    cur.clone()
}

/// One CSV cell, escaped against CSV injection (OWASP): wrapped in quotes, inner quotes doubled,
/// and a `'` in front of text that a spreadsheet would read as a formula (`= + - @`, tab, CR).
pub fn csv_cell(v: &Value) -> String {
    let text = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => return v.to_string(),
        other => other.to_string(),
    };
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn gzip(data: &[u8]) -> CoreResult<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).map_err(|e| CoreError::Internal(e.to_string()))?;
    enc.finish().map_err(|e| CoreError::Internal(e.to_string()))
}

/// Processes one export chunk: a page of users, formatted, gzipped, stored.
pub async fn process_export_chunk(core: &Core<'_>, job_id: &str, chunk: u32) -> CoreResult<()> {
    if claim(core, job_id, chunk).await?.is_none() {
        return Ok(());
    }
    let j = job(core, job_id).await?;
    let options: Value = serde_json::from_str(&j.options).unwrap_or(json!({}));
    let fields: Vec<ExportField> = serde_json::from_value(options["fields"].clone()).unwrap_or_default();
    let csv = options["format"] == "csv";
    let offset = i64::from(chunk) * EXPORT_CHUNK;
    let take = EXPORT_CHUNK.min(j.total - offset).max(0);
    let users: Vec<User> = super::users::page(core.db, j.connection_id.as_deref(), None, take, offset).await?;
    let mut out = String::new();
    if csv && chunk == 0 {
        let header: Vec<String> = fields
            .iter()
            .map(|f| csv_cell(&json!(f.export_as.clone().unwrap_or_else(|| f.name.clone()))))
            .collect();
        out.push_str(&header.join(","));
        out.push('\n');
    }
    let mut names = std::collections::HashMap::new();
    for u in &users {
        if !names.contains_key(&u.connection_id) {
            let name = management::connection(core, &u.connection_id)
                .await
                .map(|c| c.name)
                .unwrap_or_default();
            names.insert(u.connection_id.clone(), name);
        }
        let full = management::user_json(u, names.get(&u.connection_id).map(String::as_str).unwrap_or_default());
        if csv {
            let cells: Vec<String> = fields.iter().map(|f| csv_cell(&field(&full, &f.name))).collect();
            out.push_str(&cells.join(","));
        } else {
            let mut line = Map::new();
            for f in &fields {
                line.insert(
                    f.export_as.clone().unwrap_or_else(|| f.name.clone()),
                    field(&full, &f.name),
                );
            }
            out.push_str(&Value::Object(line).to_string());
        }
        out.push('\n');
    }
    let part = STANDARD.encode(gzip(out.as_bytes())?);
    let now = core.clock.now_ms();
    let mut stmts = vec![
        Stmt::new("INSERT OR REPLACE INTO job_files (job_id, part, data) VALUES (?1, ?2, ?3)")
            .bind(job_id)
            .bind(i64::from(chunk))
            .bind(part),
    ];
    stmts.extend(finish_stmts(job_id, chunk, 0, 0, &[], now));
    core.db.batch(stmts).await?;
    Ok(())
}

/// Processes one chunk of any job type.
pub async fn process_chunk(core: &Core<'_>, msg: &ChunkMessage) -> CoreResult<()> {
    let j = job(core, &msg.job_id).await?;
    if j.kind == "users_import" {
        process_import_chunk(core, &msg.job_id, msg.chunk).await
    } else {
        process_export_chunk(core, &msg.job_id, msg.chunk).await
    }
}

/// The export file: the gzip members of every chunk, in order (a valid multi-member gzip).
pub async fn export_file(core: &Core<'_>, job_id: &str) -> CoreResult<(Vec<u8>, String)> {
    let j = job(core, job_id).await?;
    if j.status != "completed" || j.kind != "users_export" {
        return Err(CoreError::NotFound("The export is not ready.".into()));
    }
    #[derive(Deserialize)]
    struct P {
        data: String,
    }
    let parts: Vec<P> = decode(
        core.db
            .query(Stmt::new("SELECT data FROM job_files WHERE job_id = ?1 ORDER BY part").bind(job_id))
            .await?,
    )?;
    let mut file = Vec::new();
    for p in parts {
        file.extend(
            STANDARD
                .decode(p.data)
                .map_err(|e| CoreError::Internal(e.to_string()))?,
        );
    }
    let options: Value = serde_json::from_str(&j.options).unwrap_or(json!({}));
    let tenant = super::tenant::tenant(core.db).await?.name;
    let ext = if options["format"] == "csv" { "csv" } else { "json" };
    Ok((file, format!("{tenant}.{ext}.gz")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_injection_guard() {
        assert_eq!(csv_cell(&json!("=cmd|' /C calc'!A0")), "\"'=cmd|' /C calc'!A0\"");
        assert_eq!(csv_cell(&json!("say \"hi\"")), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell(&json!("@SUM(1)")), "\"'@SUM(1)\"");
        assert_eq!(csv_cell(&json!(42)), "42");
        assert_eq!(csv_cell(&Value::Null), "");
    }

    #[test]
    fn field_paths() {
        let u = json!({"user_metadata": {"consent": {"given": true}}, "identities": [{"connection": "DB"}]});
        assert_eq!(field(&u, "user_metadata.consent.given"), json!(true));
        assert_eq!(field(&u, "identities[0].connection"), json!("DB"));
        assert_eq!(field(&u, "identities[3].connection"), Value::Null);
    }

    #[test]
    fn redacts_hashes() {
        let r = redact(
            &json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "hmac", "hash": {"value": "x", "key": {"value": "k"}}}}),
        );
        assert_eq!(r["custom_password_hash"]["hash"]["value"], "*****");
        assert_eq!(r["custom_password_hash"]["hash"]["key"]["value"], "*****");
        assert_eq!(r["email"], "a@b.co");
    }
}
