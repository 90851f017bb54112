//! Imports: an upload is split into chunk objects as it arrives ([`Upload`]), then each chunk is
//! validated and written ([`process`]): upserts (matched by email) and inserts as multi-row
//! statements over a JSON parameter (`json_each`), so a thousand users cost a few statements,
//! and the rows that did not land are classified in one query.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::chunks::{self, Claim, Counts};
use super::split::{Splitter, StoredRow, ROW_MAX_BYTES};
use super::validate::{err, redact, validate_row, ImportUser, RowError};
use super::{job, JobStatus, Jobs};
use crate::core::credentials::legacy_hash::LegacyHash;
use crate::core::directory::tenant::Connection;
use crate::core::error::{CoreError, CoreResult};
use crate::core::management;
use crate::core::platform::db::{decode, Stmt};
use crate::core::Core;

/// Largest JSON parameter of one multi-row statement (D1 takes values up to 2 MB).
const PARAM_MAX_BYTES: usize = 900 * 1024;

/// Options of an import job: the text parts of the upload's form (the wire type).
pub use shared::management::jobs::ImportUsers as ImportOptions;
use shared::management::jobs::Job;

/// The database connection users may be imported into.
pub async fn import_connection(core: &Core<'_>, connection_id: &str) -> CoreResult<Connection> {
    let conn = management::connections::connection(core, connection_id)
        .await
        .map_err(|_| {
            CoreError::InvalidRequest(format!("CONNECTION_NOT_FOUND: connection {connection_id} not found"))
        })?;
    if conn.strategy != crate::core::directory::tenant::Strategy::Auth0 {
        return Err(CoreError::InvalidRequest(format!(
            "CONNECTION_NOT_DATABASE: users can only be imported into database connections; {} uses the {} strategy",
            conn.name, conn.strategy
        )));
    }
    Ok(conn)
}

/// An upload in progress: the file is split as its bytes arrive and every sealed chunk is stored
/// as its own object at once; nothing holds the whole file.
pub struct Upload<'a> {
    core: &'a Core<'a>,
    jobs: Jobs<'a>,
    id: String,
    splitter: Splitter,
    objects: Vec<(String, usize)>,
}

impl<'a> Upload<'a> {
    /// A new upload (its job id is chosen now; the job exists once [`Upload::finish`] succeeds).
    pub fn start(core: &'a Core<'a>, jobs: Jobs<'a>) -> CoreResult<Self> {
        Ok(Self {
            core,
            jobs,
            id: format!("job_{}", core.new_id()?),
            splitter: Splitter::new(),
            objects: Vec::new(),
        })
    }

    /// The next bytes of the file. A file that is not a JSON array (or NDJSON) of users ends the
    /// upload with `invalid_body`; call [`Upload::abort`] then.
    pub async fn push(&mut self, bytes: &[u8]) -> CoreResult<()> {
        self.splitter
            .push(bytes)
            .map_err(|e| CoreError::InvalidRequest(format!("The users file is not valid: {e}")))?;
        self.store_ready().await
    }

    async fn store_ready(&mut self) -> CoreResult<()> {
        for piece in self.splitter.take_ready() {
            let key = format!("imports/{}/{:06}.json", self.id, self.objects.len());
            self.jobs.files.put(&key, piece.text).await?;
            self.objects.push((key, piece.rows));
        }
        Ok(())
    }

    /// Removes what was stored (a failed upload leaves nothing behind).
    pub async fn abort(self) {
        let keys: Vec<String> = self.objects.into_iter().map(|(k, _)| k).collect();
        if let Err(e) = self.jobs.files.delete(&keys).await {
            self.core.log(&format!("import upload {}: cleaning up: {e}", self.id));
        }
    }

    /// Ends the file and creates the job, its chunks and their deliveries.
    pub async fn finish(mut self, opts: ImportOptions) -> CoreResult<Job> {
        let result = self.create(opts).await;
        if result.is_err() {
            self.abort().await;
        }
        result
    }

    async fn create(&mut self, opts: ImportOptions) -> CoreResult<Job> {
        let conn = import_connection(self.core, &opts.connection_id).await?;
        let splitter = std::mem::take(&mut self.splitter);
        let total = splitter.rows();
        for piece in splitter
            .finish()
            .map_err(|e| CoreError::InvalidRequest(format!("The users file is not valid: {e}")))?
        {
            let key = format!("imports/{}/{:06}.json", self.id, self.objects.len());
            self.jobs.files.put(&key, piece.text).await?;
            self.objects.push((key, piece.rows));
        }
        let core = self.core;
        let options = json!({"upsert": opts.upsert, "send_completion_email": opts.send_completion_email});
        let mut stmts = vec![Stmt::new(
            "INSERT INTO jobs (id, type, status, connection_id, external_id, options, total, chunks, created_at) \
             VALUES (?1, 'users_import', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(&self.id)
        .bind(
            if self.objects.is_empty() {
                JobStatus::Completed
            } else {
                JobStatus::Pending
            }
            .as_str(),
        )
        .bind(&conn.id)
        .bind(opts.external_id.clone())
        .bind(options.to_string())
        .bind(total as i64)
        .bind(self.objects.len() as i64)
        .bind(core.clock.now_ms())];
        let list: Vec<Value> = self
            .objects
            .iter()
            .enumerate()
            .map(|(n, (key, rows))| json!({"c": n, "o": key, "r": rows}))
            .collect();
        for part in list.chunks(5000) {
            stmts.push(
                Stmt::new(
                    "INSERT INTO job_chunks (job_id, chunk, object, rows) SELECT ?1, json_extract(value, '$.c'), \
                     json_extract(value, '$.o'), json_extract(value, '$.r') FROM json_each(?2)",
                )
                .bind(&self.id)
                .bind(Value::Array(part.to_vec()).to_string()),
            );
        }
        core.db.batch(stmts).await?;
        self.jobs.queue.enqueue(&self.id, self.objects.len() as u32).await?;
        super::job_status(core, &self.id, None).await
    }
}

/// A valid row on its way into the database.
struct Valid {
    index: usize,
    user: Value,
    u: ImportUser,
    id: String,
}

/// One row as the upsert reads it (short keys keep the parameter small).
fn row_json(v: &Valid) -> Value {
    let u = &v.u;
    let meta = |m: &Option<Map<String, Value>>| m.as_ref().map(|m| Value::Object(m.clone()).to_string());
    json!({
        "i": v.id, "e": u.email,
        // Upserts keep the stored value unless given.
        "v": u.email_verified.map(i64::from),
        "u": u.username, "p": u.password_hash, "g": u.profile.given_name, "f": u.profile.family_name, "n": u.profile.name,
        "k": u.profile.nickname, "c": u.profile.picture, "t": u.profile.phone_number, "um": meta(&u.user_metadata),
        "am": meta(&u.app_metadata), "b": i64::from(u.blocked),
        // Only a custom_password_hash replaces a stored (non-argon2id) hash on upsert.
        "x": u.password_hash.clone().filter(|_| u.custom_hash),
    })
}

/// One row for the insert: an array (read by position: cheaper for SQLite than keys).
fn row_array(v: &Valid) -> Value {
    let u = &v.u;
    let meta = |m: &Option<Map<String, Value>>| m.as_ref().map(|m| Value::Object(m.clone()).to_string());
    json!([
        v.id,
        u.email,
        i64::from(u.email_verified.unwrap_or(false)),
        u.username,
        u.password_hash,
        u.profile.given_name,
        u.profile.family_name,
        u.profile.name,
        u.profile.nickname,
        u.profile.picture,
        u.profile.phone_number,
        meta(&u.user_metadata),
        meta(&u.app_metadata),
        i64::from(u.blocked)
    ])
}

/// Groups items into JSON array parameters of at most [`PARAM_MAX_BYTES`].
fn json_groups(items: impl IntoIterator<Item = Value>) -> Vec<String> {
    let mut groups = Vec::new();
    let mut current = String::from("[");
    for item in items {
        let text = item.to_string();
        if current.len() > 1 && current.len() + text.len() + 2 > PARAM_MAX_BYTES {
            current.push(']');
            groups.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&text);
    }
    if current.len() > 1 {
        current.push(']');
        groups.push(current);
    }
    groups
}

#[derive(Deserialize)]
struct Email {
    email: String,
}

/// Processes one claimed import chunk (see the module docs of [`super::chunks`]).
pub async fn process(core: &Core<'_>, jobs: Jobs<'_>, job_id: &str, claim: &Claim) -> CoreResult<()> {
    let j = job(core, job_id).await?;
    super::injected_fault(core, j.external_id.as_deref(), claim.attempts)?;
    let key = claim
        .object
        .as_deref()
        .ok_or_else(|| CoreError::Internal("the chunk names no object".into()))?;
    let text = jobs
        .files
        .get(key)
        .await?
        .ok_or_else(|| CoreError::Internal(format!("the chunk's object {key} is missing")))?;
    let rows: Vec<StoredRow> =
        serde_json::from_slice(&text).map_err(|e| CoreError::Internal(format!("the chunk's rows: {e}")))?;
    let upsert = j.options()["upsert"].as_bool().unwrap_or(false);
    let conn = management::connections::connection(core, j.connection_id.as_deref().unwrap_or_default()).await?;
    let budget = core.hasher.verification_budget();
    let now = core.clock.now_ms();
    let mut errors: Vec<(usize, Value, Vec<RowError>)> = Vec::new();
    let mut valid: Vec<Valid> = Vec::new();
    // Ids for the rows without one, from one draw of randomness (as `new_id`: ordered by time).
    let mut randomness = vec![0u8; 8 * rows.len()];
    core.rng.fill(&mut randomness).map_err(CoreError::Internal)?;
    let mut fresh_ids = randomness
        .as_chunks::<8>()
        .0
        .iter()
        .map(|r| crate::core::ordered_id(now, *r));
    for row in rows {
        if row.oversize {
            let why = format!("The user is larger than {} KiB", ROW_MAX_BYTES / 1024);
            errors.push((row.index, Value::Null, vec![err("MAX_LENGTH", why, "")]));
            continue;
        }
        if let Some(why) = row.invalid {
            errors.push((row.index, Value::Null, vec![err("FORMAT", why, "")]));
            continue;
        }
        let user: Value = row
            .user
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or(Value::Null);
        if row.duplicate {
            let e = err("DUPLICATED_USER", "The user is duplicated in the file", "email");
            errors.push((row.index, user, vec![e]));
            continue;
        }
        match validate_row(&user, &conn, budget) {
            Ok(u) => {
                let id = match &u.user_id {
                    Some(id) => id.clone(),
                    None => fresh_ids.next().unwrap_or_default(),
                };
                valid.push(Valid {
                    index: row.index,
                    user,
                    u,
                    id,
                });
            }
            Err(e) => errors.push((row.index, user, e)),
        }
    }

    // Upserts first (matched by email; never a row this job inserted), then inserts.
    let mut landed = vec![false; valid.len()];
    let mut updated = 0i64;
    if upsert && !valid.is_empty() {
        let stmts: Vec<Stmt> = json_groups(valid.iter().map(row_json))
            .into_iter()
            .map(|group| {
                Stmt::new(
                    "UPDATE users SET email_verified = COALESCE(j.v, users.email_verified), \
                     given_name = COALESCE(j.g, users.given_name), family_name = COALESCE(j.f, users.family_name), \
                     name = COALESCE(j.n, users.name), nickname = COALESCE(j.k, users.nickname), \
                     picture = COALESCE(j.c, users.picture), user_metadata = COALESCE(j.um, users.user_metadata), \
                     app_metadata = COALESCE(j.am, users.app_metadata), \
                     password_hash = CASE WHEN j.x IS NOT NULL AND (users.password_hash IS NULL \
                       OR users.password_hash NOT LIKE '$argon2id$%') THEN j.x ELSE users.password_hash END, \
                     updated_at = ?3 \
                     FROM (SELECT json_extract(value, '$.e') AS e, json_extract(value, '$.v') AS v, \
                       json_extract(value, '$.g') AS g, json_extract(value, '$.f') AS f, json_extract(value, '$.n') AS n, \
                       json_extract(value, '$.k') AS k, json_extract(value, '$.c') AS c, json_extract(value, '$.um') AS um, \
                       json_extract(value, '$.am') AS am, json_extract(value, '$.x') AS x FROM json_each(?1)) AS j \
                     WHERE users.connection_id = ?2 AND users.email = j.e \
                       AND (users.import_job IS NULL OR users.import_job <> ?4) \
                     RETURNING users.email",
                )
                .bind(group)
                .bind(&conn.id)
                .bind(now)
                .bind(job_id)
            })
            .collect();
        let emails: std::collections::HashSet<String> = core
            .db
            .batch(stmts)
            .await?
            .into_iter()
            .flat_map(|rows| decode::<Email>(rows).unwrap_or_default())
            .map(|e| e.email)
            .collect();
        for (i, v) in valid.iter().enumerate() {
            if emails.contains(&v.u.email) {
                landed[i] = true;
                updated += 1;
            }
        }
    }
    let pending: Vec<usize> = (0..valid.len()).filter(|i| !landed[*i]).collect();
    let mut changed = 0u64;
    for group in json_groups(pending.iter().map(|i| row_array(&valid[*i]))) {
        changed += core
            .db
            .execute(
                Stmt::new(
                    "INSERT OR IGNORE INTO users (user_id, connection_id, email, email_verified, username, password_hash, \
                     given_name, family_name, name, nickname, picture, phone_number, user_metadata, app_metadata, blocked, \
                     created_at, updated_at, import_job) \
                     SELECT value ->> 0, ?2, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, \
                       value ->> 7, value ->> 8, value ->> 9, value ->> 10, COALESCE(value ->> 11, '{}'), \
                       COALESCE(value ->> 12, '{}'), value ->> 13, ?3, ?3, ?4 FROM json_each(?1) WHERE 1",
                )
                .bind(group)
                .bind(&conn.id)
                .bind(now)
                .bind(job_id),
            )
            .await?;
    }
    // Usually every row lands. Otherwise the rows that carry this job's id landed (now, or in an
    // earlier attempt of this chunk: they count as inserted, not as conflicts), the rest were refused.
    let inserted_emails: std::collections::HashSet<String> = if changed as usize == pending.len() {
        pending.iter().map(|i| valid[*i].u.email.clone()).collect()
    } else {
        let emails: Vec<Value> = pending.iter().map(|i| json!(valid[*i].u.email)).collect();
        decode::<Email>(
            core.db
                .query(
                    Stmt::new(
                        "SELECT email FROM users WHERE connection_id = ?1 AND import_job = ?2 \
                         AND email IN (SELECT value FROM json_each(?3))",
                    )
                    .bind(&conn.id)
                    .bind(job_id)
                    .bind(Value::Array(emails).to_string()),
                )
                .await?,
        )?
        .into_iter()
        .map(|e| e.email)
        .collect()
    };
    let mut inserted = 0i64;
    let mut refused = Vec::new();
    for i in pending {
        if inserted_emails.contains(&valid[i].u.email) {
            landed[i] = true;
            inserted += 1;
        } else {
            refused.push(i);
        }
    }
    if !refused.is_empty() {
        let existing = existing_rows(core, &conn, refused.iter().map(|i| &valid[*i])).await?;
        for i in refused {
            let v = &valid[i];
            match classify(&existing, v, job_id, upsert) {
                None => inserted += 1,
                Some(e) => errors.push((v.index, v.user.clone(), vec![e])),
            }
        }
    }

    // The heaviest hash class this chunk brought: failed logins on the connection spend its work.
    let heaviest = valid
        .iter()
        .filter(|v| v.u.hash_work > conn.foreign_hash_work as f64)
        .max_by(|a, b| a.u.hash_work.total_cmp(&b.u.hash_work));
    if let Some(hash) = heaviest.and_then(|v| LegacyHash::from_stored(v.u.password_hash.as_deref()?).ok()) {
        crate::core::directory::tenant::record_foreign_hash(core.db, &conn, &hash, core.random_bytes::<48>()?).await?;
    }

    let counts = Counts {
        inserted,
        updated,
        failed: errors.len() as i64,
    };
    let error_rows = json_groups(
        errors
            .iter()
            .map(|(i, user, errs)| json!({"i": i, "u": redact(user).to_string(), "e": json!(errs).to_string()})),
    )
    .into_iter()
    .map(|group| {
        Stmt::new(
            "INSERT OR REPLACE INTO job_errors (job_id, row_index, user, errors) \
             SELECT ?1, json_extract(value, '$.i'), json_extract(value, '$.u'), json_extract(value, '$.e') \
             FROM json_each(?4) WHERE EXISTS (SELECT 1 FROM job_chunks \
               WHERE job_id = ?1 AND chunk = ?2 AND state = 'claimed' AND attempts = ?3)",
        )
        .bind(job_id)
        .bind(claim.chunk)
        .bind(claim.attempts)
        .bind(group)
    })
    .collect();
    core.db
        .batch(chunks::finish(job_id, claim, counts, now, error_rows))
        .await?;
    // The chunk's rows are no longer needed (best effort: a leftover object is only storage).
    if let Err(e) = jobs.files.delete(&[key.to_owned()]).await {
        core.log(&format!("job {job_id}: removing {key}: {e}"));
    }
    Ok(())
}

#[derive(Deserialize)]
struct Existing {
    user_id: String,
    email: String,
    username: Option<String>,
    import_job: Option<String>,
}

/// The users a refused row may have run into: same id, or same email or username in the
/// connection — in one query.
async fn existing_rows<'v>(
    core: &Core<'_>,
    conn: &Connection,
    refused: impl Iterator<Item = &'v Valid>,
) -> CoreResult<Vec<Existing>> {
    let (mut ids, mut emails, mut names) = (Vec::new(), Vec::new(), Vec::new());
    for v in refused {
        ids.push(json!(v.id));
        emails.push(json!(v.u.email));
        if let Some(u) = &v.u.username {
            names.push(json!(u));
        }
    }
    Ok(decode(
        core.db
            .query(
                Stmt::new(
                    "SELECT user_id, email, username, import_job FROM users \
                     WHERE user_id IN (SELECT value FROM json_each(?1)) \
                     OR (connection_id = ?2 AND email IN (SELECT value FROM json_each(?3))) \
                     OR (connection_id = ?2 AND username IN (SELECT value FROM json_each(?4)))",
                )
                .bind(Value::Array(ids).to_string())
                .bind(&conn.id)
                .bind(Value::Array(emails).to_string())
                .bind(Value::Array(names).to_string()),
            )
            .await?,
    )?)
}

/// Why a row did not land; `None` when it did, in an earlier attempt of this job (its row carries
/// the job's id), so it counts as inserted.
fn classify(existing: &[Existing], v: &Valid, job_id: &str, upsert: bool) -> Option<RowError> {
    let same_email = existing.iter().find(|r| r.email == v.u.email);
    if same_email.is_some_and(|r| r.import_job.as_deref() == Some(job_id)) {
        return None;
    }
    Some(if same_email.is_some() && !upsert {
        err(
            "DUPLICATED_USER",
            "The user already exists and upsert is false",
            "email",
        )
    } else if existing.iter().any(|r| r.user_id == v.id) {
        err("CONFLICT", "The user_id is already taken", "user_id")
    } else if existing
        .iter()
        .any(|r| r.username.is_some() && r.username == v.u.username)
    {
        err("CONFLICT_USERNAME", "The username is already taken", "username")
    } else if same_email.is_some() {
        err(
            "CONFLICT_EMAIL",
            "The email belongs to a user with another user_id",
            "email",
        )
    } else {
        err("CONFLICT", "The user conflicts with an existing user", "")
    })
}
