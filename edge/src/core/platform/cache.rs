//! An isolate-wide cache of the tenant's configuration reads, in front of the database.
//!
//! What it caches: `SELECT`s that read only configuration tables ([`CONFIG_TABLES`]: tenant,
//! clients and their grants, connections and which clients use them, signing keys, resource
//! servers, the MFA policy, hooks) — the reads every token request, login and sign-up repeats. Users, sessions, codes and
//! counters are never cached.
//!
//! How long: [`TTL_MS`] (10 s). Any write to a configuration table through the cache (the
//! Management API, key rotation, the connection's recorded hash class) empties the cache of the
//! isolate that wrote, so a change is seen at once there; other isolates see it within the TTL.
//! Configuration changed outside the Worker (`wrangler d1 execute`) is also seen within the TTL.

use std::cell::RefCell;
use std::collections::HashMap;

use async_trait::async_trait;

use crate::core::platform::db::{Database, DbError, Row, Stmt};
use crate::core::Clock;

/// How long a cached read is served.
pub const TTL_MS: i64 = 10_000;
/// Most entries kept (then the cache starts over).
const MAX_ENTRIES: usize = 2_000;

/// Tables whose reads are cached and whose writes empty the cache.
pub const CONFIG_TABLES: [&str; 9] = [
    "tenant",
    "clients",
    "client_grants",
    "connections",
    "client_connections",
    "signing_keys",
    "resource_servers",
    "mfa_settings",
    "hooks",
];

/// The cached reads of one isolate.
#[derive(Default)]
pub struct ReadCache {
    entries: RefCell<HashMap<String, (i64, Vec<Row>)>>,
}

impl ReadCache {
    /// Forgets everything.
    pub fn clear(&self) {
        self.entries.borrow_mut().clear();
    }
}

/// The tables a statement names after `FROM`, `JOIN`, `INTO` or `UPDATE` (subqueries included).
fn tables(sql: &str) -> impl Iterator<Item = String> + '_ {
    let words: Vec<&str> = sql.split_whitespace().collect();
    (1..words.len()).filter_map(move |i| {
        let before = words[i - 1].to_ascii_uppercase();
        let word = words[i].trim_matches(|c: char| c == '(' || c == ')' || c == ',');
        let keyword = matches!(before.as_str(), "FROM" | "JOIN" | "INTO" | "UPDATE");
        (keyword && !word.is_empty() && !word.eq_ignore_ascii_case("SELECT")).then(|| word.to_ascii_lowercase())
    })
}

/// A read of configuration tables only.
pub fn cacheable(sql: &str) -> bool {
    let sql = sql.trim_start();
    sql.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("SELECT"))
        && !sql.contains("json_each")
        && tables(sql).all(|t| CONFIG_TABLES.contains(&t.as_str()))
        && tables(sql).next().is_some()
}

/// A statement that changes a configuration table.
pub fn writes_config(sql: &str) -> bool {
    let head = sql.trim_start().get(..7).unwrap_or_default().to_ascii_uppercase();
    let writes = ["INSERT", "UPDATE", "DELETE", "REPLACE"]
        .iter()
        .any(|w| head.starts_with(w));
    writes && tables(sql).any(|t| CONFIG_TABLES.contains(&t.as_str()))
}

/// The database with the isolate's configuration reads cached (see the module docs).
pub struct CachedDb<'a> {
    /// The database.
    pub inner: &'a dyn Database,
    /// The isolate's cache.
    pub cache: &'a ReadCache,
    /// The clock the TTL runs on.
    pub clock: &'a dyn Clock,
}

impl CachedDb<'_> {
    fn key(stmt: &Stmt) -> String {
        format!("{}\u{0}{:?}", stmt.sql, stmt.params)
    }
}

#[async_trait(?Send)]
impl Database for CachedDb<'_> {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        if !cacheable(stmt.sql) {
            let clears = writes_config(stmt.sql);
            let rows = self.inner.query(stmt).await;
            if clears {
                self.cache.clear();
            }
            return rows;
        }
        let key = Self::key(&stmt);
        let now = self.clock.now_ms();
        if let Some((at, rows)) = self.cache.entries.borrow().get(&key) {
            if now - at < TTL_MS {
                return Ok(rows.clone());
            }
        }
        let rows = self.inner.query(stmt).await?;
        let mut entries = self.cache.entries.borrow_mut();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (now, rows.clone()));
        Ok(rows)
    }

    async fn execute(&self, stmt: Stmt) -> Result<u64, DbError> {
        let clears = writes_config(stmt.sql);
        let n = self.inner.execute(stmt).await;
        if clears {
            self.cache.clear();
        }
        n
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        let clears = stmts.iter().any(|s| writes_config(s.sql));
        let rows = self.inner.batch(stmts).await;
        if clears {
            self.cache.clear();
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configuration_reads_are_cached_and_their_writes_clear() {
        assert!(cacheable("SELECT client_id, name FROM clients WHERE client_id = ?1"));
        assert!(cacheable(
            "SELECT c.id FROM connections c JOIN client_connections cc ON cc.connection_id = c.id \
             WHERE cc.client_id = ?1 ORDER BY c.name = (SELECT json_extract(flags, '$.x') FROM tenant WHERE id = 1) DESC"
        ));
        assert!(cacheable(
            "SELECT kid, status FROM signing_keys WHERE status IN ('next')"
        ));
        assert!(!cacheable("SELECT * FROM users WHERE email = ?1"));
        assert!(!cacheable(
            "SELECT 1 FROM clients c JOIN users u ON u.user_id = c.client_id"
        ));
        assert!(!cacheable("SELECT value FROM json_each(?1)"));
        assert!(!cacheable("UPDATE clients SET name = ?1"));
        assert!(writes_config("UPDATE connections SET options = ?1 WHERE id = ?2"));
        assert!(writes_config("INSERT INTO client_grants (client_id) VALUES (?1)"));
        assert!(writes_config("DELETE FROM clients WHERE client_id = ?1"));
        assert!(!writes_config("INSERT INTO users (user_id) VALUES (?1)"));
        assert!(!writes_config("SELECT * FROM clients"));
    }
}
