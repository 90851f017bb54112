//! The life of a job's chunk. Every chunk of every job ends `done` or `failed`, and every job ends
//! `completed` or `failed`; nothing waits forever.
//!
//! ```text
//!            claim (attempts + 1)                  finish (one atomic batch: rows' errors,
//!  queued ─────────────────────────► claimed ────► job counters, done-mark) ──► done
//!    ▲                                 │  │
//!    │  failure recorded, attempts     │  │ lease expired (the worker died): the next delivery
//!    └──── < MAX_ATTEMPTS ◄────────────┘  │ claims it again (attempts + 1)
//!                                         ▼
//!          failure recorded, or claimed once more with attempts = MAX_ATTEMPTS
//!                                       failed ──► job failed, saying which chunk and why
//! ```
//!
//! Deliveries are at least once (Cloudflare Queues). What a delivery does, by the chunk's state:
//! - `queued`, or `claimed` with an expired lease: claim it and process it;
//! - `claimed` within its lease (another delivery is working on it): come back when the lease
//!   ends (the message is retried with that delay — a message stays alive for every unfinished
//!   chunk, so a worker that dies mid-chunk is always followed up);
//! - `done` or `failed`, or its job ended: nothing (acknowledged).
//!
//! A failure is recorded on the chunk (`last_error`) and the message is retried with exponential
//! back-off ([`backoff_s`]); after [`MAX_ATTEMPTS`] the chunk and its job fail. The finishing batch
//! only applies while the finishing delivery still holds the claim (same `attempts`), so a chunk
//! processed twice (a lease that expired under a slow worker) counts once. Re-processing a chunk
//! after a crash is idempotent: the rows an earlier attempt inserted carry the job's id
//! (`users.import_job`) and count as inserted, not as conflicts.

use serde::Deserialize;

use crate::core::error::CoreResult;
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::Core;

/// Attempts before a chunk (and its job) fails.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a claim holds before another delivery may take the chunk over.
pub const LEASE_MS: i64 = 2 * 60 * 1000;

/// Seconds before attempt `attempts + 1` (2, 4, 8, … up to 5 minutes).
pub fn backoff_s(attempts: i64) -> u32 {
    2u32.saturating_pow(attempts.clamp(1, 16) as u32).min(300)
}

/// What the message that delivered a chunk should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Acknowledge: the chunk is finished (or its job ended).
    Ack,
    /// Deliver again after this many seconds.
    RetryIn(u32),
}

/// A chunk held by this delivery.
#[derive(Debug, Clone, Deserialize)]
pub struct Claim {
    /// Chunk number.
    #[serde(deserialize_with = "columns::int")]
    pub chunk: i64,
    /// This attempt's number (1-based); the finish applies only while it is current.
    #[serde(deserialize_with = "columns::int")]
    pub attempts: i64,
    /// The stored object: an import chunk's rows, or where an export part goes.
    pub object: Option<String>,
    /// Rows in it (imports) or users to export (exports).
    #[serde(deserialize_with = "columns::int")]
    pub rows: i64,
    /// Exports: first user id of the page (none for the first page).
    pub start_key: Option<String>,
    /// Exports: first user id of the next page (none for the last page).
    pub end_key: Option<String>,
}

/// The outcome of trying to claim.
#[derive(Debug, Clone)]
pub enum Claimed {
    /// This delivery holds the chunk.
    Held(Claim),
    /// Another delivery holds it until its lease ends.
    Busy(u32),
    /// Nothing to do.
    Finished,
}

#[derive(Deserialize)]
struct State {
    state: String,
    #[serde(deserialize_with = "columns::opt_int")]
    claimed_at: Option<i64>,
    #[serde(deserialize_with = "columns::int")]
    attempts: i64,
    last_error: Option<String>,
}

/// Claims chunk `chunk` of `job_id` (see the module docs).
pub async fn claim(core: &Core<'_>, job_id: &str, chunk: u32) -> CoreResult<Claimed> {
    let now = core.clock.now_ms();
    let held: Option<Claim> = query_one(
        core.db,
        Stmt::new(
            "UPDATE job_chunks SET state = 'claimed', claimed_at = ?1, attempts = attempts + 1 \
             WHERE job_id = ?2 AND chunk = ?3 AND attempts < ?5 \
             AND (state = 'queued' OR (state = 'claimed' AND claimed_at < ?4)) \
             AND (SELECT status FROM jobs WHERE id = ?2) IN ('pending', 'processing') \
             RETURNING chunk, attempts, object, rows, start_key, end_key",
        )
        .bind(now)
        .bind(job_id)
        .bind(i64::from(chunk))
        .bind(now - LEASE_MS)
        .bind(MAX_ATTEMPTS),
    )
    .await?;
    if let Some(claim) = held {
        core.db
            .execute(
                Stmt::new(
                    "UPDATE jobs SET status = 'processing', started_at = COALESCE(started_at, ?1) \
                     WHERE id = ?2 AND status = 'pending'",
                )
                .bind(now)
                .bind(job_id),
            )
            .await?;
        return Ok(Claimed::Held(claim));
    }
    let state: Option<State> = query_one(
        core.db,
        Stmt::new("SELECT state, claimed_at, attempts, last_error FROM job_chunks WHERE job_id = ?1 AND chunk = ?2")
            .bind(job_id)
            .bind(i64::from(chunk)),
    )
    .await?;
    let Some(state) = state else {
        return Ok(Claimed::Finished);
    };
    let job_open = super::job_open(core, job_id).await?;
    match state.state.as_str() {
        _ if !job_open => Ok(Claimed::Finished),
        "claimed" | "queued" if state.attempts >= MAX_ATTEMPTS => {
            // Claimed as often as allowed, and the last claim's lease ran out (or its failure was
            // recorded): the chunk fails.
            let lease_left = state.claimed_at.map_or(0, |at| at + LEASE_MS - now);
            if state.state == "claimed" && lease_left > 0 {
                return Ok(Claimed::Busy(lease_seconds(lease_left)));
            }
            let why = state
                .last_error
                .unwrap_or_else(|| "its worker stopped before finishing".into());
            fail_chunk(core, job_id, chunk, &why, state.attempts).await?;
            Ok(Claimed::Finished)
        }
        "claimed" => {
            let lease_left = state.claimed_at.map_or(0, |at| at + LEASE_MS - now);
            Ok(Claimed::Busy(lease_seconds(lease_left)))
        }
        _ => Ok(Claimed::Finished),
    }
}

fn lease_seconds(ms: i64) -> u32 {
    u32::try_from((ms.max(0) + 999) / 1000).unwrap_or(u32::MAX).max(1)
}

/// Records that this attempt failed with `why`: the chunk is queued again (the message is retried
/// after [`backoff_s`]) or, after [`MAX_ATTEMPTS`], the chunk and its job fail.
pub async fn record_failure(core: &Core<'_>, job_id: &str, claim: &Claim, why: &str) -> CoreResult<Delivery> {
    if claim.attempts >= MAX_ATTEMPTS {
        fail_chunk(core, job_id, claim.chunk as u32, why, claim.attempts).await?;
        return Ok(Delivery::Ack);
    }
    core.db
        .execute(
            Stmt::new(
                "UPDATE job_chunks SET state = 'queued', last_error = ?1 \
                 WHERE job_id = ?2 AND chunk = ?3 AND state = 'claimed' AND attempts = ?4",
            )
            .bind(why)
            .bind(job_id)
            .bind(claim.chunk)
            .bind(claim.attempts),
        )
        .await?;
    Ok(Delivery::RetryIn(backoff_s(claim.attempts)))
}

/// The chunk fails, and with it its job (which says which chunk and why).
async fn fail_chunk(core: &Core<'_>, job_id: &str, chunk: u32, why: &str, attempts: i64) -> CoreResult<()> {
    let details = format!("chunk {chunk} failed after {attempts} attempts: {why}");
    core.db
        .batch(vec![
            Stmt::new("UPDATE job_chunks SET state = 'failed', last_error = ?1 WHERE job_id = ?2 AND chunk = ?3")
                .bind(why)
                .bind(job_id)
                .bind(i64::from(chunk)),
            Stmt::new(
                "UPDATE jobs SET status = 'failed', status_details = ?1, completed_at = ?2 \
                 WHERE id = ?3 AND status IN ('pending', 'processing')",
            )
            .bind(details)
            .bind(core.clock.now_ms())
            .bind(job_id),
        ])
        .await?;
    Ok(())
}

/// What a finished chunk adds to its job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Users inserted.
    pub inserted: i64,
    /// Users updated (upsert).
    pub updated: i64,
    /// Rows that failed.
    pub failed: i64,
}

/// The statements that finish `claim`, to run after `rows` (the chunk's error rows and any other
/// writes that must land with it) in one batch. Each applies only while this delivery still holds
/// the claim, so a chunk counts once however often it is processed.
pub fn finish(job_id: &str, claim: &Claim, counts: Counts, now: i64, mut rows: Vec<Stmt>) -> Vec<Stmt> {
    rows.push(
        Stmt::new(
            "UPDATE jobs SET chunks_done = chunks_done + 1, inserted = inserted + ?1, updated = updated + ?2, \
             failed = failed + ?3, \
             status = CASE WHEN chunks_done + 1 >= chunks THEN 'completed' ELSE status END, \
             completed_at = CASE WHEN chunks_done + 1 >= chunks THEN ?4 ELSE completed_at END \
             WHERE id = ?5 AND status = 'processing' AND EXISTS (SELECT 1 FROM job_chunks \
               WHERE job_id = ?5 AND chunk = ?6 AND state = 'claimed' AND attempts = ?7)",
        )
        .bind(counts.inserted)
        .bind(counts.updated)
        .bind(counts.failed)
        .bind(now)
        .bind(job_id)
        .bind(claim.chunk)
        .bind(claim.attempts),
    );
    rows.push(
        Stmt::new(
            "UPDATE job_chunks SET state = 'done', last_error = NULL \
             WHERE job_id = ?1 AND chunk = ?2 AND state = 'claimed' AND attempts = ?3",
        )
        .bind(job_id)
        .bind(claim.chunk)
        .bind(claim.attempts),
    );
    rows
}

/// The condition the error-row inserts of [`finish`] carry (same claim still held).
pub const HOLDS_CLAIM: &str =
    "EXISTS (SELECT 1 FROM job_chunks WHERE job_id = ?1 AND chunk = ?2 AND state = 'claimed' AND attempts = ?3)";
