-- Sign-up and login with accounts people already have (google-oauth2, facebook, oidc, oauth2).
-- Federated users live in `users` like everyone else, under their social connection, with
-- `user_id` = `{strategy}|{provider user id}` (database users' ids have no `|`, and get `auth0|`).

-- Which provider account belongs to which user: a user's own social account, or (with linking by
-- verified email) a provider account linked to an existing user. `profile_data` keeps the raw
-- provider profile for the application.
CREATE TABLE identities (
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  provider_user_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  profile_data TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (connection_id, provider_user_id)
);
CREATE INDEX identities_user ON identities(user_id);

-- One round trip to a provider: our `state` (stored as SHA-256), the `nonce` expected in its ID
-- token, our PKCE verifier, and the /authorize transaction to finish. Single use, 10 minutes.
CREATE TABLE federated_states (
  state_hash TEXT PRIMARY KEY,
  tx TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Providers may not share an email (Facebook without the email permission): such users are stored
-- with an empty email, which must not collide. Database connections always have one.
DROP INDEX users_connection_email;
CREATE UNIQUE INDEX users_connection_email ON users(connection_id, email) WHERE email <> '';
