//! Log stream delivery: each active stream's events after its cursor, in batches, POSTed to its
//! endpoint through the outbound seam (`platform::outbound::send`: the URL rules, a timeout, a
//! bounded answer).
//!
//! Run by a queue consumer (the Worker's `LOG_STREAMS` queue): after a request's events are
//! written, the isolate sends a delayed *tick* (at most one per [`TICK_DELAY_S`]); [`deliver`]
//! then works every stream and says whether the tick should come back ([`Next::RetryIn`]: events
//! still waiting, or a stream backing off). A stream's work is leased, so two ticks never send
//! the same batch at once.
//!
//! Per stream and round: up to [`MAX_BATCH`] events older than [`SETTLE_MS`] (a request's batch
//! commits just after its ids are made, so the youngest events wait a moment: none is skipped);
//! those its filters want become one request (`JSONARRAY`, `JSONLINES`) or one request each
//! (`JSONOBJECT`), each `{"log_id", "data"}` as Auth0 sends them. A 2xx moves the cursor past
//! the batch. Anything else — a status, no connection, the [`TIMEOUT_MS`] timeout — is a failed
//! attempt: the cursor stays (delivery is at least once; receivers deduplicate by `log_id`), the
//! next attempt waits `2^failures` seconds (at most [`MAX_BACKOFF_S`]), and after
//! [`MAX_FAILURES`] failures in a row the stream is `suspended` (Auth0's behaviour) until an
//! operator makes it active again. A paused stream is not worked at all. The authorization value
//! is opened only to build the request header and is never logged; a failure is recorded in
//! words (status code or network error), never with a body.

use serde::{Deserialize, Serialize};
use shared::management::log_streams::{ContentFormat, StreamedEvent};
use shared::management::logs::LogEvent;

use super::query;
use super::streams::{rows, StreamRow};
use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::Stmt;
use crate::core::platform::outbound::{send, OutboundRequest};
use crate::core::Core;

/// Events per batch (per request, except `JSONOBJECT`).
pub const MAX_BATCH: i64 = 100;
/// Batches per stream per run (the tick comes back for more).
pub const MAX_ROUNDS: usize = 5;
/// The outbound request's timeout.
pub const TIMEOUT_MS: u64 = 10_000;
/// The largest answer read from an endpoint.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// Failed attempts in a row that suspend a stream.
pub const MAX_FAILURES: i64 = 8;
/// The longest wait between attempts.
pub const MAX_BACKOFF_S: i64 = 300;
/// Events younger than this wait for the next run.
pub const SETTLE_MS: i64 = 2_000;
/// How long one run holds a stream.
pub const LEASE_MS: i64 = 120_000;
/// The delay of the tick an isolate sends after writing events (and the least time between two).
pub const TICK_DELAY_S: u32 = 5;

/// The message of the log stream queue: "deliver what is waiting" (its body is informative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    /// When the events that asked for it were written (ms).
    pub written_at: i64,
}

/// What the tick should do after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Nothing waits: acknowledge.
    Done,
    /// Come back after these seconds (events wait, or a stream backs off).
    RetryIn(u32),
}

/// The wait before attempt `failures + 1`, in seconds.
pub fn backoff_s(failures: i64) -> i64 {
    1i64.checked_shl(failures.clamp(0, 30) as u32)
        .unwrap_or(MAX_BACKOFF_S)
        .min(MAX_BACKOFF_S)
}

fn json<T: Serialize>(v: &T) -> CoreResult<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// The request bodies of a batch: (last log id in it, events in it, body).
fn bodies(format: ContentFormat, events: Vec<LogEvent>) -> CoreResult<Vec<(String, i64, Vec<u8>)>> {
    let items: Vec<StreamedEvent> = events
        .into_iter()
        .map(|data| StreamedEvent {
            log_id: data.log_id.clone(),
            data,
        })
        .collect();
    let Some(last) = items.last().map(|i| i.log_id.clone()) else {
        return Ok(Vec::new());
    };
    let n = items.len() as i64;
    Ok(match format {
        ContentFormat::JsonArray => vec![(last, n, json(&items)?)],
        ContentFormat::JsonLines => {
            let mut body = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    body.push(b'\n');
                }
                body.extend(json(item)?);
            }
            vec![(last, n, body)]
        }
        ContentFormat::JsonObject => items
            .iter()
            .map(|item| Ok((item.log_id.clone(), 1, json(item)?)))
            .collect::<CoreResult<_>>()?,
    })
}

/// The outcome of one stream's run.
enum Run {
    /// Nothing more waits.
    Idle,
    /// Events wait.
    More,
    /// The stream backs off until then (ms), or is suspended (`None`).
    Failed(Option<i64>),
}

/// Sends one body; `Err` is the failure in words.
async fn post(core: &Core<'_>, s: &StreamRow, authorization: Option<&str>, body: Vec<u8>) -> Result<(), String> {
    let mut headers = vec![
        ("content-type".to_owned(), s.content_type.clone()),
        ("user-agent".to_owned(), "Tollgate-LogStreams/1".to_owned()),
    ];
    if let Some(a) = authorization {
        headers.push(("authorization".to_owned(), a.to_owned()));
    }
    let req = OutboundRequest {
        method: "POST".into(),
        url: s.endpoint.clone(),
        headers,
        body,
        timeout_ms: Some(TIMEOUT_MS),
        max_response_bytes: MAX_ANSWER_BYTES,
    };
    match send(core, req).await {
        Ok(r) if (200..300).contains(&r.status) => Ok(()),
        Ok(r) => Err(format!("HTTP {}", r.status)),
        Err(e) => Err(e.to_string()),
    }
}

/// Moves the cursor after a delivery (or a batch the filters skipped), ending the failures.
async fn advance(core: &Core<'_>, s: &mut StreamRow, cursor: &str, delivered: i64) -> CoreResult<()> {
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "UPDATE log_streams SET cursor = ?2, failures = 0, retry_at = 0, last_error = NULL, \
                 delivered = delivered + ?3, last_delivered_at = CASE WHEN ?3 > 0 THEN ?4 ELSE last_delivered_at END \
                 WHERE id = ?1",
            )
            .bind(s.id.as_str())
            .bind(cursor)
            .bind(delivered)
            .bind(now),
        )
        .await?;
    s.cursor = cursor.to_owned();
    Ok(())
}

/// Records a failed attempt: back-off, or suspension after [`MAX_FAILURES`].
async fn failed(core: &Core<'_>, s: &StreamRow, error: &str) -> CoreResult<Run> {
    let failures = s.failures + 1;
    let suspend = failures >= MAX_FAILURES;
    let retry_at = core.clock.now_ms() + backoff_s(failures) * 1000;
    core.db
        .execute(
            Stmt::new(
                "UPDATE log_streams SET failures = ?2, retry_at = ?3, last_error = ?4, \
                 status = CASE WHEN ?5 AND status = 'active' THEN 'suspended' ELSE status END WHERE id = ?1",
            )
            .bind(s.id.as_str())
            .bind(failures)
            .bind(retry_at)
            .bind(error.chars().take(300).collect::<String>())
            .bind(i64::from(suspend)),
        )
        .await?;
    if suspend {
        // Operators watch the tenant log (and the other streams deliver this event).
        core.record(
            super::Event::new(
                "tg_log_stream_suspended",
                format!(
                    "Log stream {} suspended after {MAX_FAILURES} failed deliveries in a row",
                    s.name
                ),
            )
            .details(
                serde_json::json!({"log_stream_id": s.id, "last_error": error.chars().take(300).collect::<String>()}),
            ),
        );
    }
    core.log(&format!(
        "log stream {}: delivery failed ({error}), attempt {failures} of {MAX_FAILURES}{}",
        s.id,
        if suspend { "; the stream is suspended" } else { "" }
    ));
    Ok(Run::Failed((!suspend).then_some(retry_at)))
}

/// Works one leased stream: up to [`MAX_ROUNDS`] batches.
async fn run(core: &Core<'_>, kek: Option<&[u8; 32]>, mut s: StreamRow) -> CoreResult<Run> {
    let authorization = match s.authorization(kek) {
        Ok(a) => a,
        Err(_) => return failed(core, &s, "the authorization cannot be opened (KEY_ENCRYPTION_KEY)").await,
    };
    for _ in 0..MAX_ROUNDS {
        let until = core.clock.now_ms() - SETTLE_MS;
        let batch = query::after(core.db, &s.cursor, until, MAX_BATCH).await?;
        let Some(last) = batch.last().map(|e| e.log_id.clone()) else {
            return Ok(Run::Idle);
        };
        let full = batch.len() as i64 == MAX_BATCH;
        let wanted: Vec<LogEvent> = batch.into_iter().filter(|e| s.wants(&e.kind)).collect();
        let mut sent_to: Option<(String, i64)> = None;
        for (to, n, body) in bodies(s.format(), wanted)? {
            if let Err(e) = post(core, &s, authorization.as_deref(), body).await {
                if let Some((cursor, n)) = sent_to {
                    advance(core, &mut s, &cursor, n).await?;
                }
                return failed(core, &s, &e).await;
            }
            let total = sent_to.map_or(0, |(_, t)| t) + n;
            sent_to = Some((to, total));
        }
        let delivered = sent_to.map_or(0, |(_, n)| n);
        advance(core, &mut s, &last, delivered).await?;
        if !full {
            return Ok(Run::Idle);
        }
    }
    Ok(Run::More)
}

/// Works every active stream once; says when to come back.
pub async fn deliver(core: &Core<'_>, kek: Option<&[u8; 32]>) -> CoreResult<Next> {
    let mut wait_ms: Option<i64> = None;
    let mut sooner = |ms: i64| wait_ms = Some(wait_ms.map_or(ms, |w| w.min(ms)));
    for s in rows(core.db).await? {
        if s.status != "active" {
            continue;
        }
        let now = core.clock.now_ms();
        if s.retry_at > now {
            sooner(s.retry_at - now);
            continue;
        }
        let leased = core
            .db
            .execute(
                Stmt::new(
                    "UPDATE log_streams SET lease_until = ?2 WHERE id = ?1 AND status = 'active' AND lease_until <= ?3 \
                     AND retry_at <= ?3",
                )
                .bind(s.id.as_str())
                .bind(now + LEASE_MS)
                .bind(now),
            )
            .await?;
        if leased == 0 {
            // Another run holds it: look again later.
            sooner(SETTLE_MS);
            continue;
        }
        let id = s.id.clone();
        let outcome = run(core, kek, s).await;
        core.db
            .execute(Stmt::new("UPDATE log_streams SET lease_until = 0 WHERE id = ?1").bind(id.as_str()))
            .await?;
        match outcome? {
            Run::Idle => {
                let cursor = query_one_cursor(core, &id).await?;
                if query::any_after(core.db, &cursor).await? {
                    sooner(SETTLE_MS);
                }
            }
            Run::More => sooner(0),
            Run::Failed(Some(at)) => sooner(at - core.clock.now_ms()),
            Run::Failed(None) => {}
        }
    }
    Ok(match wait_ms {
        None => Next::Done,
        Some(ms) => Next::RetryIn(u32::try_from((ms.max(0) + 999) / 1000).unwrap_or(u32::MAX)),
    })
}

async fn query_one_cursor(core: &Core<'_>, id: &str) -> CoreResult<String> {
    #[derive(Deserialize)]
    struct C {
        cursor: String,
    }
    crate::core::platform::db::query_one::<C>(
        core.db,
        Stmt::new("SELECT cursor FROM log_streams WHERE id = ?1").bind(id),
    )
    .await?
    .map(|c| c.cursor)
    .ok_or_else(|| CoreError::NotFound("The log stream does not exist.".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(id: &str) -> LogEvent {
        LogEvent {
            log_id: id.into(),
            kind: "s".into(),
            ..LogEvent::default()
        }
    }

    #[test]
    fn three_body_shapes_and_a_bounded_backoff() {
        let two = || vec![event("1"), event("2")];
        let array = bodies(ContentFormat::JsonArray, two()).unwrap();
        assert_eq!(array.len(), 1);
        let v: serde_json::Value = serde_json::from_slice(&array[0].2).unwrap();
        assert_eq!(v[1]["log_id"], "2");
        assert_eq!(v[1]["data"]["type"], "s");
        let lines = bodies(ContentFormat::JsonLines, two()).unwrap();
        assert_eq!(String::from_utf8(lines[0].2.clone()).unwrap().lines().count(), 2);
        let objects = bodies(ContentFormat::JsonObject, two()).unwrap();
        assert_eq!(objects.iter().map(|b| b.0.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        assert!(bodies(ContentFormat::JsonArray, vec![]).unwrap().is_empty());
        assert_eq!(backoff_s(1), 2);
        assert_eq!(backoff_s(3), 8);
        assert_eq!(backoff_s(40), MAX_BACKOFF_S);
    }
}
