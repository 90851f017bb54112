-- Logins and sign-ups per day (UTC), for GET /api/v2/stats/daily and the console's charts.
-- `day` counts days since 1970-01-01. Written only by core::stats.
CREATE TABLE daily_stats (
  day INTEGER PRIMARY KEY,
  logins INTEGER NOT NULL DEFAULT 0,
  signups INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX users_last_login ON users(last_login);

-- Verification mails sent on demand (POST /api/v2/jobs/verification-email): complete when
-- created, listed by GET /api/v2/jobs/{id} next to the bulk jobs. Written only by core::management.
CREATE TABLE mail_jobs (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('verification_email')),
  user_id TEXT NOT NULL,
  connection_id TEXT,
  created_at INTEGER NOT NULL
);
