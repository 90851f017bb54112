#!/usr/bin/env node
// Seeds the demo tenant into the local D1 database (idempotent; run by `make dev` and the e2e suite).
//
//   node scripts/seed-demo.mjs [--origin http://127.0.0.1:8787] [--persist-to DIR]
//
// Demo tenant: connection `Username-Password-Authentication` (policy `good`, dictionary on), the
// machine-to-machine client `demo-m2m` authorized for the Management API (`{origin}/api/v2/`), the
// public SPA client `demo-spa` whose callbacks and web origins are the Worker's own origin, the
// passwordless connection `email` (codes of 6 digits valid 5 minutes, brute-force protection) enabled
// for demo-spa and demo-web, which may use the passwordless `otp` grant, and an RS256 signing key
// (sealed with KEY_ENCRYPTION_KEY) when there is no current one.
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { d1Execute, initSql, keyEncryptionKey } from './keys.mjs';
import { managementScopes } from './management-scopes.mjs';
import { ownerSql } from './owner.mjs';

const { values } = parseArgs({
  options: {
    origin: { type: 'string', default: `http://127.0.0.1:${process.env.PORT || 8787}` },
    'persist-to': { type: 'string' },
    // base64 key-encryption key; default: KEY_ENCRYPTION_KEY from the environment or .dev.vars (created if missing)
    kek: { type: 'string' },
    // secret of the demo-m2m client; default DEMO_M2M_SECRET, else a new random one (printed)
    'm2m-secret': { type: 'string' },
    // secret of the demo-web (confidential, server-side) client; default DEMO_WEB_SECRET, else random (printed)
    'web-secret': { type: 'string' },
    quiet: { type: 'boolean' },
    // another origin allowed for demo-spa (web origin, callback, logout URL); repeatable
    'extra-origin': { type: 'string', multiple: true, default: [] },
    // base URL of the legacy user store (tests/legacy-service); adds the Legacy-* connections
    'legacy-url': { type: 'string' },
  },
});
const origin = values.origin.replace(/\/$/, '');
const extra = values['extra-origin'].map((o) => o.replace(/\/$/, ''));

// SQL string literal: single quotes doubled. Only our own constants go through here.
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const json = (v) => q(JSON.stringify(v));

const connectionId = 'con_demo0000000001';
const connectionOptions = {
  passwordPolicy: 'good',
  password_dictionary: { enable: true, dictionary: [] },
  password_no_personal_info: { enable: true },
  password_history: { enable: true, size: 5 },
  brute_force_protection: true,
  // Passkeys on (sign-up, login and autofill in the widget); the offer to add one after a password
  // login is off in the demo (turn on passkey_options.progressive_enrollment_enabled to see it).
  authentication_methods: { password: { enabled: true }, passkey: { enabled: true } },
  passkey_options: { challenge_ui: 'both', progressive_enrollment_enabled: false, local_enrollment_enabled: true },
};
// Passwordless by email (Auth0's `email` strategy): Lock Passwordless, auth0-js and the SDKs use it.
const emailConnectionId = 'con_demo_email000001';
const emailConnectionOptions = { totp: { length: 6, time_step: 300 }, brute_force_protection: true };
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const WEBAUTHN_GRANT = 'urn:okta:params:oauth:grant-type:webauthn';
// Auth0's MFA API grants: demo-web (a server-side client) and demo-spa (the embedded widget)
// complete a second factor.
const MFA_GRANTS = ['mfa-otp', 'mfa-oob', 'mfa-recovery-code'].map((g) => `http://auth0.com/oauth/grant-type/${g}`);
const now = Date.now();
const m2mSecret = values['m2m-secret'] ?? process.env.DEMO_M2M_SECRET ?? randomBytes(24).toString('base64url');
const m2mSecretHash = createHash('sha256').update(m2mSecret).digest('hex');
const webSecret = values['web-secret'] ?? process.env.DEMO_WEB_SECRET ?? randomBytes(24).toString('base64url');
const webSecretHash = createHash('sha256').update(webSecret).digest('hex');
const managementApi = `${origin}/api/v2/`;
// The tenant's first owner (console at /admin): ADMIN_EMAIL / ADMIN_PASSWORD, else generated and
// printed. Re-seeding sets the password again (the printed one always works).
const owner = await ownerSql(origin);
/** Connections over the legacy store: lazy migration, hash hand-over, own-store; and one whose
 * legacy is unreachable (port 9 refuses connections), for the fault tests. */
function legacySql(url) {
  const base = { passwordPolicy: 'good', brute_force_protection: true };
  const conns = [
    ['con_legacy00000000001', 'Legacy-Import', { ...base, import_mode: true, legacy: { url } }],
    ['con_legacy00000000002', 'Legacy-Handover', { ...base, import_mode: true, legacy: { url, hash_handover: true } }],
    ['con_legacy00000000003', 'Legacy-OwnStore', { ...base, import_mode: false, legacy: { url } }],
    ['con_legacy00000000004', 'Legacy-Down', { ...base, import_mode: true, legacy: { url: 'http://127.0.0.1:9/auth', budget_ms: 1500 } }],
    ['con_legacy00000000005', 'Legacy-WrongSecret', { ...base, import_mode: true, legacy: { url, secret: 'CONNECTION_SECRET_LEGACY_WRONG' } }],
  ];
  return conns
    .map(([id, name, options]) => `INSERT INTO connections (id, name, strategy, options, created_at)
  VALUES (${q(id)}, ${q(name)}, 'auth0', ${json(options)}, ${now})
  ON CONFLICT(id) DO UPDATE SET options = excluded.options;
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-spa', ${q(id)});
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-web', ${q(id)});`)
    .join('\n');
}

const sql = `
INSERT INTO tenant (id, name, flags) VALUES (1, 'demo', '{"default_directory":"Username-Password-Authentication"}')
  ON CONFLICT(id) DO UPDATE SET name = excluded.name,
    flags = json_set(flags, '$.default_directory', 'Username-Password-Authentication');
INSERT INTO connections (id, name, strategy, options, created_at)
  VALUES (${q(connectionId)}, 'Username-Password-Authentication', 'auth0', ${json(connectionOptions)}, ${now})
  ON CONFLICT(id) DO UPDATE SET options = excluded.options;
INSERT INTO clients (client_id, name, app_type, is_public, callbacks, web_origins, allowed_logout_urls, grant_types, cross_origin_auth, created_at)
  VALUES ('demo-spa', 'Demo SPA', 'spa', 1,
    ${json([`${origin}/`, `${origin}/callback`, ...extra.flatMap((o) => [`${o}/`, `${o}/callback.html`, `${o}/spa.html`, `${o}/auth0js.html`, `${o}/lock.html`, `${o}/lock-passwordless.html`])])},
    ${json([origin, ...extra])}, ${json([`${origin}/`, ...extra.map((o) => `${o}/`)])},
    ${json(['authorization_code', 'refresh_token', 'implicit', 'http://auth0.com/oauth/grant-type/password-realm', OTP_GRANT, WEBAUTHN_GRANT, ...MFA_GRANTS])}, 1, ${now})
  ON CONFLICT(client_id) DO UPDATE SET callbacks = excluded.callbacks, web_origins = excluded.web_origins,
    allowed_logout_urls = excluded.allowed_logout_urls, grant_types = excluded.grant_types;
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-spa', ${q(connectionId)});
INSERT INTO clients (client_id, name, app_type, is_public, client_secret_hash, callbacks, web_origins, allowed_logout_urls, grant_types, created_at)
  VALUES ('demo-web', 'Demo server-side web app', 'regular_web', 0, ${q(webSecretHash)},
    ${json([`${origin}/callback`])}, ${json([])}, ${json([`${origin}/`])},
    ${json(['authorization_code', 'refresh_token', 'password', 'http://auth0.com/oauth/grant-type/password-realm', OTP_GRANT, WEBAUTHN_GRANT, ...MFA_GRANTS])}, ${now})
  ON CONFLICT(client_id) DO UPDATE SET client_secret_hash = excluded.client_secret_hash, callbacks = excluded.callbacks,
    allowed_logout_urls = excluded.allowed_logout_urls, grant_types = excluded.grant_types;
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-web', ${q(connectionId)});
INSERT INTO connections (id, name, strategy, options, created_at)
  VALUES (${q(emailConnectionId)}, 'email', 'email', ${json(emailConnectionOptions)}, ${now})
  ON CONFLICT(id) DO UPDATE SET options = excluded.options;
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-spa', ${q(emailConnectionId)});
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-web', ${q(emailConnectionId)});
${values['legacy-url'] ? legacySql(values['legacy-url']) : ''}
INSERT INTO clients (client_id, name, app_type, is_public, client_secret_hash, grant_types, created_at)
  VALUES ('demo-m2m', 'Demo machine-to-machine', 'non_interactive', 0, ${q(m2mSecretHash)}, ${json(['client_credentials'])}, ${now})
  ON CONFLICT(client_id) DO UPDATE SET client_secret_hash = excluded.client_secret_hash;
INSERT INTO resource_servers (identifier, name, scopes, token_lifetime, created_at)
  VALUES (${q(managementApi)}, 'Tollgate Management API', ${json(managementScopes)}, 86400, ${now})
  ON CONFLICT(identifier) DO UPDATE SET scopes = excluded.scopes;
INSERT INTO client_grants (id, client_id, audience, scope) VALUES ('cgr_demom2m', 'demo-m2m', ${q(managementApi)}, ${json(managementScopes)})
  ON CONFLICT(client_id, audience) DO UPDATE SET scope = excluded.scope;
${owner.sql}
`;

const kek = values.kek ?? keyEncryptionKey({ create: true });
d1Execute(sql + initSql(kek), { persistTo: values['persist-to'] });
if (!values.quiet) {
  console.log(`seeded demo tenant for ${origin}`);
  console.log(`  demo-web client secret: ${webSecret}   (set DEMO_WEB_SECRET to choose it)`);
  console.log(`  demo-m2m client secret: ${m2mSecret}   (set DEMO_M2M_SECRET to choose it)`);
  console.log(`  console: ${origin}/admin/   owner ${owner.email} / ${owner.password}   (set ADMIN_EMAIL, ADMIN_PASSWORD to choose them)`);
}
