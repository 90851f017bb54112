// Lazy migration and own-store mode against the reference legacy service (tests/legacy-service)
// and the Worker in workerd: every path and fault of the contract, and a legacy user logging in
// through the widget in Chromium.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { legacyCall } from './legacy-client.mjs';
import { BASE, REALM_GRANT, launch, post, screenshot, testIp, uniqueEmail } from './lib.mjs';

const LEGACY = process.env.LEGACY_URL;
const PAGES = process.env.PAGES_URL;
let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

/** Calls the legacy service directly, signed like the Worker does (the contract, from Node). */
const legacy = (action, body) => legacyCall(LEGACY, process.env.LEGACY_SECRET, action, body);
const stats = async () => (await fetch(`${LEGACY}/__admin/stats`)).json();
const fault = (mode) => fetch(`${LEGACY}/__admin/fault`, { method: 'POST', body: JSON.stringify({ mode }) });

/** A new user that only the legacy store knows. */
async function legacyUser(tag, password = 'Legacy-Pass-1') {
  const email = uniqueEmail(tag);
  const r = await legacy('create', { user: { email, password, name: 'Legacy Person' } });
  assert.equal(r.body.verdict, 'created');
  return { email, password, id: r.body.user.user_id };
}

const login = (realm, username, password, ip = testIp()) =>
  post('/oauth/token', { grant_type: REALM_GRANT, client_id: 'demo-spa', username, password, realm },
    { 'content-type': 'application/json', 'cf-connecting-ip': ip });
const sub = (tokens) => JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url')).sub;

test('the contract: signatures and the replay window are enforced by the legacy service', async () => {
  const ok = await legacy('get_user', { identifier: 'alice@legacy.example' });
  assert.equal(ok.body.verdict, 'found');
  const unsigned = await fetch(`${LEGACY}/auth/get_user`, { method: 'POST', body: '{"identifier":"alice@legacy.example"}' });
  assert.equal(unsigned.status, 401);
  const old = Math.floor(Date.now() / 1000) - 3600;
  const stale = await legacyCall(LEGACY, process.env.LEGACY_SECRET, 'get_user', { identifier: 'alice@legacy.example' }, { ts: old });
  assert.equal(stale.status, 401, 'outside the replay window');
  // The same request id twice, inside the window: the second is a replay.
  const requestId = randomBytes(16).toString('hex');
  const body = { identifier: 'alice@legacy.example', password: 'Alice-Legacy-2019' };
  assert.equal((await legacyCall(LEGACY, process.env.LEGACY_SECRET, 'login', body, { requestId })).status, 200);
  const replayed = await legacyCall(LEGACY, process.env.LEGACY_SECRET, 'login', body, { requestId });
  assert.equal(replayed.status, 409, 'a replayed login is refused');
});

test('import mode: first login migrates (same user_id), later logins never reach legacy', async () => {
  const u = await legacyUser('lazy');
  const before = (await stats()).login ?? 0;
  const first = await login('Legacy-Import', u.email, u.password);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(sub(first.body), `auth0|${u.id}`);
  const second = await login('Legacy-Import', u.email, u.password);
  assert.equal(second.status, 200);
  assert.equal(await login('Legacy-Import', u.email, 'Wrong-1').then((r) => r.status), 403);
  assert.equal((await stats()).login, before + 1, 'legacy asked once');
});

test('import mode: demo users with bcrypt and PBKDF2; a weak legacy password logs in flagged', async () => {
  const alice = await login('Legacy-Import', 'alice@legacy.example', 'Alice-Legacy-2019');
  assert.equal(alice.status, 200, 'bcrypt user');
  const bob = await login('Legacy-Import', 'bob@legacy.example', 'bob-legacy');
  assert.equal(bob.status, 200, 'PBKDF2 user with a password that fails today\'s policy');
  const info = await (await fetch(`${BASE}/userinfo`, { headers: { authorization: `Bearer ${bob.body.access_token}` } })).json();
  assert.equal(info.password_change_required, true);
});

test('import mode: sign-up of an identifier still in legacy is refused; forgot password migrates', async () => {
  const u = await legacyUser('forgot');
  const taken = await post('/dbconnections/signup', { connection: 'Legacy-Import', email: u.email, password: 'Another-Pass-2' },
    { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });
  assert.equal(taken.body.code, 'invalid_signup');

  const reset = await post('/dbconnections/change_password', { connection: 'Legacy-Import', email: u.email });
  assert.equal(reset.status, 200);
  const [mail] = await (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(u.email)}`)).json();
  const ticket = new URL(mail.link).searchParams.get('ticket');
  assert.equal((await post('/lo/reset', { ticket, password: 'Migrated-Pass-3' })).status, 200);
  const before = (await stats()).login ?? 0;
  assert.equal((await login('Legacy-Import', u.email, 'Migrated-Pass-3')).status, 200);
  assert.equal((await stats()).login ?? 0, before, 'the new password is checked locally');
});

test('hash hand-over: the legacy hash is verified at the edge, the password never leaves it', async () => {
  const u = await legacyUser('handover');
  const before = await stats();
  const r = await login('Legacy-Handover', u.email, u.password);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const after = await stats();
  assert.equal(after.login ?? 0, before.login ?? 0, 'no login call carried the password');
  assert.equal(after.get_user, (before.get_user ?? 0) + 1);
});

test('own-store mode: every login is forwarded; sign-up creates the user in legacy', async () => {
  const u = await legacyUser('own');
  const before = (await stats()).login ?? 0;
  assert.equal((await login('Legacy-OwnStore', u.email, u.password)).status, 200);
  assert.equal((await login('Legacy-OwnStore', u.email, u.password)).status, 200);
  assert.equal((await stats()).login, before + 2);
  const email = uniqueEmail('ownsignup');
  const s = await post('/dbconnections/signup', { connection: 'Legacy-OwnStore', email, password: 'Own-Store-4' },
    { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.match(s.body._id, /^lg-new-/, 'legacy chose the id');
  assert.equal((await legacy('get_user', { identifier: email })).body.verdict, 'found');
});

test('ten concurrent first logins of one legacy user end with one local user', async () => {
  const u = await legacyUser('race');
  const results = await Promise.all(Array.from({ length: 10 }, () => login('Legacy-Import', u.email, u.password)));
  assert.deepEqual(results.map((r) => r.status), Array(10).fill(200), JSON.stringify(results.map((r) => r.body.error_description ?? r.body.error ?? r.status)));
  assert.equal(new Set(results.map((r) => sub(r.body))).size, 1);
  const again = await post('/dbconnections/signup', { connection: 'Legacy-Import', email: u.email, password: 'Another-Pass-2' },
    { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });
  assert.equal(again.body.code, 'invalid_signup', 'the one local user holds the email');
});

test('faults: down, 5xx, slow past the timeout, malformed, no id, wrong signature — clear errors, nothing half-created', async () => {
  const u = await legacyUser('faults');
  const down = await login('Legacy-Down', u.email, u.password);
  assert.deepEqual([down.status, down.body.error], [503, 'temporarily_unavailable']);
  const wrongSecret = await login('Legacy-WrongSecret', u.email, u.password);
  assert.deepEqual([wrongSecret.status, wrongSecret.body.error], [502, 'server_error']);
  for (const [mode, status, error] of [['5xx', 503, 'temporarily_unavailable'], ['malformed', 502, 'server_error'], ['no_id', 502, 'server_error'],
    ['slow', 503, 'temporarily_unavailable'], ['huge', 502, 'server_error']]) {
    await fault(mode);
    const before = await stats();
    const r = await login('Legacy-Import', u.email, u.password);
    assert.deepEqual([r.status, r.body.error], [status, error], mode);
    const after = await stats();
    const logins = (after.login ?? 0) - (before.login ?? 0);
    if (mode === '5xx') assert.ok(logins >= 2, `5xx is retried (${logins})`);
    // A login that timed out may have been processed: its password is not sent again.
    if (mode === 'slow') assert.equal(logins, 1, 'a timed-out login is not re-sent');
    assert.equal((after.replays_refused ?? 0) - (before.replays_refused ?? 0), 0, `${mode}: every attempt is a new, signed request id`);
  }
  await fault('none');
  // Nothing was created by the failed attempts; once legacy is back the user migrates normally.
  const ok = await login('Legacy-Import', u.email, u.password);
  assert.equal(ok.status, 200);
  assert.equal(sub(ok.body), `auth0|${u.id}`);
});

test('a legacy user logs in through the widget on the hosted page and migrates', async () => {
  const u = await legacyUser('widget');
  const q = new URLSearchParams({ client_id: 'demo-spa', response_type: 'code', redirect_uri: `${PAGES}/callback.html`,
    code_challenge: 'z'.repeat(43), code_challenge_method: 'S256', state: 's', connection: 'Legacy-Import' });
  const page = await browser.newPage();
  await page.goto(`${BASE}/authorize?${q}`);
  await page.locator('#tg-login-id').waitFor();
  await page.fill('#tg-login-id', u.email);
  await page.fill('#tg-login-password', u.password);
  await screenshot(page, 'legacy-login');
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.origin === PAGES);
  assert.ok(new URL(page.url()).searchParams.get('code'));
  await page.close();
  const before = (await stats()).login ?? 0;
  assert.equal((await login('Legacy-Import', u.email, u.password)).status, 200);
  assert.equal((await stats()).login ?? 0, before, 'migrated by the widget login');
});
