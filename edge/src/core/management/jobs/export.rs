//! Exports: a snapshot of the users (those created before the job) cut into pages by user id at
//! creation — keyset pages, so users created or deleted during the export never shift a page —
//! each page formatted (NDJSON or CSV), gzipped and stored as one object; the download is the
//! pages' gzip members in order, one valid gzip file.

use serde::Deserialize;
use serde_json::{json, Value};

use super::chunks::{self, Claim, Counts};
use super::{job, JobKind, JobQueue, JobStatus, Jobs};
use crate::core::directory::users;
use crate::core::error::{CoreError, CoreResult};
use crate::core::management;
use crate::core::platform::db::{columns, decode, Stmt};
use crate::core::Core;

/// Users per export page, at most.
pub const EXPORT_CHUNK: i64 = 2000;
/// Stored bytes per export page, about (a page ends at the first user that crosses a multiple of
/// it): what one invocation holds while it formats and gzips a page.
pub const EXPORT_PAGE_BYTES: i64 = 8 << 20;
/// Stored bytes per read inside a page: a read is one JSON value in D1, whose strings are capped at
/// 2 MB; JSON escaping of the metadata can at worst double it.
pub const EXPORT_READ_BYTES: i64 = 768 << 10;
/// Stored bytes per read of lines formatted by SQLite: the metadata is embedded as JSON (not
/// escaped again), so a slice's text stays near its stored size — 1.25 MB leaves D1's 2 MB limit
/// 750 KB of room for fields longer than the per-user allowance of the size estimate.
pub const EXPORT_LINES_READ_BYTES: i64 = 1280 << 10;

/// Export options (`POST /api/v2/jobs/users-exports`) and one exported field: the wire types.
pub use shared::management::jobs::{CreateExport as ExportRequest, ExportField};
use shared::management::jobs::{ExportFormat, Job};

/// How a page's lines are made.
enum Formatting {
    /// By SQLite: the default fields (`None`) or a list of [`users::LINE_FIELDS`] (`[{n, k}]`).
    Sql(Option<String>),
    /// From each user, in Rust (CSV, identities, nested paths).
    Rust,
}

impl Formatting {
    fn of(fields: &[ExportField], csv: bool) -> Self {
        let is_default = fields.len() == DEFAULT_FIELDS.len()
            && fields
                .iter()
                .zip(DEFAULT_FIELDS)
                .all(|(f, d)| f.name == d && f.export_as.is_none());
        if csv || !fields.iter().all(|f| users::LINE_FIELDS.contains(&f.name.as_str())) {
            Self::Rust
        } else if is_default {
            Self::Sql(None)
        } else {
            let spec: Vec<Value> = fields.iter().map(|f| json!({"n": f.name, "k": f.key()})).collect();
            Self::Sql(Some(Value::Array(spec).to_string()))
        }
    }
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
pub async fn create_export(core: &Core<'_>, queue: &dyn JobQueue, req: ExportRequest) -> CoreResult<Job> {
    let format = req.format.unwrap_or_default();
    if let Some(fields) = &req.fields {
        if format == ExportFormat::Csv && fields.len() > 30 {
            return Err(CoreError::InvalidRequest(
                "A CSV export can have at most 30 fields".into(),
            ));
        }
        if format == ExportFormat::Csv
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
        management::connections::connection(core, cid)
            .await
            .map_err(|_| CoreError::InvalidRequest("Unknown connection_id".into()))?;
    }
    let id = format!("job_{}", core.new_id()?);
    let now = core.clock.now_ms();
    // The pages' first user ids, in one pass over the snapshot.
    #[derive(Deserialize)]
    struct Start {
        user_id: String,
        #[serde(deserialize_with = "columns::int")]
        n: i64,
    }
    let limit = req.limit.map_or(i64::MAX, |l| l.max(0));
    // A page starts every EXPORT_CHUNK users and wherever the running stored size crosses a
    // multiple of EXPORT_PAGE_BYTES (an integer division written as one: D1 binds numbers as REAL).
    let starts: Vec<Start> = decode(
        core.db
            .query(
                Stmt::new(concat!(
                    "SELECT user_id, n FROM (SELECT user_id, n, b, LAG(b) OVER (ORDER BY user_id) AS pb FROM ",
                    "(SELECT user_id, ROW_NUMBER() OVER w - 1 AS n, CAST((SUM(",
                    users::stored_size!(),
                    ") OVER w) / ?5 AS INTEGER) AS b FROM users WHERE connection_id <> 'con_tenant_admins' AND (?1 IS NULL OR connection_id = ?1) AND created_at <= ?2 ",
                    "WINDOW w AS (ORDER BY user_id ROWS UNBOUNDED PRECEDING))) ",
                    "WHERE (n % ?3 = 0 OR b <> pb) AND n < ?4 ORDER BY n"
                ))
                .bind(req.connection_id.clone())
                .bind(now)
                .bind(EXPORT_CHUNK)
                .bind(limit)
                .bind(EXPORT_PAGE_BYTES),
            )
            .await?,
    )?;
    let total = users::count_snapshot(core.db, req.connection_id.as_deref(), now)
        .await?
        .min(limit);
    let chunks = starts.len();
    let mut options = json!({"format": format, "fields": req.fields.clone().unwrap_or_else(|| DEFAULT_FIELDS.iter().map(|f| ExportField { name: (*f).into(), export_as: None }).collect())});
    if let Some(l) = req.limit {
        options["limit"] = json!(l);
    }
    let ext = format.as_str();
    let list: Vec<Value> = starts
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let next = starts.get(k + 1).map_or(total, |n| n.n);
            json!({"c": k, "o": format!("exports/{id}/{k:06}.{ext}.gz"), "r": next - s.n,
                   "s": if k == 0 { None } else { Some(&s.user_id) }, "e": starts.get(k + 1).map(|n| &n.user_id)})
        })
        .collect();
    let mut stmts = vec![Stmt::new(
        "INSERT INTO jobs (id, type, status, connection_id, options, total, chunks, created_at) VALUES (?1, 'users_export', ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(&id)
    .bind(if chunks == 0 { JobStatus::Completed } else { JobStatus::Pending }.as_str())
    .bind(req.connection_id.clone())
    .bind(options.to_string())
    .bind(total)
    .bind(chunks as i64)
    .bind(now)];
    for part in list.chunks(2000) {
        stmts.push(
            Stmt::new(
                "INSERT INTO job_chunks (job_id, chunk, object, rows, start_key, end_key) SELECT ?1, \
                 json_extract(value, '$.c'), json_extract(value, '$.o'), json_extract(value, '$.r'), \
                 json_extract(value, '$.s'), json_extract(value, '$.e') FROM json_each(?2)",
            )
            .bind(&id)
            .bind(Value::Array(part.to_vec()).to_string()),
        );
    }
    core.db.batch(stmts).await?;
    queue.enqueue(&id, chunks as u32).await?;
    super::job_status(core, &id, None).await
}

/// Resolves `user_metadata.consent.given` or `identities[0].connection` in a user.
pub fn field<'v>(user: &'v Value, path: &str) -> &'v Value {
    let mut cur = user;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = match cur.get(key) {
            Some(v) => v,
            None => return &Value::Null,
        };
        if let Some(i) = index {
            cur = match cur.get(i) {
                Some(v) => v,
                None => return &Value::Null,
            };
        }
    }
    cur
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

/// Processes one claimed export page: its users, read in byte-bounded slices and formatted (by
/// SQLite when it can, see [`Formatting`]), gzipped whole and stored as one object.
pub async fn process(core: &Core<'_>, jobs: Jobs<'_>, job_id: &str, claim: &Claim) -> CoreResult<()> {
    let j = job(core, job_id).await?;
    let options = j.options();
    let fields: Vec<ExportField> = serde_json::from_value(options["fields"].clone()).unwrap_or_default();
    let csv = options["format"] == "csv";
    let formatting = Formatting::of(&fields, csv);
    // The page's text, gzipped once whole (by the platform in the Worker): at most ~8 MB.
    let mut page = String::new();
    if csv && claim.chunk == 0 {
        let header: Vec<String> = fields.iter().map(|f| csv_cell(&json!(f.key()))).collect();
        page.push_str(&header.join(","));
        page.push('\n');
    }
    // The line keys, JSON-escaped once.
    let keys: Vec<String> = fields
        .iter()
        .map(|f| Value::String(f.key().to_owned()).to_string())
        .collect();
    let mut names = std::collections::HashMap::new();
    let mut after: Option<String> = None;
    let mut left = claim.rows;
    while left > 0 {
        let start = if after.is_none() {
            claim.start_key.as_deref()
        } else {
            None
        };
        let (conn, end) = (j.connection_id.as_deref(), claim.end_key.as_deref());
        if let Formatting::Sql(spec) = &formatting {
            let (lines, n, last) = users::keyset_lines(
                core.db,
                conn,
                j.created_at,
                start,
                after.as_deref(),
                end,
                left,
                EXPORT_LINES_READ_BYTES,
                spec.as_deref(),
            )
            .await?;
            let Some(last) = last.filter(|_| n > 0) else { break };
            after = Some(last);
            left -= n;
            page.push_str(&lines);
            page.push('\n');
            continue;
        }
        let page_users = users::keyset_page(
            core.db,
            conn,
            j.created_at,
            start,
            after.as_deref(),
            end,
            left,
            EXPORT_READ_BYTES,
        )
        .await?;
        let Some(last) = page_users.last() else { break };
        after = Some(last.user_id.clone());
        left -= page_users.len() as i64;
        for u in &page_users {
            if !names.contains_key(&u.connection_id) {
                let name = management::connections::connection(core, &u.connection_id)
                    .await
                    .map(|c| c.name)
                    .unwrap_or_default();
                names.insert(u.connection_id.clone(), name);
            }
            let view =
                management::users::user_view(u, names.get(&u.connection_id).map(String::as_str).unwrap_or_default());
            let full = serde_json::to_value(view).unwrap_or_default();
            if csv {
                let cells: Vec<String> = fields.iter().map(|f| csv_cell(field(&full, &f.name))).collect();
                page.push_str(&cells.join(","));
            } else {
                // One JSON object per line, written from references into the user (no copies).
                page.push('{');
                for (n, (name, f)) in keys.iter().zip(&fields).enumerate() {
                    if n > 0 {
                        page.push(',');
                    }
                    page.push_str(name);
                    page.push(':');
                    page.push_str(&field(&full, &f.name).to_string());
                }
                page.push('}');
            }
            page.push('\n');
        }
    }
    let key = claim
        .object
        .as_deref()
        .ok_or_else(|| CoreError::Internal("the page names no object".into()))?;
    jobs.files.put_gzipped(key, page.into_bytes()).await?;
    core.db
        .batch(chunks::finish(
            job_id,
            claim,
            Counts::default(),
            core.clock.now_ms(),
            Vec::new(),
        ))
        .await?;
    Ok(())
}

/// A completed export's parts (object keys, in order) and its file name.
pub async fn export_parts(core: &Core<'_>, job_id: &str) -> CoreResult<(Vec<String>, String)> {
    let j = job(core, job_id).await?;
    if j.status != JobStatus::Completed || j.kind != JobKind::UsersExport {
        return Err(CoreError::NotFound("The export is not ready.".into()));
    }
    #[derive(Deserialize)]
    struct P {
        object: String,
    }
    let parts: Vec<P> = decode(
        core.db
            .query(
                Stmt::new("SELECT object FROM job_chunks WHERE job_id = ?1 AND object IS NOT NULL ORDER BY chunk")
                    .bind(job_id),
            )
            .await?,
    )?;
    let tenant = crate::core::directory::tenant::tenant(core.db).await?.name;
    let ext = if j.options()["format"] == "csv" { "csv" } else { "json" };
    Ok((
        parts.into_iter().map(|p| p.object).collect(),
        format!("{tenant}.{ext}.gz"),
    ))
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
        assert_eq!(field(&u, "user_metadata.consent.given"), &json!(true));
        assert_eq!(field(&u, "identities[0].connection"), &json!("DB"));
        assert_eq!(field(&u, "identities[3].connection"), &Value::Null);
    }
}
