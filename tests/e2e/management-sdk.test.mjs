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

test('auth0@4 ManagementClient: applications, grants, APIs, connections, search, tickets, stats; scopes and bad input', async () => {
  const m = new ManagementClient4({ domain, clientId: 'demo-m2m', clientSecret: worker.m2mSecret });
  // Applications: created with a secret shown once, updated, rotated, deleted.
  const { data: spa } = await m.clients.create({
    name: 'SDK SPA', app_type: 'spa', callbacks: ['https://sdk.example.com/cb'], web_origins: ['https://sdk.example.com'],
  });
  assert.equal(spa.token_endpoint_auth_method, 'none');
  const { data: spa2 } = await m.clients.update({ client_id: spa.client_id }, {
    callbacks: ['https://sdk.example.com/cb', 'https://sdk.example.com/cb2'], allowed_logout_urls: ['https://sdk.example.com/'],
    cross_origin_auth: true, jwt_configuration: { lifetime_in_seconds: 600 },
  });
  assert.deepEqual(spa2.callbacks, ['https://sdk.example.com/cb', 'https://sdk.example.com/cb2']);
  assert.equal((await m.clients.get({ client_id: spa.client_id })).data.cross_origin_auth, true);
  assert.ok((await m.clients.getAll()).data.some((c) => c.client_id === spa.client_id));
  await assert.rejects(m.clients.update({ client_id: spa.client_id }, { callbacks: ['https://*.example.com/cb'] }),
    (e) => e.statusCode === 400 && /wildcard|callbacks/i.test(e.message));
  await m.clients.delete({ client_id: spa.client_id });
  await assert.rejects(m.clients.get({ client_id: spa.client_id }), (e) => e.statusCode === 404);

  // An API with scopes, a machine client granted one of them, a rotation that ends the old secret.
  const audience = `https://api-${Date.now()}.example.com/`;
  const { data: api } = await m.resourceServers.create({ name: 'SDK API', identifier: audience, scopes: [{ value: 'read:things', description: 'Read' }] });
  await m.resourceServers.update({ id: api.id }, { scopes: [{ value: 'read:things', description: 'Read' }, { value: 'write:things', description: 'Write' }] });
  assert.equal((await m.resourceServers.get({ id: api.id })).data.scopes.length, 2);
  assert.ok((await m.resourceServers.getAll()).data.some((r) => r.identifier === audience));
  const { data: bot } = await m.clients.create({ name: 'SDK bot', app_type: 'non_interactive', grant_types: ['client_credentials'] });
  assert.ok(bot.client_secret);
  const { data: grant } = await m.clientGrants.create({ client_id: bot.client_id, audience, scope: ['read:things'] });
  await assert.rejects(m.clientGrants.create({ client_id: bot.client_id, audience: `${audience}x`, scope: [] }), (e) => e.statusCode === 400 || e.statusCode === 404);
  const token = async (secret) => fetch(`${worker.origin}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: bot.client_id, client_secret: secret, audience }),
  });
  const first = await (await token(bot.client_secret)).json();
  assert.equal(first.scope, 'read:things');
  await m.clientGrants.update({ id: grant.id }, { scope: ['read:things', 'write:things'] });
  assert.equal((await (await token(bot.client_secret)).json()).scope, 'read:things write:things');
  assert.ok((await m.clientGrants.getAll({ client_id: bot.client_id })).data.some((g) => g.id === grant.id));
  const { data: rotated } = await m.clients.rotateClientSecret({ client_id: bot.client_id });
  assert.equal((await token(bot.client_secret)).status, 401, 'the old secret is dead');
  assert.equal((await token(rotated.client_secret)).status, 200);
  await m.clientGrants.delete({ id: grant.id });
  assert.equal((await token(rotated.client_secret)).status, 403, 'no grant, no token');

  // A machine client with read:users only: it reads, it cannot write (403, Auth0's shape).
  const { data: reader } = await m.clients.create({ name: 'SDK reader', app_type: 'non_interactive', grant_types: ['client_credentials'] });
  await m.clientGrants.create({ client_id: reader.client_id, audience: `${worker.origin}/api/v2/`, scope: ['read:users'] });
  const r = new ManagementClient4({ domain, clientId: reader.client_id, clientSecret: reader.client_secret });
  await r.users.getAll({ per_page: 1 });
  await assert.rejects(r.users.create({ connection: CONNECTION, email: uniqueEmail('nope'), password: 'Managed-Pass-1' }),
    (e) => e.statusCode === 403 && /scope/i.test(e.message));

  // Search, sort, paging with totals.
  const tag = `srch${Date.now()}`;
  const made = [];
  for (const [i, name] of ['Zed Alpha', 'Amy Beta', 'Max Gamma'].entries()) {
    made.push((await m.users.create({ connection: CONNECTION, email: `${tag}-${i}@example.com`, name, password: 'Managed-Pass-1' })).data);
  }
  const { data: page } = await m.users.getAll({ q: `email:${tag}*`, search_engine: 'v3', sort: 'name:1', include_totals: true, per_page: 2 });
  assert.equal(page.total, 3);
  assert.deepEqual(page.users.map((u) => u.name), ['Amy Beta', 'Max Gamma']);
  const { data: exact } = await m.users.getAll({ q: `name:"zed alpha" AND email:"${tag}-0@example.com"`, search_engine: 'v3' });
  assert.deepEqual(exact.map((u) => u.user_id), [made[0].user_id]);
  await assert.rejects(m.users.getAll({ q: 'email:a OR email:b', search_engine: 'v3' }), (e) => e.statusCode === 400);

  // Tickets and a verification mail.
  const { data: reset } = await m.tickets.changePassword({ user_id: made[0].user_id, ttl_sec: 600 });
  assert.match(reset.ticket, /\/lo\/reset\?ticket=/);
  const { data: verify } = await m.tickets.verifyEmail({ user_id: made[1].user_id });
  assert.match(verify.ticket, /\/lo\/verify\?ticket=/);
  const { data: job } = await m.jobs.verifyEmail({ user_id: made[2].user_id });
  assert.equal(job.type, 'verification_email');
  assert.equal((await m.jobs.get({ id: job.id })).data.status, 'completed');

  // Stats.
  const { data: daily } = await m.stats.getDaily({});
  assert.equal(daily.length, 30);
  assert.ok(daily.at(-1).signups >= 0 && 'logins' in daily.at(-1));
  // The SDK reads this answer as text (TextApiResponse): a JSON number in the body.
  const { data: active } = await m.stats.getActiveUsersCount();
  assert.match(String(active), /^\d+$/);
  assert.ok(Number(active) >= 1, 'users logged in earlier in this run');

  // Connections: one read, options validated, deleted with its users.
  const { data: conn } = await m.connections.create({ name: `sdk-${Date.now()}`, strategy: 'auth0', options: { passwordPolicy: 'fair' } });
  assert.equal((await m.connections.get({ id: conn.id })).data.name, conn.name);
  await assert.rejects(m.connections.update({ id: conn.id }, { options: { passwordPolicy: 'impossible' } }), (e) => e.statusCode === 400);
  await m.connections.update({ id: conn.id }, { options: { passwordPolicy: 'good', password_complexity_options: { min_length: 12 } } });
  assert.equal((await m.connections.get({ id: conn.id })).data.options.password_complexity_options.min_length, 12);
  await m.connections.delete({ id: conn.id });
  await assert.rejects(m.connections.get({ id: conn.id }), (e) => e.statusCode === 404);
});
