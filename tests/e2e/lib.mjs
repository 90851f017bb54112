// Shared helpers for the e2e tests: the Worker's origin, Chromium via playwright-core, screenshots.
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
