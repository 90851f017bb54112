// Multi-factor authentication (issue 25) against workerd: Auth0's MFA API with plain HTTP as a
// server-side client (demo-web) uses it — mfa_required, /mfa/associate, /mfa/challenge,
// /mfa/authenticators, the mfa-otp and mfa-recovery-code grants, Auth0's error shapes — the
// guardian settings and a user's factors through the Management API; in Chromium, the hosted page
// (enrol an authenticator app from its QR code, a challenge, a recovery code, codes by email) and
// the embedded widget on another origin, and a security key (Chromium's virtual authenticator).
// TOTP codes are computed here from the secret (RFC 6238).
// The tenant's policy is turned on for this file's own Worker only.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { launch, screenshot, site, uniqueEmail } from './lib.mjs';
import { root, startStatic, startWorker } from './worker.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const MFA_OTP = 'http://auth0.com/oauth/grant-type/mfa-otp';
const MFA_RECOVERY = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
const CONNECTION = 'Username-Password-Authentication';
const PASSWORD = 'Second-step-Pass-1';

let worker;
let pages;
let browser;
let own;
const mgmt = (...a) => own.mgmt(...a);
const authorizeUrl = () => own.authorizeUrl();
const landed = (page, verifier) => own.landed(page, verifier);
let BASE;
before(async () => {
  pages = await startStatic(path.join(root, 'tests', 'pages'));
  // On http://localhost: WebAuthn (the security-key factor) takes no IP address as its RP id.
  worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'mfa-state'), extraOrigins: [pages.origin], host: 'localhost' });
  BASE = worker.origin;
  own = site(worker);
  browser = await launch();
  for (const f of ['otp', 'email']) assert.equal((await mgmt('PUT', `guardian/factors/${f}`, { enabled: true })).status, 200);
  assert.deepEqual((await mgmt('PUT', 'guardian/policies', ['all-applications'])).body, ['all-applications']);
});
after(async () => {
  await browser?.close();
  await worker?.stop();
  await pages?.stop();
});

async function call(p, body, headers = {}) {
  const r = await fetch(`${BASE}${p}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json', ...headers },
    body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) from an unpadded Base32 secret. */
function totp(secretB32, t = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

async function signUpUser(tag) {
  const email = uniqueEmail(tag);
  const r = await call('/dbconnections/signup', { client_id: 'demo-spa', connection: CONNECTION, email, password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return email;
}

const web = () => ({ client_id: 'demo-web', client_secret: worker.webSecret });

async function mfaToken(email) {
  const r = await call('/oauth/token', { grant_type: REALM, ...web(), username: email, password: PASSWORD, realm: CONNECTION, scope: 'openid email' });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  assert.equal(r.body.error, 'mfa_required');
  assert.equal(r.body.error_description, 'Multifactor authentication required');
  return r.body.mfa_token;
}

test("a server-side client enrols TOTP and logs in with it and with a recovery code through Auth0's MFA API", async () => {
  const email = await signUpUser('mfa-api');
  const token = await mfaToken(email);
  const assoc = await call('/mfa/associate', { authenticator_types: ['otp'] }, { authorization: `Bearer ${token}` });
  assert.equal(assoc.status, 200, JSON.stringify(assoc.body));
  assert.equal(assoc.body.authenticator_type, 'otp');
  assert.match(assoc.body.barcode_uri, /^otpauth:\/\/totp\/.+\?.*secret=/);
  const [recovery] = assoc.body.recovery_codes;
  const secret = assoc.body.secret;
  const first = await call('/oauth/token', { grant_type: MFA_OTP, ...web(), mfa_token: token, otp: totp(secret) });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(claims(first.body.id_token).amr, ['mfa']);
  assert.equal(claims(first.body.id_token).email, email);

  // The next login: the authenticator is listed, the challenge is the app's, wrong codes and
  // someone else's tokens get Auth0's shapes, then a recovery code works once and is replaced.
  const t2 = await mfaToken(email);
  const list = await call('/mfa/authenticators', null, { authorization: `Bearer ${t2}` });
  assert.ok(list.body.some((a) => a.authenticator_type === 'otp' && a.active), JSON.stringify(list.body));
  const ch = await call('/mfa/challenge', { ...web(), mfa_token: t2, challenge_type: 'otp' });
  assert.deepEqual(ch.body, { challenge_type: 'otp' });
  const wrong = await call('/oauth/token', { grant_type: MFA_OTP, ...web(), mfa_token: t2, otp: '12345x' });
  assert.deepEqual([wrong.status, wrong.body.error, wrong.body.error_description], [403, 'invalid_grant', 'Invalid otp_code.']);
  const other = await call('/oauth/token', { grant_type: MFA_OTP, client_id: 'demo-spa', mfa_token: t2, otp: totp(secret, Date.now() / 1000 + 30) });
  assert.equal(other.body.error, 'invalid_grant', "another client's token");
  const forged = await call('/oauth/token', { grant_type: MFA_OTP, ...web(), mfa_token: randomBytes(32).toString('base64url'), otp: '000000' });
  assert.equal(forged.body.error, 'invalid_grant');
  const rec = await call('/oauth/token', { grant_type: MFA_RECOVERY, ...web(), mfa_token: t2, recovery_code: recovery });
  assert.equal(rec.status, 200, JSON.stringify(rec.body));
  assert.match(rec.body.recovery_code, /^[A-Z2-7]{24}$/);
  assert.notEqual(rec.body.recovery_code, recovery);
  const spent = await call('/oauth/token', { grant_type: MFA_RECOVERY, ...web(), mfa_token: t2, recovery_code: recovery });
  assert.equal(spent.body.error, 'expired_token', 'a used mfa_token');

  // The operator sees the factors and resets them: the next login enrols again.
  const users = await mgmt('GET', `users-by-email?email=${encodeURIComponent(email)}`);
  const id = encodeURIComponent(users.body[0].user_id);
  const methods = await mgmt('GET', `users/${id}/authentication-methods`);
  assert.deepEqual(methods.body.map((m) => m.type).sort(), ['password', 'recovery-code', 'totp']);
  assert.equal((await mgmt('DELETE', `users/${id}/authenticators`)).status, 204);
  const t3 = await mfaToken(email);
  const again = await call('/mfa/associate', { authenticator_types: ['otp'] }, { authorization: `Bearer ${t3}` });
  assert.equal(again.status, 200);
});

async function passwordStep(page, email) {
  const a = authorizeUrl();
  await page.goto(a.url);
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', PASSWORD);
  await page.click('#tg-login-form button[type=submit]');
  return a.verifier;
}

async function axe(page, name, found) {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) found.push(`${name}: ${v.id} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await screenshot(page, `mfa-${name}`);
}

test('the hosted page: enrol an authenticator app from its QR code, then a challenge, a recovery code, and codes by email', async () => {
  const found = [];
  const email = await signUpUser('mfa-hosted');
  const context = await browser.newContext();
  const page = await context.newPage();
  let verifier = await passwordStep(page, email);
  await page.getByRole('heading', { name: 'Add a second step' }).waitFor();
  await page.locator('img.tg-qr').waitFor();
  assert.equal(await page.getAttribute('img.tg-qr', 'alt'), 'QR code for your authenticator app');
  await axe(page, 'enroll', found);
  const secret = (await page.locator('.tg-secret').first().textContent()).trim();
  const recovery = (await page.textContent('#tg-mfa-recovery')).trim();
  await page.fill('#tg-mfa-code', totp(secret));
  await page.click('#tg-mfa-form button[type=submit]');
  const first = await landed(page, verifier);
  assert.deepEqual(first.amr, ['mfa'], 'the session recorded the second factor');

  // A new visit: the challenge; a wrong code is said in words; the recovery code gets in and
  // shows its successor once.
  await context.clearCookies();
  verifier = await passwordStep(page, email);
  await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
  await page.fill('#tg-mfa-code', '000000');
  await page.click('#tg-mfa-form button[type=submit]');
  await page.locator('.tg-error').waitFor();
  assert.match(await page.textContent('.tg-error'), /That code is not right/);
  await axe(page, 'challenge', found);
  // The wrong code spent one of the token's tries; the recovery code still works.
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.fill('#tg-mfa-code', recovery);
  await page.click('#tg-mfa-form button[type=submit]');
  await page.getByRole('heading', { name: 'Your new recovery code' }).waitFor();
  const next = (await page.textContent('#tg-mfa-new-recovery')).trim();
  assert.match(next, /^[A-Z2-7]{24}$/);
  await axe(page, 'new-recovery', found);
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal((await landed(page, verifier)).sub, first.sub);

  // And the app's next code.
  await context.clearCookies();
  verifier = await passwordStep(page, email);
  await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
  await page.fill('#tg-mfa-code', totp(secret, Date.now() / 1000 + 30));
  await page.click('#tg-mfa-form button[type=submit]');
  assert.equal((await landed(page, verifier)).sub, first.sub);
  await context.close();

  // Codes by email when the tenant offers only those.
  assert.equal((await mgmt('PUT', 'guardian/factors/otp', { enabled: false })).status, 200);
  try {
    const mailer = await signUpUser('mfa-email');
    const c2 = await browser.newContext();
    const p2 = await c2.newPage();
    const v2 = await passwordStep(p2, mailer);
    await p2.getByRole('heading', { name: 'Add a second step' }).waitFor();
    await p2.getByText('We sent a code to your email address').waitFor();
    const mails = await call(`/dev/outbox.json?to=${encodeURIComponent(mailer)}`);
    const code = /(\d{6})/.exec(mails.body[0].text)[1];
    await axe(p2, 'email', found);
    await p2.fill('#tg-mfa-code', code);
    await p2.click('#tg-mfa-form button[type=submit]');
    assert.deepEqual((await landed(p2, v2)).amr, ['mfa']);
    await c2.close();
  } finally {
    await mgmt('PUT', 'guardian/factors/otp', { enabled: true });
  }
  assert.deepEqual(found, []);
});

test('the embedded widget (LoginWidget.mount on another origin) enrols the second factor and hands the tokens to the page', async () => {
  const email = await signUpUser('mfa-widget');
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${pages.origin}/widget.html?edge=${encodeURIComponent(BASE)}`);
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', PASSWORD);
  await page.click('#tg-login-form button[type=submit]');
  await page.getByRole('heading', { name: 'Add a second step' }).waitFor();
  const secret = (await page.locator('.tg-secret').first().textContent()).trim();
  await screenshot(page, 'mfa-widget-enroll');
  await page.fill('#tg-mfa-code', totp(secret));
  await page.click('#tg-mfa-form button[type=submit]');
  await page.waitForFunction(() => window.events?.some((e) => e.name === 'authenticated'), null, { timeout: 20_000 });
  const auth = await page.evaluate(() => window.events.find((e) => e.name === 'authenticated').payload);
  assert.equal(claims(auth.idToken).email, email);
  assert.deepEqual(claims(auth.accessToken).amr, ['mfa']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a security key as the second factor on the hosted page (virtual authenticator)', async () => {
  const set = (name, enabled) => mgmt('PUT', `guardian/factors/${name}`, { enabled });
  for (const [f, on] of [['otp', false], ['email', false], ['webauthn-roaming', true]]) assert.equal((await set(f, on)).status, 200);
  try {
    const email = await signUpUser('mfa-key');
    const context = await browser.newContext();
    // No passkey autofill on the email field: that would be a passkey login (one step) instead.
    await context.addInitScript(() => {
      if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true } });
    const found = [];
    let verifier = await passwordStep(page, email);
    await page.getByRole('heading', { name: 'Add a second step' }).waitFor();
    await axe(page, 'key-enroll', found);
    await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await page.getByRole('heading', { name: 'Your new recovery code' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    const first = await landed(page, verifier);
    assert.deepEqual(first.amr, ['mfa']);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);

    await context.clearCookies();
    verifier = await passwordStep(page, email);
    await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
    await axe(page, 'key-challenge', found);
    await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
    const second = await landed(page, verifier);
    assert.equal(second.sub, first.sub);
    assert.deepEqual(second.amr, ['mfa']);
    assert.deepEqual(found, []);
    await context.close();
  } finally {
    for (const [f, on] of [['otp', true], ['email', true], ['webauthn-roaming', false]]) await set(f, on);
  }
});

/** Drops the browser's session cookie, keeping the rest (a new visit in the same browser). */
async function dropSession(context) {
  const kept = (await context.cookies()).filter((c) => c.name !== 'tg_session');
  await context.clearCookies();
  await context.addCookies(kept);
}

test('"Remember this browser": ticked on the hosted page, the next login in that browser skips the second step until the operator forgets it', async () => {
  assert.equal((await mgmt('PUT', 'guardian/remember-browser', { enabled: true, lifetime_days: 30 })).status, 200);
  try {
    const found = [];
    const email = await signUpUser('mfa-remember');
    const context = await browser.newContext();
    const page = await context.newPage();
    let verifier = await passwordStep(page, email);
    await page.getByRole('heading', { name: 'Add a second step' }).waitFor();
    const remember = page.getByRole('checkbox', { name: 'Remember this browser for 30 days' });
    await remember.check();
    await axe(page, 'remember', found);
    const secret = (await page.locator('.tg-secret').first().textContent()).trim();
    await page.fill('#tg-mfa-code', totp(secret));
    await page.click('#tg-mfa-form button[type=submit]');
    const first = await landed(page, verifier);
    const cookie = (await context.cookies()).find((c) => c.name === 'tg_mfa_rb');
    assert.ok(cookie?.httpOnly, 'an HttpOnly cookie remembers the browser');
    assert.ok(cookie.expires * 1000 > Date.now() + 29 * 24 * 3600 * 1000, 'for 30 days');

    // The same browser, logged out: the password alone.
    await dropSession(context);
    verifier = await passwordStep(page, email);
    const second = await landed(page, verifier);
    assert.equal(second.sub, first.sub);
    assert.deepEqual(second.amr, ['mfa'], 'the remembered browser stands for the second factor');

    // The operator forgets the user's remembered browsers: asked again.
    const users = await mgmt('GET', `users-by-email?email=${encodeURIComponent(email)}`);
    const id = encodeURIComponent(users.body[0].user_id);
    assert.equal((await mgmt('POST', `users/${id}/multifactor/actions/invalidate-remember-browser`)).status, 204);
    await dropSession(context);
    await passwordStep(page, email);
    await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
    await context.close();
    assert.deepEqual(found, []);
  } finally {
    await mgmt('PUT', 'guardian/remember-browser', { enabled: false, lifetime_days: 30 });
  }
});

test('a session made before the tenant turned MFA on is taken to the second step, not to the application', async () => {
  assert.equal((await mgmt('PUT', 'guardian/policies', [])).status, 200);
  try {
    const email = await signUpUser('mfa-before');
    const context = await browser.newContext();
    const page = await context.newPage();
    const verifier = await passwordStep(page, email);
    assert.deepEqual((await landed(page, verifier)).amr ?? [], [], 'no second factor while MFA is off');
    assert.equal((await mgmt('PUT', 'guardian/policies', ['all-applications'])).status, 200);
    // Single sign-on with the old session: the login page opens at the second step (no password).
    const a = authorizeUrl();
    await page.goto(a.url);
    await page.getByRole('heading', { name: 'Add a second step' }).waitFor();
    assert.equal(await page.locator('#tg-login-password').count(), 0);
    await screenshot(page, 'mfa-sso-before-policy');
    const secret = (await page.locator('.tg-secret').first().textContent()).trim();
    await page.fill('#tg-mfa-code', totp(secret));
    await page.click('#tg-mfa-form button[type=submit]');
    assert.deepEqual((await landed(page, a.verifier)).amr, ['mfa']);
    await context.close();
  } finally {
    await mgmt('PUT', 'guardian/policies', ['all-applications']);
  }
});
