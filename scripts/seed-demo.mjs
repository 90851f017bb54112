#!/usr/bin/env node
// Seeds the demo tenant into the local D1 database (idempotent; run by `make dev` and the e2e suite).
//
//   node scripts/seed-demo.mjs [--origin http://127.0.0.1:8787] [--persist-to DIR]
//
// Demo tenant: connection `Username-Password-Authentication` (policy `good`, dictionary on) and the
// public SPA client `demo-spa` whose callbacks and web origins are the Worker's own origin.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    origin: { type: 'string', default: `http://127.0.0.1:${process.env.PORT || 8787}` },
    'persist-to': { type: 'string' },
  },
});
const origin = values.origin.replace(/\/$/, '');

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
};
const now = Date.now();
const sql = `
INSERT INTO tenant (id, name, flags) VALUES (1, 'demo', '{}')
  ON CONFLICT(id) DO UPDATE SET name = excluded.name;
INSERT INTO connections (id, name, strategy, options, created_at)
  VALUES (${q(connectionId)}, 'Username-Password-Authentication', 'auth0', ${json(connectionOptions)}, ${now})
  ON CONFLICT(id) DO UPDATE SET options = excluded.options;
INSERT INTO clients (client_id, name, app_type, is_public, callbacks, web_origins, allowed_logout_urls, grant_types, cross_origin_auth, created_at)
  VALUES ('demo-spa', 'Demo SPA', 'spa', 1,
    ${json([`${origin}/`, `${origin}/callback`])}, ${json([origin])}, ${json([`${origin}/`])},
    ${json(['authorization_code', 'refresh_token', 'implicit', 'http://auth0.com/oauth/grant-type/password-realm'])}, 1, ${now})
  ON CONFLICT(client_id) DO UPDATE SET callbacks = excluded.callbacks, web_origins = excluded.web_origins,
    allowed_logout_urls = excluded.allowed_logout_urls, grant_types = excluded.grant_types;
INSERT OR IGNORE INTO client_connections (client_id, connection_id) VALUES ('demo-spa', ${q(connectionId)});
`;

mkdirSync('.wrangler', { recursive: true });
const file = path.join('.wrangler', 'seed-demo.sql');
writeFileSync(file, sql);
const args = ['wrangler', 'd1', 'execute', 'DB', '--local', '--file', file];
if (values['persist-to']) args.push('--persist-to', values['persist-to']);
execFileSync('npx', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } });
console.log(`seeded demo tenant for ${origin}`);
