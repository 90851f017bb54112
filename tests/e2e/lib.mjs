// Shared helpers for the e2e tests: the Worker's origin, Chromium via playwright-core, screenshots.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Origin of the Worker under test (set by run.mjs). */
export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8787';
const SHOTS = path.join(process.env.ARTIFACTS ?? 'tests/artifacts', 'screenshots');

/** Launches Debian's Chromium headless (never a downloaded browser). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Saves a full-page screenshot under tests/artifacts/screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** POSTs JSON (or a raw string body) to the Worker; returns {status, body, headers}. */
export async function post(pathname, body, headers = { 'content-type': 'application/json' }) {
  const r = await fetch(pathname.startsWith('http') ? pathname : BASE + pathname, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json, headers: r.headers };
}

/** A unique email for this run. */
export function uniqueEmail(tag) {
  return `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const CONNECTION = 'Username-Password-Authentication';
export const REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';

/** A documentation-range IPv4 address unique to this call, sent as CF-Connecting-IP so tests do
 * not share attack-protection buckets (wrangler dev passes it through; Cloudflare overwrites it). */
export function testIp() {
  const n = Math.floor(Math.random() * 65_000) + 1;
  return `198.18.${n >> 8}.${n & 255}`;
}

/** Signs a user up through the API; returns the email. */
export async function signUp(email, password, ip = testIp()) {
  const r = await post('/dbconnections/signup', { client_id: 'demo-spa', connection: CONNECTION, email, password },
    { 'content-type': 'application/json', 'cf-connecting-ip': ip });
  if (r.status !== 200) throw new Error(`sign-up failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A password-realm login for demo-spa from `ip`. */
export function login(username, password, ip, extra = {}) {
  return post('/oauth/token', { grant_type: REALM_GRANT, client_id: 'demo-spa', username, password, realm: CONNECTION, ...extra },
    { 'content-type': 'application/json', 'cf-connecting-ip': ip });
}

/**
 * Helpers for a test file that runs a Worker of its own (`startWorker`): Management API calls as
 * `demo-m2m`, and the hosted page's code flow for `demo-spa` with PKCE.
 */
export function site(worker) {
  const base = worker.origin;
  const json = async (r) => ({ status: r.status, body: await r.json().catch(() => null) });
  return {
    /** A Management API call; `{status, body}`. */
    async mgmt(method, p, body) {
      const t = await (await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: worker.m2mSecret, audience: `${base}/api/v2/` }) })).json();
      return json(await fetch(`${base}/api/v2/${p}`, { method, headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body) }));
    },
    /** A fresh `/authorize` URL (code + PKCE) and its verifier. */
    authorizeUrl() {
      const verifier = randomBytes(32).toString('base64url');
      const u = new URL(`${base}/authorize`);
      for (const [k, v] of Object.entries({ client_id: 'demo-spa', redirect_uri: `${base}/callback`, response_type: 'code',
        scope: 'openid email', state: 'st4te', code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256' })) u.searchParams.set(k, v);
      return { url: u.href, verifier };
    },
    /** Waits for the callback, exchanges its code; the ID token's claims. */
    async landed(page, verifier) {
      await page.waitForURL((u) => u.pathname === '/callback', { timeout: 20_000 });
      const code = new URL(page.url()).searchParams.get('code');
      const r = await json(await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'demo-spa', code, code_verifier: verifier, redirect_uri: `${base}/callback` }) }));
      if (r.status !== 200) throw new Error(`code exchange: ${r.status} ${JSON.stringify(r.body)}`);
      return JSON.parse(Buffer.from(r.body.id_token.split('.')[1], 'base64url').toString());
    },
  };
}

/** Signs in to the console at `base`/admin/ through its hosted login (the page waits on the result). */
export async function consoleSignIn(page, email, password, base = BASE) {
  await page.goto(`${base}/admin/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/authorize');
  await page.locator('#tg-login-id').waitFor();
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', password);
  await page.click('button[type=submit]');
}
