-- "Remember this browser" after a second factor (core::mfa::remember): the tenant's setting and the
-- browsers a user asked to be remembered on (a random cookie whose SHA-256 is stored).
ALTER TABLE mfa_settings ADD COLUMN remember_browser_days INTEGER NOT NULL DEFAULT 0;  -- 0: not offered

CREATE TABLE mfa_remembered_browsers (
  token_hash TEXT PRIMARY KEY,              -- SHA-256 of the tg_mfa_rb cookie
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX mfa_remembered_browsers_user ON mfa_remembered_browsers(user_id);
