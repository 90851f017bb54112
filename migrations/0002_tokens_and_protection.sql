-- Tokens, password lifecycle and attack protection.

-- RS256 signing keys. `status`: `next` is published in JWKS before it signs; `current` signs (exactly
-- one); `previous` no longer signs but still verifies and is published; `revoked` is neither.
-- The private key is PKCS#8 PEM encrypted with AES-256-GCM under the KEY_ENCRYPTION_KEY Worker
-- secret: base64(12-byte nonce || ciphertext+tag). A database dump alone cannot sign tokens.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL DEFAULT 'RS256',
  status TEXT NOT NULL CHECK (status IN ('next', 'current', 'previous', 'revoked')),
  public_jwk TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  rotated_at INTEGER
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys(status) WHERE status = 'current';

-- APIs (Auth0 "resource servers") that access tokens can be issued for.
CREATE TABLE resource_servers (
  identifier TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL DEFAULT '[]',
  token_lifetime INTEGER NOT NULL DEFAULT 86400,
  allow_offline_access INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

-- Which machine-to-machine clients may get client_credentials tokens for which API and scopes.
CREATE TABLE client_grants (
  client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
  audience TEXT NOT NULL REFERENCES resource_servers(identifier) ON DELETE CASCADE,
  scope TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (client_id, audience)
);

-- Previous password hashes, for `password_history`.
CREATE TABLE password_history (
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, created_at);

-- One-time links (password reset, email verification). Only a SHA-256 of the secret is stored.
CREATE TABLE tickets (
  ticket_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('reset_password', 'verify_email')),
  client_id TEXT,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX tickets_user_kind ON tickets(user_id, kind);

-- Login attempts since the last success per (connection, identifier, IP): brute-force protection.
-- `ip` is '*' in the count_per_identifier ("account lockout") mode.
CREATE TABLE login_failures (
  connection_id TEXT NOT NULL,
  identifier TEXT NOT NULL,
  ip TEXT NOT NULL,
  count INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (connection_id, identifier, ip)
);

-- Token buckets (suspicious-IP throttling, per-endpoint rate limits).
CREATE TABLE rate_buckets (
  key TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  updated_at INTEGER NOT NULL,
  -- whether the last take() was granted (set by the same statement that updates `tokens`)
  granted INTEGER NOT NULL DEFAULT 1
);

-- Development outbox: mail "sent" when DEV_OUTBOX is on (loopback issuers only).
CREATE TABLE dev_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  link TEXT,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
