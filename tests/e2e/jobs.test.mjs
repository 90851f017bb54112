// Bulk jobs in workerd with local D1, R2 and Queues: large rows import completely, a failing chunk
// ends its job (failed, or completed after a retry) instead of staying `processing`, and an
// export of users with large metadata counts exactly the connection's users.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { BASE, uniqueEmail } from './lib.mjs';

let token;
async function auth() {
  if (!token) {
    const r = await fetch(`${BASE}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET, audience: `${BASE}/api/v2/` }),
    });
    token = (await r.json()).access_token;
  }
  return { authorization: `Bearer ${token}` };
}

async function api(method, path, body) {
  const r = await fetch(`${BASE}/api/v2/${path}`, {
    method,
    headers: { ...(await auth()), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** A database connection of this test only, enabled for nobody. */
async function newConnection(tag) {
  const r = await api('POST', 'connections', { name: `jobs-${tag}-${Date.now()}`, strategy: 'auth0' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function importFile(connectionId, users, externalId) {
  const form = new FormData();
  form.append('connection_id', connectionId);
  if (externalId) form.append('external_id', externalId);
  form.append('users', new Blob([JSON.stringify(users)], { type: 'application/json' }), 'users.json');
  const r = await fetch(`${BASE}/api/v2/jobs/users-imports`, { method: 'POST', headers: await auth(), body: form });
  const job = await r.json();
  assert.equal(r.status, 201, JSON.stringify(job));
  return job;
}

/** Polls a job until it ends (or `ms` pass); returns its last status. */
async function settle(id, ms = 120_000) {
  const until = Date.now() + ms;
  for (;;) {
    const { body } = await api('GET', `jobs/${id}`);
    if (body.status === 'completed' || body.status === 'failed' || Date.now() > until) return body;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const blob = (kb) => 'm'.repeat(kb * 1024);

test('250 users with 9 KB of metadata each (2.3 MB) import completely', async () => {
  const connection = await newConnection('big');
  const tag = uniqueEmail('big').split('@')[0];
  const users = Array.from({ length: 250 }, (_, i) => ({ email: `${tag}-${i}@example.com`, user_metadata: { notes: blob(9) } }));
  const job = await importFile(connection, users);
  const done = await settle(job.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.deepEqual(done.summary, { inserted: 250, updated: 0, failed: 0, total: 250 });
});

test('a chunk that fails once is retried and its job completes', async () => {
  const connection = await newConnection('retry');
  const tag = uniqueEmail('retry').split('@')[0];
  const users = Array.from({ length: 1200 }, (_, i) => ({ email: `${tag}-${i}@example.com` }));
  const job = await importFile(connection, users, 'fault:fail-first');
  const done = await settle(job.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.deepEqual(done.summary, { inserted: 1200, updated: 0, failed: 0, total: 1200 });
});

test('a chunk that keeps failing ends its job failed, saying which chunk and why', async () => {
  const connection = await newConnection('doomed');
  const job = await importFile(connection, [{ email: uniqueEmail('doomed') }], 'fault:fail-always');
  // Five attempts with back-off (2 + 4 + 8 + 16 s between them).
  const done = await settle(job.id, 90_000);
  assert.equal(done.status, 'failed', JSON.stringify(done));
  assert.match(done.status_details, /^chunk 0 failed after 5 attempts: .*injected fault/);
  const errors = await api('GET', `jobs/${job.id}/errors`);
  assert.equal(errors.body.status, 'failed');
});

test('an export of users with large metadata has exactly the connection\'s users', async () => {
  const connection = await newConnection('export');
  const tag = uniqueEmail('export').split('@')[0];
  const users = Array.from({ length: 1000 }, (_, i) => ({ email: `${tag}-${i}@example.com`, user_metadata: { notes: blob(3.2) } }));
  assert.equal((await settle((await importFile(connection, users)).id)).summary.inserted, 1000);
  const created = await api('POST', 'jobs/users-exports', {
    connection_id: connection, format: 'json', fields: [{ name: 'email' }, { name: 'user_metadata' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const done = await settle(created.body.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  const file = await fetch(done.location);
  assert.equal(file.status, 200);
  const lines = gunzipSync(Buffer.from(await file.arrayBuffer())).toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 1000);
  assert.equal(new Set(lines.map((l) => l.email)).size, 1000);
  assert.equal(lines[0].user_metadata.notes.length, Math.floor(3.2 * 1024));
});
