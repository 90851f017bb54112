-- Tenant administrators (core::admins): their own database connection, which no application but
-- the console can use and where nobody signs up, the console's public client (code + PKCE; its
-- URLs are set by the seed to the Worker's origin + /admin/), and members with a role.
INSERT OR IGNORE INTO connections (id, name, strategy, options, created_at) VALUES ('con_tenant_admins', 'tollgate-admins', 'auth0',
  '{"disable_signup":true,"passwordPolicy":"good","password_complexity_options":{"min_length":12},"brute_force_protection":true,"password_dictionary":{"enable":true,"dictionary":[]}}', 0);
INSERT OR IGNORE INTO clients (client_id, name, app_type, is_public, grant_types, created_at)
  VALUES ('tollgate-console', 'Tollgate console', 'spa', 1, '["authorization_code"]', 0);
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('tollgate-console', 'con_tenant_admins');
CREATE TABLE tenant_members (
  user_id TEXT PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
  created_at INTEGER NOT NULL
);
