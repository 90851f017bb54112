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
  const r = await fetch(BASE + pathname, {
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
