// The thin slice: sign up in Chromium through the widget, then prove the user exists via the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, launch, post, screenshot, testIp, uniqueEmail } from './lib.mjs';

const CONNECTION = 'Username-Password-Authentication';
let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

/** A same-origin page whose requests come from their own test IP (attack-protection buckets stay
 * apart). Not for cross-origin pages: the extra header turns their asset loads into preflights. */
async function newPage() {
  const context = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': testIp() } });
  return context.newPage();
}
const json = () => ({ 'content-type': 'application/json', 'cf-connecting-ip': testIp() });

test('sign up in the widget with the live checklist, then a second sign-up is refused', async () => {
  const page = await newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(BASE + '/');
  const password = page.locator('input[type=password]');
  await password.waitFor();

  const email = uniqueEmail('e2e');
  await page.fill('input[type=email]', email);
  await password.fill('abc');
  // The checklist comes from `shared` and updates while typing.
  assert.equal(await page.getAttribute('[data-code=lengthAtLeast]', 'data-ok'), 'false');
  assert.equal(await page.getAttribute('[data-code=lowerCase]', 'data-ok'), 'true');
  await screenshot(page, 'signup-typing');

  await password.fill('Cobol1959!');
  assert.equal(await page.getAttribute('[data-code=lengthAtLeast]', 'data-ok'), 'true');
  assert.equal(await page.getAttribute('[data-code=containsAtLeast]', 'data-ok'), 'true');
  await page.click('button[type=submit]');
  await page.locator('.tg-success').waitFor();
  assert.match(await page.textContent('.tg-status'), new RegExp(email.replace(/[.+]/g, '\\$&')));
  await screenshot(page, 'signup-success');
  assert.deepEqual(errors, []);

  // Proof through the API, not the database file: the same email cannot sign up again.
  const again = await post('/dbconnections/signup', { client_id: 'demo-spa', connection: CONNECTION, email, password: 'Another2@x' }, json());
  assert.equal(again.status, 400);
  assert.deepEqual(again.body, { name: 'BadRequestError', code: 'invalid_signup', description: 'Invalid sign up', statusCode: 400 });
  await page.close();
});

test('the widget shows the server refusal for a taken email', async () => {
  const email = uniqueEmail('taken');
  const first = await post('/dbconnections/signup', { connection: CONNECTION, email, password: 'Cobol1959!' }, json());
  assert.equal(first.status, 200);
  const page = await newPage();
  await page.goto(BASE + '/');
  await page.fill('input[type=email]', email);
  await page.fill('input[type=password]', 'Cobol1959!');
  await page.click('button[type=submit]');
  await page.locator('.tg-error').waitFor();
  assert.match(await page.textContent('.tg-error'), /could not sign you up/);
  await screenshot(page, 'signup-error');
  await page.close();
});

test('bad input gets a 4xx JSON error, never a 500', async () => {
  const cases = [
    ['malformed JSON', '{"email":', undefined, 400],
    ['missing fields', { connection: CONNECTION }, undefined, 400],
    ['wrong content type', 'email=a@b.co', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['not an object', '[1,2,3]', undefined, 400],
    ['wrong field type', { connection: CONNECTION, email: 42, password: 'x' }, undefined, 400],
    ['oversized body', JSON.stringify({ connection: CONNECTION, email: 'a@b.co', password: 'x'.repeat(70_000) }), undefined, 413],
  ];
  for (const [what, body, headers, status] of cases) {
    const r = await post('/dbconnections/signup', body, { ...json(), ...headers });
    assert.equal(r.status, status, what);
    assert.equal(typeof r.body, 'object', `${what}: JSON body`);
    assert.equal(r.body.statusCode, status, what);
    assert.ok(r.body.code && r.body.description, what);
  }
});

test('a body sent without a declared length (chunked) is read up to the same limit', async () => {
  // The Worker reads a body with Content-Length in one piece and one without from its stream, up to
  // the route's bound: both paths give the same answers.
  const chunked = (text) => new ReadableStream({
    start(c) {
      for (let i = 0; i < text.length; i += 8192) c.enqueue(new TextEncoder().encode(text.slice(i, i + 8192)));
      c.close();
    },
  });
  const send = async (text) => {
    const r = await fetch(`${BASE}/dbconnections/signup`, { method: 'POST', headers: json(), body: chunked(text), duplex: 'half' });
    return { status: r.status, body: await r.json() };
  };
  const email = uniqueEmail('chunked');
  const ok = await send(JSON.stringify({ connection: CONNECTION, email, password: 'Cobol1959!' }));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.email, email);
  const big = await send(JSON.stringify({ connection: CONNECTION, email: uniqueEmail('chunked-big'), password: 'x'.repeat(70_000) }));
  assert.equal(big.status, 413, JSON.stringify(big.body));
  assert.equal(big.body.statusCode, 413);
});

test('50 parallel sign-ups of one email create exactly one user', async () => {
  const email = uniqueEmail('race');
  const ip = json();
  const results = await Promise.all(
    Array.from({ length: 50 }, () => post('/dbconnections/signup', { connection: CONNECTION, email, password: 'Cobol1959!' }, ip)),
  );
  const ok = results.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.status)));
  for (const r of results.filter((r) => r.status !== 200)) assert.equal(r.body.code, 'invalid_signup');
});

test('the widget embedded on another origin signs up through CORS', async () => {
  // A plain page: an extra request header would make every cross-origin asset fetch a preflight.
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${process.env.PAGES_URL}/embed.html?edge=${encodeURIComponent(BASE)}`);
  await page.locator('input[type=password]').waitFor();
  const email = uniqueEmail('cors');
  await page.fill('input[type=email]', email);
  await page.fill('input[type=password]', 'Cobol1959!');
  await page.click('button[type=submit]');
  await page.locator('.tg-success').waitFor();
  await screenshot(page, 'signup-cross-origin');
  assert.deepEqual(errors, []);
});
