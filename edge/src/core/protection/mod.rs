//! Attack protection: brute-force slots and blocks per identifier, suspicious-IP throttling, and
//! the token buckets behind the per-endpoint rate limits. Owns `login_attempts`, `ip_failures`
//! and `rate_limits`.

pub mod attack;
