-- Hooks (issue 27): an operator's HTTPS endpoint called, signed like the legacy contract, before a
-- user is created (pre-user-registration), after (post-user-registration) and before a user's tokens
-- are issued (post-login). `secret` names a Worker secret (CONNECTION_SECRET_*), never its value.
-- At most one enabled hook per trigger, as Auth0's Hooks. The circuit breaker of a hook is its row
-- in `legacy_breakers` under the key `hook:<id>` (the signed client of `migration` owns that table).
CREATE TABLE hooks (
  id TEXT PRIMARY KEY,                        -- hk_…
  name TEXT NOT NULL,
  trigger_id TEXT NOT NULL,                   -- pre-user-registration | post-user-registration | post-login
  enabled INTEGER NOT NULL DEFAULT 0,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,                       -- the Worker secret's name
  failure_mode TEXT NOT NULL DEFAULT 'closed',-- closed | open
  timeout_ms INTEGER NOT NULL DEFAULT 3000,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX hooks_one_enabled_per_trigger ON hooks(trigger_id) WHERE enabled = 1;
