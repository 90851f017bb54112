// Forgot password end to end: change_password → dev outbox → reset page in Chromium → login.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, CONNECTION, launch, login, post, screenshot, signUp, testIp, uniqueEmail } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function outbox(email) {
  return (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json();
}

function requestReset(email, ip = testIp()) {
  return post('/dbconnections/change_password', { client_id: 'demo-spa', connection: CONNECTION, email },
    { 'content-type': 'application/json', 'cf-connecting-ip': ip });
}

test('change_password answers byte-identically for unknown emails', async () => {
  const email = uniqueEmail('known');
  await signUp(email, 'Cobol1959!');
  const known = await requestReset(email);
  const unknown = await requestReset(uniqueEmail('unknown'));
  assert.equal(known.status, 200);
  assert.equal(known.body, "We've just sent you an email to reset your password.");
  assert.equal(unknown.status, known.status);
  assert.equal(unknown.body, known.body);
  assert.equal(unknown.headers.get('content-type'), known.headers.get('content-type'));
});

test('reset through the mailed link, with the live checklist, lifts a brute-force block', async () => {
  const email = uniqueEmail('reset');
  await signUp(email, 'Cobol1959!');
  const ip = testIp();
  for (let i = 0; i < 10; i++) assert.equal((await login(email, 'Wrong1!x', ip)).status, 403);
  assert.equal((await login(email, 'Cobol1959!', ip)).status, 429, 'blocked');

  assert.equal((await requestReset(email)).status, 200);
  const [mail] = await outbox(email);
  assert.equal(mail.subject, 'Reset your password');
  assert.match(mail.link, /\/lo\/reset\?ticket=/);

  const context = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': testIp() } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(mail.link);
  assert.doesNotMatch(res.headers()['content-security-policy'], /unsafe-inline/);
  await page.locator('#tg-reset-password').waitFor();
  assert.match(await page.textContent('.tg-form'), new RegExp(email.replace(/[.+]/g, '\\$&')));
  await page.fill('#tg-reset-password', 'short');
  assert.equal(await page.getAttribute('[data-code=lengthAtLeast]', 'data-ok'), 'false');
  await screenshot(page, 'reset-typing');
  await page.fill('#tg-reset-password', 'Fortran1957!');
  await page.fill('#tg-reset-confirm', 'Fortran1957!');
  await page.click('button[type=submit]');
  await page.locator('.tg-success').waitFor();
  await screenshot(page, 'reset-done');
  assert.deepEqual(errors, []);

  assert.equal((await login(email, 'Fortran1957!', ip)).status, 200, 'block lifted, new password works');
  assert.equal((await login(email, 'Cobol1959!', testIp())).status, 403, 'old password gone');

  // The link is single use: opening it again shows the expired state.
  await page.goto(mail.link);
  await page.locator('text=Link expired').waitFor();
  await screenshot(page, 'reset-link-used');
  await context.close();
});

test('email verification link from sign-up sets email_verified', async () => {
  const email = uniqueEmail('verify');
  await signUp(email, 'Cobol1959!');
  const [mail] = await outbox(email);
  assert.equal(mail.kind, 'verify_email');
  const page = await fetch(mail.link);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /is verified/);
  const tokens = (await login(email, 'Cobol1959!', testIp())).body;
  const info = await (await fetch(`${BASE}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
  assert.equal(info.email_verified, true);
  assert.equal((await fetch(mail.link)).status, 400, 'single use');
});
