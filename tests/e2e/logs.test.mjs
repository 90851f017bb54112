// Tenant logs in the Worker (issue 27): events written after the response (ctx.wait_until) and
// read through GET /api/v2/logs with Auth0's q subset; a wrong password and an unknown user answer
// the same while the log tells them apart; no password in any event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE, login, post, signUp, testIp, uniqueEmail } from './lib.mjs';

const PASSWORD = 'Logged-In-1!';
const WRONG = 'Not-The-Password-9';

async function m2mToken() {
  const r = await post('/oauth/token', {
    grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET, audience: `${BASE}/api/v2/`,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

async function api(token, pathname) {
  const r = await fetch(`${BASE}/api/v2/${pathname}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, text: await r.text() };
}

/** The events `q` finds once at least `n` are there (they are written after each response). */
async function events(token, q, n) {
  for (let i = 0; i < 50; i++) {
    const r = await api(token, `logs?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    const list = JSON.parse(r.text);
    if (list.length >= n) return list;
    await new Promise((done) => setTimeout(done, 100));
  }
  assert.fail(`fewer than ${n} events for ${q}`);
}

test('logins are logged after the response with Auth0 types, and no password is stored', async () => {
  const email = uniqueEmail('logs');
  const user = await signUp(email, PASSWORD);
  const ip = testIp();
  const ok = await login(email, PASSWORD, ip);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const wrong = await login(email, WRONG, ip);
  const unknownEmail = uniqueEmail('nobody');
  const unknown = await login(unknownEmail, WRONG, ip);
  assert.equal(wrong.status, 403);
  assert.deepEqual([unknown.status, unknown.body], [wrong.status, wrong.body], 'the same answer for both');

  const token = await m2mToken();
  const id = `auth0|${user._id}`;
  const mine = await events(token, `user_id:"${id}"`, 3);
  const types = mine.map((e) => e.type).sort();
  assert.deepEqual(types, ['fp', 's', 'ss']);
  const s = mine.find((e) => e.type === 's');
  assert.equal(s.user_name, email);
  assert.equal(s.client_id, 'demo-spa');
  assert.equal(s.connection, 'Username-Password-Authentication');
  assert.equal(s.strategy, 'auth0');
  assert.match(s.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const fu = (await events(token, 'type:fu', 1)).filter((e) => e.user_name === unknownEmail);
  assert.equal(fu.length, 1, 'the unknown user is logged as fu');
  assert.equal(fu[0].user_id, undefined);

  const one = await api(token, `logs/${s.log_id}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(JSON.parse(one.text).log_id, s.log_id);
  const userLogs = await api(token, `users/${encodeURIComponent(id)}/logs?include_totals=true`);
  assert.equal(userLogs.status, 200, userLogs.text);
  assert.equal(JSON.parse(userLogs.text).total, 3);

  const all = await api(token, 'logs?per_page=100');
  for (const secret of [PASSWORD, WRONG, ok.body.access_token]) assert.ok(!all.text.includes(secret), 'no secret in the logs');
});

test('events of concurrent requests are all written once (the isolate writes them in shared batches)', async () => {
  const email = uniqueEmail('logs-many');
  const user = await signUp(email, PASSWORD);
  const ip = testIp();
  const n = 30;
  const answers = await Promise.all(Array.from({ length: n }, () => login(email, PASSWORD, ip)));
  assert.deepEqual(answers.map((r) => r.status), Array(n).fill(200));
  const token = await m2mToken();
  const mine = await events(token, `user_id:"auth0|${user._id}"`, n + 1);
  assert.equal(mine.length, n + 1, 'one sign-up and one event per login, none twice');
  assert.equal(new Set(mine.map((e) => e.log_id)).size, n + 1);
  assert.equal(mine.filter((e) => e.type === 's').length, n);
});

test('a q outside the supported subset gets one precise 400 in the Management API shape', async () => {
  const token = await m2mToken();
  const r = await api(token, `logs?q=${encodeURIComponent('ip:1.2.3.4')}`);
  assert.equal(r.status, 400, r.text);
  const body = JSON.parse(r.text);
  assert.equal(body.statusCode, 400);
  assert.match(body.message, /unsupported field 'ip'/);
  assert.equal((await api(token, 'logs?per_page=101')).status, 400);
});
