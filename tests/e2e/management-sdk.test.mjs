// The Management API with the real `auth0` SDK at major 4 (ManagementClient v4) and the current
// major (7): users CRUD, users-by-email, import jobs (processed through Cloudflare Queues in
// workerd), job status and errors, and a login of an imported user that upgrades its hash.
// Like the other SDK file, this runs its own Worker over HTTPS (the SDKs build https URLs).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ManagementClient as ManagementClient4 } from 'auth0';
import { ManagementClient as ManagementClient7 } from 'auth0-latest';
import { root, startWorker } from './worker.mjs';
import { uniqueEmail } from './lib.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const CONNECTION = 'Username-Password-Authentication';
let worker;
let domain;
let connectionId;
before(async () => {
  worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'mgmt-state'), https: true });
  domain = new URL(worker.origin).host;
  const v7 = new ManagementClient7({ domain, clientId: 'demo-m2m', clientSecret: worker.m2mSecret });
  const page = await v7.connections.list({ name: CONNECTION });
  connectionId = page.data[0].id;
});
after(async () => worker?.stop());

async function waitForJob(get, id) {
  for (let i = 0; i < 120; i++) {
    const job = await get(id);
    if (job.status === 'completed' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${id} did not finish`);
}

function users(tag) {
  const sha = (pw) => createHash('sha256').update(`s4lt${pw}`).digest('hex');
  const ok = uniqueEmail(`${tag}-ok`);
  return {
    ok,
    file: [
      { email: ok, custom_password_hash: { algorithm: 'sha256', hash: { value: sha('Imported-9'), encoding: 'hex' }, salt: { value: 's4lt' } } },
      { email: uniqueEmail(`${tag}-plain`), user_metadata: { source: 'sdk' } },
      { email: 'broken' },
      { email: uniqueEmail(`${tag}-extra`), shoe_size: 42 },
    ],
  };
}

async function login(email, password) {
  const r = await fetch(`${worker.origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.77' },
    body: JSON.stringify({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: 'demo-spa', username: email, password, realm: CONNECTION }),
  });
  return r.status;
}

test('auth0@4 ManagementClient: users CRUD, users-by-email, importUsers, jobs.get, getErrors', async () => {
  const m = new ManagementClient4({ domain, clientId: 'demo-m2m', clientSecret: worker.m2mSecret });
  const email = uniqueEmail('v4');
  const { data: created } = await m.users.create({ connection: CONNECTION, email, password: 'Managed-Pass-1', user_metadata: { tier: 'a' } });
  assert.equal(created.email, email);
  const { data: got } = await m.users.get({ id: created.user_id });
  assert.equal(got.user_metadata.tier, 'a');
  const { data: patched } = await m.users.update({ id: created.user_id }, { user_metadata: { tier: 'b' }, name: 'Vee Four' });
  assert.deepEqual([patched.user_metadata.tier, patched.name], ['b', 'Vee Four']);
  const { data: byEmail } = await m.usersByEmail.getByEmail({ email });
  assert.equal(byEmail[0].user_id, created.user_id);
  await m.users.delete({ id: created.user_id });
  await assert.rejects(m.users.get({ id: created.user_id }), (e) => e.statusCode === 404);

  const { ok, file } = users('v4');
  const { data: job } = await m.jobs.importUsers({
    users: new Blob([JSON.stringify(file)], { type: 'application/json' }),
    connection_id: connectionId,
    upsert: false,
    send_completion_email: false,
  });
  assert.equal(job.type, 'users_import');
  const done = await waitForJob(async (id) => (await m.jobs.get({ id })).data, job.id);
  assert.deepEqual(done.summary, { failed: 2, updated: 0, inserted: 2, total: 4 });
  const { data: errors } = await m.jobs.getErrors({ id: job.id });
  assert.deepEqual(errors.map((e) => e.errors[0].code).sort(), ['FORMAT', 'OBJECT_ADDITIONAL_PROPERTIES']);
  assert.equal(await login(ok, 'Imported-9'), 200, 'the imported SHA-256 hash works');
  assert.equal(await login(ok, 'Imported-9'), 200, 'and again, now as argon2id');
});

test('auth0@7 ManagementClient: users CRUD, listUsersByEmail, jobs.usersImports.create, jobs.get, jobs.errors.get', async () => {
  const m = new ManagementClient7({ domain, clientId: 'demo-m2m', clientSecret: worker.m2mSecret });
  const email = uniqueEmail('v7');
  const created = await m.users.create({ connection: CONNECTION, email, password: 'Managed-Pass-1' });
  assert.equal(created.email, email);
  const got = await m.users.get(created.user_id);
  assert.equal(got.email, email);
  const patched = await m.users.update(created.user_id, { app_metadata: { plan: 'team' } });
  assert.equal(patched.app_metadata.plan, 'team');
  const byEmail = await m.users.listUsersByEmail({ email });
  assert.equal(byEmail[0].user_id, created.user_id);
  await m.users.delete(created.user_id);

  const { ok, file } = users('v7');
  const job = await m.jobs.usersImports.create({
    users: new File([JSON.stringify(file)], 'users.json', { type: 'application/json' }),
    connection_id: connectionId,
    upsert: true,
    external_id: 'sdk-7',
  });
  assert.equal(job.external_id, 'sdk-7');
  const done = await waitForJob((id) => m.jobs.get(id), job.id);
  assert.deepEqual(done.summary, { failed: 2, updated: 0, inserted: 2, total: 4 });
  const errors = await m.jobs.errors.get(job.id);
  assert.equal(errors.length, 2);
  assert.equal(await login(ok, 'Imported-9'), 200);
});
