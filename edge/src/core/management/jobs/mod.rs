//! Bulk import and export jobs (Management API `jobs/users-imports`, `jobs/users-exports`).
//!
//! Files live in an object store ([`FileStore`]: R2 in the Worker), never in D1. An upload is
//! split into chunks as it arrives ([`split`]) and each chunk is stored as its own object of
//! bounded size; an export writes one gzip member per chunk, and the download is their
//! concatenation (a valid multi-member gzip). Each chunk is one unit of work delivered by a
//! [`JobQueue`] (Cloudflare Queues in the Worker: every delivery gets its own CPU budget, so
//! there is no size cap) and moves through the states of [`chunks`]: every chunk and every job
//! ends. Rows are validated one by one ([`validate`]) — bad rows fail alone with Auth0's error
//! codes, good rows land in multi-row statements — and a chunk's counters, error rows and done-mark
//! commit in one batch, so a chunk delivered twice counts once.

pub mod chunks;
pub mod export;
pub mod import;
pub mod split;
pub mod validate;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::management::jobs::{ImportError, Job, JobErrorRow, JobErrors, JobSummary};

use crate::core::error::{CoreError, CoreResult};
use crate::core::management;
use crate::core::platform::dates::iso8601;
use crate::core::platform::db::{columns, decode, query_one, Stmt};
use crate::core::Core;
use chunks::{Claimed, Delivery};

pub use export::{create_export, csv_cell, field, ExportField, ExportRequest, DEFAULT_FIELDS};
pub use import::{ImportOptions, Upload};
/// Where a job is (the `jobs.status` column) and what it does (`jobs.type`): the wire types.
pub use shared::management::jobs::{JobKind, JobStatus};
pub use validate::{redact, validate_row, ImportUser, RowError};

/// Delivers chunk work: Cloudflare Queues in the Worker, a list in native tests.
#[async_trait(?Send)]
pub trait JobQueue {
    /// Schedules chunks `0..chunks` of `job_id`.
    async fn enqueue(&self, job_id: &str, chunks: u32) -> CoreResult<()>;
}

/// Where job files live: R2 in the Worker, memory in native tests.
#[async_trait(?Send)]
pub trait FileStore {
    /// Stores `bytes` under `key`.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> CoreResult<()>;
    /// Stores `raw` gzipped under `key` (one gzip member). The Worker compresses with the
    /// platform's `CompressionStream` (native code); this default uses flate2.
    async fn put_gzipped(&self, key: &str, raw: Vec<u8>) -> CoreResult<()> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&raw).map_err(|e| CoreError::Internal(e.to_string()))?;
        let gz = enc.finish().map_err(|e| CoreError::Internal(e.to_string()))?;
        self.put(key, gz).await
    }
    /// The object under `key`, if any.
    async fn get(&self, key: &str) -> CoreResult<Option<Vec<u8>>>;
    /// Removes these objects (missing ones are fine).
    async fn delete(&self, keys: &[String]) -> CoreResult<()>;
}

/// The platform's parts jobs run on.
#[derive(Clone, Copy)]
pub struct Jobs<'a> {
    /// Chunk deliveries.
    pub queue: &'a dyn JobQueue,
    /// Job files.
    pub files: &'a dyn FileStore,
}

/// One unit of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkMessage {
    /// Job id.
    pub job_id: String,
    /// Chunk number.
    pub chunk: u32,
}

#[derive(Debug, Deserialize)]
struct JobRow {
    id: String,
    #[serde(rename = "type")]
    kind: JobKind,
    status: JobStatus,
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

impl JobRow {
    fn options(&self) -> Value {
        serde_json::from_str(&self.options).unwrap_or_else(|_| Value::Object(serde_json::Map::new()))
    }
}

async fn job(core: &Core<'_>, id: &str) -> CoreResult<JobRow> {
    query_one(
        core.db,
        Stmt::new(
            "SELECT id, type, status, connection_id, external_id, options, total, chunks, chunks_done, inserted, updated, \
             failed, status_details, created_at, started_at FROM jobs WHERE id = ?1 UNION ALL \
             SELECT id, type, 'completed', connection_id, NULL, '{}', 1, 0, 0, 0, 0, 0, NULL, created_at, created_at \
             FROM mail_jobs WHERE id = ?1",
        )
        .bind(id),
    )
    .await?
    .ok_or_else(|| CoreError::NotFound("The job does not exist.".into()))
}

/// Whether the job still takes work (pending or processing).
async fn job_open(core: &Core<'_>, id: &str) -> CoreResult<bool> {
    Ok(job(core, id).await.map(|j| !j.status.ended()).unwrap_or(false))
}

/// `GET /api/v2/jobs/{id}` in Auth0's shape; `download` makes a completed export's signed link.
pub async fn job_status(core: &Core<'_>, id: &str, download: Option<&dyn Fn(&str) -> String>) -> CoreResult<Job> {
    let j = job(core, id).await?;
    let options = j.options();
    let now = core.clock.now_ms();
    let mut v = Job::new(j.id.clone(), j.kind, j.status);
    v.created_at = Some(iso8601(j.created_at));
    v.connection_id = j.connection_id.clone();
    v.external_id = j.external_id.clone();
    v.status_details = j.status_details.clone();
    v.percentage_done = Some(if j.chunks == 0 {
        100
    } else {
        j.chunks_done * 100 / j.chunks
    });
    if let Some(cid) = &j.connection_id {
        if let Ok(c) = management::connections::connection(core, cid).await {
            v.connection = Some(c.name);
        }
    }
    v.time_left_seconds = Some(match j.started_at {
        Some(started) if j.chunks_done > 0 && j.status == JobStatus::Processing => {
            let per_chunk = (now - started) as f64 / j.chunks_done as f64;
            ((j.chunks - j.chunks_done) as f64 * per_chunk / 1000.0).ceil() as i64
        }
        _ => 0,
    });
    match j.kind {
        JobKind::UsersImport => {
            v.upsert = options["upsert"].as_bool();
            v.send_completion_email = options["send_completion_email"].as_bool();
            v.summary = Some(JobSummary {
                failed: j.failed,
                updated: j.updated,
                inserted: j.inserted,
                total: j.total,
            });
        }
        JobKind::UsersExport => {
            v.format = serde_json::from_value(options["format"].clone()).ok();
            v.fields = serde_json::from_value(options["fields"].clone()).ok();
            v.limit = options["limit"].as_i64();
            if j.status == JobStatus::Completed {
                v.location = download.map(|make| make(&j.id));
            }
        }
        JobKind::VerificationEmail => {}
    }
    Ok(v)
}

/// `GET /api/v2/jobs/{id}/errors`: the failed rows (hashes redacted) with their errors and their
/// position in the file; for a failed job, the job with what failed.
pub async fn job_errors(core: &Core<'_>, id: &str) -> CoreResult<JobErrors> {
    let j = job(core, id).await?;
    if j.status == JobStatus::Failed {
        let mut failed = Job::new(j.id, j.kind, j.status);
        failed.created_at = Some(iso8601(j.created_at));
        failed.connection_id = j.connection_id;
        failed.status_details = j.status_details;
        return Ok(JobErrors::Failed(Box::new(failed)));
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
    Ok(JobErrors::Rows(
        rows.into_iter()
            .map(|e| JobErrorRow {
                user: serde_json::from_str(&e.user).unwrap_or(Value::Null),
                errors: serde_json::from_str::<Vec<ImportError>>(&e.errors).unwrap_or_default(),
                index: Some(e.row_index),
            })
            .collect(),
    ))
}

/// Processes one delivered chunk of any job type and says what its message should do next
/// (see [`chunks`]). Errors never escape: they are recorded on the chunk and retried.
pub async fn process_chunk(core: &Core<'_>, jobs: Jobs<'_>, msg: &ChunkMessage) -> Delivery {
    let delivery = deliver(core, jobs, msg).await;
    if let Err(e) = notify_ended(core, &msg.job_id).await {
        core.log(&format!("job {}: completion mail not sent: {e}", msg.job_id));
    }
    if let Err(e) = log_ended(core, &msg.job_id).await {
        core.log(&format!("job {}: end not logged: {e}", msg.job_id));
    }
    delivery
}

/// A job that has ended is logged once (`tg_job_end`): the one delivery whose conditional update
/// marks it.
async fn log_ended(core: &Core<'_>, job_id: &str) -> CoreResult<()> {
    #[derive(Deserialize)]
    struct Ended {
        #[serde(rename = "type")]
        kind: String,
        status: String,
        connection_id: Option<String>,
        #[serde(deserialize_with = "columns::int")]
        total: i64,
        #[serde(deserialize_with = "columns::int")]
        inserted: i64,
        #[serde(deserialize_with = "columns::int")]
        updated: i64,
        #[serde(deserialize_with = "columns::int")]
        failed: i64,
    }
    let ended: Option<Ended> = query_one(
        core.db,
        Stmt::new(
            "UPDATE jobs SET end_logged = 1 WHERE id = ?1 AND status IN ('completed', 'failed') AND end_logged = 0 \
             RETURNING type, status, connection_id, total, inserted, updated, failed",
        )
        .bind(job_id),
    )
    .await?;
    if let Some(e) = ended {
        let mut event = crate::core::logs::Event::new("tg_job_end", format!("Bulk job {}", e.status)).details(
            serde_json::json!({"job_id": job_id, "type": e.kind, "status": e.status, "total": e.total,
                "inserted": e.inserted, "updated": e.updated, "failed": e.failed}),
        );
        event.connection_id = e.connection_id;
        core.record(event);
    }
    Ok(())
}

/// An import asked `send_completion_email` and has ended (completed or failed): mails the tenant's
/// owners and admins once — the one delivery whose conditional update marks the job mailed.
async fn notify_ended(core: &Core<'_>, job_id: &str) -> CoreResult<()> {
    let ended: Option<JobRow> = query_one(
        core.db,
        Stmt::new(
            "UPDATE jobs SET completion_mailed = 1 WHERE id = ?1 AND type = 'users_import' \
             AND status IN ('completed', 'failed') AND completion_mailed = 0 \
             AND json_extract(options, '$.send_completion_email') = 1 \
             RETURNING *",
        )
        .bind(job_id),
    )
    .await?;
    let Some(e) = ended else { return Ok(()) };
    #[derive(Deserialize)]
    struct To {
        email: String,
    }
    let admins: Vec<To> = decode(
        core.db
            .query(
                Stmt::new(
                    "SELECT u.email FROM tenant_members m JOIN users u ON u.user_id = m.user_id \
                     WHERE m.role IN ('owner', 'admin') AND u.connection_id = ?1 AND u.blocked = 0",
                )
                .bind(crate::core::directory::admins::ADMIN_CONNECTION_ID),
            )
            .await?,
    )?;
    let text = format!(
        "The user import {job_id} has {}: {} inserted, {} updated, {} failed of {}.{}\n\nDetails: {}admin/#/import-export",
        e.status.as_str(),
        e.inserted,
        e.updated,
        e.failed,
        e.total,
        e.status_details.map(|d| format!("\n{d}")).unwrap_or_default(),
        core.settings.issuer
    );
    for to in admins {
        core.mailer
            .send(&crate::core::platform::mail::Mail {
                to: to.email,
                subject: format!("User import {}", e.status.as_str()),
                text: text.clone(),
                link: None,
                kind: "import_completed",
            })
            .await?;
    }
    Ok(())
}

async fn deliver(core: &Core<'_>, jobs: Jobs<'_>, msg: &ChunkMessage) -> Delivery {
    match run_chunk(core, jobs, msg).await {
        Ok(d) => d,
        Err((claim, e)) => {
            let why = e.to_string();
            core.log(&format!("job {} chunk {}: {why}", msg.job_id, msg.chunk));
            match claim {
                Some(claim) => chunks::record_failure(core, &msg.job_id, &claim, &why)
                    .await
                    .unwrap_or(Delivery::RetryIn(chunks::backoff_s(claim.attempts))),
                // Not even claimed (storage unreachable): try again shortly.
                None => Delivery::RetryIn(chunks::backoff_s(1)),
            }
        }
    }
}

type ChunkError = (Option<chunks::Claim>, CoreError);

async fn run_chunk(core: &Core<'_>, jobs: Jobs<'_>, msg: &ChunkMessage) -> Result<Delivery, ChunkError> {
    let j = job(core, &msg.job_id).await.map_err(|e| (None, e))?;
    let claim = match chunks::claim(core, &msg.job_id, msg.chunk)
        .await
        .map_err(|e| (None, e))?
    {
        Claimed::Held(c) => c,
        Claimed::Busy(seconds) => return Ok(Delivery::RetryIn(seconds)),
        Claimed::Finished => return Ok(Delivery::Ack),
    };
    let result = if j.kind == JobKind::UsersImport {
        import::process(core, jobs, &msg.job_id, &claim).await
    } else {
        export::process(core, jobs, &msg.job_id, &claim).await
    };
    result.map(|()| Delivery::Ack).map_err(|e| (Some(claim), e))
}

/// A test-only fault (`JOB_FAULTS=1` with a loopback issuer, never in production): an import whose
/// `external_id` is `fault:fail-first` fails each chunk's first attempt, `fault:fail-always`
/// every attempt.
fn injected_fault(core: &Core<'_>, j_external_id: Option<&str>, attempt: i64) -> CoreResult<()> {
    if !core.settings.job_faults {
        return Ok(());
    }
    match j_external_id {
        Some("fault:fail-first") if attempt == 1 => Err(CoreError::Internal("injected fault (first attempt)".into())),
        Some("fault:fail-always") => Err(CoreError::Internal("injected fault".into())),
        _ => Ok(()),
    }
}
