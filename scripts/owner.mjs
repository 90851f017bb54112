#!/usr/bin/env node
// The tenant's owner for the console at /admin, and the console's URLs (core::admins).
//
//   ADMIN_EMAIL=you@example.com ADMIN_PASSWORD=… node scripts/owner.mjs --origin https://auth.example.com --remote
//
// Without ADMIN_PASSWORD a password is generated and printed. Run again to reset the owner's
// password (their sessions end with it: a new password revokes the old ones at the next login).
// `make dev` does the same through scripts/seed-demo.mjs.
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hash as argon2id } from '@node-rs/argon2';
import { d1Execute } from './keys.mjs';

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** SQL that points the console at `origin`/admin/ and makes the owner; and the credentials. */
export async function ownerSql(origin, env = process.env) {
  const email = (env.ADMIN_EMAIL || 'owner@tollgate.test').trim().toLowerCase();
  const password = env.ADMIN_PASSWORD || `Tg-${randomBytes(12).toString('base64url')}`;
  // argon2id at the edge's own parameters (m=19456 KiB, t=2, p=1).
  const hash = await argon2id(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const id = `adm${createHash('sha256').update(`tollgate owner ${email}`).digest('hex').slice(0, 21)}`;
  const now = Date.now();
  const sql = `
UPDATE clients SET callbacks = ${q(JSON.stringify([`${origin}/admin/`]))}, web_origins = ${q(JSON.stringify([origin]))},
  allowed_logout_urls = ${q(JSON.stringify([`${origin}/admin/`]))} WHERE client_id = 'tollgate-console';
INSERT INTO users (user_id, connection_id, email, email_verified, password_hash, name, created_at, updated_at)
  VALUES (${q(id)}, 'con_tenant_admins', ${q(email)}, 1, ${q(hash)}, 'Tenant owner', ${now}, ${now})
  ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash, blocked = 0, updated_at = excluded.updated_at;
INSERT INTO tenant_members (user_id, role, created_at) VALUES (${q(id)}, 'owner', ${now})
  ON CONFLICT(user_id) DO UPDATE SET role = 'owner';
`;
  return { sql, email, password, generated: !env.ADMIN_PASSWORD };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { origin: { type: 'string' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' } } });
  if (!values.origin) throw new Error('--origin https://your-worker.example is required');
  const origin = values.origin.replace(/\/$/, '');
  const owner = await ownerSql(origin);
  d1Execute(owner.sql, { remote: Boolean(values.remote), persistTo: values['persist-to'] });
  console.log(`console: ${origin}/admin/   owner ${owner.email}${owner.generated ? ` / ${owner.password}` : ''}`);
}
