-- Universal Login and OAuth 2.0 / OIDC: authorization transactions, sessions, codes, refresh tokens,
-- cross-origin login tickets. Every secret (session cookie, code, refresh token, ticket) is stored
-- only as its SHA-256.

-- A pending /authorize request while the user is on the hosted login page.
CREATE TABLE authorize_tx (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
  request TEXT NOT NULL,            -- the validated request as JSON
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Browser sessions (the HttpOnly cookie).
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  auth_time INTEGER NOT NULL,       -- epoch seconds of the last password check
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,      -- absolute lifetime
  revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Authorization codes: single use, short-lived, bound to client, redirect_uri and PKCE challenge.
CREATE TABLE auth_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  redirect_uri TEXT NOT NULL,
  grant TEXT NOT NULL,              -- JSON: scope, audience, nonce, auth_time, code_challenge(_method)
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

-- Refresh tokens with rotation: each use replaces the token by a new one of the same family;
-- presenting a used token again revokes the whole family.
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  grant TEXT NOT NULL,              -- JSON: scope, audience, auth_time
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

-- Embedded login (/co/authenticate): a verified login waiting for /authorize?login_ticket=.
CREATE TABLE login_tickets (
  ticket_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
