// Starts the built Worker in real workerd (`wrangler dev`) with a fresh local D1, seeded with the
// demo tenant, on a free loopback port. Used by the e2e runner and the benchmarks.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
// The console's owner (seeded from ADMIN_EMAIL / ADMIN_PASSWORD): fixed for the e2e run.
export const env = {
  ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  ADMIN_EMAIL: process.env.ADMIN_EMAIL ?? 'owner@tollgate.test', ADMIN_PASSWORD: process.env.ADMIN_PASSWORD ?? 'Console-Owner-Pass-1',
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

async function waitFor(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      // Readiness only: the https variant uses a self-signed certificate.
      const ok = url.startsWith('https:')
        ? await new Promise((resolve) => {
            import('node:https').then(({ get }) =>
              get(url, { rejectUnauthorized: false }, (r) => resolve(r.statusCode === 200)).on('error', () => resolve(false)),
            );
          })
        : (await fetch(url)).ok;
      if (ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

const started = new Set();
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {}
}
process.on('exit', () => started.forEach((c) => killGroup(c, 'SIGKILL')));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    started.forEach((c) => killGroup(c, 'SIGTERM'));
    process.exit(130);
  });
}

/**
 * Starts a Worker. `vars` are extra Worker variables; `state` is the D1 state folder (wiped first);
 * `https` serves over TLS with wrangler's self-signed certificate (clients must not verify it).
 * Returns {origin, log(), stop()}; stop() kills the whole process group.
 */
export async function startWorker({ vars = {}, state, https = false, extraOrigins = [], legacy, inspectorPort, host = '127.0.0.1' }) {
  for (const need of ['dist/index.html', 'edge/build/index.js']) {
    if (!existsSync(path.join(root, need))) throw new Error(`missing ${need}: run \`make build\` first`);
  }
  const port = await freePort();
  // `host: 'localhost'` for passkeys: WebAuthn takes no IP address as its RP id.
  const origin = `${https ? 'https' : 'http'}://${host}:${port}`;
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
  // A key-encryption key of this run only, so tests never touch the developer's .dev.vars.
  const kek = randomBytes(32).toString('base64');
  const m2mSecret = randomBytes(24).toString('base64url');
  const webSecret = randomBytes(24).toString('base64url');
  // `--name=value`: random base64url values may start with '-', which parseArgs would take for a flag.
  run('node', ['scripts/seed-demo.mjs', '--origin', origin, '--persist-to', state, `--kek=${kek}`,
    `--m2m-secret=${m2mSecret}`, `--web-secret=${webSecret}`, '--quiet', ...extraOrigins.flatMap((o) => ['--extra-origin', o]),
    ...(legacy ? ['--legacy-url', `${legacy.origin}/auth`] : [])]);
  const legacyVars = legacy ? { CONNECTION_SECRET_LEGACY: legacy.secret, CONNECTION_SECRET_LEGACY_WRONG: 'not-the-shared-secret' } : {};
  // The suites stand in for Cloudflare's edge: each test chooses its client IP with CF-Connecting-IP
  // (trusted here, as behind Cloudflare). The adversarial suite starts a Worker that does not trust it.
  const varArgs = Object.entries({ ISSUER: `${origin}/`, KEY_ENCRYPTION_KEY: kek, DEV_OUTBOX: '1', DEV_ALLOW_PRIVATE_URLS: '1', TRUST_CF_CONNECTING_IP: '1', ...legacyVars, ...vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const child = spawn(
    'npx',
    ['wrangler', 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state,
     '--show-interactive-dev-session=false', '--local-protocol', https ? 'https' : 'http', ...varArgs,
     ...(inspectorPort ? ['--inspector-port', String(inspectorPort)] : [])],
    { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const stop = async () => {
    killGroup(child, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    killGroup(child, 'SIGKILL');
    started.delete(child);
  };
  try {
    await waitFor(`${origin}/healthz`, 60_000);
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n--- wrangler output ---\n${output.slice(-4000)}`);
  }
  return { origin, m2mSecret, webSecret, pid: child.pid, log: () => output, stop };
}

/**
 * Serves `dir` over HTTP on a free loopback port (a second origin for cross-origin tests).
 * Returns {origin, stop()}.
 */
/** Browser builds of the real SDKs, served to the test pages under /vendor/. */
const VENDOR = {
  '/vendor/auth0-spa-js.js': 'node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.js',
  '/vendor/auth0.js': 'node_modules/auth0-js/dist/auth0.min.js',
};

/** The strictest CSP the widget can live under: no 'unsafe-inline', no 'unsafe-eval'; only
 * 'wasm-unsafe-eval' so WebAssembly may compile. `edge` must be a loopback origin. */
export function strictCsp(edge) {
  const origin = /^http:\/\/127\.0\.0\.1:\d+$/.test(edge ?? '') ? edge : "'none'";
  return [
    "default-src 'none'",
    `script-src 'self' ${origin} 'wasm-unsafe-eval'`,
    `style-src 'self' ${origin}`,
    `connect-src ${origin}`,
    `img-src 'self' ${origin} data:`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startStatic(dir) {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const vendored = VENDOR[url.pathname];
    const file = vendored ? path.join(root, vendored) : path.join(dir, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!vendored && !file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file.endsWith('/') ? path.join(file, 'index.html') : file);
      const headers = { 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      if (url.pathname === '/csp.html') headers['content-security-policy'] = strictCsp(url.searchParams.get('edge'));
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * Starts the reference legacy service (tests/legacy-service, built by `make build`) with its demo
 * users and the test-only admin routes. Returns {origin, secret, fault(mode), stats(), stop()}.
 */
export async function startLegacy() {
  const bin = ['release', 'debug'].map((p) => path.join(root, 'target', p, 'legacy-service')).find((p) => existsSync(p));
  if (!bin) throw new Error('legacy-service is not built: run `make build`');
  const port = await freePort();
  const secret = randomBytes(24).toString('base64url');
  const child = spawn(bin, ['--port', String(port), '--seed-demo', '--test-admin'], {
    cwd: root,
    env: { ...env, LEGACY_SECRET: secret },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  const origin = `http://127.0.0.1:${port}`;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('legacy-service did not start')), 20_000);
    child.stdout.on('data', (d) => {
      if (String(d).includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`legacy-service exited ${code}`)));
  });
  const admin = (p, body) =>
    fetch(`${origin}/__admin/${p}`, body ? { method: 'POST', body: JSON.stringify(body) } : {}).then((r) => r.json());
  return {
    origin,
    secret,
    fault: (mode) => admin('fault', { mode }),
    stats: () => admin('stats'),
    stop: async () => {
      killGroup(child, 'SIGTERM');
      started.delete(child);
    },
  };
}
