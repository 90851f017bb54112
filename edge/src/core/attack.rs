//! Attack protection: brute-force blocking, suspicious-IP throttling, per-endpoint rate limits.
//!
//! # Brute-force protection (per connection, identifier and IP)
//!
//! ```text
//!            attempt (count := count + 1, atomically, before the password is checked)
//!   ┌────────┐  count ≤ max  ┌──────────┐  success: row deleted  ┌────────┐
//!   │ clear  │──────────────▶│ counting │───────────────────────▶│ clear  │
//!   └────────┘               └──────────┘                        └────────┘
//!                                 │ count > max (the 11th attempt with max = 10)
//!                                 ▼
//!                            ┌──────────┐  password reset / change, admin unblock,
//!                            │ blocked  │  or 30 days after the last attempt
//!                            └──────────┘──────────────────────────────▶ clear
//! ```
//! The counter is taken *before* the password is verified, in one `INSERT .. ON CONFLICT DO UPDATE
//! .. RETURNING` statement, so concurrent attempts each get a distinct number and no more than `max`
//! passwords are ever checked: the block lands on exactly the (max+1)-th attempt. A success deletes
//! the row. Blocked attempts answer 429 `too_many_attempts` without verifying the password. Unknown
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

use super::db::{columns, query_one, Database, Stmt};
use super::error::CoreResult;

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

/// Counts one attempt and returns whether it may proceed (`count ≤ max`).
pub async fn take_login_attempt(db: &dyn Database, key: AttemptKey<'_>, max: u32, now: i64) -> CoreResult<bool> {
    #[derive(Deserialize)]
    struct Count {
        #[serde(deserialize_with = "columns::int")]
        count: i64,
    }
    let row: Option<Count> = query_one(
        db,
        Stmt::new(
            "INSERT INTO login_failures (connection_id, identifier, ip, count, last_at) VALUES (?1, ?2, ?3, 1, ?4) \
             ON CONFLICT(connection_id, identifier, ip) DO UPDATE SET \
               count = CASE WHEN last_at < ?5 THEN 1 ELSE count + 1 END, last_at = ?4 \
             RETURNING count",
        )
        .bind(key.connection_id)
        .bind(key.identifier)
        .bind(key.ip)
        .bind(now)
        .bind(now - BLOCK_MS),
    )
    .await?;
    Ok(row.is_some_and(|r| r.count <= i64::from(max)))
}

/// Clears the counter of a successful login.
pub async fn login_succeeded(db: &dyn Database, key: AttemptKey<'_>) -> CoreResult<()> {
    db.execute(
        Stmt::new("DELETE FROM login_failures WHERE connection_id = ?1 AND identifier = ?2 AND ip = ?3")
            .bind(key.connection_id)
            .bind(key.identifier)
            .bind(key.ip),
    )
    .await?;
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

    fn rate_per_ms(&self) -> f64 {
        self.capacity / self.period_ms
    }
}

/// The outcome of a bucket operation, with what the rate-limit headers need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Whether the request may proceed.
    pub granted: bool,
    /// Bucket capacity (`X-RateLimit-Limit`).
    pub limit: u32,
    /// Whole tokens left (`X-RateLimit-Remaining`).
    pub remaining: u32,
    /// When the bucket is full again, epoch seconds (`X-RateLimit-Reset`).
    pub reset_epoch_s: i64,
}

#[derive(Deserialize)]
struct BucketRow {
    tokens: f64,
    #[serde(deserialize_with = "columns::int_bool")]
    granted: bool,
}

fn quota(bucket: Bucket, tokens: f64, granted: bool, now: i64) -> Quota {
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
    // `refilled` is written out in each place: SQLite evaluates every SET expression against the
    // old row, so `tokens` and `granted` see the same refilled value.
    let row: Option<BucketRow> = query_one(
        db,
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
        .bind(bucket.rate_per_ms()),
    )
    .await?;
    let (tokens, granted) = row.map_or((bucket.capacity, true), |r| (r.tokens, r.granted));
    Ok(quota(bucket, tokens, granted, now))
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
