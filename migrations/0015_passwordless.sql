-- Passwordless (`email` connections, core::passwordless): one live code or link per connection,
-- address and application. Only SHA-256 digests of the code and the link token are stored; a code
-- is void after 3 wrong tries, when used, or after the connection's `totp.time_step`.
CREATE TABLE passwordless_codes (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  email TEXT NOT NULL,
  code_hash TEXT NOT NULL,          -- SHA-256 of (target, code): the code to type or the link's token
  send TEXT NOT NULL CHECK (send IN ('code', 'link')),
  auth_params TEXT,                 -- links: the authorization request the link completes (JSON)
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX passwordless_codes_target ON passwordless_codes(connection_id, email, client_id);
