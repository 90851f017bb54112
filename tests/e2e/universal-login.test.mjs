// Universal Login and OAuth 2.0 / OIDC with the real client libraries: @auth0/auth0-spa-js and
// auth0-js in Chromium on another origin, openid-client from Node, and the negative cases.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { BASE, CONNECTION, launch, post, screenshot, signUp, testIp, uniqueEmail } from './lib.mjs';

const PAGES = process.env.PAGES_URL;
const PASSWORD = 'Cobol1959!';
let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function app(page, file, extra = '') {
  await page.goto(`${PAGES}/${file}?edge=${encodeURIComponent(BASE)}${extra}`);
  await page.waitForFunction(() => window.ready === true);
  return JSON.parse(await page.textContent('#out'));
}

/** Logs in on the hosted page the browser is on. */
async function hostedLogin(page, email, password = PASSWORD) {
  await page.locator('#tg-login-id').waitFor();
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', password);
  await page.click('button[type=submit]');
}

test('spa-js: loginWithRedirect → sign up on the hosted page → callback → getUser; silent via iframe; logout', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  assert.deepEqual(await app(page, 'spa.html'), { user: null });
  await page.evaluate(() => window.spa.loginWithRedirect({ authorizationParams: { screen_hint: 'signup' } }));
  await page.waitForURL((u) => u.pathname === '/authorize');
  const email = uniqueEmail('spa');
  await page.locator('#tg-signup-email').waitFor();
  await screenshot(page, 'hosted-signup');
  assert.equal(await page.getAttribute('#tg-tab-signup', 'aria-selected'), 'true', 'screen_hint=signup');
  await page.fill('#tg-signup-email', email);
  await page.fill('#tg-signup-password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.origin === PAGES && u.pathname === '/spa.html');
  await page.waitForFunction(() => window.ready === true);
  const state = JSON.parse(await page.textContent('#out'));
  assert.equal(state.user?.email, email, JSON.stringify(state));

  // Silent authentication: hidden iframe, prompt=none, response_mode=web_message, session cookie.
  const token = await page.evaluate(() => window.spa.getTokenSilently({ cacheMode: 'off' }));
  assert.equal(token.split('.').length, 3);

  await page.evaluate(() => window.spa.logout({ logoutParams: { returnTo: `${location.origin}/` } }));
  await page.waitForURL((u) => u.origin === PAGES && u.pathname === '/');
  await app(page, 'spa.html');
  const silent = await page.evaluate(() => window.spa.getTokenSilently({ cacheMode: 'off' }).then(() => 'token', (e) => e.error));
  assert.equal(silent, 'login_required', 'no session after logout');
  assert.deepEqual(errors, []);
  await context.close();
});

test('spa-js with refresh tokens: login on the hosted page, getTokenSilently rotates the refresh token', async () => {
  const email = uniqueEmail('spart');
  await signUp(email, PASSWORD);
  const context = await browser.newContext();
  const page = await context.newPage();
  const grants = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/oauth/token')) grants.push(new URLSearchParams(r.postData() ?? '').get('grant_type'));
  });
  await app(page, 'spa.html', '&rt=1');
  await page.evaluate(() => window.spa.loginWithRedirect({ authorizationParams: { scope: 'openid profile email offline_access' } }));
  await screenshotWhenReady(page, 'hosted-login');
  await hostedLogin(page, email);
  await page.waitForURL((u) => u.origin === PAGES);
  await page.waitForFunction(() => window.ready === true);
  assert.equal(JSON.parse(await page.textContent('#out')).user?.email, email);
  const a = await page.evaluate(() => window.spa.getTokenSilently({ cacheMode: 'off' }));
  const b = await page.evaluate(() => window.spa.getTokenSilently({ cacheMode: 'off' }));
  assert.ok(a && b);
  assert.deepEqual(grants, ['authorization_code', 'refresh_token', 'refresh_token']);
  await context.close();
});

async function screenshotWhenReady(page, name) {
  await page.locator('#tg-login-id').waitFor();
  await screenshot(page, name);
}

test('auth0-js: embedded login through /co/authenticate, checkSession, signup', async () => {
  const email = uniqueEmail('a0js');
  const context = await browser.newContext();
  const page = await context.newPage();
  await app(page, 'auth0js.html');
  const signed = await page.evaluate(
    ({ email, password, connection }) => window.call('signup', { connection, email, password }),
    { email, password: PASSWORD, connection: CONNECTION },
  );
  assert.equal(signed.ok?.email, email, JSON.stringify(signed));

  const failed = await page.evaluate(
    ({ email, connection }) => window.call('login', { realm: connection, username: email, password: 'Wrong1!x' }),
    { email, connection: CONNECTION },
  );
  assert.equal(failed.error?.code, 'access_denied', JSON.stringify(failed));
  assert.equal(failed.error?.description, 'Wrong email or password.');

  // A successful login navigates away: start it without awaiting the callback.
  await page.evaluate(
    ({ email, password, connection }) => {
      window.call('login', { realm: connection, username: email, password });
    },
    { email, password: PASSWORD, connection: CONNECTION },
  );
  await page.waitForURL((u) => u.origin === PAGES && u.hash.includes('access_token'));
  await page.waitForFunction(() => window.ready === true);
  assert.equal(JSON.parse(await page.textContent('#out')).email, email, 'parseHash validated the ID token');

  const session = await page.evaluate(() => window.call('checkSession', {}));
  assert.equal(session.ok?.idTokenPayload?.email, email, JSON.stringify(session));
  await context.close();
});

test('openid-client: discovery, code + PKCE through the hosted page, userinfo, refresh', async () => {
  const email = uniqueEmail('oidc');
  await signUp(email, PASSWORD);
  const config = await oidc.discovery(new URL(BASE), 'demo-spa', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${PAGES}/callback.html`,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const page = await browser.newPage();
  await page.goto(url.href);
  await hostedLogin(page, email);
  await page.waitForURL((u) => u.origin === PAGES && u.pathname === '/callback.html');
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
  const claims = tokens.claims();
  assert.equal(claims.email, email);
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, email);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token && refreshed.refresh_token !== tokens.refresh_token);
  await page.close();
});

/** A code for `email` through the hosted page, with a PKCE pair. */
async function codeFor(email) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: 'demo-spa', response_type: 'code', redirect_uri: `${PAGES}/callback.html`, state: 'st', nonce: 'n',
    scope: 'openid email offline_access', code_challenge: challenge, code_challenge_method: 'S256',
  });
  const page = await browser.newPage();
  await page.goto(`${BASE}/authorize?${q}`);
  await hostedLogin(page, email);
  await page.waitForURL((u) => u.origin === PAGES);
  const code = new URL(page.url()).searchParams.get('code');
  const cookies = await page.context().cookies(BASE);
  await page.close();
  return { code, verifier, cookies };
}

const exchange = (code, verifier, redirect = `${PAGES}/callback.html`) =>
  post('/oauth/token', { grant_type: 'authorization_code', client_id: 'demo-spa', code, code_verifier: verifier, redirect_uri: redirect },
    { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });

test('negative: reused code, wrong verifier, replayed refresh token revokes the family', async () => {
  const email = uniqueEmail('neg');
  await signUp(email, PASSWORD);
  const first = await codeFor(email);
  const ok = await exchange(first.code, first.verifier);
  assert.equal(ok.status, 200);
  const reused = await exchange(first.code, first.verifier);
  assert.deepEqual([reused.status, reused.body.error], [403, 'invalid_grant']);

  const second = await codeFor(email);
  const wrong = await exchange(second.code, randomBytes(32).toString('base64url'));
  assert.deepEqual(wrong.body, { error: 'invalid_grant', error_description: 'Failed to verify code verifier' });

  const refresh = (token) => post('/oauth/token', { grant_type: 'refresh_token', client_id: 'demo-spa', refresh_token: token });
  const r1 = ok.body.refresh_token;
  const r2 = (await refresh(r1)).body.refresh_token;
  assert.ok(r2);
  const replay = await refresh(r1);
  assert.deepEqual(replay.body, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
  assert.equal((await refresh(r2)).status, 403, 'the whole family is revoked');
});

test('negative: redirect_uri mismatch, open redirect on logout, prompt=none without session, altered state', async () => {
  const base = { client_id: 'demo-spa', response_type: 'code', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' };
  const mismatch = await fetch(`${BASE}/authorize?${new URLSearchParams({ ...base, redirect_uri: 'https://evil.example/cb' })}`, { redirect: 'manual' });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.headers.get('location'), null, 'never redirects to an unregistered URI');

  const logout = await fetch(`${BASE}/v2/logout?client_id=demo-spa&returnTo=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
  assert.equal(logout.status, 400);
  assert.equal(logout.headers.get('location'), null);

  const none = await fetch(`${BASE}/authorize?${new URLSearchParams({ ...base, redirect_uri: `${PAGES}/callback.html`, prompt: 'none' })}`, { redirect: 'manual' });
  const loc = new URL(none.headers.get('location'));
  assert.equal(loc.searchParams.get('error'), 'login_required');
  assert.equal(loc.searchParams.get('state'), 's');

  // spa-js refuses a callback whose state was altered on the way back.
  const email = uniqueEmail('state');
  await signUp(email, PASSWORD);
  const context = await browser.newContext();
  const page = await context.newPage();
  await app(page, 'spa.html');
  // Rewrite the state in the Worker's redirect back to the app.
  await page.route((u) => u.origin === BASE && u.pathname === '/authorize/resume', async (route) => {
    const res = await route.fetch({ maxRedirects: 0 });
    const location = new URL(res.headers().location);
    location.searchParams.set('state', 'altered');
    await route.fulfill({ status: 302, headers: { location: location.href } });
  });
  await page.evaluate(() => window.spa.loginWithRedirect());
  await hostedLogin(page, email);
  await page.waitForURL((u) => u.origin === PAGES && u.searchParams.get('state') === 'altered');
  await page.waitForFunction(() => window.ready === true);
  const outcome = JSON.parse(await page.textContent('#out'));
  assert.match(outcome.error ?? '', /state/i, JSON.stringify(outcome));
  await context.close();
});

test('hosted page: wrong password is shown, page carries a strict CSP', async () => {
  const email = uniqueEmail('hostederr');
  await signUp(email, PASSWORD);
  const q = new URLSearchParams({ client_id: 'demo-spa', response_type: 'code', redirect_uri: `${PAGES}/callback.html`,
    code_challenge: 'y'.repeat(43), code_challenge_method: 'S256', state: 's', login_hint: email });
  const page = await browser.newPage();
  const res = await page.goto(`${BASE}/authorize?${q}`);
  assert.doesNotMatch(res.headers()['content-security-policy'], /unsafe-inline/);
  await page.locator('#tg-login-id').waitFor();
  assert.equal(await page.inputValue('#tg-login-id'), email, 'login_hint prefills');
  await page.fill('#tg-login-password', 'Wrong1!x');
  await page.click('button[type=submit]');
  await page.locator('.tg-error').waitFor();
  assert.equal(await page.textContent('.tg-error'), 'Wrong email or password.');
  await screenshot(page, 'hosted-login-error');
  await page.close();
});
