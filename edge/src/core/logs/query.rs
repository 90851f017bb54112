//! Reading the logs: Auth0's `q` subset (`type:`, `user_id:`, `client_id:`, `connection:`,
//! `date:[A TO B]`, AND-joined), offset pages (`page`, `per_page` ≤ 100, `include_totals`) and
//! checkpoint pages (`from`, `take`).

use serde::Deserialize;
use shared::management::logs::{LogEvent, LogsPage};
use shared::management::Listing;

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::dates::{epoch_day, iso8601};
use crate::core::platform::db::{columns, decode, query_one, Database, Stmt};

const DAY_MS: i64 = 86_400_000;

/// What `q` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// `type:`.
    pub kind: Option<String>,
    /// `user_id:`.
    pub user_id: Option<String>,
    /// `client_id:`.
    pub client_id: Option<String>,
    /// `connection:`.
    pub connection: Option<String>,
    /// `date:[from TO …]`, inclusive (ms).
    pub from_ms: Option<i64>,
    /// `date:[… TO to]`, exclusive (ms).
    pub until_ms: Option<i64>,
}

fn bad(msg: String) -> CoreError {
    CoreError::InvalidRequest(format!("Invalid query: {msg}"))
}

/// A date bound: `YYYY-MM-DD` (a whole day) or RFC 3339; `*` is open. `end` makes a day's bound
/// its end.
fn bound(v: &str, end: bool) -> CoreResult<Option<i64>> {
    if v == "*" {
        return Ok(None);
    }
    let mut parts = v.splitn(3, '-');
    if let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) {
        if let Some(day) = epoch_day(y, m, d) {
            let ms = day * DAY_MS;
            return Ok(Some(if end { ms + DAY_MS } else { ms }));
        }
    }
    let t = time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad(format!("'{v}' is not a date (YYYY-MM-DD or ISO 8601)")))?;
    let ms = (t.unix_timestamp_nanos() / 1_000_000) as i64;
    Ok(Some(if end { ms + 1 } else { ms }))
}

/// Parses `q`: `field:value` terms joined by `AND` (or spaces); values may be quoted; `date`
/// takes a range `[A TO B]`. Anything else is one precise 400.
pub fn parse(q: &str) -> CoreResult<Filter> {
    let mut f = Filter::default();
    let mut rest = q.trim();
    let mut first = true;
    while !rest.is_empty() {
        if !first {
            if let Some(r) = rest.strip_prefix("AND ") {
                rest = r.trim_start();
            }
        }
        first = false;
        let colon = rest
            .find(':')
            .ok_or_else(|| bad(format!("expected field:value at '{rest}'")))?;
        let field = &rest[..colon];
        rest = &rest[colon + 1..];
        let value: String;
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').ok_or_else(|| bad("unterminated quoted value".into()))?;
            value = r[..end].to_owned();
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r
                .find(']')
                .ok_or_else(|| bad("unterminated range, expected ']'".into()))?;
            value = format!("[{}]", &r[..end]);
            rest = &r[end + 1..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value = rest[..end].to_owned();
            rest = &rest[end..];
        }
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return Err(bad(format!("unexpected '{rest}' after the value of {field}")));
        }
        rest = rest.trim_start();
        if value.is_empty() {
            return Err(bad(format!("{field} has no value")));
        }
        let slot = match field {
            "type" => &mut f.kind,
            "user_id" => &mut f.user_id,
            "client_id" => &mut f.client_id,
            "connection" => &mut f.connection,
            "date" => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .ok_or_else(|| bad("date takes a range: date:[2026-12-01 TO 2026-12-07]".into()))?;
                let (a, b) = inner
                    .split_once(" TO ")
                    .ok_or_else(|| bad("a date range reads [A TO B]".into()))?;
                if f.from_ms.is_some() || f.until_ms.is_some() {
                    return Err(bad("date is given twice".into()));
                }
                f.from_ms = bound(a.trim(), false)?;
                f.until_ms = bound(b.trim(), true)?;
                continue;
            }
            other => {
                return Err(bad(format!(
                    "unsupported field '{other}' (type, user_id, client_id, connection, date)"
                )))
            }
        };
        if slot.is_some() {
            return Err(bad(format!("{field} is given twice")));
        }
        *slot = Some(value);
    }
    Ok(f)
}

/// How many events to answer and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    /// `page`/`per_page`, newest first; `totals` answers the page object.
    Offset {
        /// Page index.
        page: i64,
        /// Page size (≤ 100).
        per_page: i64,
        /// `include_totals=true`.
        totals: bool,
    },
    /// `from`/`take`: events after `from` oldest first, or without `from` the newest `take`.
    Checkpoint {
        /// The last log id seen.
        from: Option<String>,
        /// How many (≤ 100).
        take: i64,
    },
}

/// The largest page.
pub const MAX_PER_PAGE: i64 = 100;

fn number(name: &str, v: Option<&str>, default: i64, max: i64) -> CoreResult<i64> {
    match v {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=max).contains(n))
            .ok_or_else(|| CoreError::InvalidRequest(format!("{name} must be a whole number from 0 to {max}"))),
    }
}

impl Paging {
    /// From the query parameters (`get(name)`).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> CoreResult<Self> {
        let (from, take) = (get("from"), get("take"));
        if from.is_some() || take.is_some() {
            return Ok(Self::Checkpoint {
                take: number("take", take.as_deref(), 50, MAX_PER_PAGE)?,
                from: from.filter(|f| !f.is_empty()),
            });
        }
        Ok(Self::Offset {
            page: number("page", get("page").as_deref(), 0, 1_000_000)?,
            per_page: number("per_page", get("per_page").as_deref(), 50, MAX_PER_PAGE)?,
            totals: get("include_totals").as_deref() == Some("true"),
        })
    }
}

#[derive(Deserialize)]
struct Row {
    log_id: String,
    #[serde(deserialize_with = "columns::int")]
    date_ms: i64,
    #[serde(rename = "type")]
    kind: String,
    description: Option<String>,
    client_id: Option<String>,
    client_name: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    user_id: Option<String>,
    user_name: Option<String>,
    connection: Option<String>,
    connection_id: Option<String>,
    strategy: Option<String>,
    details: Option<String>,
}

impl Row {
    fn wire(self) -> LogEvent {
        let strategy_type = self.strategy.as_deref().map(|s| {
            match s {
                "auth0" => "database",
                "email" | "sms" => "passwordless",
                "oidc" | "samlp" | "waad" => "enterprise",
                _ => "social",
            }
            .to_owned()
        });
        LogEvent {
            log_id: self.log_id,
            date: iso8601(self.date_ms),
            kind: self.kind,
            description: self.description,
            client_id: self.client_id,
            client_name: self.client_name,
            ip: self.ip,
            user_agent: self.user_agent,
            user_id: self.user_id,
            user_name: self.user_name,
            connection: self.connection,
            connection_id: self.connection_id,
            strategy: self.strategy,
            strategy_type,
            details: self.details.and_then(|d| serde_json::from_str(&d).ok()),
            other: Default::default(),
        }
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT * FROM logs WHERE (?1 IS NULL OR type = ?1) AND (?2 IS NULL OR user_id = ?2) AND \
             (?3 IS NULL OR client_id = ?3) AND (?4 IS NULL OR connection = ?4) AND (?5 IS NULL OR date_ms >= ?5) AND \
             (?6 IS NULL OR date_ms < ?6) ",
            $tail
        )
    };
}

fn filtered(sql: &'static str, f: &Filter) -> Stmt {
    Stmt::new(sql)
        .bind(f.kind.clone())
        .bind(f.user_id.clone())
        .bind(f.client_id.clone())
        .bind(f.connection.clone())
        .bind(f.from_ms)
        .bind(f.until_ms)
}

/// The events `f` matches, paged.
pub async fn list(db: &dyn Database, f: &Filter, paging: &Paging) -> CoreResult<Listing<LogEvent, LogsPage>> {
    let rows = match paging {
        Paging::Offset { page, per_page, .. } => {
            db.query(
                filtered(select!("ORDER BY log_id DESC LIMIT ?7 OFFSET ?8"), f)
                    .bind(*per_page)
                    .bind(page * per_page),
            )
            .await?
        }
        Paging::Checkpoint { from: Some(from), take } => {
            db.query(
                filtered(select!("AND log_id > ?7 ORDER BY log_id ASC LIMIT ?8"), f)
                    .bind(from.as_str())
                    .bind(*take),
            )
            .await?
        }
        Paging::Checkpoint { from: None, take } => {
            db.query(filtered(select!("ORDER BY log_id DESC LIMIT ?7"), f).bind(*take))
                .await?
        }
    };
    let logs: Vec<LogEvent> = decode::<Row>(rows)?.into_iter().map(Row::wire).collect();
    match paging {
        Paging::Offset {
            page,
            per_page,
            totals: true,
        } => {
            #[derive(Deserialize)]
            struct Count {
                #[serde(deserialize_with = "columns::int")]
                n: i64,
            }
            let total = query_one::<Count>(db, filtered(COUNT_SQL, f)).await?.map_or(0, |c| c.n);
            Ok(Listing::Page(LogsPage {
                start: page * per_page,
                limit: *per_page,
                length: logs.len() as i64,
                total,
                logs,
            }))
        }
        _ => Ok(Listing::Plain(logs)),
    }
}

const COUNT_SQL: &str =
    "SELECT COUNT(*) AS n FROM logs WHERE (?1 IS NULL OR type = ?1) AND (?2 IS NULL OR user_id = ?2) AND \
     (?3 IS NULL OR client_id = ?3) AND (?4 IS NULL OR connection = ?4) AND (?5 IS NULL OR date_ms >= ?5) AND \
     (?6 IS NULL OR date_ms < ?6)";

/// One event by id.
pub async fn get(db: &dyn Database, log_id: &str) -> CoreResult<LogEvent> {
    query_one::<Row>(db, Stmt::new("SELECT * FROM logs WHERE log_id = ?1").bind(log_id))
        .await?
        .map(Row::wire)
        .ok_or_else(|| CoreError::NotFound("The log event does not exist.".into()))
}

/// Up to `limit` events after `cursor` that happened before `until_ms`, oldest first (a log
/// stream's next batch).
pub async fn after(db: &dyn Database, cursor: &str, until_ms: i64, limit: i64) -> CoreResult<Vec<LogEvent>> {
    let rows = db
        .query(
            Stmt::new("SELECT * FROM logs WHERE log_id > ?1 AND date_ms < ?2 ORDER BY log_id ASC LIMIT ?3")
                .bind(cursor)
                .bind(until_ms)
                .bind(limit),
        )
        .await?;
    Ok(decode::<Row>(rows)?.into_iter().map(Row::wire).collect())
}

/// Whether any event is newer than `cursor`.
pub async fn any_after(db: &dyn Database, cursor: &str) -> CoreResult<bool> {
    Ok(!db
        .query(Stmt::new("SELECT log_id FROM logs WHERE log_id > ?1 LIMIT 1").bind(cursor))
        .await?
        .is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn auth0s_subset_parses_and_the_rest_is_refused_precisely() {
        let f = parse(r#"type:fp AND user_id:"auth0|abc" AND date:[2026-12-01 TO 2026-12-07]"#).unwrap();
        assert_eq!(f.kind.as_deref(), Some("fp"));
        assert_eq!(f.user_id.as_deref(), Some("auth0|abc"));
        assert_eq!(f.until_ms.unwrap() - f.from_ms.unwrap(), 7 * DAY_MS);
        assert_eq!(
            parse("client_id:x connection:y").unwrap().connection.as_deref(),
            Some("y")
        );
        assert_eq!(parse("").unwrap(), Filter::default());
        assert_eq!(parse("date:[* TO 2026-12-07T10:00:00Z]").unwrap().from_ms, None);
        for (q, says) in [
            ("ip:1.2.3.4", "unsupported field 'ip'"),
            ("type", "expected field:value"),
            ("user_id:\"abc", "unterminated"),
            ("date:2026-12-01", "date takes a range"),
            ("date:[yesterday TO *]", "'yesterday' is not a date"),
            ("type:s AND type:f", "type is given twice"),
        ] {
            let e = parse(q).unwrap_err().to_string();
            assert!(e.contains(says), "{q}: {e}");
        }
    }
}
