//! Native tests of the HTTP layer and core against real SQLite with the D1 migrations.
//! One integration-test binary for the crate (linking is slow); modules per area.

mod lifecycle;
mod signup;
mod tokens;
