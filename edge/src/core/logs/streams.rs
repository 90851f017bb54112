//! Log streams (`/api/v2/log-streams`): Auth0's `http` stream — an operator's HTTPS endpoint that
//! receives the tenant's events in batches ([`super::delivery`]).
//!
//! A stream is a row of `log_streams` with a *cursor*: the last `log_id` it has delivered (or
//! skipped by its filters). It starts at its creation time, so it receives what happens from then
//! on. The `httpAuthorization` header value is sealed with `KEY_ENCRYPTION_KEY` (AES-256-GCM) at
//! rest and never answered or logged; the endpoint obeys the outbound rules (`https`, public host;
//! `platform::outbound::check_url`) when it is set and again at every delivery.
//!
//! States (`status`):
//!
//! ```text
//!            PATCH paused                      MAX_FAILURES failed attempts in a row
//! active ──────────────────▶ paused    active ─────────────────────────────────────▶ suspended
//!   ▲    ◀──────────────────                ▲                                            │
//!   │        PATCH active                   └────────── PATCH active (failures reset) ◀──┘
//! ```
//!
//! A paused or suspended stream delivers nothing; its cursor stays, so once active again it
//! catches up with the events it missed (those still within the retention).

use serde::Deserialize;
use shared::management::log_streams::{
    ContentFormat, CreateLogStream, DeliveryState, HttpSink, LogStream, StreamFilter, StreamStatus, UpdateLogStream,
    CATEGORIES,
};

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::dates::iso8601;
use crate::core::platform::db::{columns, decode, query_one, Database, Stmt};
use crate::core::platform::outbound::check_url;
use crate::core::platform::secrets::{decrypt, encrypt};
use crate::core::Core;

/// Streams a tenant may have.
pub const MAX_STREAMS: usize = 10;
/// Filters a stream may have.
pub const MAX_FILTERS: usize = 50;
/// The longest `httpAuthorization` value.
pub const MAX_AUTHORIZATION: usize = 4096;

/// A stream as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `http`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `active`, `paused` or `suspended`.
    pub status: String,
    /// The endpoint.
    pub endpoint: String,
    /// The request's content type.
    pub content_type: String,
    /// `JSONARRAY`, `JSONLINES` or `JSONOBJECT`.
    pub content_format: String,
    /// The sealed authorization header value.
    pub authorization_sealed: Option<String>,
    /// Filters (JSON).
    #[serde(deserialize_with = "columns::json_text")]
    pub filters: Vec<StreamFilter>,
    /// The last log id delivered or skipped.
    pub cursor: String,
    /// Failed attempts in a row.
    #[serde(deserialize_with = "columns::int")]
    pub failures: i64,
    /// No attempt before (ms).
    #[serde(deserialize_with = "columns::int")]
    pub retry_at: i64,
    /// The last failure in words.
    pub last_error: Option<String>,
    /// The last success (ms).
    #[serde(deserialize_with = "columns::opt_int")]
    pub last_delivered_at: Option<i64>,
    /// Events delivered.
    #[serde(deserialize_with = "columns::int")]
    pub delivered: i64,
}

impl StreamRow {
    /// The content format (JSONARRAY when the column holds something else).
    pub fn format(&self) -> ContentFormat {
        ContentFormat::parse(&self.content_format).unwrap_or_default()
    }

    /// Whether the event type `kind` passes the filters (no filters: every event).
    pub fn wants(&self, kind: &str) -> bool {
        self.filters.is_empty()
            || self.filters.iter().any(|f| match f.kind.as_str() {
                "category" => f.name == shared::management::logs::category(kind),
                _ => f.name == kind,
            })
    }

    /// The authorization header value, opened with the key-encryption key.
    pub fn authorization(&self, kek: Option<&[u8; 32]>) -> CoreResult<Option<String>> {
        let Some(sealed) = &self.authorization_sealed else {
            return Ok(None);
        };
        let kek = kek.ok_or_else(|| CoreError::Internal("KEY_ENCRYPTION_KEY is not configured".into()))?;
        let plain = decrypt(kek, sealed)?;
        String::from_utf8(plain)
            .map(Some)
            .map_err(|_| CoreError::Internal("a log stream's authorization is not text".into()))
    }

    /// The wire shape: never the authorization.
    pub fn wire(self) -> LogStream {
        LogStream {
            status: StreamStatus::parse(&self.status).unwrap_or(StreamStatus::Paused),
            sink: HttpSink {
                http_endpoint: self.endpoint,
                http_content_type: Some(self.content_type),
                http_content_format: ContentFormat::parse(&self.content_format),
                http_authorization: None,
            },
            id: self.id,
            name: self.name,
            kind: self.kind,
            filters: self.filters,
            delivery: Some(DeliveryState {
                consecutive_failures: self.failures,
                last_error: self.last_error,
                last_delivered_at: self.last_delivered_at.map(iso8601),
                delivered: self.delivered,
            }),
        }
    }
}

/// Every stream's row, oldest first.
pub async fn rows(db: &dyn Database) -> CoreResult<Vec<StreamRow>> {
    Ok(decode(
        db.query(Stmt::new("SELECT * FROM log_streams ORDER BY created_at, id"))
            .await?,
    )?)
}

/// Every stream (`GET /api/v2/log-streams`).
pub async fn list(db: &dyn Database) -> CoreResult<Vec<LogStream>> {
    Ok(rows(db).await?.into_iter().map(StreamRow::wire).collect())
}

async fn row(db: &dyn Database, id: &str) -> CoreResult<StreamRow> {
    query_one::<StreamRow>(db, Stmt::new("SELECT * FROM log_streams WHERE id = ?1").bind(id))
        .await?
        .ok_or_else(|| CoreError::NotFound("The log stream does not exist.".into()))
}

/// One stream (`GET /api/v2/log-streams/{id}`).
pub async fn get(db: &dyn Database, id: &str) -> CoreResult<LogStream> {
    Ok(row(db, id).await?.wire())
}

fn bad(msg: impl Into<String>) -> CoreError {
    CoreError::InvalidRequest(msg.into())
}

fn check_name(name: &str) -> CoreResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(bad("name must have 1 to 128 characters"));
    }
    Ok(name.to_owned())
}

fn check_endpoint(core: &Core<'_>, url: &str) -> CoreResult<String> {
    check_url(url.trim(), core.settings.allow_private_urls)
        .map(|u| u.to_string())
        .map_err(|e| bad(format!("sink.httpEndpoint: {e}")))
}

/// A header value: printable, no line breaks (no header injection), at most `max` characters.
fn check_header(field: &str, v: &str, max: usize) -> CoreResult<String> {
    if v.chars().count() > max || v.chars().any(|c| c.is_control()) {
        return Err(bad(format!(
            "sink.{field} must be at most {max} characters without control characters"
        )));
    }
    Ok(v.trim().to_owned())
}

fn check_filters(filters: &[StreamFilter]) -> CoreResult<String> {
    if filters.len() > MAX_FILTERS {
        return Err(bad(format!("at most {MAX_FILTERS} filters")));
    }
    for f in filters {
        let ok = match f.kind.as_str() {
            "category" => CATEGORIES.contains(&f.name.as_str()),
            "type" => {
                !f.name.is_empty()
                    && f.name.len() <= 64
                    && f.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }
            _ => return Err(bad(format!("filter type '{}' is not category or type", f.kind))),
        };
        if !ok {
            return Err(bad(format!("'{}' is not a log stream {} filter", f.name, f.kind)));
        }
    }
    serde_json::to_string(filters).map_err(|e| CoreError::Internal(e.to_string()))
}

fn seal(core: &Core<'_>, kek: Option<&[u8; 32]>, value: &str) -> CoreResult<Option<String>> {
    let value = check_header("httpAuthorization", value, MAX_AUTHORIZATION)?;
    if value.is_empty() {
        return Ok(None);
    }
    let kek = kek.ok_or_else(|| CoreError::Internal("KEY_ENCRYPTION_KEY is not configured".into()))?;
    Ok(Some(encrypt(kek, &core.random_bytes::<12>()?, value.as_bytes())?))
}

/// The cursor of a stream created at `now_ms`: before every log id of that millisecond on
/// (`logs::log_id` starts with `900` and the 15-digit time).
pub fn cursor_at(now_ms: i64) -> String {
    format!("900{:015}", now_ms.max(0))
}

/// Creates a stream (`POST /api/v2/log-streams`); it receives events from now on.
pub async fn create(core: &Core<'_>, kek: Option<&[u8; 32]>, body: CreateLogStream) -> CoreResult<LogStream> {
    if body.kind != "http" {
        return Err(bad(format!(
            "type '{}' is not supported: Tollgate delivers http streams",
            body.kind
        )));
    }
    if rows(core.db).await?.len() >= MAX_STREAMS {
        return Err(bad(format!("a tenant has at most {MAX_STREAMS} log streams")));
    }
    let name = check_name(body.name.as_deref().unwrap_or("http"))?;
    let endpoint = check_endpoint(core, &body.sink.http_endpoint)?;
    let content_type = check_header(
        "httpContentType",
        body.sink.http_content_type.as_deref().unwrap_or("application/json"),
        128,
    )?;
    let content_type = if content_type.is_empty() {
        "application/json".to_owned()
    } else {
        content_type
    };
    let format = body.sink.http_content_format.unwrap_or_default();
    let sealed = match &body.sink.http_authorization {
        Some(v) => seal(core, kek, v)?,
        None => None,
    };
    let filters = check_filters(body.filters.as_deref().unwrap_or_default())?;
    let id = format!("lst_{}", core.new_id()?);
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO log_streams (id, name, type, status, endpoint, content_type, content_format, \
                 authorization_sealed, filters, cursor, created_at, updated_at) \
                 VALUES (?1, ?2, 'http', 'active', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )
            .bind(id.as_str())
            .bind(name)
            .bind(endpoint)
            .bind(content_type)
            .bind(format.as_str())
            .bind(sealed)
            .bind(filters)
            .bind(cursor_at(now))
            .bind(now),
        )
        .await?;
    get(core.db, &id).await
}

/// Changes a stream (`PATCH /api/v2/log-streams/{id}`). Setting `active` again resets the
/// failures of a suspended stream; `suspended` is Tollgate's to set.
pub async fn update(core: &Core<'_>, kek: Option<&[u8; 32]>, id: &str, body: UpdateLogStream) -> CoreResult<LogStream> {
    let mut r = row(core.db, id).await?;
    if let Some(name) = &body.name {
        r.name = check_name(name)?;
    }
    let mut reset = false;
    match body.status {
        Some(StreamStatus::Suspended) => {
            return Err(bad(
                "status may be set to active or paused (suspended is set by delivery)",
            ))
        }
        Some(s) => {
            reset = s == StreamStatus::Active && r.status != "active";
            r.status = s.as_str().to_owned();
        }
        None => {}
    }
    if let Some(sink) = &body.sink {
        if let Some(url) = &sink.http_endpoint {
            r.endpoint = check_endpoint(core, url)?;
        }
        if let Some(ct) = &sink.http_content_type {
            let ct = check_header("httpContentType", ct, 128)?;
            if !ct.is_empty() {
                r.content_type = ct;
            }
        }
        if let Some(f) = sink.http_content_format {
            r.content_format = f.as_str().to_owned();
        }
        if let Some(v) = &sink.http_authorization {
            r.authorization_sealed = seal(core, kek, v)?;
        }
    }
    let filters = match &body.filters {
        Some(f) => check_filters(f)?,
        None => serde_json::to_string(&r.filters).map_err(|e| CoreError::Internal(e.to_string()))?,
    };
    core.db
        .execute(
            Stmt::new(
                "UPDATE log_streams SET name = ?2, status = ?3, endpoint = ?4, content_type = ?5, content_format = ?6, \
                 authorization_sealed = ?7, filters = ?8, updated_at = ?9, \
                 failures = CASE WHEN ?10 THEN 0 ELSE failures END, retry_at = CASE WHEN ?10 THEN 0 ELSE retry_at END, \
                 last_error = CASE WHEN ?10 THEN NULL ELSE last_error END WHERE id = ?1",
            )
            .bind(id)
            .bind(r.name)
            .bind(r.status)
            .bind(r.endpoint)
            .bind(r.content_type)
            .bind(r.content_format)
            .bind(r.authorization_sealed)
            .bind(filters)
            .bind(core.clock.now_ms())
            .bind(i64::from(reset)),
        )
        .await?;
    get(core.db, id).await
}

/// Deletes a stream (`DELETE /api/v2/log-streams/{id}`).
pub async fn delete(db: &dyn Database, id: &str) -> CoreResult<()> {
    let n = db
        .execute(Stmt::new("DELETE FROM log_streams WHERE id = ?1").bind(id))
        .await?;
    if n == 0 {
        return Err(CoreError::NotFound("The log stream does not exist.".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(kind: &str, name: &str) -> StreamFilter {
        StreamFilter {
            kind: kind.into(),
            name: name.into(),
        }
    }

    #[test]
    fn filters_are_auth0_categories_or_event_types() {
        assert!(check_filters(&[filter("category", "auth.login.fail"), filter("type", "fp")]).is_ok());
        assert!(check_filters(&[filter("category", "auth.everything")]).is_err());
        assert!(check_filters(&[filter("colour", "red")]).is_err());
        assert!(check_filters(&[filter("type", "fp; DROP")]).is_err());
        assert!(check_header("httpAuthorization", "Bearer x\r\nX-Evil: 1", 100).is_err());
        assert!(cursor_at(1_767_225_600_000) < format!("900{:015}{:02}{:020}", 1_767_225_600_000i64, 0, 0));
    }
}
