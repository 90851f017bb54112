// Load time of the widget next to Auth0 Lock, as `make bench` prints it: a page from a second
// origin (the embedding site) loads the script from the Worker's origin and shows the login form;
// the figure is the time from navigation start until the email field is visible, in headless
// Chromium with the CPU slowed 4x (DevTools' throttling), each run in a fresh browser context
// (empty cache), widget and Lock alternating, median of `runs`.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from '../tests/e2e/lib.mjs';
import { root, startStatic } from '../tests/e2e/worker.mjs';

// Records when the first visible email field appears (performance.now(): ms since navigation
// start). Runs before any page script.
export const WATCH = `
(() => {
  const seen = () => {
    const el = document.querySelector('input[type=email], input[name=email]');
    return el && el.checkVisibility({ opacityProperty: true, visibilityProperty: true })
      && el.getBoundingClientRect().width > 0;
  };
  const check = () => {
    if (window.__emailVisibleAt === undefined && seen()) window.__emailVisibleAt = performance.now();
    if (window.__emailVisibleAt === undefined) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

const page = (title, scriptSrc, pageScript) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${title}</h1><div id="box"></div></main>
<script src="${scriptSrc}"></script><script src="${pageScript}"></script></body></html>`;

const dir = path.join(root, 'tests', 'artifacts', 'bench-load');

/** The embedding site: a second origin, started before the Worker so the demo client can list it
 * as a web origin. Returns {origin, stop()}. */
export async function startSite() {
  mkdirSync(dir, { recursive: true });
  return startStatic(dir);
}

/** Writes the two pages (and Lock's bundle) for the Worker at `origin`. */
export function writePages({ origin, clientId, lockBundle }) {
  copyFileSync(lockBundle, path.join(dir, 'lock.min.js'));
  // The widget's documented embedding: its script from the edge, one mount call.
  writeFileSync(path.join(dir, 'widget-page.js'),
    `LoginWidget.mount('#box', { clientID: ${JSON.stringify(clientId)}, domain: ${JSON.stringify(origin)} });\n`);
  // Lock's quick start, inline in the same container, its configuration read from our edge.
  // `rememberLastLogin: false` spares Lock its silent SSO-data round trip (a hidden /authorize
  // before the form shows) — in Lock's favour: the widget makes no such call either.
  writeFileSync(path.join(dir, 'lock-page.js'),
    `new Auth0Lock(${JSON.stringify(clientId)}, ${JSON.stringify(new URL(origin).host)}, { container: 'box', ` +
    `configurationBaseUrl: ${JSON.stringify(origin)}, rememberLastLogin: false, auth: { redirect: false } }).show();\n`);
  writeFileSync(path.join(dir, 'widget.html'), page('Widget', `${origin}/widget.js`, '/widget-page.js'));
  writeFileSync(path.join(dir, 'lock.html'), page('Lock', '/lock.min.js', '/lock-page.js'));
}

/**
 * Measures both pages of `site` against the Worker at `origin` with client `clientId`;
 * `lockBundle` is the esbuild bundle of auth0-lock. Returns {widget: ms[], lock: ms[]}.
 */
export async function benchLoad({ site, origin, clientId, lockBundle, runs = 7, cpu = 4 }) {
  writePages({ origin, clientId, lockBundle });
  const browser = await launch();
  const out = { widget: [], lock: [] };
  try {
    const once = async (name) => {
      const context = await browser.newContext();
      const p = await context.newPage();
      const cdp = await context.newCDPSession(p);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
      await p.addInitScript(WATCH);
      const log = [];
      p.on('console', (m) => log.push(`console: ${m.text()}`));
      p.on('pageerror', (e) => log.push(`error: ${e.message}`));
      p.on('requestfailed', (r) => log.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
      p.on('response', (r) => r.status() >= 400 && log.push(`${r.status()}: ${r.url()}`));
      try {
        await p.goto(`${site.origin}/${name}.html`);
        await p.waitForFunction(() => window.__emailVisibleAt !== undefined, null, { timeout: 30_000 });
        return await p.evaluate(() => window.__emailVisibleAt);
      } catch (e) {
        const html = await p.content().catch(() => '');
        throw new Error(`${name}: no email field within 30 s: ${e.message}\n${log.join('\n')}\n${html.slice(0, 2000)}`);
      } finally {
        await context.close();
      }
    };
    await once('widget'); // warm the Worker's isolate and the OS file cache
    await once('lock');
    for (let i = 0; i < runs; i++) {
      out.widget.push(await once('widget'));
      out.lock.push(await once('lock'));
    }
  } finally {
    await browser.close();
  }
  return out;
}
