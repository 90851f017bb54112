// The operator CLI (cli/, binary `tollgate`) against the Worker: a file larger than one job is
// split into jobs, the error report names rows of the original file, and an export downloads.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { BASE, uniqueEmail } from './lib.mjs';
import { root } from './worker.mjs';

const run = promisify(execFile);
const CLI = path.join(root, 'target', 'release', 'tollgate');
const auth = ['--domain', BASE, '--client-id', 'demo-m2m', '--client-secret', process.env.DEMO_M2M_SECRET];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-cli-'));

test('import splits a file into jobs and reports bad rows by file position', async () => {
  const tag = uniqueEmail('cli').split('@')[0];
  const users = Array.from({ length: 2500 }, (_, i) => ({ email: `${tag}-${i}@example.com`, user_metadata: { n: String(i) } }));
  users[10] = { email: 'not-an-email' };
  users[1500] = { email: `${tag}-1500@example.com`, unknown_field: true };
  const file = path.join(dir, 'users.json');
  writeFileSync(file, JSON.stringify(users));
  const { stdout, stderr } = await run(CLI, ['import', file, ...auth, '--connection', 'Username-Password-Authentication', '--batch-size', '1000'],
    { maxBuffer: 10 * 1024 * 1024 });
  const summary = JSON.parse(stdout.trim().split('\n').pop());
  assert.deepEqual(summary, { jobs: 3, total: 2500, inserted: 2498, updated: 0, failed: 2 });
  assert.match(stdout, /file row 10\): FORMAT/);
  assert.match(stdout, /file row 1500\): OBJECT_ADDITIONAL_PROPERTIES/);
  assert.equal((stderr.match(/^job job_/gm) ?? []).length, 3);
});

test('import reads NDJSON too, and export downloads a gzip file', async () => {
  const emails = [uniqueEmail('ndjson'), uniqueEmail('ndjson')];
  const file = path.join(dir, 'users.ndjson');
  writeFileSync(file, emails.map((email) => JSON.stringify({ email, name: '+1 formula' })).join('\n') + '\n');
  const imported = await run(CLI, ['import', file, ...auth, '--connection', 'Username-Password-Authentication']);
  assert.equal(JSON.parse(imported.stdout.trim().split('\n').pop()).inserted, 2);

  const out = path.join(dir, 'users.csv.gz');
  await run(CLI, ['export', out, ...auth, '--format', 'csv', '--fields', 'email,name']);
  const csv = gunzipSync(readFileSync(out)).toString();
  assert.equal(csv.split('\n')[0], '"email","name"');
  assert.ok(csv.includes(`"${emails[0]}","'+1 formula"`), 'CSV-injection guard');
});
