-- Multi-factor authentication (core::mfa): the tenant's policy and factors (Auth0's guardian
-- settings), users' second factors, the short-lived mfa_tokens of a login waiting for its second
-- factor, and emailed challenge codes.
CREATE TABLE mfa_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  policies TEXT NOT NULL DEFAULT '[]',      -- JSON: [] (never) or ["all-applications"]
  factors TEXT NOT NULL DEFAULT '{}'        -- JSON: {"otp": true, "email": false}
);
INSERT INTO mfa_settings (id) VALUES (1);

CREATE TABLE mfa_authenticators (
  id TEXT PRIMARY KEY,                      -- totp|dev_…, email|dev_…, recovery-code|dev_…
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('otp', 'email', 'recovery-code')),
  secret_sealed TEXT,                       -- otp: the secret, AES-256-GCM with the key-encryption key
  code_hash TEXT,                           -- recovery-code: SHA-256 of the code
  email TEXT,                               -- email: the address codes go to
  active INTEGER NOT NULL DEFAULT 0,        -- confirmed by a first successful code
  last_step INTEGER NOT NULL DEFAULT 0,     -- otp: the last time step accepted (no replay)
  created_at INTEGER NOT NULL,
  last_auth_at INTEGER
);
CREATE INDEX mfa_authenticators_user ON mfa_authenticators(user_id);

CREATE TABLE mfa_tokens (
  token_hash TEXT PRIMARY KEY,              -- SHA-256 of the mfa_token
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  audience TEXT,
  gty TEXT,
  tx TEXT,                                  -- the hosted page's transaction, when it asked
  failures INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX mfa_tokens_expiry ON mfa_tokens(expires_at);

CREATE TABLE mfa_oob_codes (
  oob_hash TEXT PRIMARY KEY,                -- SHA-256 of the oob_code handle
  token_hash TEXT NOT NULL,                 -- the mfa_token it belongs to
  authenticator_id TEXT NOT NULL,
  code_hash TEXT NOT NULL,                  -- SHA-256 of the digits mailed
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

-- The methods a session passed beyond the first factor (JSON, e.g. ["mfa"]): its tokens' amr.
ALTER TABLE sessions ADD COLUMN amr TEXT;
