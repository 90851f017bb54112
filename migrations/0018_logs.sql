-- Tenant logs (issue 27): one row per authentication or provisioning event, in Auth0's log event
-- shape (GET /api/v2/logs). Written in one batch after the response; purged after
-- LOG_RETENTION_DAYS (30 by default) by the scheduled handler.
CREATE TABLE logs (
  log_id TEXT PRIMARY KEY,                  -- sortable: time first (checkpoint paging's `from`)
  date_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  description TEXT,
  client_id TEXT,
  client_name TEXT,
  ip TEXT,
  user_agent TEXT,
  user_id TEXT,                             -- as the API shows it (auth0|…)
  user_name TEXT,
  connection TEXT,
  connection_id TEXT,
  strategy TEXT,
  details TEXT                              -- JSON object, never secrets
);
CREATE INDEX logs_date ON logs(date_ms);
CREATE INDEX logs_user ON logs(user_id, log_id);
CREATE INDEX logs_type ON logs(type, log_id);

-- A job's end (completed or failed) is logged once (tg_job_end): the one delivery whose
-- conditional update sets this.
ALTER TABLE jobs ADD COLUMN end_logged INTEGER NOT NULL DEFAULT 0;
