//! Users coming from a legacy store: the signed client of its HTTP contract (with a circuit
//! breaker), and the lazy flows that import a user at first login or keep the legacy store as the
//! source of truth.

pub mod lazy;
pub mod legacy;
