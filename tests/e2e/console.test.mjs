// The operator console at /admin in Chromium against workerd: the owner signs in through the
// hosted login page (code + PKCE), finds a user, changes a password policy and sees sign-up
// enforce it, imports a file and watches its progress bar complete, sees the migration chart;
// every page is keyboard-labelled with 0 axe-core violations and screenshotted. An ordinary user
// gets no console and no Management API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { BASE, CONNECTION, launch, login, post, screenshot, signUp, testIp, uniqueEmail } from './lib.mjs';

const OWNER = process.env.ADMIN_EMAIL ?? 'owner@tollgate.test';
const OWNER_PASSWORD = process.env.ADMIN_PASSWORD ?? 'Console-Owner-Pass-1';
const PAGES = ['Users', 'Connections', 'Applications', 'Import / Export', 'Migration', 'Attack protection'];
let browser;
let m2m;
before(async () => {
  browser = await launch();
  const r = await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET, audience: `${BASE}/api/v2/` });
  m2m = r.body.access_token;
});
after(async () => browser?.close());

async function api(method, path, body) {
  const r = await fetch(`${BASE}/api/v2/${path}`, {
    method, headers: { authorization: `Bearer ${m2m}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

async function signIn(page, email, password) {
  await page.goto(`${BASE}/admin/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/authorize');
  await page.locator('#tg-login-id').waitFor();
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', password);
  await page.click('button[type=submit]');
}

async function axe(page, name, found) {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) found.push(`${name}: ${v.id} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await screenshot(page, `console-${name}`);
}

test('the owner runs the tenant from the console: users, a password policy, an import, the migration chart', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
  const found = [];

  await page.goto(`${BASE}/admin/`);
  await page.getByRole('heading', { level: 1, name: 'Tollgate console' }).waitFor();
  await axe(page, 'signin', found);
  await signIn(page, OWNER, OWNER_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/admin/' && !u.search);
  const nav = page.getByRole('navigation', { name: 'Console' });
  await nav.getByRole('link', { name: 'Users' }).waitFor({ timeout: 15_000 }).catch(async (e) => {
    await screenshot(page, 'console-after-signin');
    throw new Error(`no console after sign-in: ${await page.locator('body').textContent()}`, { cause: e });
  });
  for (const name of PAGES) assert.ok(await nav.getByRole('link', { name }).isVisible(), name);

  // Users: find one by email, open it.
  const email = uniqueEmail('console-find');
  await signUp(email, 'Console-user-1!');
  await page.getByRole('searchbox', { name: 'Search users' }).fill(email);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: email }).click();
  await page.getByRole('heading', { level: 2, name: email }).waitFor();
  assert.match(await page.locator('.detail').textContent(), new RegExp(CONNECTION));
  await page.getByRole('button', { name: 'Send password reset email' }).click();
  await page.getByText(/A password reset email is on its way/).waitFor();
  const outbox = await (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json();
  assert.match(outbox[0].link, /\/lo\/reset\?ticket=/, 'the user got the reset mail');
  await axe(page, 'users', found);

  // Connections: a password policy changed here is what the next sign-up enforces.
  const name = `console-${Date.now()}`;
  const conn = await api('POST', 'connections', { name, strategy: 'auth0', options: { passwordPolicy: 'low' }, enabled_clients: ['demo-spa'] });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  const signupOn = (password) => post('/dbconnections/signup', { client_id: 'demo-spa', connection: name, email: uniqueEmail('policy'), password },
    { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });
  assert.equal((await signupOn('short-pw1')).status, 200, 'low: 6 characters are enough');
  await nav.getByRole('link', { name: 'Connections' }).click();
  await page.getByRole('button', { name }).click();
  await page.getByLabel('Password strength').selectOption('good');
  await page.getByLabel("Minimum length (empty: the level's)").fill('14');
  await page.getByLabel('Try a password').fill('short-pw1');
  assert.match(await page.locator('.preview').textContent(), /This password is refused/);
  await axe(page, 'connections', found);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('form.settings > .notice, form.settings > .error').waitFor();
  assert.equal(await page.locator('form.settings > .error').count(), 0, await page.locator('form.settings > .error').first().textContent().catch(() => ''));
  await page.getByText('Saved. The next sign-up and login use these settings.').waitFor();
  const refused = await signupOn('short-pw1');
  assert.equal(refused.status, 400);
  assert.equal(refused.body.name, 'PasswordStrengthError');
  assert.equal((await signupOn('Long-enough-pw-42')).status, 200);

  // Import / Export: a small file, its progress bar to 100 %, then the failed row.
  await nav.getByRole('link', { name: 'Import / Export' }).click();
  const users = [{ email: uniqueEmail('imp-a') }, { email: uniqueEmail('imp-b'), name: 'Imported B' }, { email: 'not-an-email' }];
  await page.getByLabel("Users file (JSON or NDJSON, Auth0's import format)").setInputFiles({ name: 'users.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(users)) });
  await page.getByLabel('Connection').selectOption({ label: name });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const bar = page.getByRole('progressbar', { name: 'users.json progress' });
  await bar.waitFor();
  await page.waitForFunction(() => document.querySelector('progress')?.value === 100, null, { timeout: 60_000 });
  await page.getByText('2 inserted, 0 updated, 1 failed of 3').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Show failed rows' }).click();
  await page.getByRole('table', { name: 'Failed rows' }).waitFor();
  assert.match(await page.getByRole('table', { name: 'Failed rows' }).textContent(), /2.*FORMAT|FORMAT/);
  await axe(page, 'import-export', found);

  // Migration: the chart of how users came, and logins per day.
  assert.equal((await login(email, 'Console-user-1!', testIp())).status, 200);
  await nav.getByRole('link', { name: 'Migration' }).click();
  await page.getByRole('img', { name: /New users per day/ }).waitFor();
  const totals = await page.locator('dl.totals').textContent();
  assert.match(totals, /Imported in bulk\s*[1-9]/, totals);
  assert.match(totals, /Signed up\s*[1-9]/, totals);
  await page.getByRole('img', { name: /Logins per day/ }).waitFor();
  await axe(page, 'migration', found);

  await nav.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('table', { name: 'Applications' }).waitFor();
  assert.match(await page.getByRole('table', { name: 'Applications' }).textContent(), /demo-spa/);
  await axe(page, 'applications', found);
  await nav.getByRole('link', { name: 'Attack protection' }).click();
  await page.getByText(/Nothing is blocked|Blocked identifiers/).first().waitFor();
  await axe(page, 'attack-protection', found);

  // Keyboard: from the page's start, Tab reaches the navigation and Enter follows a link.
  await page.reload();
  await nav.getByRole('link', { name: 'Users' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Users');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/connections');
  await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();

  assert.deepEqual(found, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an ordinary user gets no console and no Management API', async () => {
  const email = uniqueEmail('not-admin');
  const password = 'Ordinary-user-1!';
  await signUp(email, password);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email, password);
  await page.locator('.tg-error').waitFor();
  assert.equal(new URL(page.url()).pathname, '/authorize', 'the console login knows only administrators');
  await screenshot(page, 'console-ordinary-user-refused');
  await page.goto(`${BASE}/admin/`);
  assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);
  await context.close();

  // The user's own token, whatever it asks for, opens no Management API.
  const asked = await login(email, password, testIp(), { audience: `${BASE}/api/v2/`, scope: 'openid read:users' });
  assert.equal(asked.status, 403);
  assert.equal(asked.body.error, 'access_denied');
  const own = await login(email, password, testIp());
  assert.equal(own.status, 200);
  const r = await fetch(`${BASE}/api/v2/users`, { headers: { authorization: `Bearer ${own.body.access_token}` } });
  assert.equal(r.status, 401, 'a user token is not a Management API credential');
});

test('signing out ends the server session: the next person at this browser is asked for a password', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, OWNER, OWNER_PASSWORD);
  await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });
  // The owner's session also makes no ID token for an application (silent authentication).
  const silent = new URL(`${BASE}/authorize`);
  for (const [k, v] of Object.entries({ client_id: 'demo-spa', redirect_uri: `${BASE}/callback`, response_type: 'id_token',
    response_mode: 'fragment', nonce: 'n0nce-1234', prompt: 'none', scope: 'openid' })) silent.searchParams.set(k, v);
  const r = await context.request.get(silent.href, { maxRedirects: 0 });
  assert.equal(r.status(), 302);
  const back = new URL(r.headers().location);
  assert.match(back.hash, /error=login_required/, back.href);
  assert.doesNotMatch(back.hash, /id_token=/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/');
  const cookies = (await context.cookies(BASE)).map((c) => c.name);
  assert.ok(!cookies.includes('tg_session'), `the session cookie is gone: ${cookies}`);
  // The next visitor clicks "Sign in": the hosted page asks for a password.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/authorize');
  await page.locator('#tg-login-password').waitFor({ timeout: 15_000 });
  await screenshot(page, 'console-after-sign-out');
  assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);
  await context.close();
});

test("the sign-in page never shows a link's own error text", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bait = 'Your account is suspended. Call +1 555 0100 now';
  await page.goto(`${BASE}/admin/?error=access_denied&error_description=${encodeURIComponent(bait)}`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  assert.ok(!text.includes('555'), text);
  assert.match(text, /not a member of this tenant/);
  await screenshot(page, 'console-refused-fixed-text');
  await context.close();
});

test('the owner invites a member who sets a password once; the email connection is edited on Connections', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const found = [];
  await signIn(page, OWNER, OWNER_PASSWORD);
  const nav = page.getByRole('navigation', { name: 'Console' });
  await nav.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
  await page.getByRole('cell', { name: OWNER, exact: true }).waitFor();
  const invitee = uniqueEmail('member');
  await page.getByLabel('Invite by email').fill(invitee);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  await page.getByText(/is invited/).waitFor();
  await page.getByRole('cell', { name: invitee, exact: true }).waitFor();
  assert.equal(await page.getByRole('row', { name: new RegExp(invitee) }).getByRole('cell', { name: 'Invited' }).count(), 1);
  await axe(page, 'members', found);

  // The invitee sets a password with the mailed link (once), then signs in as a viewer.
  const mail = await (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(invitee)}`)).json();
  assert.match(mail[0].link, /\/lo\/reset\?ticket=/);
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await p2.goto(mail[0].link);
  await p2.locator('#tg-reset-password').waitFor();
  await p2.fill('#tg-reset-password', 'Invited-viewer-pass-7');
  await p2.fill('#tg-reset-confirm', 'Invited-viewer-pass-7');
  await p2.click('button[type=submit]');
  await p2.getByText(/Your password was changed/).waitFor();
  await signIn(p2, invitee, 'Invited-viewer-pass-7');
  await p2.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });
  await p2.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Members' }).click();
  await p2.getByRole('alert').waitFor();
  assert.match(await p2.getByRole('alert').textContent(), /owner/i, 'a viewer does not manage members');
  await other.close();

  // Passwordless: the demo email connection's settings and applications.
  await nav.getByRole('link', { name: 'Connections' }).click();
  await page.getByRole('heading', { level: 2, name: 'Passwordless' }).waitFor();
  await page.getByRole('heading', { level: 3, name: 'Connection email' }).waitFor();
  await page.getByRole('checkbox', { name: 'Demo SPA' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Demo SPA' }).isChecked(), true);
  await page.getByLabel('Code length (digits, 4–10)').fill('8');
  await page.getByRole('button', { name: 'Save email' }).click();
  await page.getByText('Saved.').waitFor();
  await axe(page, 'connections-passwordless', found);
  const r = await api('GET', 'connections');
  const email = r.body.find((c) => c.name === 'email');
  assert.equal(email.options.totp.length, 8);
  // Back to 6 digits for the other suites.
  await api('PATCH', `connections/${email.id}`, { options: { ...email.options, totp: { length: 6, time_step: 300 } } });
  assert.deepEqual(found, []);
  await context.close();
});
