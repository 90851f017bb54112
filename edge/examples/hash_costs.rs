//! Times one verification of each foreign hash class at the caps natively, next to argon2id
//! (m=19456, t=2, p=1), for `make bench` to print beside the same classes inside workerd.
//! Prints `{"argon2id": ms, "hashes": [{label, ms, work}]}` (best of three).
//!
//! `cargo run -q --release -p edge --example hash_costs`
use std::time::Instant;

use edge::core::credentials::hashing::Argon2idHasher;
use edge::core::credentials::legacy_hash::{bench_samples, LegacyHash};

fn best_of_three(f: impl Fn()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let hasher = Argon2idHasher::default();
    let phc = hasher.hash_sync("x", &[1u8; 16]).unwrap_or_default();
    let argon2id = best_of_three(|| {
        let _ = hasher.verify_sync("correct horse battery staple", &phc);
    });
    let hashes: Vec<serde_json::Value> = bench_samples()
        .into_iter()
        .filter_map(|(label, stored)| {
            let h = LegacyHash::from_stored(&stored).ok()?;
            let ms = best_of_three(|| {
                h.verify("correct horse battery staple");
            });
            Some(serde_json::json!({"label": label, "ms": ms, "work": h.work()}))
        })
        .collect();
    println!("{}", serde_json::json!({ "argon2id": argon2id, "hashes": hashes }));
}
