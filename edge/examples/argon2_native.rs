//! Times argon2id (m=19456 KiB, t=2, p=1) natively, for `make bench` to print next to workerd.
//! Prints `{"ms": [..]}` with one duration per hash.
//!
//! `cargo run -q --release -p edge --example argon2_native -- [N]`
use std::time::Instant;

use edge::core::credentials::hashing::Argon2idHasher;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let hasher = Argon2idHasher::default();
    let ms: Vec<f64> = (0..n)
        .map(|i| {
            let start = Instant::now();
            let _ = hasher.hash_sync("correct horse battery staple", &[i as u8; 16]);
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!("{}", serde_json::json!({ "ms": ms }));
}
