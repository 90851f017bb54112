-- Lazy migration and own-store mode.

-- Where a user came from: `legacy:<connection>` for users created by a lazy migration, with the time;
-- `password_reset_required` when the legacy password fails the connection's current policy (the
-- user is logged in but asked to choose a new password).
ALTER TABLE users ADD COLUMN migrated_from TEXT;
ALTER TABLE users ADD COLUMN migrated_at INTEGER;
ALTER TABLE users ADD COLUMN password_reset_required INTEGER NOT NULL DEFAULT 0;

-- Circuit breaker per legacy backend: after `consecutive_failures` reaches the threshold the
-- breaker opens until `open_until`; calls fail fast meanwhile, then one probe decides.
CREATE TABLE legacy_breakers (
  connection_id TEXT PRIMARY KEY,
  consecutive_failures INTEGER NOT NULL,
  open_until INTEGER NOT NULL
);
