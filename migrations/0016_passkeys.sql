-- Passkeys (core::passkeys): WebAuthn credentials of database-connection users, and the
-- ceremonies' challenges (random, single use, short-lived, bound to the browser or the native
-- client's auth_session that asked).
CREATE TABLE passkey_credentials (
  credential_id TEXT PRIMARY KEY,   -- base64url of the authenticator's credential id (unique)
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  public_key TEXT NOT NULL,         -- JSON: {"alg": -7, "x", "y"} (ES256) or {"alg": -257, "n", "e"} (RS256)
  sign_count INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  transports TEXT,                  -- JSON array, as the browser reported them
  backed_up INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX passkey_credentials_user ON passkey_credentials(user_id);

CREATE TABLE webauthn_challenges (
  id TEXT PRIMARY KEY,              -- the handle the client holds (auth_session)
  challenge TEXT NOT NULL,          -- base64url, as the browser echoes it in clientDataJSON
  purpose TEXT NOT NULL CHECK (purpose IN ('register', 'login', 'enroll')),
  client_id TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  browser_hash TEXT,                -- SHA-256 of the tg_browser cookie (browser flows)
  user_id TEXT,                     -- enrolment: the signed-in user
  payload TEXT,                     -- registration: the new user's email and fields (JSON)
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

-- When a user who skipped the passkey enrolment step may be asked again.
ALTER TABLE users ADD COLUMN passkey_prompt_after INTEGER;
