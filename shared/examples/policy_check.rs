//! Tests a list of passwords against a strength policy.
//!
//! ```sh
//! printf '"hunter2"\n"Tr0ub4dor&3"\n' | \
//!   cargo run -q --manifest-path shared/Cargo.toml --example policy_check -- --level good [--min-length N] [--dictionary]
//! ```
//! Reads one JSON string per line on stdin and writes one JSON object per line:
//! `{"password": ..., "ok": true|false, "rules": [...]}` (`rules` in password-sheriff's shape).
//! With `--dictionary`, a password in the 10,000-most-common list is also not ok and gets
//! `"dictionary": true`. Lines that are not a JSON string get `{"line": N, "error": "..."}`.
use std::io::{BufRead, Write};

use serde_json::json;
use shared::{PasswordPolicy, PolicyLevel};

fn usage(msg: &str) -> ! {
    eprintln!("policy_check: {msg}\nusage: policy_check --level none|low|fair|good|excellent [--min-length 1-72] [--dictionary]");
    std::process::exit(2)
}

fn main() {
    let mut level = None;
    let mut min_length = None;
    let mut dictionary = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--level" => {
                let v = args.next().unwrap_or_else(|| usage("--level needs a value"));
                level = Some(PolicyLevel::parse(&v).unwrap_or_else(|| usage(&format!("unknown level {v:?}"))));
            }
            "--min-length" => {
                let v = args.next().unwrap_or_else(|| usage("--min-length needs a value"));
                match v.parse::<u32>() {
                    Ok(n) if (1..=72).contains(&n) => min_length = Some(n),
                    _ => usage("--min-length must be a number from 1 to 72"),
                }
            }
            "--dictionary" => dictionary = true,
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    let policy = PasswordPolicy::new(level.unwrap_or_else(|| usage("--level is required")), min_length);
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => usage(&format!("reading stdin: {e}")),
        };
        if line.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<String>(&line) {
            Ok(pw) => {
                let e = policy.missing(&pw);
                let common = dictionary && shared::dictionary::is_common(&pw, &[]);
                let mut v = json!({"password": pw, "ok": e.verified && !common, "rules": e.rules});
                if dictionary {
                    v["dictionary"] = json!(common);
                }
                v
            }
            Err(e) => json!({"line": i + 1, "error": format!("not a JSON string: {e}")}),
        };
        if writeln!(out, "{result}").is_err() {
            return;
        }
    }
}
