//! Baseline for `make bench`: a plain bulk insert of N users into SQLite (same migrations, one
//! transaction, one prepared statement), natively. Prints `{"users": N, "ms": …}`.
//!
//! `cargo run -q --release -p edge --example sqlite_bulk -- [N]`
use std::time::Instant;

use edge::core::platform::db::SqlValue;
use edge::sqlite::Sqlite;

const HASH: &str = "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K";

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let run = || -> Result<f64, edge::core::platform::db::DbError> {
        let db = Sqlite::in_memory()?;
        db.execute_script(
            "INSERT INTO tenant (id, name) VALUES (1, 'bench'); \
             INSERT INTO connections (id, name, created_at) VALUES ('con_bench', 'Bench', 0);",
        )?;
        let start = Instant::now();
        let rows = (0..n).map(|i| {
            vec![
                SqlValue::Text(format!("u{i}")),
                SqlValue::Text(format!("bulk{i}@example.com")),
                SqlValue::Text(HASH.into()),
                SqlValue::Text(format!("{{\"n\":\"{i}\"}}")),
            ]
        });
        db.execute_many(
            "INSERT INTO users (user_id, connection_id, email, password_hash, user_metadata, created_at, updated_at) \
             VALUES (?1, 'con_bench', ?2, ?3, ?4, 0, 0)",
            rows,
        )?;
        Ok(start.elapsed().as_secs_f64() * 1000.0)
    };
    match run() {
        Ok(ms) => println!("{}", serde_json::json!({"users": n, "ms": ms})),
        Err(e) => {
            eprintln!("sqlite_bulk: {e}");
            std::process::exit(1);
        }
    }
}
