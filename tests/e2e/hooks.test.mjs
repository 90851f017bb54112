// Hooks (issue 27) in Chromium against workerd: the owner creates a pre-user-registration hook and
// a post-login hook on the console's Hooks page, pointing at the reference hook server
// (scripts/hook-server.mjs, which checks every call's signature); a sign-up with a blocked domain
// on the hosted page shows the hook's own message and stores nothing; an allowed one gets the
// hook's app_metadata, and the application's ID token (read by @auth0/auth0-spa-js) carries the
// post-login hook's namespaced claim. Axe 0 on the Hooks page; screenshots.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { startHookServer } from '../../scripts/hook-server.mjs';
import { BASE, consoleSignIn, launch, post, screenshot, uniqueEmail } from './lib.mjs';

const PAGES = process.env.PAGES_URL;
const OWNER = process.env.ADMIN_EMAIL ?? 'owner@tollgate.test';
const OWNER_PASSWORD = process.env.ADMIN_PASSWORD ?? 'Console-Owner-Pass-1';
const PASSWORD = 'Hooked-Sign-up-7!';

let browser;
let m2m;
let hooks;
before(async () => {
  browser = await launch();
  const r = await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET, audience: `${BASE}/api/v2/` });
  m2m = r.body.access_token;
  hooks = await startHookServer({ secret: process.env.CONNECTION_SECRET_HOOKS, blockedDomains: ['blocked.example'] });
});
after(async () => {
  // The hooks must not outlive this file: every later test's sign-up and login would call them.
  for (const h of (await api('GET', 'hooks')).json ?? []) await api('DELETE', `hooks/${h.id}`);
  await browser?.close();
  await hooks?.close();
});

async function api(method, path, body) {
  const r = await fetch(`${BASE}/api/v2/${path}`, {
    method, headers: { authorization: `Bearer ${m2m}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, text, json };
}

async function app(page, extra = '') {
  await page.goto(`${PAGES}/spa.html?edge=${encodeURIComponent(BASE)}${extra}`);
  await page.waitForFunction(() => window.ready === true);
  return JSON.parse(await page.textContent('#out'));
}

test('the owner adds hooks in the console; a blocked domain cannot sign up; tokens carry the post-login claim', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await consoleSignIn(page, OWNER, OWNER_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/admin/' && !u.search);
  const nav = page.getByRole('navigation', { name: 'Console' });
  await nav.getByRole('link', { name: 'Hooks', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Hooks' }).waitFor();
  await page.getByText('No hooks yet.').waitFor();

  for (const [name, trigger] of [['Block domains', 'pre-user-registration'], ['Roles claim', 'post-login']]) {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Trigger').selectOption(trigger);
    await page.getByLabel('URL (https)').fill(`${hooks.origin}/${trigger}`);
    await page.getByRole('button', { name: 'Create hook' }).click();
    await page.getByRole('status').filter({ hasText: `${name} is created` }).waitFor();
  }
  // A second enabled hook for a trigger is refused, with the API's words.
  await page.getByLabel('Name', { exact: true }).fill('Second');
  await page.getByLabel('Trigger').selectOption('post-login');
  await page.getByLabel('URL (https)').fill(`${hooks.origin}/post-login`);
  await page.getByRole('button', { name: 'Create hook' }).click();
  await page.getByRole('alert').filter({ hasText: 'at most one enabled hook' }).waitFor();
  const table = page.getByRole('table', { name: 'Hooks' });
  await table.getByRole('row').nth(2).waitFor();
  const axe = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  await screenshot(page, 'console-hooks');
  assert.equal((await api('GET', 'hooks')).json.filter((h) => h.enabled).length, 2);

  // The hosted page: a blocked domain reads the hook's message; nothing is stored.
  const app1 = await context.newPage();
  await app(app1);
  await app1.evaluate(() => window.spa.loginWithRedirect({ authorizationParams: { screen_hint: 'signup' } }));
  await app1.waitForURL((u) => u.pathname === '/authorize');
  await app1.locator('#tg-signup-email').waitFor();
  const blocked = uniqueEmail('hooked').replace(/@.*/, '@blocked.example');
  await app1.fill('#tg-signup-email', blocked);
  await app1.fill('#tg-signup-password', PASSWORD);
  await app1.click('button[type=submit]');
  await app1.getByText('Sign-ups with blocked.example addresses are not accepted.').waitFor();
  await screenshot(app1, 'hosted-signup-refused-by-hook');
  const none = await api('GET', `users-by-email?email=${encodeURIComponent(blocked)}`);
  assert.deepEqual(none.json, [], 'nothing stored');

  // An allowed address: signed up through the hook, back at the app with the post-login claim.
  const email = uniqueEmail('hooked');
  await app1.fill('#tg-signup-email', email);
  await app1.click('button[type=submit]');
  await app1.waitForURL((u) => u.origin === PAGES && u.pathname === '/spa.html');
  await app1.waitForFunction(() => window.ready === true);
  const state = JSON.parse(await app1.textContent('#out'));
  assert.equal(state.user?.email, email, JSON.stringify(state));
  assert.equal(state.user['https://tollgate.dev/hooked'], true, 'the post-login claim in the ID token');
  const [user] = (await api('GET', `users-by-email?email=${encodeURIComponent(email)}`)).json;
  assert.equal(user.app_metadata?.signup_checked_by, 'hook-server');
  const paths = hooks.calls.map((c) => c.path);
  assert.deepEqual(
    [...new Set(paths)].sort(),
    ['/post-login', '/pre-user-registration'],
    'both hooks were called (and every call was signed: the server refuses others)',
  );
  assert.ok(hooks.calls.every((c) => !JSON.stringify(c.event).includes(PASSWORD)), 'never the password');
  assert.deepEqual(errors, []);
  await context.close();
});
