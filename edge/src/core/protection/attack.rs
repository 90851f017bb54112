//! Attack protection: brute-force blocking, suspicious-IP throttling, per-endpoint rate limits.
//!
//! # Brute-force protection (per connection, identifier and IP)
//!
//! ```text
//!   attempt ──reserve──▶ failures + in flight < max ──▶ slot reserved ──▶ password verified
//!      │                        │ no                         │ right: failures := 0, slot freed
//!      │                        ▼                            │ wrong: failures + 1, slot freed
//!      │        failures ≥ max ──▶ blocked (429, nothing verified)
//!      │        otherwise (slots held by attempts in flight) ──▶ wait for them, reserve again
//!
//!   ┌────────┐ wrong (failures < max) ┌──────────┐ failures = max ┌─────────┐
//!   │ clear  │───────────────────────▶│ counting │───────────────▶│ blocked │
//!   └────────┘◀───────────────────────└──────────┘                └─────────┘
//!        ▲        right password                                       │
//!        └──── password reset / change, admin unblock, or 30 days after the last failure
//! ```
//! Only *failed* verifications count (`login_failures`). An attempt first reserves a slot
//! (`login_in_flight`) in one conditional `INSERT .. SELECT .. WHERE failures + in-flight < max`,
//! so concurrent attempts never verify more than `max` passwords between them: 25 concurrent wrong
//! guesses verify at most 10. When the slots are held by attempts still in flight (not by past
//! failures), an attempt waits for them instead of being refused: 20 concurrent logins with the
//! right password all succeed, because each success frees its slot and clears the failures. Only
//! an account that is blocked when the attempt asks — `max` failures already recorded — is refused
//! without verifying. A reservation whose Worker died is ignored after a minute. Unknown
//! identifiers are counted the same way, so blocking reveals nothing about who exists.
//!
//! # Token buckets (suspicious IPs, rate limits)
//!
//! A bucket holds up to `capacity` tokens and refills continuously at `capacity / period`. `take`
//! refills and removes `cost` tokens in one statement; when fewer than `cost` are left the request
//! is refused and the bucket keeps what it had. Suspicious-IP throttling uses two buckets per IP:
//! failed logins (100 per day) and sign-ups (50 per minute); rate limits answer with
//! `X-RateLimit-Limit`, `-Remaining` and `-Reset` (UTC epoch seconds when the bucket is full again).
//!
//! # At Cloudflare's scale
//!
//! Every counter is a row in D1, which has a single primary: each statement is serialised there, so
//! the counts are exact across all Worker locations (no eventually consistent KV). The price is one
//! round trip to the primary per counted request; a deployment that outgrows it moves the same
//! state machine into a Durable Object per identifier / IP, which keeps the single-writer guarantee
//! with the state next to the traffic.

use serde::Deserialize;

use crate::core::error::{CoreResult, Quota};
use crate::core::platform::db::{columns, query_one, Database, Stmt};

/// Default failed attempts before a block.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;
/// How long a block lasts after the last attempt.
pub const BLOCK_MS: i64 = 30 * 24 * 3600 * 1000;

/// Where a login attempt comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptKey<'a> {
    /// Connection id.
    pub connection_id: &'a str,
    /// Normalised identifier (email or username) as typed.
    pub identifier: &'a str,
    /// Client IP (`*` to count per identifier only).
    pub ip: &'a str,
}

/// A reservation older than this no longer counts (the Worker holding it died).
pub const IN_FLIGHT_STALE_MS: i64 = 60_000;

/// What a login attempt may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// Verify the password, then report the outcome with [`finish_attempt`].
    Granted(String),
    /// The account was blocked before this attempt: refuse without verifying.
    Blocked,
    /// Every slot is held by attempts still in flight: wait for them and ask again.
    Busy,
}

/// Reserves a verification slot for one attempt (see the module diagram).
pub async fn reserve_attempt(
    db: &dyn Database,
    key: AttemptKey<'_>,
    max: u32,
    attempt_id: &str,
    now: i64,
) -> CoreResult<Reservation> {
    let reserved = db
        .query(
            Stmt::new(
                "INSERT INTO login_in_flight (attempt_id, connection_id, identifier, ip, started_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE \
                   COALESCE((SELECT count FROM login_failures WHERE connection_id = ?2 AND identifier = ?3 AND ip = ?4 \
                             AND last_at >= ?6), 0) \
                   + (SELECT COUNT(*) FROM login_in_flight WHERE connection_id = ?2 AND identifier = ?3 AND ip = ?4 \
                      AND started_at > ?7) < ?8 \
                 RETURNING attempt_id",
            )
            .bind(attempt_id)
            .bind(key.connection_id)
            .bind(key.identifier)
            .bind(key.ip)
            .bind(now)
            .bind(now - BLOCK_MS)
            .bind(now - IN_FLIGHT_STALE_MS)
            .bind(max),
        )
        .await?;
    if !reserved.is_empty() {
        return Ok(Reservation::Granted(attempt_id.to_owned()));
    }
    #[derive(Deserialize)]
    struct Count {
        #[serde(deserialize_with = "columns::int")]
        count: i64,
    }
    let failures: Option<Count> = query_one(
        db,
        Stmt::new(
            "SELECT count FROM login_failures WHERE connection_id = ?1 AND identifier = ?2 AND ip = ?3 AND last_at >= ?4",
        )
        .bind(key.connection_id)
        .bind(key.identifier)
        .bind(key.ip)
        .bind(now - BLOCK_MS),
    )
    .await?;
    Ok(if failures.is_some_and(|f| f.count >= i64::from(max)) {
        Reservation::Blocked
    } else {
        Reservation::Busy
    })
}

/// Frees an attempt's slot and records its outcome: a right password clears the failures, a
/// wrong one counts (restarting the count when the last failure is older than the block).
/// `None` (the check could not be made, e.g. a legacy store was down) only frees the slot.
/// `then` runs in the same batch (one round trip): what the login does after its verdict.
pub async fn finish_attempt(
    db: &dyn Database,
    key: AttemptKey<'_>,
    attempt_id: &str,
    verified: Option<bool>,
    now: i64,
    then: Vec<Stmt>,
) -> CoreResult<()> {
    let free = Stmt::new("DELETE FROM login_in_flight WHERE attempt_id = ?1").bind(attempt_id);
    let record = match verified {
        Some(true) => Some(
            Stmt::new("DELETE FROM login_failures WHERE connection_id = ?1 AND identifier = ?2 AND ip = ?3")
                .bind(key.connection_id)
                .bind(key.identifier)
                .bind(key.ip),
        ),
        Some(false) => Some(
            Stmt::new(
                "INSERT INTO login_failures (connection_id, identifier, ip, count, last_at) VALUES (?1, ?2, ?3, 1, ?4) \
                 ON CONFLICT(connection_id, identifier, ip) DO UPDATE SET \
                   count = CASE WHEN last_at < ?5 THEN 1 ELSE count + 1 END, last_at = ?4",
            )
            .bind(key.connection_id)
            .bind(key.identifier)
            .bind(key.ip)
            .bind(now)
            .bind(now - BLOCK_MS),
        ),
        None => None,
    };
    db.batch([free].into_iter().chain(record).chain(then).collect()).await?;
    Ok(())
}

/// Lifts every block on the identifiers (password change, admin unblock).
pub async fn unblock(db: &dyn Database, connection_id: &str, identifiers: &[&str]) -> CoreResult<()> {
    for identifier in identifiers {
        db.execute(
            Stmt::new("DELETE FROM login_failures WHERE connection_id = ?1 AND identifier = ?2")
                .bind(connection_id)
                .bind(*identifier),
        )
        .await?;
    }
    Ok(())
}

/// The identifiers of `connection_id` that brute-force protection blocks now (for every IP or
/// from some IP): the administrators' list for owners.
pub async fn blocked_identifiers(db: &dyn Database, connection_id: &str, now: i64) -> CoreResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        identifier: String,
    }
    let rows: Vec<Row> = crate::core::platform::db::decode(
        db.query(
            Stmt::new(
                "SELECT DISTINCT identifier FROM login_failures WHERE connection_id = ?1 AND count >= ?2 AND last_at > ?3",
            )
            .bind(connection_id)
            .bind(i64::from(DEFAULT_MAX_ATTEMPTS))
            .bind(now - BLOCK_MS),
        )
        .await?,
    )?;
    Ok(rows.into_iter().map(|r| r.identifier).collect())
}

/// Lifts the blocks on a (normalised) identifier in every connection but `except_connection`
/// (the administrators', whose blocks only an owner lifts).
pub async fn unblock_everywhere(db: &dyn Database, identifier: &str, except_connection: &str) -> CoreResult<()> {
    db.execute(
        Stmt::new("DELETE FROM login_failures WHERE identifier = ?1 AND connection_id <> ?2")
            .bind(identifier)
            .bind(except_connection),
    )
    .await?;
    Ok(())
}

/// One blocked identifier or IP, for the operator (`GET /api/v2/attack-protection/blocks`).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct Block {
    /// `identifier` (brute force on an account) or `ip` (suspicious IP).
    pub kind: String,
    /// The connection (identifiers only).
    pub connection_id: Option<String>,
    /// The identifier or the IP.
    pub value: String,
    /// The IP the failures came from (identifiers: `*` when counted for every IP).
    pub ip: Option<String>,
    /// Failures counted.
    #[serde(deserialize_with = "columns::int")]
    pub count: i64,
    /// Last failure, epoch ms.
    #[serde(deserialize_with = "columns::int")]
    pub last_at: i64,
}

/// Most blocks listed at once.
pub const MAX_LISTED_BLOCKS: i64 = 500;

/// The identifiers blocked by brute-force protection (outside `except_connection`: the
/// administrators', shown only to owners) and the IPs throttled for failed logins, now.
pub async fn blocks(db: &dyn Database, now: i64, except_connection: &str) -> CoreResult<Vec<Block>> {
    let ip = Bucket::LOGIN_FAILURES_PER_IP;
    Ok(crate::core::platform::db::decode(
        db.query(
            Stmt::new(
                "SELECT 'identifier' AS kind, connection_id, identifier AS value, ip, count, last_at FROM login_failures \
                 WHERE count >= ?1 AND last_at > ?2 AND connection_id <> ?7 \
                 UNION ALL SELECT 'ip', NULL, substr(key, 12), NULL, CAST(?3 - MIN(?3, tokens + (?4 - updated_at) * ?5) AS INTEGER), \
                 updated_at FROM rate_buckets WHERE key LIKE 'login-fail:%' AND MIN(?3, tokens + (?4 - updated_at) * ?5) < 1 \
                 ORDER BY last_at DESC LIMIT ?6",
            )
            .bind(i64::from(DEFAULT_MAX_ATTEMPTS))
            .bind(now - BLOCK_MS)
            .bind(ip.capacity)
            .bind(now)
            .bind(ip.rate_per_ms())
            .bind(MAX_LISTED_BLOCKS)
            .bind(except_connection),
        )
        .await?,
    )?)
}

/// Lifts the failed-login throttle of an IP (`DELETE /api/v2/anomaly/blocks/ips/{ip}`).
pub async fn unblock_ip(db: &dyn Database, ip: &str) -> CoreResult<()> {
    db.execute(Stmt::new("DELETE FROM rate_buckets WHERE key = ?1").bind(format!("login-fail:{ip}")))
        .await?;
    Ok(())
}

/// Whether an IP is throttled for failed logins (`GET /api/v2/anomaly/blocks/ips/{ip}`).
pub async fn ip_blocked(db: &dyn Database, ip: &str, now: i64) -> CoreResult<bool> {
    let q = peek(db, &format!("login-fail:{ip}"), Bucket::LOGIN_FAILURES_PER_IP, 1.0, now).await?;
    Ok(!q.granted)
}

/// A token bucket's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Maximum (burst) tokens.
    pub capacity: f64,
    /// Milliseconds to refill from empty to full.
    pub period_ms: f64,
}

impl Bucket {
    /// Failed logins per IP: 100 per day (suspicious-IP throttling, `pre-login`).
    pub const LOGIN_FAILURES_PER_IP: Bucket = Bucket {
        capacity: 100.0,
        period_ms: 86_400_000.0,
    };
    /// Sign-up attempts per IP: 50 per minute (suspicious-IP throttling, `pre-user-registration`).
    pub const SIGNUPS_PER_IP: Bucket = Bucket {
        capacity: 50.0,
        period_ms: 60_000.0,
    };
    /// `/oauth/token` per IP: burst 30, 30 per second.
    pub const TOKEN_ENDPOINT: Bucket = Bucket {
        capacity: 30.0,
        period_ms: 1_000.0,
    };
    /// `/userinfo` per user: burst 10, then 5 per minute.
    pub const USERINFO: Bucket = Bucket {
        capacity: 10.0,
        period_ms: 120_000.0,
    };
    /// `/passwordless/start` per IP: 50 an hour (Auth0's limit).
    pub const PASSWORDLESS_PER_IP: Bucket = Bucket {
        capacity: 50.0,
        period_ms: 3_600_000.0,
    };
    /// `/passwordless/start` per address: burst 5, then 1 every 3 minutes (each start voids the
    /// previous code, so more would only flood the mailbox).
    pub const PASSWORDLESS_PER_ADDRESS: Bucket = Bucket {
        capacity: 5.0,
        period_ms: 900_000.0,
    };
    /// `/dbconnections/change_password` per IP and email: burst 10, then 1 per minute.
    pub const CHANGE_PASSWORD: Bucket = Bucket {
        capacity: 10.0,
        period_ms: 600_000.0,
    };

    /// This bucket with `scale` times the capacity and rate (operators raise per-endpoint limits
    /// with `RATE_LIMIT_SCALE`; attack-protection buckets are never scaled).
    pub fn scaled(self, scale: f64) -> Bucket {
        Bucket {
            capacity: self.capacity * scale,
            period_ms: self.period_ms,
        }
    }

    pub(crate) fn rate_per_ms(&self) -> f64 {
        self.capacity / self.period_ms
    }
}

#[derive(Deserialize)]
struct BucketRow {
    tokens: f64,
    #[serde(deserialize_with = "columns::int_bool")]
    granted: bool,
}

pub(crate) fn quota(bucket: Bucket, tokens: f64, granted: bool, now: i64) -> Quota {
    let missing = (bucket.capacity - tokens).max(0.0);
    Quota {
        granted,
        limit: bucket.capacity as u32,
        remaining: tokens.max(0.0).floor() as u32,
        reset_epoch_s: (now + (missing / bucket.rate_per_ms()).ceil() as i64) / 1000,
    }
}

/// Takes `cost` tokens from the bucket `key` if it has them (atomic refill + take).
pub async fn take(db: &dyn Database, key: &str, bucket: Bucket, cost: f64, now: i64) -> CoreResult<Quota> {
    let row: Option<BucketRow> = query_one(db, take_stmt(key, bucket, cost, now)).await?;
    let (tokens, granted) = row.map_or((bucket.capacity, true), |r| (r.tokens, r.granted));
    Ok(quota(bucket, tokens, granted, now))
}

/// The statement of [`take`], for a batch whose caller does not need the quota.
pub fn take_stmt(key: &str, bucket: Bucket, cost: f64, now: i64) -> Stmt {
    // `refilled` is written out in each place: SQLite evaluates every SET expression against the
    // old row, so `tokens` and `granted` see the same refilled value.
    Stmt::new(
        "INSERT INTO rate_buckets (key, tokens, updated_at, granted) VALUES (?1, ?2 - ?4, ?3, 1) \
             ON CONFLICT(key) DO UPDATE SET \
               tokens = CASE WHEN MIN(?2, tokens + (?3 - updated_at) * ?5) >= ?4 \
                             THEN MIN(?2, tokens + (?3 - updated_at) * ?5) - ?4 \
                             ELSE MIN(?2, tokens + (?3 - updated_at) * ?5) END, \
               granted = (MIN(?2, tokens + (?3 - updated_at) * ?5) >= ?4), \
               updated_at = ?3 \
             RETURNING tokens, granted",
    )
    .bind(key)
    .bind(bucket.capacity)
    .bind(now)
    .bind(cost)
    .bind(bucket.rate_per_ms())
}

/// Whether the bucket `key` has at least `cost` tokens, without taking any.
pub async fn peek(db: &dyn Database, key: &str, bucket: Bucket, cost: f64, now: i64) -> CoreResult<Quota> {
    #[derive(Deserialize)]
    struct Row {
        tokens: f64,
        #[serde(deserialize_with = "columns::int")]
        updated_at: i64,
    }
    let row: Option<Row> = query_one(
        db,
        Stmt::new("SELECT tokens, updated_at FROM rate_buckets WHERE key = ?1").bind(key),
    )
    .await?;
    let tokens = row.map_or(bucket.capacity, |r| {
        (r.tokens + (now - r.updated_at) as f64 * bucket.rate_per_ms()).min(bucket.capacity)
    });
    Ok(quota(bucket, tokens, tokens >= cost, now))
}
