// Passwordless in the widget (issue 23), in Chromium against workerd: on the hosted login page (a
// code, and a magic link, each ending at the application's callback with a code) and embedded
// (`initialScreen: 'passwordless'`: the otp grant, tokens in the `authenticated` event); a wrong
// code's message, the resend delay, axe-core on every passwordless screen in English and Arabic.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { BASE, launch, screenshot, uniqueEmail } from './lib.mjs';

const PAGES = process.env.PAGES_URL;
let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function outbox(email) {
  const r = await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(email)}`);
  return (await r.json())[0];
}

async function mailedCode(email) {
  for (let i = 0; i < 20; i++) {
    const m = await outbox(email);
    const code = m && /\b(\d{6})\b/.exec(m.text)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code mailed to ${email}`);
}

function authorizeUrl(extra = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const u = new URL(`${BASE}/authorize`);
  for (const [k, v] of Object.entries({ client_id: 'demo-spa', redirect_uri: `${BASE}/callback`, response_type: 'code',
    scope: 'openid email', state: 'st4te', code_challenge: challenge, code_challenge_method: 'S256', ...extra })) {
    u.searchParams.set(k, v);
  }
  return { url: u.href, verifier };
}

async function exchange(code, verifier) {
  const r = await fetch(`${BASE}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'demo-spa', code, code_verifier: verifier, redirect_uri: `${BASE}/callback` }),
  });
  assert.equal(r.status, 200);
  const body = await r.json();
  return JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString());
}

async function axe(page, name, found) {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) found.push(`${name}: ${v.id} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await screenshot(page, `passwordless-${name}`);
}

/** Waits for the browser to reach the callback; returns its `code`. */
async function callbackCode(page) {
  await page.waitForURL((u) => u.pathname === '/callback', { timeout: 15_000 });
  const u = new URL(page.url());
  assert.ok(!u.searchParams.has('access_token') && !u.searchParams.has('id_token'), 'never tokens in a query string');
  return u.searchParams.get('code');
}

test('hosted page: a new address signs up with a code, logs in again later as the same user', async () => {
  const email = uniqueEmail('pwdless-hosted');
  const found = [];
  let sub;
  for (const round of [1, 2]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { url, verifier } = authorizeUrl();
    await page.goto(url);
    await page.getByRole('button', { name: 'Log in with a code sent by email' }).click();
    await page.locator('#tg-passwordless-email').waitFor();
    if (round === 1) await axe(page, 'email', found);
    await page.fill('#tg-passwordless-email', email);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.locator('#tg-passwordless-code').waitFor();
    const resend = page.getByRole('button', { name: 'Send a new one' });
    assert.equal(await resend.getAttribute('aria-disabled'), 'true', 'no new code for 30 s');
    if (round === 1) {
      // A wrong code: the code screen says so and stays.
      await page.fill('#tg-passwordless-code', '000000');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('.tg-error').waitFor();
      assert.match(await page.locator('.tg-error').textContent(), /Wrong or expired code/);
      await axe(page, 'code-error', found);
    }
    await page.fill('#tg-passwordless-code', await mailedCode(email));
    await page.getByRole('button', { name: 'Continue' }).click();
    const code = await callbackCode(page);
    const claims = await exchange(code, verifier);
    assert.equal(claims.email, email);
    assert.match(claims.sub, /^email\|/);
    if (round === 1) sub = claims.sub;
    else assert.equal(claims.sub, sub, 'the same user the second time');
    await context.close();
  }
  assert.deepEqual(found, []);
});

test('hosted page: a magic link opened in the browser finishes the login at the callback, once', async () => {
  const email = uniqueEmail('pwdless-link');
  const context = await browser.newContext();
  const page = await context.newPage();
  const { url, verifier } = authorizeUrl();
  // The page's own option: links instead of codes (the hosted page passes data attributes only, so
  // the embedded widget chooses the method; the hosted page offers codes, and links through the API).
  await page.goto(url);
  await page.getByRole('button', { name: 'Log in with a code sent by email' }).click();
  await page.locator('#tg-passwordless-email').waitFor();
  // Ask for a link the way the hosted page's widget does it with `send: link`.
  const tx = new URL(page.url()).searchParams.get('tx') ?? await page.getAttribute('[data-tollgate-authorize-tx]', 'data-tollgate-authorize-tx');
  const started = await page.evaluate(async ([tx, email]) => {
    const r = await fetch('/u/passwordless/start', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx, email, send: 'link' }) });
    return r.status;
  }, [tx, email]);
  assert.equal(started, 200);
  const link = (await outbox(email)).link;
  assert.match(link, /\/passwordless\/verify_redirect\?/);
  await page.goto(link);
  const code = await callbackCode(page);
  assert.equal((await exchange(code, verifier)).email, email);
  const again = await page.goto(link);
  assert.equal(again.status(), 400, 'a used link is an error page');
  assert.match(await page.textContent('body'), /invalid, was already used or has expired/);
  await screenshot(page, 'passwordless-link-used');
  await context.close();
});

test('embedded: initialScreen passwordless logs in with the otp grant; Arabic screens pass axe', async () => {
  const found = [];
  for (const lang of ['en', 'ar']) {
    const email = uniqueEmail(`pwdless-embed-${lang}`);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${PAGES}/widget.html?edge=${encodeURIComponent(BASE)}&screen=passwordless&lang=${lang}`);
    await page.locator('#tg-passwordless-email').waitFor();
    await axe(page, `embedded-${lang}-email`, found);
    await page.fill('#tg-passwordless-email', email);
    await page.locator('#tg-passwordless-form button[type=submit]').click();
    await page.locator('#tg-passwordless-code').waitFor();
    await axe(page, `embedded-${lang}-code`, found);
    await page.fill('#tg-passwordless-code', await mailedCode(email));
    await page.locator('#tg-code-form button[type=submit]').click();
    await page.waitForFunction(() => window.events.some((e) => e.name === 'authenticated'));
    const result = await page.evaluate(() => window.events.find((e) => e.name === 'authenticated').payload);
    const claims = JSON.parse(Buffer.from(result.idToken.split('.')[1], 'base64url').toString());
    assert.equal(claims.email, email);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(found, []);
});

test('the demo page: its second widget logs in with a mailed code', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/`);
  const box = page.locator('#tollgate-passwordless');
  const email = uniqueEmail('demo-passwordless');
  await box.locator('input[type=email]').fill(email);
  await box.locator('button[type=submit]').click();
  await box.locator('input[autocomplete="one-time-code"]').fill(await mailedCode(email));
  await box.locator('button[type=submit]').click();
  await box.locator('.tg-success').waitFor();
  await screenshot(page, 'demo-page-passwordless');
  assert.deepEqual(errors, []);
  await context.close();
});
