// Passwordless by email (issue 23) with Auth0's own clients: Lock Passwordless (auth0-lock from npm,
// unmodified, bundled by esbuild) and auth0-js in Chromium on another origin, the `auth0` v4 Node
// SDK against an HTTPS Worker, magic links, and the security around codes — single use, three
// wrong tries, brute force answered 429 as for passwords, the same answer for every address.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AuthenticationClient } from 'auth0';
import { bundleLock } from '../../scripts/lock-bundle.mjs';
import { BASE, launch, post, screenshot, testIp, uniqueEmail } from './lib.mjs';
import { root, startWorker } from './worker.mjs';

const PAGES = process.env.PAGES_URL;
const OTP = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const WRONG_CODE = { error: 'invalid_grant', error_description: 'Wrong email or verification code.' };
const json = (ip = testIp()) => ({ 'content-type': 'application/json', 'cf-connecting-ip': ip });

let browser;
let lockBundle;
before(async () => {
  browser = await launch();
  lockBundle = (await bundleLock()).file;
});
after(async () => browser?.close());

/** The dev outbox of the Worker at `base` for `email`, newest first. */
async function outbox(email, base = BASE) {
  const r = await fetch(`${base}/dev/outbox.json?to=${encodeURIComponent(email)}`);
  assert.equal(r.status, 200);
  return r.json();
}

/** The mail after the `seen` ones (waits for it). */
async function nextMail(email, seen, base = BASE) {
  for (let i = 0; i < 100; i++) {
    const mails = await outbox(email, base);
    if (mails.length > seen) return mails[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no new mail for ${email}`);
}

/** The code in the mail after the `seen` ones. */
async function nextCode(email, seen, base = BASE) {
  const mail = await nextMail(email, seen, base);
  assert.equal(mail.kind, 'passwordless');
  const code = mail.text.match(/\b\d{6}\b/)?.[0];
  assert.ok(code, mail.text);
  return code;
}

/** `POST /passwordless/start` for a code; returns the code mailed. */
async function codeFor(email, ip, extra = {}) {
  const seen = (await outbox(email)).length;
  const r = await post('/passwordless/start', { client_id: 'demo-spa', connection: 'email', email, send: 'code', ...extra }, json(ip));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return nextCode(email, seen);
}

const otpGrant = (email, otp, ip, realm = 'email') =>
  post('/oauth/token', { grant_type: OTP, client_id: 'demo-spa', realm, username: email, otp, scope: 'openid email' }, json(ip));

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
const otherThan = (code) => (code === '000000' ? '111111' : '000000');

/** A browser context whose page gets Lock's bundle at /vendor/auth0-lock.js. */
async function lockContext() {
  const context = await browser.newContext();
  await context.route(`${PAGES}/vendor/auth0-lock.js`, (route) => route.fulfill({ path: lockBundle, contentType: 'text/javascript' }));
  return context;
}

/** A screenshot once Lock's opening and message animations are over. */
async function settledShot(page, name) {
  await page.locator('.auth0-lock.auth0-lock-opened').waitFor();
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await screenshot(page, name);
}

test('Lock Passwordless (auth0-lock, unmodified): a new address signs up by code, then logs in again as the same email|… user', async () => {
  const email = uniqueEmail('lockpl');
  const subs = [];
  for (const round of ['sign-up', 'login']) {
    const context = await lockContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const calls = [];
    page.on('request', (r) => r.url().startsWith(BASE) && r.method() === 'POST' && calls.push(new URL(r.url()).pathname));
    await page.goto(`${PAGES}/lock-passwordless.html?edge=${encodeURIComponent(BASE)}`);
    await page.click('#login');
    const address = page.locator('.auth0-lock input[name=email]');
    await address.waitFor();
    if (round === 'sign-up') await settledShot(page, 'lock-passwordless-email');
    const seen = (await outbox(email)).length;
    await address.fill(email);
    await page.click('.auth0-lock-submit');
    const code = await nextCode(email, seen);
    const vcode = page.locator('.auth0-lock input[name=vcode]');
    await vcode.waitFor();
    if (round === 'sign-up') {
      await settledShot(page, 'lock-passwordless-code');
    } else {
      // A wrong code first: Lock stays on the code screen with an error. It maps /co/authenticate's
      // 403 access_denied (Auth0's answer) to `invalid_user_password`, which its passwordless
      // dictionary lacks, so it shows its own fallback text; the event carries our description.
      await vcode.fill(otherThan(code));
      await page.click('.auth0-lock-submit');
      const shown = page.locator('.auth0-global-message-error');
      await shown.waitFor();
      assert.equal((await shown.textContent()).trim(), "We're sorry, something went wrong");
      const refused = (await page.evaluate(() => window.lockEvents)).find((e) => e.name === 'authorization_error');
      assert.deepEqual([refused?.error?.error, refused?.error?.description], ['invalid_user_password', 'Wrong email or verification code.']);
      await settledShot(page, 'lock-passwordless-wrong-code');
    }
    await vcode.fill(code);
    const back = page.waitForURL((u) => u.origin === PAGES && u.pathname === '/lock-passwordless.html' && u.hash.includes('access_token'),
      { timeout: 30_000, waitUntil: 'commit' });
    await page.click('.auth0-lock-submit');
    // Back on this page (the callback): Lock parsed the answer, validated the ID token, fetched the profile.
    try {
      await back;
      await page.waitForFunction(() => window.lockEvents?.some((e) => e.name === 'profile' || e.name === 'authorization_error'), null, { timeout: 30_000 });
    } catch (e) {
      await screenshot(page, `lock-passwordless-stuck-${round}`);
      throw new Error(`${e.message}\nat ${page.url()}\n${(await page.textContent('body').catch(() => '')).slice(0, 500)}\n${errors.join('\n')}`);
    }
    const events = await page.evaluate(() => window.lockEvents);
    const authenticated = events.find((e) => e.name === 'authenticated');
    assert.ok(authenticated, JSON.stringify(events));
    const { idTokenPayload, accessToken } = authenticated.authResult;
    assert.ok(accessToken);
    assert.equal(idTokenPayload.email, email);
    assert.equal(idTokenPayload.email_verified, true);
    assert.match(idTokenPayload.sub, /^email\|/);
    assert.equal(events.find((e) => e.name === 'profile').profile?.email, email);
    assert.ok(calls.includes('/passwordless/start') && calls.includes('/co/authenticate'), calls.join(' '));
    await page.locator('#out').filter({ hasText: email }).waitFor();
    if (round === 'login') await screenshot(page, 'lock-passwordless-signed-in');
    subs.push(idTokenPayload.sub);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.equal(subs[0], subs[1], 'the second login is the user the first code made');
});

test('auth0-js: passwordlessStart + passwordlessLogin (code) end at the callback with tokens', async () => {
  const email = uniqueEmail('a0jspl');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${PAGES}/auth0js.html?edge=${encodeURIComponent(BASE)}`);
  await page.waitForFunction(() => window.ready === true);
  const started = await page.evaluate((email) => window.call('passwordlessStart', { connection: 'email', send: 'code', email }), email);
  assert.equal(started.ok?.email, email, JSON.stringify(started));
  const code = await nextCode(email, 0);
  const wrong = await page.evaluate(({ email, otp }) => window.call('passwordlessLogin', { connection: 'email', email, verificationCode: otp }),
    { email, otp: otherThan(code) });
  assert.equal(wrong.error?.code, 'access_denied', JSON.stringify(wrong));
  assert.equal(wrong.error?.description, 'Wrong email or verification code.');
  // A successful login navigates away: start it without awaiting the callback.
  await page.evaluate(({ email, otp }) => {
    window.call('passwordlessLogin', { connection: 'email', email, verificationCode: otp });
  }, { email, otp: code });
  await page.waitForURL((u) => u.origin === PAGES && u.hash.includes('access_token'));
  await page.waitForFunction(() => window.ready === true);
  assert.equal(JSON.parse(await page.textContent('#out')).email, email, 'parseHash validated the ID token');
  await context.close();
});

test('auth0@4 AuthenticationClient: passwordless.sendEmail, loginWithEmail (ID token validated by the SDK), SDK errors', async () => {
  // The SDK builds https://{domain} URLs and checks iss = https://{domain}/: an HTTPS Worker of its own.
  const prior = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'passwordless-sdk-state'), https: true });
  try {
    const domain = new URL(worker.origin).host;
    const auth = new AuthenticationClient({ domain, clientId: 'demo-web', clientSecret: worker.webSecret });
    const email = uniqueEmail('sdkpl');
    const sent = await auth.passwordless.sendEmail({ email, send: 'code' });
    assert.equal(sent.status, 200);
    const code = await nextCode(email, 0, worker.origin);
    await assert.rejects(auth.passwordless.loginWithEmail({ email, code: otherThan(code) }),
      (e) => e.statusCode === 403 && e.error === WRONG_CODE.error && e.error_description === WRONG_CODE.error_description);
    const { data } = await auth.passwordless.loginWithEmail({ email, code, scope: 'openid profile email' });
    assert.ok(data.access_token && data.id_token);
    assert.equal(data.token_type, 'Bearer');
    const id = claims(data.id_token);
    assert.equal(id.email, email);
    assert.match(id.sub, /^email\|/);
    // A confidential client without its secret is refused (the SDK would not even send that).
    const anonymous = await post(`${worker.origin}/passwordless/start`, { client_id: 'demo-web', connection: 'email', email, send: 'code' });
    assert.equal(anonymous.status, 401, JSON.stringify(anonymous.body));
    assert.equal(anonymous.body.error, 'invalid_client');
  } finally {
    await worker.stop();
    if (prior === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = prior;
  }
});

test('magic link: completes the request stored at start (code + PKCE, never tokens in the URL), once', async () => {
  const email = uniqueEmail('link');
  const ip = testIp();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authParams = { redirect_uri: `${PAGES}/callback.html`, response_type: 'code', scope: 'openid email', state: 'st-link',
    code_challenge: challenge, code_challenge_method: 'S256' };
  const link = async () => {
    const seen = (await outbox(email)).length;
    const r = await post('/passwordless/start', { client_id: 'demo-spa', connection: 'email', email, send: 'link', authParams }, json(ip));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const mail = await nextMail(email, seen);
    assert.ok(mail.link?.startsWith(`${BASE}/passwordless/verify_redirect?`), JSON.stringify(mail));
    assert.ok(mail.text.includes(mail.link));
    return mail.link;
  };
  const first = await link();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(first);
  await page.waitForURL((u) => u.origin === PAGES && u.pathname === '/callback.html');
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), 'st-link');
  const code = landed.searchParams.get('code');
  assert.ok(code);
  for (const k of ['access_token', 'id_token']) {
    assert.equal(landed.searchParams.get(k), null);
    assert.ok(!landed.hash.includes(k));
  }
  const t = await post('/oauth/token', { grant_type: 'authorization_code', client_id: 'demo-spa', code, code_verifier: verifier,
    redirect_uri: `${PAGES}/callback.html` }, json(ip));
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(claims(t.body.id_token).email, email);
  assert.match(claims(t.body.id_token).sub, /^email\|/);

  // Opened again: an error page on the Worker, not a redirect.
  const again = await page.goto(first);
  assert.equal(again.status(), 400);
  assert.equal(new URL(page.url()).origin, BASE);
  assert.match(await page.textContent('body'), /invalid|used|expired/i);
  await screenshot(page, 'passwordless-link-used');
  const raw = await fetch(first, { redirect: 'manual' });
  assert.equal(raw.headers.get('location'), null);

  // A link's own query cannot send the browser elsewhere: the stored request wins.
  const second = await link();
  await page.goto(`${second}&redirect_uri=${encodeURIComponent('https://evil.example/')}&response_type=token`);
  await page.waitForURL((u) => u.origin === PAGES && u.pathname === '/callback.html');
  assert.ok(new URL(page.url()).searchParams.get('code'));
  await context.close();
});

test('a code works once; three wrong codes void it; wrong codes across codes are blocked (429) like passwords', async () => {
  // Once.
  const once = uniqueEmail('once');
  const ip = testIp();
  const code = await codeFor(once, ip);
  const ok = await otpGrant(once, code, ip);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.ok(ok.body.access_token && ok.body.id_token);
  const reused = await otpGrant(once, code, ip);
  assert.equal(reused.status, 403);
  assert.deepEqual(reused.body, WRONG_CODE);

  // Three wrong tries void the code; a new one works.
  const voided = uniqueEmail('void');
  const live = await codeFor(voided, ip);
  for (let i = 1; i <= 3; i++) {
    const r = await otpGrant(voided, otherThan(live), ip);
    assert.deepEqual([r.status, r.body], [403, WRONG_CODE], `wrong try ${i}`);
  }
  assert.equal((await otpGrant(voided, live, ip)).status, 403, 'void after three wrong tries');
  assert.equal((await otpGrant(voided, await codeFor(voided, ip), ip)).status, 200, 'a new code works');

  // Brute force across codes: ten failures for an address from an IP, then 429 even with the right code.
  const target = uniqueEmail('brutepl');
  const attacker = testIp();
  let failures = 0;
  let current;
  while (failures < 10) {
    current = await codeFor(target, attacker);
    for (let i = 0; i < 3 && failures < 10; i++) {
      const r = await otpGrant(target, otherThan(current), attacker);
      failures++;
      assert.equal(r.status, 403, `failure ${failures}: ${JSON.stringify(r.body)}`);
    }
  }
  const blocked = await otpGrant(target, current, attacker);
  assert.equal(blocked.status, 429, JSON.stringify(blocked.body));
  assert.equal(blocked.body.error, 'too_many_attempts');
  // The block is per address and IP: the code (still live, untouched by the blocked try) works elsewhere.
  assert.equal((await otpGrant(target, current, testIp())).status, 200);
});

test('enumeration: with sign-up disabled, a known and an unknown address get the same answer (but for _id)', async () => {
  const token = (await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET,
    audience: `${BASE}/api/v2/` })).body.access_token;
  assert.ok(token);
  const mgmt = (method, p, body) => fetch(`${BASE}/api/v2/${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  const name = `email-closed-${randomBytes(3).toString('hex')}`;
  const options = { totp: { length: 6, time_step: 300 }, brute_force_protection: true };
  const created = await mgmt('POST', 'connections', { name, strategy: 'email', options, enabled_clients: ['demo-spa'] });
  assert.equal(created.status, 201, await created.clone().text());
  const { id } = await created.json();
  try {
    // Same length, so even Content-Length cannot tell them apart.
    const tag = `${Date.now()}-${randomBytes(3).toString('hex')}`;
    const known = `known-${tag}@example.com`;
    const unknown = `unkno-${tag}@example.com`;
    // The known address signs up by code while sign-up is open; then sign-up closes.
    const ip = testIp();
    const code = await codeFor(known, ip, { connection: name });
    const first = await otpGrant(known, code, ip, name);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const closed = await mgmt('PATCH', `connections/${id}`, { options: { ...options, disable_signup: true } });
    assert.equal(closed.status, 200, await closed.text());

    const seen = { known: (await outbox(known)).length, unknown: (await outbox(unknown)).length };
    const start = async (email) => {
      const r = await fetch(`${BASE}/passwordless/start`, { method: 'POST', headers: { ...json(ip), origin: PAGES },
        body: JSON.stringify({ client_id: 'demo-spa', connection: name, email, send: 'code' }) });
      const text = await r.text();
      const headers = Object.fromEntries([...r.headers].filter(([k]) => k !== 'date'));
      return { status: r.status, headers, text, body: JSON.parse(text) };
    };
    const a = await start(known);
    const b = await start(unknown);
    assert.equal(a.status, 200, a.text);
    assert.match(a.body._id, /^[0-9a-f]{24}$/);
    assert.notEqual(a.body._id, b.body._id);
    const strip = (r, email) => r.text.replace(r.body._id, '<id>').replace(email, '<email>');
    assert.equal(strip(a, known), strip(b, unknown), 'byte-identical but for _id and the address echoed');
    assert.deepEqual(Object.keys(a.body), ['_id', 'email', 'email_verified']);
    assert.deepEqual([a.body.email, a.body.email_verified, b.body.email], [known, false, unknown]);
    assert.equal(a.status, b.status);
    assert.deepEqual(a.headers, b.headers);
    assert.equal(a.headers['access-control-allow-origin'], PAGES);
    assert.equal(a.headers['cache-control'], 'no-store');
    assert.equal(a.headers['set-cookie'], undefined);
    // Only the known address got mail; the unknown one cannot sign up, even with a guess.
    assert.equal((await outbox(known)).length, seen.known + 1);
    assert.equal((await outbox(unknown)).length, seen.unknown);
    const guess = await otpGrant(unknown, '123456', ip, name);
    assert.deepEqual([guess.status, guess.body], [403, WRONG_CODE]);
  } finally {
    assert.ok([202, 204].includes((await mgmt('DELETE', `connections/${id}`)).status));
  }
});
