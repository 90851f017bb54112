-- Tenant configuration and users. Applied by `wrangler d1 migrations apply` (D1) and by the native
-- test adapter (SQLite) alike. Times are milliseconds since the Unix epoch; booleans are 0/1;
-- list and object columns hold JSON text.

-- Tenant-wide settings: one row.
CREATE TABLE tenant (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  -- JSON object: {"enable_public_signup_user_exists_error": false, ...}
  flags TEXT NOT NULL DEFAULT '{}'
);

-- Applications.
CREATE TABLE clients (
  client_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- spa | native | regular_web | non_interactive
  app_type TEXT NOT NULL,
  -- 1 when the client cannot keep a secret (token_endpoint_auth_method = none)
  is_public INTEGER NOT NULL,
  -- SHA-256 (hex) of the client secret: secrets are 32 random bytes, so a fast hash is enough;
  -- NULL for public clients
  client_secret_hash TEXT,
  callbacks TEXT NOT NULL DEFAULT '[]',
  web_origins TEXT NOT NULL DEFAULT '[]',
  allowed_logout_urls TEXT NOT NULL DEFAULT '[]',
  grant_types TEXT NOT NULL DEFAULT '[]',
  cross_origin_auth INTEGER NOT NULL DEFAULT 0,
  id_token_lifetime INTEGER NOT NULL DEFAULT 36000,
  access_token_lifetime INTEGER NOT NULL DEFAULT 86400,
  refresh_token_lifetime INTEGER NOT NULL DEFAULT 2592000,
  created_at INTEGER NOT NULL
);

-- Connections (only the `auth0` database strategy for now). `options` is Auth0's connection
-- options object as JSON: passwordPolicy, password_complexity_options, password_history,
-- password_dictionary, password_no_personal_info, requires_username, validation, disable_signup,
-- brute_force_protection, ...
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  strategy TEXT NOT NULL DEFAULT 'auth0',
  options TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);

CREATE TABLE client_connections (
  client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  PRIMARY KEY (client_id, connection_id)
);

-- Users of database connections. `user_id` has no `auth0|` prefix.
CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES connections(id),
  email TEXT NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0,
  username TEXT,
  password_hash TEXT,
  given_name TEXT,
  family_name TEXT,
  name TEXT,
  nickname TEXT,
  picture TEXT,
  phone_number TEXT,
  user_metadata TEXT NOT NULL DEFAULT '{}',
  app_metadata TEXT NOT NULL DEFAULT '{}',
  blocked INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_login INTEGER,
  logins_count INTEGER NOT NULL DEFAULT 0,
  last_password_reset INTEGER
);
-- One account per email and per username within a connection: the unique indexes make
-- concurrent sign-ups of the same identifier yield exactly one user.
CREATE UNIQUE INDEX users_connection_email ON users(connection_id, email);
CREATE UNIQUE INDEX users_connection_username ON users(connection_id, username) WHERE username IS NOT NULL;
