// The operator console at /admin in Chromium against workerd: the owner signs in through the
// hosted login page (code + PKCE), finds a user, changes a password policy and sees sign-up
// enforce it, imports a file and watches its progress bar complete, sees the migration chart;
// every page is keyboard-labelled with 0 axe-core violations and screenshotted. An ordinary user
// gets no console and no Management API. Passkeys (on a Worker of its own at http://localhost, since
// WebAuthn takes no IP address as its RP id): the database connection's switches, a user's sign-in
// methods, a passkey deleted. Multi-factor: the owner turns on the authenticator app and the policy,
// a user enrols through Auth0's MFA API, the user page deletes a factor and resets MFA, and the
// policy goes off again (the tenant is left as it was found).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { BASE, CONNECTION, consoleSignIn, launch, login, post, REALM_GRANT, screenshot, signUp, testIp, uniqueEmail } from './lib.mjs';
import { root, startWorker } from './worker.mjs';

const OWNER = process.env.ADMIN_EMAIL ?? 'owner@tollgate.test';
const OWNER_PASSWORD = process.env.ADMIN_PASSWORD ?? 'Console-Owner-Pass-1';
const PAGES = ['Users', 'Connections', 'Applications', 'Import / Export', 'Migration', 'Attack protection', 'Multi-factor'];
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
  await consoleSignIn(page, OWNER, OWNER_PASSWORD);
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
  // Its sign-in methods: the password.
  await page.getByRole('table', { name: 'Sign-in methods' }).getByRole('cell', { name: 'password', exact: true }).waitFor();
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
  await consoleSignIn(page, email, password);
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
  await consoleSignIn(page, OWNER, OWNER_PASSWORD);
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
  await consoleSignIn(page, OWNER, OWNER_PASSWORD);
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
  await consoleSignIn(p2, invitee, 'Invited-viewer-pass-7');
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

test('passkeys in the console: the database connection switches them; a user\'s sign-in methods; a passkey deleted', async () => {
  // A Worker of its own on http://localhost: WebAuthn refuses an IP address as its RP id.
  const w = await startWorker({ state: path.join(process.env.ARTIFACTS ?? path.join(root, 'tests', 'artifacts'), 'console-passkeys-state'), host: 'localhost' });
  const B = w.origin;
  const contexts = [];
  try {
    const token = (await (await fetch(`${B}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: w.m2mSecret, audience: `${B}/api/v2/` }) })).json()).access_token;
    const mgmt = async (method, p, body) => {
      const r = await fetch(`${B}/api/v2/${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body) });
      return { status: r.status, body: await r.json().catch(() => null) };
    };
    const userId = async (email) => (await mgmt('GET', `users-by-email?email=${encodeURIComponent(email)}`)).body[0].user_id;
    const methodsOf = async (email) => (await mgmt('GET', `users/${encodeURIComponent(await userId(email))}/authentication-methods`)).body;
    const hostedLogin = () => {
      const u = new URL(`${B}/authorize`);
      for (const [k, v] of Object.entries({ client_id: 'demo-spa', redirect_uri: `${B}/callback`, response_type: 'code', scope: 'openid email',
        state: 'st4te', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })) u.searchParams.set(k, v);
      return u.href;
    };

    // Two users who signed up with a passkey on the hosted page (Chromium's virtual authenticator),
    // and one with a password.
    const holder = await browser.newContext();
    contexts.push(holder);
    await holder.addInitScript(() => {
      // No autofill request: it would race the button.
      if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    const hp = await holder.newPage();
    const cdp = await holder.newCDPSession(hp);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
    const [keyA, keyB] = [uniqueEmail('console-passkey-a'), uniqueEmail('console-passkey-b')];
    for (const email of [keyA, keyB]) {
      await holder.clearCookies();
      await hp.goto(hostedLogin());
      await hp.click('#tg-tab-signup');
      await hp.fill('#tg-signup-email', email);
      await hp.getByRole('button', { name: 'Sign up with a passkey' }).click();
      await hp.waitForURL((u) => u.pathname === '/callback', { timeout: 20_000 });
    }
    assert.deepEqual((await methodsOf(keyA)).map((m) => m.type), ['passkey']);
    const pwUser = uniqueEmail('console-password');
    const su = await post(`${B}/dbconnections/signup`, { client_id: 'demo-spa', connection: CONNECTION, email: pwUser, password: 'Console-methods-1!' },
      { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });
    assert.equal(su.status, 200, JSON.stringify(su.body));

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const found = [];
    await consoleSignIn(page, OWNER, OWNER_PASSWORD, B);
    const nav = page.getByRole('navigation', { name: 'Console' });
    await nav.waitFor({ timeout: 15_000 });

    // Connections: passkeys off, then on with the offer after a password login; the rest kept.
    const before = (await mgmt('GET', 'connections')).body.find((c) => c.name === CONNECTION);
    assert.equal(before.options.authentication_methods.passkey.enabled, true, 'the demo connection offers passkeys');
    await nav.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: CONNECTION }).click();
    const offer = page.getByRole('checkbox', { name: 'Offer passkeys: sign up and log in without a password' });
    const enrol = page.getByRole('checkbox', { name: 'After a password login, offer to add a passkey' });
    assert.equal(await offer.isChecked(), true);
    assert.equal(await enrol.isChecked(), before.options.passkey_options.progressive_enrollment_enabled);
    await offer.uncheck();
    assert.equal(await enrol.isDisabled(), true, 'no offer to add a passkey without passkeys');
    await axe(page, 'connections-passkeys', found);
    // Saves and waits for the API's answer (the notice's text is the same at every save).
    const save = async () => {
      const answered = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/v2/connections/'));
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      assert.equal((await answered).status(), 200);
      await page.getByText('Saved. The next sign-up and login use these settings.').waitFor();
    };
    await save();
    let now = (await mgmt('GET', 'connections')).body.find((c) => c.name === CONNECTION);
    assert.equal(now.options.authentication_methods.passkey.enabled, false);
    const kept = (o) => ({ policy: o.passwordPolicy, history: o.password_history, password: o.authentication_methods.password,
      challenge: o.passkey_options.challenge_ui, local: o.passkey_options.local_enrollment_enabled, bfp: o.brute_force_protection });
    assert.deepEqual(kept(now.options), kept(before.options), 'the other options are kept');
    // The hosted page no longer offers a passkey.
    const visitor = await browser.newContext();
    contexts.push(visitor);
    const vp = await visitor.newPage();
    await vp.goto(hostedLogin());
    await vp.locator('#tg-login-id').waitFor();
    assert.equal(await vp.getByRole('button', { name: 'Continue with a passkey' }).count(), 0);
    assert.notEqual(await vp.getAttribute('#tg-login-id', 'autocomplete'), 'username webauthn');

    await offer.check();
    await enrol.check();
    await save();
    now = (await mgmt('GET', 'connections')).body.find((c) => c.name === CONNECTION);
    assert.equal(now.options.authentication_methods.passkey.enabled, true);
    assert.equal(now.options.passkey_options.progressive_enrollment_enabled, true);
    assert.deepEqual(kept(now.options), kept(before.options), 'the other options are kept');
    await vp.goto(hostedLogin());
    await vp.getByRole('button', { name: 'Continue with a passkey' }).waitFor();

    // Users: a password user's methods list the password, which is not deleted (a reset replaces it).
    const open = async (email) => {
      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('searchbox', { name: 'Search users' }).fill(email);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('button', { name: email }).click();
      await page.getByRole('heading', { level: 2, name: email }).waitFor();
      const table = page.getByRole('table', { name: 'Sign-in methods' });
      await table.waitFor();
      return table;
    };
    let table = await open(pwUser);
    assert.equal(await table.getByRole('cell', { name: 'password', exact: true }).count(), 1);
    assert.equal(await table.getByRole('button').count(), 0, 'no delete button for a password');
    assert.match(await table.textContent(), /A password reset replaces it/);
    const [pwMethod] = await methodsOf(pwUser);
    assert.equal(pwMethod.type, 'password');
    const refusedPw = await mgmt('DELETE', `users/${encodeURIComponent(await userId(pwUser))}/authentication-methods/${encodeURIComponent(pwMethod.id)}`);
    assert.equal(refusedPw.status, 400);
    assert.match(refusedPw.body.message, /password is not deleted/);
    await axe(page, 'users-methods-password', found);

    // A passkey user: the passkey, deleted after a confirmation (Cancel first).
    table = await open(keyA);
    assert.equal(await table.getByRole('cell', { name: 'passkey', exact: true }).count(), 1);
    assert.match(await table.textContent(), /Passkey/);
    await table.getByRole('button', { name: 'Delete Passkey…' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm passkey deletion' });
    await confirm.waitFor();
    await axe(page, 'users-methods-passkey-confirm', found);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await methodsOf(keyA)).length, 1, 'Cancel deletes nothing');
    await table.getByRole('button', { name: 'Delete Passkey…' }).click();
    await confirm.getByRole('button', { name: 'Yes, delete passkey' }).click();
    await page.getByText('The passkey is deleted and the user is signed out everywhere.').waitFor();
    await page.getByText(/No password and no passkey: this user cannot sign in until they set a password/).waitFor();
    assert.deepEqual(await methodsOf(keyA), []);
    await axe(page, 'users-methods-deleted', found);

    // Deleted meanwhile (another operator): the API's refusal is shown, then the list as it is.
    table = await open(keyB);
    await table.getByRole('button', { name: 'Delete Passkey…' }).click();
    const [keyBMethod] = await methodsOf(keyB);
    assert.equal((await mgmt('DELETE', `users/${encodeURIComponent(await userId(keyB))}/authentication-methods/${encodeURIComponent(keyBMethod.id)}`)).status, 204);
    await confirm.getByRole('button', { name: 'Yes, delete passkey' }).click();
    const alert = page.locator('.detail .error[role=alert]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /The authentication method does not exist\. \(404\)/);
    await page.getByText(/No password and no passkey: this user cannot sign in until they set a password/).waitFor();
    await axe(page, 'users-methods-refused', found);

    assert.deepEqual(found, []);
    assert.deepEqual(errors, []);
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    await w.stop();
  }
});

/** RFC 6238 (HMAC-SHA1, 6 digits, 30 s steps) from an unpadded Base32 secret. */
function totp(secretB32, t = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('multi-factor in the console: the factor and the policy switched on, a user enrolled, a factor deleted, MFA reset, the policy off again', async () => {
  const factorsBefore = (await api('GET', 'guardian/factors')).body;
  const policiesBefore = (await api('GET', 'guardian/policies')).body;
  assert.ok(Array.isArray(factorsBefore) && Array.isArray(policiesBefore), JSON.stringify([factorsBefore, policiesBefore]));
  const wasOn = (name) => factorsBefore.find((f) => f.name === name)?.enabled === true;
  const contexts = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const found = [];
    await consoleSignIn(page, OWNER, OWNER_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Console' });
    await nav.waitFor({ timeout: 15_000 });

    // The page: the two factors Tollgate offers, Auth0's others as not available, the policy.
    await nav.getByRole('link', { name: 'Multi-factor' }).click();
    await page.getByRole('heading', { level: 1, name: 'Multi-factor' }).waitFor();
    const otp = page.getByRole('checkbox', { name: 'Authenticator app (TOTP)' });
    const byEmail = page.getByRole('checkbox', { name: 'Codes by email' });
    await otp.waitFor();
    assert.equal(await otp.isChecked(), wasOn('otp'));
    assert.equal(await byEmail.isChecked(), wasOn('email'));
    const unavailable = await page.locator('ul.unavailable').textContent();
    for (const name of ['sms', 'push-notification']) assert.match(unavailable, new RegExp(`${name} — not available`), unavailable);
    // WebAuthn as a second factor: a switch once the edge offers it (shared's SUPPORTED_FACTORS), else not available.
    for (const label of ['Security keys (WebAuthn roaming)', 'Device biometrics (WebAuthn platform)']) {
      const offered = await page.getByRole('checkbox', { name: label }).count();
      assert.ok(offered === 1 || unavailable.includes(`${label} webauthn-`), `${label}: ${unavailable}`);
    }
    const never = page.getByRole('radio', { name: 'Never' });
    const always = page.getByRole('radio', { name: 'Always, for every application' });
    assert.equal(await always.isChecked(), policiesBefore.includes('all-applications'));
    assert.match(await page.locator('main').textContent(), /Console administrators are outside this policy/);

    // The authenticator app on (saved at the switch), then the policy "always" (saved with its button).
    if (!(await otp.isChecked())) {
      await otp.check();
      await page.getByText('Authenticator app (TOTP) is on.').waitFor();
    }
    await always.check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved: every login to every application asks for a second step.').waitFor();
    await axe(page, 'mfa', found);
    assert.deepEqual((await api('GET', 'guardian/policies')).body, ['all-applications']);
    assert.equal((await api('GET', 'guardian/factors')).body.find((f) => f.name === 'otp').enabled, true);
    // After a reload the page shows what is saved.
    await page.reload();
    await otp.waitFor();
    assert.equal(await otp.isChecked(), true);
    assert.equal(await always.isChecked(), true);
    // "Remember this browser" for 14 days.
    await page.getByRole('checkbox', { name: 'Offer “Remember this browser” on the second step' }).check();
    await page.getByLabel('Days').fill('14');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved: the second step offers to remember the browser for 14 days.').waitFor();
    assert.deepEqual((await api('GET', 'guardian/remember-browser')).body, { enabled: true, lifetime_days: 14 });
    await axe(page, 'mfa-remember', found);

    // Console administrators are outside the policy: a new sign-in to the console asks for no second step.
    const again = await browser.newContext();
    contexts.push(again);
    const p2 = await again.newPage();
    await consoleSignIn(p2, OWNER, OWNER_PASSWORD);
    await p2.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });

    // A user enrols an authenticator app through Auth0's MFA API as demo-web (a server-side client).
    const email = uniqueEmail('console-mfa');
    const password = 'Console-mfa-Pass-1';
    await signUp(email, password);
    const web = { client_id: 'demo-web', client_secret: process.env.DEMO_WEB_SECRET };
    const ip = testIp();
    const call = async (p, body, headers = {}) => {
      const r = await fetch(`${BASE}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, ...headers }, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json().catch(() => null) };
    };
    const first = await call('/oauth/token', { grant_type: REALM_GRANT, ...web, username: email, password, realm: CONNECTION, scope: 'openid email' });
    assert.equal(first.status, 403, JSON.stringify(first.body));
    assert.equal(first.body.error, 'mfa_required');
    const mfaToken = first.body.mfa_token;
    const assoc = await call('/mfa/associate', { authenticator_types: ['otp'] }, { authorization: `Bearer ${mfaToken}` });
    assert.equal(assoc.status, 200, JSON.stringify(assoc.body));
    assert.match(assoc.body.barcode_uri, /^otpauth:\/\/totp\//);
    assert.equal(assoc.body.recovery_codes.length, 1);
    const confirmed = await call('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/mfa-otp', ...web, mfa_token: mfaToken, otp: totp(assoc.body.secret) });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const userId = (await api('GET', `users-by-email?email=${encodeURIComponent(email)}`)).body[0].user_id;
    const methodsOf = async () => (await api('GET', `users/${encodeURIComponent(userId)}/authentication-methods`)).body.map((m) => m.type).sort();
    assert.deepEqual(await methodsOf(), ['password', 'recovery-code', 'totp']);

    // The user page lists the factors.
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('searchbox', { name: 'Search users' }).fill(email);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: email }).click();
    await page.getByRole('heading', { level: 2, name: email }).waitFor();
    const table = page.getByRole('table', { name: 'Sign-in methods' });
    await table.getByRole('cell', { name: 'totp', exact: true }).waitFor();
    assert.equal(await table.getByRole('cell', { name: 'recovery-code', exact: true }).count(), 1);
    assert.equal(await table.getByRole('cell', { name: 'Authenticator app', exact: true }).count(), 1);
    await axe(page, 'users-mfa', found);

    // One factor deleted (the recovery code), after a confirmation.
    await table.getByRole('button', { name: 'Delete Recovery code…' }).click();
    const confirmFactor = page.getByRole('group', { name: 'Confirm factor deletion' });
    await confirmFactor.waitFor();
    await axe(page, 'users-mfa-factor-confirm', found);
    await confirmFactor.getByRole('button', { name: 'Yes, delete factor' }).click();
    await page.getByText('The factor is deleted.').waitFor();
    await page.waitForFunction(() => {
      const t = document.querySelector('table.methods');
      return t && !/recovery-code/.test(t.textContent) && /totp/.test(t.textContent);
    });
    assert.deepEqual(await methodsOf(), ['password', 'totp']);

    // Forget the user's remembered browsers (no confirmation: it only asks for the second step again).
    await page.getByRole('button', { name: 'Forget remembered browsers' }).click();
    await page.getByText('Remembered browsers are forgotten: each asks for the second step at its next login.').waitFor();
    // Reset MFA: Cancel first, then Yes; every factor goes and the list is read again.
    const resetButton = page.getByRole('button', { name: 'Reset MFA…' });
    await resetButton.click();
    const confirmReset = page.getByRole('group', { name: 'Confirm MFA reset' });
    await confirmReset.waitFor();
    assert.match(await confirmReset.textContent(), /The user sets up their second step again at their next login\./);
    await axe(page, 'users-mfa-reset-confirm', found);
    await confirmReset.getByRole('button', { name: 'Cancel' }).click();
    await confirmReset.waitFor({ state: 'detached' });
    assert.deepEqual(await methodsOf(), ['password', 'totp'], 'Cancel resets nothing');
    await resetButton.click();
    await confirmReset.getByRole('button', { name: 'Yes, reset MFA' }).click();
    await page.getByText('MFA is reset: the user sets up their second step again at their next login.').waitFor();
    // The list read again (it shows "Loading…" meanwhile): the password alone, no reset button.
    await page.waitForFunction(() => {
      const t = document.querySelector('table.methods');
      return t && !/totp|recovery-code/.test(t.textContent) && /password/.test(t.textContent);
    });
    assert.equal(await table.getByRole('cell', { name: 'password', exact: true }).count(), 1);
    assert.equal(await resetButton.count(), 0, 'no reset without a factor');
    assert.deepEqual(await methodsOf(), ['password']);
    await axe(page, 'users-mfa-reset-done', found);
    // The next login asks the user to enrol again.
    const next = await call('/oauth/token', { grant_type: REALM_GRANT, ...web, username: email, password, realm: CONNECTION, scope: 'openid' });
    assert.equal(next.body.error, 'mfa_required', JSON.stringify(next.body));

    // The policy off again and the factors as they were, in the console.
    await nav.getByRole('link', { name: 'Multi-factor' }).click();
    await otp.waitFor();
    await never.check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved: no login asks for a second step.').waitFor();
    if (!wasOn('otp')) {
      await otp.uncheck();
      await page.getByText('Authenticator app (TOTP) is off.').waitFor();
    }
    await axe(page, 'mfa-off', found);
    assert.deepEqual((await api('GET', 'guardian/policies')).body, []);
    assert.equal((await api('GET', 'guardian/factors')).body.find((f) => f.name === 'otp').enabled, wasOn('otp'));
    const plain = await call('/oauth/token', { grant_type: REALM_GRANT, ...web, username: email, password, realm: CONNECTION, scope: 'openid' });
    assert.equal(plain.status, 200, JSON.stringify(plain.body));

    assert.deepEqual(found, []);
    assert.deepEqual(errors, []);
  } finally {
    // Other tests share this Worker: the tenant as it was found, whatever happened above.
    await api('PUT', 'guardian/policies', policiesBefore);
    await api('PUT', 'guardian/remember-browser', { enabled: false, lifetime_days: 30 });
    for (const f of factorsBefore.filter((f) => ['otp', 'email'].includes(f.name))) await api('PUT', `guardian/factors/${f.name}`, { enabled: f.enabled });
    for (const c of contexts) await c.close().catch(() => {});
  }
});
