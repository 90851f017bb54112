//! Native tests of the HTTP layer and core against real SQLite with the D1 migrations.
//! One integration-test binary for the crate (linking is slow); modules per area.
// Test code: helpers fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admins;
mod applications;
mod authorize;
mod console_trust;
mod hash_vectors;
mod hooks;
mod jobs;
mod lifecycle;
mod log_streams;
mod logs;
mod management;
mod members;
mod mfa;
mod mfa_sessions;
mod migration;
mod my_account;
mod operator;
mod overload;
mod passkeys;
mod passwordless;
mod search;
mod signup;
mod tokens;
mod trust;
