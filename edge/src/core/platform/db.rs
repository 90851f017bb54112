//! The storage seam: a small SQL executor implemented by D1 (in the Worker) and by SQLite (natively).
//!
//! The core writes its SQL once, in the SQLite dialect D1 speaks, and both adapters run the same
//! migrations (`migrations/*.sql`) — so the native test suite exercises the exact queries the Worker
//! runs. Parameters are always bound (`?1`, `?2`, ...), never formatted into the SQL text.
//!
//! D1 has no interactive transactions. Anything that must be atomic is one statement (a unique
//! index, `INSERT .. ON CONFLICT DO UPDATE .. RETURNING`, `UPDATE .. WHERE used = 0 RETURNING`) or
//! one [`Database::batch`], which both adapters run as a single transaction.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// INTEGER; D1 carries numbers as JavaScript doubles, so keep values within ±2^53.
    Int(i64),
    /// REAL.
    Real(f64),
    /// TEXT.
    Text(String),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Int(v)
    }
}
impl From<u32> for SqlValue {
    fn from(v: u32) -> Self {
        SqlValue::Int(v.into())
    }
}
impl From<f64> for SqlValue {
    fn from(v: f64) -> Self {
        SqlValue::Real(v)
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        SqlValue::Int(v.into())
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_owned())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl From<&String> for SqlValue {
    fn from(v: &String) -> Self {
        SqlValue::Text(v.clone())
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(SqlValue::Null, Into::into)
    }
}

/// A statement with its bound parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// SQL text with `?N` placeholders.
    pub sql: &'static str,
    /// Parameters in placeholder order.
    pub params: Vec<SqlValue>,
}

impl Stmt {
    /// A statement without parameters.
    pub fn new(sql: &'static str) -> Self {
        Self {
            sql,
            params: Vec::new(),
        }
    }

    /// Binds the next parameter.
    pub fn bind(mut self, v: impl Into<SqlValue>) -> Self {
        self.params.push(v.into());
        self
    }
}

/// A result row: column name to JSON value (INTEGER → number, TEXT → string, NULL → null).
pub type Row = Map<String, Value>;

/// Storage failures. `Conflict` is a UNIQUE/PRIMARY KEY violation, which the core turns into a
/// domain answer; everything else is an internal error.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A uniqueness constraint failed.
    #[error("constraint violation: {0}")]
    Conflict(String),
    /// Any other failure (message is for logs only).
    #[error("database error: {0}")]
    Other(String),
}

impl DbError {
    /// Classifies a driver error message: both SQLite and D1 say "UNIQUE constraint failed".
    pub fn from_message(msg: String) -> Self {
        if msg.contains("UNIQUE constraint failed") || msg.contains("PRIMARY KEY constraint failed") {
            DbError::Conflict(msg)
        } else {
            DbError::Other(msg)
        }
    }
}

/// The SQL executor both adapters implement. Futures are `!Send` because Worker futures are.
#[async_trait(?Send)]
pub trait Database {
    /// Runs one statement and returns its rows (also for `... RETURNING`).
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError>;
    /// Runs one statement and returns the number of changed rows.
    async fn execute(&self, stmt: Stmt) -> Result<u64, DbError>;
    /// Runs statements atomically, in order; all or nothing. Returns each statement's rows.
    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError>;
}

/// Deserialises rows into `T`.
pub fn decode<T: DeserializeOwned>(rows: Vec<Row>) -> Result<Vec<T>, DbError> {
    rows.into_iter()
        .map(|r| serde_json::from_value(Value::Object(r)).map_err(|e| DbError::Other(format!("decoding row: {e}"))))
        .collect()
}

/// Runs `stmt` and deserialises its first row, if any.
pub async fn query_one<T: DeserializeOwned>(db: &dyn Database, stmt: Stmt) -> Result<Option<T>, DbError> {
    Ok(decode(db.query(stmt).await?)?.into_iter().next())
}

/// Serde helpers for SQLite's integer booleans and JSON-in-TEXT columns.
pub mod columns {
    use serde::de::{DeserializeOwned, Error};
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// `0`/`1` (or a JSON bool) to `bool`.
    pub fn int_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(b),
            Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0) != 0.0),
            Value::Null => Ok(false),
            other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
        }
    }

    /// A TEXT column holding JSON, parsed into `T`.
    pub fn json_text<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(T::default()),
            Some(s) if s.is_empty() => Ok(T::default()),
            Some(s) => serde_json::from_str(&s).map_err(D::Error::custom),
        }
    }

    /// A number column that D1 may hand back as a double.
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .ok_or_else(|| D::Error::custom("not an integer")),
            other => Err(D::Error::custom(format!("expected an integer, got {other}"))),
        }
    }

    /// Like [`int`], for nullable columns.
    pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Number(n) => Ok(n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))),
            other => Err(D::Error::custom(format!("expected an integer, got {other}"))),
        }
    }
}
