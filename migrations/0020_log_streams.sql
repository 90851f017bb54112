-- Log streams (issue 27): tenant log events delivered in batches to an operator's HTTPS endpoint
-- (Auth0's `http` stream, /api/v2/log-streams). Each stream reads the `logs` table after its own
-- cursor, so streams fail, pause and catch up independently; the authorization header value is
-- sealed with KEY_ENCRYPTION_KEY (AES-256-GCM) and never answered.
CREATE TABLE log_streams (
  id TEXT PRIMARY KEY,                       -- lst_…
  name TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'http',
  status TEXT NOT NULL DEFAULT 'active',     -- active | paused | suspended
  endpoint TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT 'application/json',
  content_format TEXT NOT NULL DEFAULT 'JSONARRAY',
  authorization_sealed TEXT,                 -- base64(nonce || AES-GCM(header value)); never read out
  filters TEXT NOT NULL DEFAULT '[]',        -- JSON array of {type, name}
  cursor TEXT NOT NULL,                      -- the last log_id delivered (or skipped by the filters)
  failures INTEGER NOT NULL DEFAULT 0,       -- failed attempts in a row
  retry_at INTEGER NOT NULL DEFAULT 0,       -- no attempt before this (ms): the back-off
  lease_until INTEGER NOT NULL DEFAULT 0,    -- one delivery at a time (ms)
  last_error TEXT,
  last_delivered_at INTEGER,
  delivered INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX log_streams_status ON log_streams(status);
