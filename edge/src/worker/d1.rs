//! [`Database`] over a D1 binding.

use async_trait::async_trait;
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use crate::core::platform::db::{Database, DbError, Row, SqlValue, Stmt};

/// The Worker's D1 database.
pub struct D1(pub D1Database);

fn err(e: worker::Error) -> DbError {
    DbError::from_message(e.to_string())
}

fn js(v: &SqlValue) -> JsValue {
    match v {
        SqlValue::Null => JsValue::NULL,
        // D1 numbers are doubles; the core keeps integers within ±2^53.
        SqlValue::Int(i) => JsValue::from_f64(*i as f64),
        SqlValue::Real(f) => JsValue::from_f64(*f),
        SqlValue::Text(s) => JsValue::from_str(s),
    }
}

impl D1 {
    fn prepare(&self, stmt: &Stmt) -> Result<D1PreparedStatement, DbError> {
        let params: Vec<JsValue> = stmt.params.iter().map(js).collect();
        self.0.prepare(stmt.sql).bind(&params).map_err(err)
    }
}

fn rows(result: &D1Result) -> Result<Vec<Row>, DbError> {
    Ok(result
        .results::<Value>()
        .map_err(err)?
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

#[async_trait(?Send)]
impl Database for D1 {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        rows(&self.prepare(&stmt)?.all().await.map_err(err)?)
    }

    async fn execute(&self, stmt: Stmt) -> Result<u64, DbError> {
        let result = self.prepare(&stmt)?.run().await.map_err(err)?;
        Ok(result.meta().map_err(err)?.and_then(|m| m.changes).unwrap_or(0) as u64)
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        let prepared = stmts.iter().map(|s| self.prepare(s)).collect::<Result<Vec<_>, _>>()?;
        let results = self.0.batch(prepared).await.map_err(err)?;
        results.iter().map(rows).collect()
    }
}
