//! Attack protection: brute-force slots and blocks per identifier, suspicious-IP throttling, and
//! the token buckets behind the per-endpoint rate limits (in D1, exact; per isolate for hot paths: `local`). Owns `login_attempts`, `ip_failures`
//! and `rate_limits`.

pub mod attack;
pub mod local;
