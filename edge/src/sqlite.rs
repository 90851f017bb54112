//! Native [`Database`] over SQLite (rusqlite, bundled), running the same migrations as D1.
//! Used by the native test suite and benchmarks; the Worker uses D1 instead.

use std::path::Path;
use std::sync::Mutex;

use async_trait::async_trait;
use rusqlite::limits::Limit;
use rusqlite::types::{Value as SqlType, ValueRef};
use rusqlite::{params_from_iter, Connection};
use serde_json::{Number, Value};

use crate::core::platform::db::{Database, DbError, Row, SqlValue, Stmt};

/// The repository's D1 migrations folder.
pub const MIGRATIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");

/// A SQLite database behind a mutex (statements run one at a time, as on D1).
pub struct Sqlite {
    conn: Mutex<Connection>,
    /// Calls made (each is one round trip on D1): tests count a request's round trips.
    calls: std::sync::atomic::AtomicUsize,
}

fn err(e: rusqlite::Error) -> DbError {
    DbError::from_message(e.to_string())
}

fn to_sql(v: &SqlValue) -> SqlType {
    match v {
        SqlValue::Null => SqlType::Null,
        // D1 receives every number as a JavaScript number and binds it as REAL (the Worker's
        // adapter sends `f64`): so do we, so that integer arithmetic on bound values behaves
        // here as it does there (`?1 / ?2` is a float division in both).
        SqlValue::Int(i) => SqlType::Real(*i as f64),
        SqlValue::Real(f) => SqlType::Real(*f),
        SqlValue::Text(s) => SqlType::Text(s.clone()),
    }
}

fn to_json(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Number(i.into()),
        ValueRef::Real(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(hex::encode(b)),
    }
}

fn run(conn: &Connection, stmt: &Stmt) -> Result<Vec<Row>, DbError> {
    let mut prepared = conn.prepare_cached(stmt.sql).map_err(err)?;
    let names: Vec<String> = prepared.column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = prepared
        .query(params_from_iter(stmt.params.iter().map(to_sql)))
        .map_err(err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let mut map = Row::new();
        for (i, name) in names.iter().enumerate() {
            map.insert(name.clone(), to_json(row.get_ref(i).map_err(err)?));
        }
        out.push(map);
    }
    Ok(out)
}

impl Sqlite {
    /// Opens (or creates) a database file.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Self::wrap(Connection::open(path).map_err(err)?)
    }

    /// A fresh in-memory database with every migration applied.
    pub fn in_memory() -> Result<Self, DbError> {
        let db = Self::wrap(Connection::open_in_memory().map_err(err)?)?;
        db.apply_migrations(Path::new(MIGRATIONS_DIR))?;
        Ok(db)
    }

    fn wrap(conn: Connection) -> Result<Self, DbError> {
        // D1 enforces foreign keys; so do we.
        conn.execute_batch("PRAGMA foreign_keys = ON;").map_err(err)?;
        // D1's limits (developers.cloudflare.com/d1/platform/limits): a string, blob or row of at
        // most 2,000,000 bytes, a statement of at most 100,000 bytes, at most 100 bound parameters.
        // Code that would fail on D1 fails here too.
        conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, 2_000_000).map_err(err)?;
        conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 100_000).map_err(err)?;
        conn.set_limit(Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 100).map_err(err)?;
        Ok(Self {
            conn: Mutex::new(conn),
            calls: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, DbError> {
        self.conn
            .lock()
            .map_err(|_| DbError::Other("sqlite mutex poisoned".into()))
    }

    /// Applies every `*.sql` file of `dir` in name order, as `wrangler d1 migrations apply` does.
    pub fn apply_migrations(&self, dir: &Path) -> Result<(), DbError> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| DbError::Other(format!("{}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        let conn = self.lock()?;
        for f in files {
            let sql = std::fs::read_to_string(&f).map_err(|e| DbError::Other(format!("{}: {e}", f.display())))?;
            conn.execute_batch(&sql).map_err(err)?;
        }
        Ok(())
    }

    /// Runs one statement for many parameter rows in one transaction (bulk baselines).
    pub fn execute_many(&self, sql: &str, rows: impl Iterator<Item = Vec<SqlValue>>) -> Result<u64, DbError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction().map_err(err)?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare(sql).map_err(err)?;
            for row in rows {
                n += stmt.execute(params_from_iter(row.iter().map(to_sql))).map_err(err)? as u64;
            }
        }
        tx.commit().map_err(err)?;
        Ok(n)
    }

    /// Calls made so far (`query`, `execute` and `batch` each count one: one round trip on D1).
    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count(&self) {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Runs a script of SQL statements (seeds, benchmarks).
    pub fn execute_script(&self, sql: &str) -> Result<(), DbError> {
        self.lock()?.execute_batch(sql).map_err(err)
    }
}

/// The same database with its calls not counted: what a request writes after its response (its
/// tenant log events, one batch; `ctx.wait_until` in the Worker), outside its counted round trips.
pub struct AfterResponse<'a>(pub &'a Sqlite);

#[async_trait(?Send)]
impl Database for AfterResponse<'_> {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        run(&*self.0.lock()?, &stmt)
    }

    async fn execute(&self, stmt: Stmt) -> Result<u64, DbError> {
        self.0.execute_uncounted(stmt)
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        self.0.batch_uncounted(stmts)
    }
}

impl Sqlite {
    /// Writes a request's tenant log events as the Worker does after its response: one batch, not
    /// counted among the request's round trips ([`AfterResponse`]). Test fixture: panics on failure.
    #[allow(clippy::expect_used)]
    pub async fn write_events(&self, events: &crate::core::logs::RequestEvents, now_ms: i64) {
        crate::core::logs::write(&AfterResponse(self), events.take(), now_ms, &crate::core::OsRng)
            .await
            .expect("tenant logs written");
    }

    fn execute_uncounted(&self, stmt: Stmt) -> Result<u64, DbError> {
        let conn = self.lock()?;
        let mut prepared = conn.prepare_cached(stmt.sql).map_err(err)?;
        let n = prepared
            .execute(params_from_iter(stmt.params.iter().map(to_sql)))
            .map_err(err)?;
        Ok(n as u64)
    }

    fn batch_uncounted(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction().map_err(err)?;
        let mut out = Vec::with_capacity(stmts.len());
        for s in &stmts {
            out.push(run(&tx, s)?);
        }
        tx.commit().map_err(err)?;
        Ok(out)
    }
}

#[async_trait(?Send)]
impl Database for Sqlite {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        self.count();
        run(&*self.lock()?, &stmt)
    }

    async fn execute(&self, stmt: Stmt) -> Result<u64, DbError> {
        self.count();
        self.execute_uncounted(stmt)
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        self.count();
        self.batch_uncounted(stmts)
    }
}
