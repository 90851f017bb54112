//! Tenant logs: what happened, in Auth0's log event shape (`GET /api/v2/logs`).
//!
//! Cheap and silent: flows [`record`](EventSink::record) events into the request's sink
//! ([`RequestEvents`], reached through `Core::events`); nothing is written on the response path.
//! After the response the adapter writes them ([`statements`]): right after `send` in native
//! tests; in the Worker through the isolate's group commit ([`writer`]: one batch per D1 round
//! trip for all the requests answered meanwhile, `ctx.wait_until`). A request keeps at most [`MAX_EVENTS`].
//! Passwords, codes, tokens and secrets are never recorded: events carry ids, names and
//! outcomes only. Old rows go in bounded chunks ([`purge`], the Worker's cron trigger).
//!
//! Event types are Auth0's; Tollgate's own start with `tg_` (`shared::management::logs`).

pub mod delivery;
pub mod query;
pub mod streams;
pub mod writer;

use std::cell::RefCell;

use serde_json::Value;

use crate::core::directory::tenant::Connection;
use crate::core::directory::users::{self, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{Database, Stmt};
use crate::core::Rng;

/// The events one request keeps; more are dropped (bounded storage per request).
pub const MAX_EVENTS: usize = 8;

/// Default retention (`LOG_RETENTION_DAYS`).
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

/// One event as a flow records it; the request's context (IP, user agent, client) is added by
/// the sink.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    /// Auth0's event type (`s`, `fp`, …).
    pub kind: &'static str,
    /// Description.
    pub description: String,
    /// Client id, when the flow knows it better than the request's context.
    pub client_id: Option<String>,
    /// Client name.
    pub client_name: Option<String>,
    /// User id as the API shows it (`auth0|…`).
    pub user_id: Option<String>,
    /// Email or username.
    pub user_name: Option<String>,
    /// Connection name.
    pub connection: Option<String>,
    /// Connection id.
    pub connection_id: Option<String>,
    /// Strategy.
    pub strategy: Option<String>,
    /// Details (never secrets).
    pub details: Option<Value>,
}

impl Event {
    /// An event of type `kind`.
    pub fn new(kind: &'static str, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            ..Self::default()
        }
    }

    /// With the user (id and email or username).
    pub fn user(mut self, u: &User) -> Self {
        self.user_id = Some(users::sub(&u.user_id));
        self.user_name = Some(
            u.username
                .clone()
                .filter(|_| u.email.is_empty())
                .unwrap_or_else(|| u.email.clone()),
        );
        self
    }

    /// With a user id only.
    pub fn user_id(mut self, id: &str) -> Self {
        self.user_id = Some(users::sub(id));
        self
    }

    /// With the name a person typed (an unknown user's identifier).
    pub fn user_name(mut self, name: &str) -> Self {
        self.user_name = Some(name.chars().take(256).collect());
        self
    }

    /// With the connection.
    pub fn connection(mut self, c: &Connection) -> Self {
        self.connection = Some(c.name.clone());
        self.connection_id = Some(c.id.clone());
        self.strategy = Some(c.strategy.as_str().to_owned());
        self
    }

    /// With the client.
    pub fn client(mut self, id: &str, name: &str) -> Self {
        self.client_id = Some(id.to_owned());
        self.client_name = Some(name.to_owned());
        self
    }

    /// With details.
    pub fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// A failure's description for the log: the words the caller was given (without the error kind
/// when it carries a message); internal and legacy failures are named only by their kind (their
/// messages are for the operational log). `MfaRequired`'s payload (an mfa_token) is never used.
pub fn failure(e: &CoreError) -> String {
    match e {
        CoreError::InvalidRequest(m)
        | CoreError::InvalidGrant(m)
        | CoreError::TooManyAttempts(m)
        | CoreError::InvalidClient(m)
        | CoreError::UnauthorizedClient(m)
        | CoreError::AccessDenied(m)
        | CoreError::InvalidToken(m)
        | CoreError::Unauthorized(m)
        | CoreError::InsufficientScope(m)
        | CoreError::NotFound(m)
        | CoreError::Conflict(m)
        | CoreError::ExpiredToken(m) => m.clone(),
        CoreError::Internal(_) | CoreError::Db(_) => "Internal error".into(),
        CoreError::HookDenied { trigger, reason, .. } => format!("Denied by the {trigger} hook: {reason}"),
        CoreError::LegacyUnavailable(_) => "The legacy store is unavailable".into(),
        CoreError::LegacyProtocol(_) => "The legacy store answered outside the contract".into(),
        other => other.to_string(),
    }
}

/// Where a request's events go.
pub trait EventSink {
    /// Keeps one event (at most [`MAX_EVENTS`] a request).
    fn record(&self, event: Event);
    /// The client the request acts for, when known (the first one noted wins).
    fn note_client(&self, id: &str, name: &str);
    /// Turns the last event of type `from` into `to` (a first factor that turned out to be half a
    /// login: `s` becomes `mfar`).
    fn retype(&self, _from: &str, _to: &'static str, _description: &str) {}
}

/// Drops every event (contexts that keep no logs).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn record(&self, _event: Event) {}
    fn note_client(&self, _id: &str, _name: &str) {}
}

/// One request's events, in memory until the response is sent.
#[derive(Debug, Default)]
pub struct RequestEvents {
    events: RefCell<Vec<Event>>,
    client: RefCell<Option<(String, String)>>,
    request: RefCell<(Option<String>, Option<String>)>,
}

impl RequestEvents {
    /// A request's sink with its IP and user agent.
    pub fn of_request(ip: Option<&str>, user_agent: Option<&str>) -> Self {
        let events = Self::default();
        events.set_request(ip, user_agent);
        events
    }

    /// The caller's IP and user agent, added to every event.
    pub fn set_request(&self, ip: Option<&str>, user_agent: Option<&str>) {
        let cut = |s: &str| s.chars().take(512).collect::<String>();
        *self.request.borrow_mut() = (ip.map(cut), user_agent.map(cut));
    }

    /// The events kept so far, with the request's context, emptied.
    pub fn take(&self) -> Vec<Record> {
        let (ip, user_agent) = self.request.borrow().clone();
        let client = self.client.borrow().clone();
        self.events
            .borrow_mut()
            .drain(..)
            .map(|mut e| {
                if e.client_id.is_none() {
                    if let Some((id, name)) = &client {
                        e.client_id = Some(id.clone());
                        e.client_name = Some(name.clone());
                    }
                }
                Record {
                    event: e,
                    ip: ip.clone(),
                    user_agent: user_agent.clone(),
                }
            })
            .collect()
    }
}

impl EventSink for RequestEvents {
    fn record(&self, event: Event) {
        let mut events = self.events.borrow_mut();
        if events.len() < MAX_EVENTS {
            events.push(event);
        }
    }

    fn note_client(&self, id: &str, name: &str) {
        let mut client = self.client.borrow_mut();
        if client.is_none() {
            *client = Some((id.to_owned(), name.to_owned()));
        }
    }

    fn retype(&self, from: &str, to: &'static str, description: &str) {
        if let Some(e) = self.events.borrow_mut().iter_mut().rev().find(|e| e.kind == from) {
            e.kind = to;
            description.clone_into(&mut e.description);
        }
    }
}

/// An event ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The event.
    pub event: Event,
    /// The caller's IP.
    pub ip: Option<String>,
    /// The caller's user agent.
    pub user_agent: Option<String>,
}

/// A sortable log id: the time, the event's place in its request, random digits.
fn log_id(now_ms: i64, seq: usize, rng: &dyn Rng) -> String {
    let mut r = [0u8; 8];
    let random = rng.fill(&mut r).map(|()| u64::from_le_bytes(r)).unwrap_or_default();
    format!("900{:015}{:02}{:020}", now_ms.max(0), seq % 100, random)
}

/// The inserts of `records` (one batch after the response; empty when nothing happened).
pub fn statements(records: Vec<Record>, now_ms: i64, rng: &dyn Rng) -> Vec<Stmt> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let e = r.event;
            Stmt::new(
                "INSERT INTO logs (log_id, date_ms, type, description, client_id, client_name, ip, user_agent, \
                 user_id, user_name, connection, connection_id, strategy, details) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .bind(log_id(now_ms, i, rng))
            .bind(now_ms)
            .bind(e.kind)
            .bind(e.description)
            .bind(e.client_id)
            .bind(e.client_name)
            .bind(r.ip)
            .bind(r.user_agent)
            .bind(e.user_id)
            .bind(e.user_name)
            .bind(e.connection)
            .bind(e.connection_id)
            .bind(e.strategy)
            .bind(e.details.map(|d| d.to_string()))
        })
        .collect()
}

/// Writes `records` in one batch (no call at all when there are none).
pub async fn write(db: &dyn Database, records: Vec<Record>, now_ms: i64, rng: &dyn Rng) -> CoreResult<()> {
    let stmts = statements(records, now_ms, rng);
    if !stmts.is_empty() {
        db.batch(stmts).await?;
    }
    Ok(())
}

/// Rows deleted per statement by [`purge`].
pub const PURGE_CHUNK: i64 = 500;
/// Statements [`purge`] runs at most per call (the next run continues).
pub const PURGE_MAX_CHUNKS: usize = 40;

/// Deletes events older than `retention_days` in chunks of [`PURGE_CHUNK`], at most
/// [`PURGE_MAX_CHUNKS`] of them; returns the rows deleted.
pub async fn purge(db: &dyn Database, now_ms: i64, retention_days: i64) -> CoreResult<u64> {
    let cutoff = now_ms - retention_days.max(1) * 86_400_000;
    let mut deleted = 0;
    for _ in 0..PURGE_MAX_CHUNKS {
        let n = db
            .execute(
                Stmt::new(
                    "DELETE FROM logs WHERE log_id IN (SELECT log_id FROM logs WHERE date_ms < ?1 ORDER BY date_ms LIMIT ?2)",
                )
                .bind(cutoff)
                .bind(PURGE_CHUNK),
            )
            .await?;
        deleted += n;
        if n < PURGE_CHUNK as u64 {
            break;
        }
    }
    Ok(deleted)
}

/// `LOG_RETENTION_DAYS` parsed: a whole number of days from 1 to 3650, else the default.
pub fn retention_days(var: Option<&str>) -> i64 {
    var.and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|d| (1..=3650).contains(d))
        .unwrap_or(DEFAULT_RETENTION_DAYS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_request_keeps_at_most_eight_events_with_its_context() {
        let sink = RequestEvents::default();
        sink.set_request(Some("1.2.3.4"), Some("agent"));
        sink.note_client("c1", "One");
        sink.note_client("c2", "Two");
        for _ in 0..20 {
            sink.record(Event::new("s", "Successful login"));
        }
        let taken = sink.take();
        assert_eq!(taken.len(), MAX_EVENTS);
        assert_eq!(taken[0].ip.as_deref(), Some("1.2.3.4"));
        assert_eq!(taken[0].event.client_id.as_deref(), Some("c1"));
        assert!(sink.take().is_empty());
    }

    /// Every event type a flow records has a description and a stream category
    /// (`shared::management::logs::EVENT_TYPES`: the console and the stream filters read it).
    #[test]
    fn every_recorded_type_is_described() {
        fn sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut code = String::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut code);
        let code = code.replace(['\n', ' '], "");
        let mut found = 0;
        // (The token exchanges' types come from a table in `api::oauth`; the EVENT_TYPES test in
        // `shared` lists them.)
        for marker in ["Event::new(\"", "retype(\"s\",\""] {
            for (i, _) in code.match_indices(marker) {
                let kind: String = code[i + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                found += 1;
                assert!(
                    shared::management::logs::type_description(&kind).is_some(),
                    "'{kind}' has no description in shared::management::logs::EVENT_TYPES"
                );
            }
        }
        assert!(found > 20, "{found}");
    }

    #[test]
    fn ids_sort_by_time() {
        let a = log_id(1_700_000_000_000, 0, &crate::core::OsRng);
        let b = log_id(1_700_000_000_001, 0, &crate::core::OsRng);
        assert!(a < b && a.len() == b.len());
        assert_eq!(retention_days(Some("7")), 7);
        assert_eq!(retention_days(Some("0")), 30);
        assert_eq!(retention_days(None), 30);
    }
}
