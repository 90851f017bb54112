// The console's Logs page, a user's Logs tab and the Log streams page (issue 27) in Chromium
// against workerd: the owner sees a sign-up, a wrong password and a login arrive with their types'
// descriptions, filters by type and by user, opens an event; creates a stream to a local HTTP
// receiver (http://127.0.0.1 is allowed by the development flag) whose authorization is never
// shown again, watches a failed login arrive there with the header, pauses and deletes it. Every
// page has 0 axe-core violations and is screenshotted.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { BASE, consoleSignIn, launch, login, post, screenshot, signUp, testIp, uniqueEmail } from './lib.mjs';

const OWNER = process.env.ADMIN_EMAIL ?? 'owner@tollgate.test';
const OWNER_PASSWORD = process.env.ADMIN_PASSWORD ?? 'Console-Owner-Pass-1';
const PASSWORD = 'Console-logs-1!';
const SINK_SECRET = 'Bearer e2e-sink-secret-81f3';

let browser;
let m2m;
let sink;
const received = [];
before(async () => {
  browser = await launch();
  const r = await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET, audience: `${BASE}/api/v2/` });
  m2m = r.body.access_token;
  // The stream's receiver: keeps every request.
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ url: req.url, headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((done) => sink.listen(0, '127.0.0.1', done));
});
after(async () => {
  await browser?.close();
  await new Promise((done) => (sink ? sink.close(done) : done()));
});

async function api(method, path, body) {
  const r = await fetch(`${BASE}/api/v2/${path}`, {
    method, headers: { authorization: `Bearer ${m2m}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
}

async function axe(page, name, found) {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) found.push(`${name}: ${v.id} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await screenshot(page, `console-${name}`);
}

/** Waits until `check()` is truthy (events are written after the response; streams after a tick). */
async function eventually(check, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check();
    if (v) return v;
    await new Promise((done) => setTimeout(done, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('the owner reads the logs, a user\'s Logs tab, and streams failed logins to an HTTP endpoint', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
  const found = [];

  // Events: a sign-up, a wrong password, a login.
  const email = uniqueEmail('console-logs');
  const user = await signUp(email, PASSWORD);
  const userId = `auth0|${user._id}`;
  const ip = testIp();
  assert.equal((await login(email, 'Wrong-password-9', ip)).status, 403);
  assert.equal((await login(email, PASSWORD, ip)).status, 200);
  await eventually(async () => {
    const r = await api('GET', `users/${encodeURIComponent(userId)}/logs`);
    return r.status === 200 && JSON.parse(r.text).length >= 3;
  }, 'the three events');

  await consoleSignIn(page, OWNER, OWNER_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/admin/' && !u.search);
  const nav = page.getByRole('navigation', { name: 'Console' });

  // Logs: the newest events, with the types' descriptions.
  await nav.getByRole('link', { name: 'Logs', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
  const table = page.getByRole('table', { name: 'Events' });
  await table.waitFor();
  await table.getByRole('cell', { name: 'fp · Incorrect password' }).first().waitFor();
  assert.match(await page.getByRole('status').first().textContent(), /\d+ events/);
  // Filter: only wrong passwords of this user.
  await page.getByLabel('Event type').selectOption('fp');
  await page.getByLabel('User id').fill(userId);
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.getByText('1 events', { exact: true }).waitFor();
  const rows = table.locator('tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(email.replace(/[.+]/g, '\\$&')));
  // An event's detail.
  await rows.first().getByRole('button').click();
  await page.getByRole('heading', { level: 2, name: 'fp · Incorrect password' }).waitFor();
  const detail = await page.locator('.detail').textContent();
  assert.ok(detail.includes(userId) && detail.includes('Username-Password-Authentication'), detail);
  assert.ok(!detail.includes('Wrong-password-9'), 'no password in an event');
  await axe(page, 'logs', found);

  // The user's Logs tab.
  await nav.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('searchbox', { name: 'Search users' }).fill(email);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: email }).click();
  await page.getByRole('heading', { level: 2, name: email }).waitFor();
  await page.getByRole('tab', { name: 'Logs' }).click();
  const mine = page.getByRole('table', { name: "The user's events" });
  await mine.waitFor();
  const kinds = await mine.locator('tbody tr td:nth-child(2)').allTextContents();
  for (const k of ['s · Successful login', 'fp · Incorrect password', 'ss · Successful signup']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  assert.equal(await page.getByRole('tab', { name: 'Logs' }).getAttribute('aria-selected'), 'true');
  await axe(page, 'user-logs', found);

  // Log streams: one to the local receiver, failed logins only.
  await nav.getByRole('link', { name: 'Log streams' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log streams' }).waitFor();
  await page.getByText('No log streams yet.').waitFor();
  const endpoint = `http://127.0.0.1:${sink.address().port}/auth0`;
  await page.getByLabel('Name').fill('e2e receiver');
  await page.getByLabel('Endpoint (https)').fill(endpoint);
  await page.getByLabel('Content format').selectOption('JSONLINES');
  await page.getByLabel(/Authorization header/).fill(SINK_SECRET);
  await page.getByLabel('auth.login.fail').check();
  await page.getByRole('button', { name: 'Create stream' }).click();
  await page.getByText(/e2e receiver is created/).waitFor();
  assert.equal(await page.getByLabel(/Authorization header/).inputValue(), '', 'write-only: cleared once sent');
  const streams = page.getByRole('table', { name: 'Log streams' });
  await streams.getByRole('cell', { name: 'auth.login.fail' }).waitFor();
  const listed = await api('GET', 'log-streams');
  assert.equal(listed.status, 200);
  assert.ok(!listed.text.includes('e2e-sink-secret') && !(await page.content()).includes('e2e-sink-secret'), 'the secret is never shown');
  await axe(page, 'log-streams', found);

  // A failed login reaches the receiver, with the authorization header; a login does not (filter).
  const other = uniqueEmail('streamed');
  await signUp(other, PASSWORD);
  assert.equal((await login(other, 'Wrong-password-9', testIp())).status, 403);
  assert.equal((await login(other, PASSWORD, testIp())).status, 200);
  const arrived = await eventually(() => received.find((r) => r.body.includes(other)), 'the streamed event', 60_000);
  assert.equal(arrived.url, '/auth0');
  assert.equal(arrived.headers.authorization, SINK_SECRET);
  const lines = arrived.body.split('\n').map((l) => JSON.parse(l));
  for (const l of lines) {
    assert.equal(l.log_id, l.data.log_id);
    assert.ok(['f', 'fp', 'fu'].includes(l.data.type), `only failed logins: ${l.data.type}`);
  }
  assert.ok(lines.some((l) => l.data.type === 'fp' && l.data.user_name === other));
  assert.ok(!arrived.body.includes('Wrong-password-9'));

  // Pause, then delete.
  await page.reload();
  await nav.getByRole('link', { name: 'Log streams' }).waitFor();
  await streams.getByRole('cell', { name: /1 delivered|\d+ delivered/ }).waitFor();
  await page.getByRole('button', { name: 'Pause e2e receiver' }).click();
  await page.getByText('e2e receiver is paused.').waitFor();
  await streams.getByRole('cell', { name: 'Paused' }).waitFor();
  await screenshot(page, 'console-log-streams-paused');
  await page.getByRole('button', { name: 'Delete e2e receiver…' }).click();
  await page.getByRole('button', { name: 'Yes, delete stream' }).click();
  await page.getByText('e2e receiver is deleted.').waitFor();
  assert.equal(JSON.parse((await api('GET', 'log-streams')).text).length, 0);

  assert.deepEqual(found, [], 'axe-core violations');
  assert.deepEqual(errors, [], 'page errors');
  await context.close();
});
