// Passkeys in real Chromium with the DevTools virtual authenticator (internal transport, resident
// keys, user verification) against workerd (issue 24): sign up with a passkey on the hosted page
// and log in again with it; a password login offered to add one ("Add a passkey"), then a passkey
// login of that account; an authenticator without a passkey gets nowhere; a replayed assertion is
// refused. The Worker runs on http://localhost (WebAuthn takes no IP address as its RP id).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { launch, screenshot, site, uniqueEmail } from './lib.mjs';
import { root, startStatic, startWorker } from './worker.mjs';

let worker;
let pages;
let PAGES;
let browser;
let own;
const mgmt = (...a) => own.mgmt(...a);
const authorizeUrl = () => own.authorizeUrl();
const landed = (page, verifier) => own.landed(page, verifier);
let BASE;
before(async () => {
  // The embedding page on another port of the same host: another origin, the same RP id.
  pages = await startStatic(path.join(root, 'tests', 'pages'));
  PAGES = pages.origin.replace('127.0.0.1', 'localhost');
  worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'passkeys-state'), host: 'localhost', extraOrigins: [PAGES] });
  BASE = worker.origin;
  own = site(worker);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
  await pages?.stop();
});

/**
 * A page with a virtual platform authenticator (what a phone or laptop with a screen lock is).
 * Chromium's virtual authenticator answers an autofill (conditional) request at once, which would
 * race the button; without `autofill` the page sees a browser that offers no passkey autofill.
 */
async function withAuthenticator(context, { autofill = false } = {}) {
  if (!autofill) {
    await context.addInitScript(() => {
      if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
    protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
    isUserVerified: true, automaticPresenceSimulation: true } });
  return { page, cdp, authenticatorId };
}

async function axe(page, name, found) {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) found.push(`${name}: ${v.id} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await screenshot(page, `passkey-${name}`);
}

test('sign up with a passkey on the hosted page, then log in with it again', async () => {
  const context = await browser.newContext();
  const { page, cdp, authenticatorId } = await withAuthenticator(context);
  const found = [];
  const email = uniqueEmail('passkey-signup');
  let { url, verifier } = authorizeUrl();
  await page.goto(url);
  await page.locator('#tg-login-id').waitFor();
  assert.equal(await page.getAttribute('#tg-login-id', 'autocomplete'), 'username webauthn', 'autofill offers passkeys');
  await axe(page, 'login', found);
  await page.click('#tg-tab-signup');
  await page.fill('#tg-signup-email', email);
  await page.getByRole('button', { name: 'Sign up with a passkey' }).click();
  const first = await landed(page, verifier);
  assert.equal(first.email, email);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].isResidentCredential, true, 'a discoverable credential');

  // A new visit without the session: the passkey logs in, the same user.
  await context.clearCookies();
  ({ url, verifier } = authorizeUrl());
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  const second = await landed(page, verifier);
  assert.equal(second.sub, first.sub);
  const user = await mgmt('GET', `users/${encodeURIComponent(first.sub)}`);
  assert.equal(user.body.logins_count, 2);
  const methods = await mgmt('GET', `users/${encodeURIComponent(first.sub)}/authentication-methods`);
  assert.deepEqual(methods.body.map((m) => m.type), ['passkey'], 'no password');
  assert.deepEqual(found, []);
  await context.close();
});

test('a password login offers to add a passkey; the passkey then logs in; "not now" is remembered', async () => {
  const conns = await mgmt('GET', 'connections');
  const db = conns.body.find((c) => c.name === 'Username-Password-Authentication');
  const on = await mgmt('PATCH', `connections/${db.id}`, { options: { ...db.options,
    passkey_options: { ...db.options.passkey_options, progressive_enrollment_enabled: true } } });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const found = [];
  const email = uniqueEmail('passkey-enroll');
  const password = 'Passkey-later-Pass-1';
  const su = await fetch(`${BASE}/dbconnections/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'demo-spa', connection: 'Username-Password-Authentication', email, password }) });
  assert.equal(su.status, 200);
  const context = await browser.newContext();
  const { page } = await withAuthenticator(context);
  let { url, verifier } = authorizeUrl();
  await page.goto(url);
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', password);
  await page.click('#tg-login-form button[type=submit]');
  await page.getByRole('heading', { name: 'Log in faster next time' }).waitFor();
  await axe(page, 'enroll', found);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  const first = await landed(page, verifier);
  await context.clearCookies();
  ({ url, verifier } = authorizeUrl());
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  assert.equal((await landed(page, verifier)).sub, first.sub, 'the enrolled passkey logs the same account in');
  await context.close();

  // Another account says "not now": its next password login goes straight on.
  const other = uniqueEmail('passkey-notnow');
  await fetch(`${BASE}/dbconnections/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'demo-spa', connection: 'Username-Password-Authentication', email: other, password }) });
  for (const round of [1, 2]) {
    const c = await browser.newContext();
    const { page: p } = await withAuthenticator(c);
    const a = authorizeUrl();
    await p.goto(a.url);
    await p.fill('#tg-login-id', other);
    await p.fill('#tg-login-password', password);
    await p.click('#tg-login-form button[type=submit]');
    if (round === 1) {
      await p.getByRole('button', { name: 'Not now' }).click();
    }
    await landed(p, a.verifier);
    await c.close();
  }
  await mgmt('PATCH', `connections/${db.id}`, { options: db.options });
  assert.deepEqual(found, []);
});

test('an authenticator without a passkey gets nowhere, and a replayed assertion is refused', async () => {
  const context = await browser.newContext();
  const { page } = await withAuthenticator(context);
  const { url } = authorizeUrl();
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  await page.locator('.tg-error').waitFor({ timeout: 20_000 });
  assert.equal(new URL(page.url()).pathname, '/authorize', 'still on the login page');
  await screenshot(page, 'passkey-no-credential');
  await context.close();

  // A real assertion, captured on its way to the edge, sent a second time.
  const c2 = await browser.newContext();
  const { page: p2 } = await withAuthenticator(c2, { autofill: true });
  const email = uniqueEmail('passkey-replay');
  let a = authorizeUrl();
  await p2.goto(a.url);
  await p2.click('#tg-tab-signup');
  await p2.fill('#tg-signup-email', email);
  await p2.getByRole('button', { name: 'Sign up with a passkey' }).click();
  await landed(p2, a.verifier);
  await c2.clearCookies();
  let captured;
  p2.on('request', (r) => {
    if (new URL(r.url()).pathname === '/u/passkey/finish') captured = r.postData();
  });
  // Conditional mediation: the email field's autofill offers the passkey, nothing is clicked.
  a = authorizeUrl();
  await p2.goto(a.url);
  assert.equal((await landed(p2, a.verifier)).email, email, 'the autofill logged the account in');
  // A new transaction and a new ceremony (no session: the login page again): the old assertion
  // answers another challenge.
  await c2.clearCookies();
  const replay = await p2.evaluate(async ([url, body]) => {
    const html = await (await fetch(url)).text();
    const tx = /data-tollgate-authorize-tx="([^"]+)"/.exec(html)[1];
    const post = (path, b) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    const started = await (await post('/u/passkey/start', { tx, purpose: 'login' })).json();
    const old = JSON.parse(body);
    const r = await post('/u/passkey/finish', { tx, auth_session: started.auth_session, credential: old.credential });
    return { status: r.status, body: await r.json() };
  }, [authorizeUrl().url, captured]);
  assert.equal(replay.status, 403, JSON.stringify(replay));
  assert.equal(replay.body.error, 'invalid_grant');
  await c2.close();
});

test('the embedded widget (LoginWidget.mount on another origin of the site) signs up with a passkey and logs in with it', async () => {
  const context = await browser.newContext();
  const { page } = await withAuthenticator(context);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const open = (screen) => page.goto(`${PAGES}/widget.html?edge=${encodeURIComponent(BASE)}&screen=${screen}`);
  const authenticated = async () => {
    await page.waitForFunction(() => window.events?.some((e) => e.name === 'authenticated'), null, { timeout: 20_000 });
    return page.evaluate(() => window.events.find((e) => e.name === 'authenticated').payload);
  };
  const email = uniqueEmail('passkey-widget');
  await open('signUp');
  await page.fill('#tg-signup-email', email);
  await page.getByRole('button', { name: 'Sign up with a passkey' }).click();
  const first = await authenticated();
  assert.equal(first.idTokenPayload.email, email);
  assert.ok(first.accessToken);
  await screenshot(page, 'passkey-widget-signed-up');

  await open('login');
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  const second = await authenticated();
  assert.equal(second.idTokenPayload.sub, first.idTokenPayload.sub, 'the same account');
  const user = await mgmt('GET', `users/${encodeURIComponent(first.idTokenPayload.sub)}`);
  assert.equal(user.body.logins_count, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"Manage your passkeys" on the hosted page lists, adds and removes the signed-in user\'s passkeys', async () => {
  const found = [];
  const email = uniqueEmail('passkey-manage');
  const password = 'Passkey-manage-Pass-1';
  const su = await fetch(`${BASE}/dbconnections/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'demo-spa', connection: 'Username-Password-Authentication', email, password }) });
  assert.equal(su.status, 200);
  const manage = `${BASE}/u/passkeys?client_id=demo-spa`;
  // Without a session: nothing to manage.
  assert.equal((await fetch(manage)).status, 401);
  const context = await browser.newContext();
  const { page, cdp, authenticatorId } = await withAuthenticator(context);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const { url, verifier } = authorizeUrl();
  await page.goto(url);
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', password);
  await page.click('#tg-login-form button[type=submit]');
  const offer = page.getByRole('button', { name: 'Not now' });
  await Promise.race([offer.waitFor().then(() => offer.click()), page.waitForURL((u) => u.pathname === '/callback')]);
  const user = await landed(page, verifier);

  await page.goto(manage);
  await page.getByRole('heading', { name: 'Your passkeys' }).waitFor();
  await page.getByText('You have no passkeys yet.').waitFor();
  await axe(page, 'manage-empty', found);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Passkey added.').waitFor();
  await page.locator('.tg-passkey').first().waitFor();
  assert.equal(await page.locator('.tg-passkey').count(), 1);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1, 'the passkey is on the authenticator');
  // A second device: this authenticator forgets its passkey (the edge still has it) and makes another.
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credentials[0].credentialId });
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.locator('.tg-passkey').nth(1).waitFor();
  assert.equal(await page.locator('.tg-passkey').count(), 2);
  await axe(page, 'manage-list', found);
  let methods = await mgmt('GET', `users/${encodeURIComponent(user.sub)}/authentication-methods`);
  assert.deepEqual(methods.body.map((m) => m.type).sort(), ['passkey', 'passkey', 'password']);

  // Remove the first, after a confirmation that takes the focus.
  await page.locator('.tg-passkey').first().getByRole('button', { name: 'Remove' }).click();
  await page.getByText('Remove this passkey?').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Remove passkey', 'focus on the confirmation');
  await axe(page, 'manage-confirm', found);
  await page.getByRole('button', { name: 'Remove passkey' }).click();
  await page.getByText('Passkey removed.').waitFor();
  assert.equal(await page.locator('.tg-passkey').count(), 1);
  methods = await mgmt('GET', `users/${encodeURIComponent(user.sub)}/authentication-methods`);
  assert.deepEqual(methods.body.map((m) => m.type).sort(), ['passkey', 'password']);
  // The passkey left on the authenticator still logs in.
  await context.clearCookies();
  const again = authorizeUrl();
  await page.goto(again.url);
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  assert.equal((await landed(page, again.verifier)).sub, user.sub);

  // In French, as every screen.
  await page.goto(`${manage}&ui_locales=fr`);
  await page.getByRole('heading', { name: "Vos clés d'accès" }).waitFor();
  await page.locator('.tg-passkey').first().waitFor();
  await axe(page, 'manage-fr', found);
  assert.deepEqual(errors, []);
  assert.deepEqual(found, []);
  await context.close();
});

test('the embedded widget offers a passkey after a password login: added, it logs in; "not now" hands the tokens over at once', async () => {
  const conns = await mgmt('GET', 'connections');
  const db = conns.body.find((c) => c.name === 'Username-Password-Authentication');
  const on = await mgmt('PATCH', `connections/${db.id}`, { options: { ...db.options,
    passkey_options: { ...db.options.passkey_options, progressive_enrollment_enabled: true } } });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const password = 'Embedded-offer-Pass-1';
  const signUp = async (email) => {
    const r = await fetch(`${BASE}/dbconnections/signup`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'demo-spa', connection: 'Username-Password-Authentication', email, password }) });
    assert.equal(r.status, 200);
  };
  const found = [];
  const passwordLogin = async (page, email) => {
    await page.goto(`${PAGES}/widget.html?edge=${encodeURIComponent(BASE)}&screen=login`);
    await page.fill('#tg-login-id', email);
    await page.fill('#tg-login-password', password);
    await page.click('#tg-login-form button[type=submit]');
  };
  const authenticated = async (page) => {
    await page.waitForFunction(() => window.events?.some((e) => e.name === 'authenticated'), null, { timeout: 20_000 });
    return page.evaluate(() => window.events.filter((e) => e.name === 'authenticated').map((e) => e.payload));
  };

  const email = uniqueEmail('passkey-embedded-offer');
  await signUp(email);
  const context = await browser.newContext();
  const { page, cdp, authenticatorId } = await withAuthenticator(context);
  await passwordLogin(page, email);
  await page.getByRole('heading', { name: 'Log in faster next time' }).waitFor();
  assert.equal(await page.evaluate(() => window.events.some((e) => e.name === 'authenticated')), false, 'the tokens wait for the answer');
  await axe(page, 'widget-offer', found);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  const [tokens] = await authenticated(page);
  assert.ok(tokens.accessToken && tokens.idTokenPayload.email === email);
  assert.equal(tokens.passkeyEnrollment ?? tokens.passkey_enrollment, undefined, 'the offer stays inside the widget');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1, 'a discoverable credential was made');
  await page.goto(`${PAGES}/widget.html?edge=${encodeURIComponent(BASE)}&screen=login`);
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  const [again] = await authenticated(page);
  assert.equal(again.idTokenPayload.sub, tokens.idTokenPayload.sub, 'the added passkey logs the same account in');
  await context.close();

  // "Not now": the tokens go to the page at once; the next login offers nothing.
  const other = uniqueEmail('passkey-embedded-notnow');
  await signUp(other);
  for (const round of [1, 2]) {
    const c = await browser.newContext();
    const { page: p } = await withAuthenticator(c);
    await passwordLogin(p, other);
    if (round === 1) {
      await p.getByRole('button', { name: 'Not now' }).click();
    }
    const [t] = await authenticated(p);
    if (round === 1) {
      await p.getByText('You are logged in.').or(p.locator('.tg-success')).first().waitFor();
      await screenshot(p, 'passkey-widget-offer-declined');
    }
    assert.equal(t.idTokenPayload.email, other);
    if (round === 2) assert.equal(await p.getByRole('heading', { name: 'Log in faster next time' }).count(), 0);
    await c.close();
  }
  await mgmt('PATCH', `connections/${db.id}`, { options: db.options });
  assert.deepEqual(found, []);
});
