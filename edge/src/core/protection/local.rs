//! Per-isolate token buckets: the per-endpoint rate limits of hot paths (`/oauth/token` per IP,
//! `/userinfo` per user) without a D1 round trip. They count what one isolate serves, as
//! Cloudflare's own Rate Limiting binding counts per location — a throttle against floods, not an
//! exact count. Everything that must be exact across the network (brute force, suspicious IPs,
//! sign-up and reset buckets) stays in D1 (`attack`).
//!
//! Bounded memory: at most [`MAX_KEYS`] buckets; past it, buckets that have refilled (which are
//! the same as absent ones) go first, then the least recently used.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::core::error::Quota;
use crate::core::protection::attack::{quota, Bucket};

/// Buckets one isolate keeps at most.
pub const MAX_KEYS: usize = 10_000;

/// The buckets of one isolate (a static in the Worker, one per test environment natively).
#[derive(Debug, Default)]
pub struct LocalBuckets {
    /// key → (tokens, updated_at ms).
    buckets: Mutex<HashMap<String, (f64, i64)>>,
}

impl LocalBuckets {
    /// Takes `cost` tokens from bucket `key` if it has them (refilled continuously, as `attack::take`).
    pub fn take(&self, key: &str, bucket: Bucket, cost: f64, now: i64) -> Quota {
        let mut map = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let refill =
            |(tokens, at): (f64, i64)| (tokens + (now - at).max(0) as f64 * bucket.rate_per_ms()).min(bucket.capacity);
        let tokens = map.get(key).copied().map_or(bucket.capacity, refill);
        let granted = tokens >= cost;
        let left = if granted { tokens - cost } else { tokens };
        if !map.contains_key(key) && map.len() >= MAX_KEYS {
            map.retain(|_, v| refill(*v) < bucket.capacity);
            if map.len() >= MAX_KEYS {
                let mut by_age: Vec<(String, i64)> = map.iter().map(|(k, v)| (k.clone(), v.1)).collect();
                by_age.sort_by_key(|(_, at)| *at);
                for (k, _) in by_age.into_iter().take(MAX_KEYS / 2) {
                    map.remove(&k);
                }
            }
        }
        map.insert(key.to_owned(), (left, now));
        quota(bucket, left, granted, now)
    }

    /// Buckets held now.
    pub fn len(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bucket = Bucket {
        capacity: 3.0,
        period_ms: 3_000.0,
    };

    #[test]
    fn a_bucket_empties_refills_and_reports_like_the_d1_one() {
        let l = LocalBuckets::default();
        for left in [2, 1, 0] {
            let q = l.take("ip", B, 1.0, 0);
            assert!(q.granted);
            assert_eq!(q.remaining, left);
        }
        let q = l.take("ip", B, 1.0, 0);
        assert!(!q.granted, "empty");
        assert_eq!(q.reset_epoch_s, 3);
        assert!(l.take("other", B, 1.0, 0).granted, "buckets are per key");
        assert!(l.take("ip", B, 1.0, 1_000).granted, "one token back after a second");
        assert!(!l.take("ip", B, 1.0, 1_000).granted);
    }

    #[test]
    fn memory_stays_bounded() {
        let l = LocalBuckets::default();
        let n = MAX_KEYS + 10;
        for i in 0..n {
            l.take(&format!("k{i}"), B, 1.0, i as i64);
        }
        assert!(l.len() <= MAX_KEYS, "{}", l.len());
        // What went were refilled buckets: a recent one still remembers its take.
        let last = l.take(&format!("k{}", n - 1), B, 1.0, n as i64);
        assert_eq!(last.remaining, 1);
    }
}
