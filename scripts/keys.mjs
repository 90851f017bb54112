#!/usr/bin/env node
// Signing keys for Tollgate: generates RSA-2048 keys, seals the private key with AES-256-GCM under
// the KEY_ENCRYPTION_KEY secret, and writes SQL for the `signing_keys` table.
//
//   node scripts/keys.mjs init   [--local|--remote] [--persist-to DIR]   add a current key if there is none
//   node scripts/keys.mjs rotate [--local|--remote] [--persist-to DIR]   new key becomes current, old one previous
//   node scripts/keys.mjs revoke KID [--local|--remote]                  a previous key stops verifying
//
// The key-encryption key comes from KEY_ENCRYPTION_KEY in the environment, else from .dev.vars; for
// --local without either, a new one is generated into .dev.vars (gitignored). In production store it
// with `npx wrangler secret put KEY_ENCRYPTION_KEY` and pass it in the environment when running this.
import { createCipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Reads KEY_ENCRYPTION_KEY from the environment or .dev.vars; creates one in .dev.vars if allowed. */
export function keyEncryptionKey({ create = false } = {}) {
  if (!create && !process.env.KEY_ENCRYPTION_KEY && !(existsSync('.dev.vars') && /^KEY_ENCRYPTION_KEY\s*=/m.test(readFileSync('.dev.vars', 'utf8')))) {
    throw new Error('KEY_ENCRYPTION_KEY is not set (environment or .dev.vars)');
  }
  return devVar('KEY_ENCRYPTION_KEY');
}

/** A development secret from the environment or .dev.vars, generated into .dev.vars when missing. */
export function devVar(name) {
  if (process.env[name]) return process.env[name];
  const file = '.dev.vars';
  const re = new RegExp(`^${name}\\s*=\\s*"?([^"\\n]+)"?\\s*$`, 'm');
  const existing = existsSync(file) && readFileSync(file, 'utf8').match(re);
  if (existing) return existing[1];
  const value = randomBytes(32).toString('base64');
  appendFileSync(file, `${name}="${value}"\n`);
  return value;
}

/** A new RSA-2048 signing key: {kid, publicJwk, sealed}. */
export function newKey(kekBase64) {
  const kek = Buffer.from(kekBase64, 'base64');
  if (kek.length !== 32) throw new Error('KEY_ENCRYPTION_KEY must be 32 bytes, base64');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const { n, e } = publicKey.export({ format: 'jwk' });
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  const ct = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    kid: randomBytes(16).toString('base64url'),
    publicJwk: JSON.stringify({ kty: 'RSA', n, e }),
    sealed: Buffer.concat([nonce, ct]).toString('base64'),
  };
}

/** SQL adding a current key unless one exists. */
export function initSql(kek, now = Date.now()) {
  const k = newKey(kek);
  return `INSERT INTO signing_keys (kid, alg, status, public_jwk, private_key_enc, created_at)
  SELECT ${q(k.kid)}, 'RS256', 'current', ${q(k.publicJwk)}, ${q(k.sealed)}, ${now}
  WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE status = 'current');\n`;
}

/** SQL making a new key current and the old current previous. */
export function rotateSql(kek, now = Date.now()) {
  const k = newKey(kek);
  return `UPDATE signing_keys SET status = 'previous', rotated_at = ${now} WHERE status = 'current';
INSERT INTO signing_keys (kid, alg, status, public_jwk, private_key_enc, created_at)
  VALUES (${q(k.kid)}, 'RS256', 'current', ${q(k.publicJwk)}, ${q(k.sealed)}, ${now});\n`;
}

/** Runs SQL against D1 through wrangler. */
export function d1Execute(sql, { remote = false, persistTo } = {}) {
  mkdirSync('.wrangler', { recursive: true });
  const file = path.join('.wrangler', `sql-${process.pid}-${Date.now()}.sql`);
  writeFileSync(file, sql);
  const args = ['wrangler', 'd1', 'execute', 'DB', remote ? '--remote' : '--local', '--file', file];
  if (persistTo) args.push('--persist-to', persistTo);
  execFileSync('npx', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { remote: { type: 'boolean' }, local: { type: 'boolean' }, 'persist-to': { type: 'string' } },
  });
  const [cmd, kid] = positionals;
  const remote = Boolean(values.remote);
  const target = { remote, persistTo: values['persist-to'] };
  if (cmd === 'init') d1Execute(initSql(keyEncryptionKey({ create: !remote })), target);
  else if (cmd === 'rotate') d1Execute(rotateSql(keyEncryptionKey()), target);
  else if (cmd === 'revoke' && kid) d1Execute(`UPDATE signing_keys SET status = 'revoked' WHERE kid = ${q(kid)} AND status = 'previous';\n`, target);
  else {
    console.error('usage: keys.mjs init|rotate|revoke KID [--local|--remote] [--persist-to DIR]');
    process.exit(2);
  }
  console.log(`keys: ${cmd} done (${remote ? 'remote' : 'local'})`);
}
