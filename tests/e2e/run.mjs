#!/usr/bin/env node
// End-to-end runner: starts the Worker in real workerd (`wrangler dev`, local D1 in a fresh state
// folder) on a free loopback port, runs every `tests/e2e/*.test.mjs` with node's test runner, and
// stops everything it started (by process group) even when a test fails or the run is interrupted.
//
//   node tests/e2e/run.mjs [test files...]
// Needs a build first (`make build`): dist/ (widget) and edge/build/ (Worker).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'tests', 'artifacts');
const state = path.join(artifacts, 'wrangler-state');
const env = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

for (const need of ['dist/index.html', 'edge/build/index.js']) {
  if (!existsSync(path.join(root, need))) {
    console.error(`missing ${need}: run \`make build\` first`);
    process.exit(2);
  }
}

function freePort() {
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
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

const children = [];
function stopAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
}
function hardStop() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll();
    process.exit(130);
  });
}
process.on('exit', hardStop);

async function waitFor(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
rmSync(state, { recursive: true, force: true });
mkdirSync(state, { recursive: true });
run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
run('node', ['scripts/seed-demo.mjs', '--origin', origin, '--persist-to', state]);

const wrangler = spawn(
  'npx',
  ['wrangler', 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state,
   '--var', `ISSUER:${origin}/`, '--show-interactive-dev-session=false'],
  { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
);
children.push(wrangler);
let log = '';
wrangler.stdout.on('data', (d) => (log += d));
wrangler.stderr.on('data', (d) => (log += d));

let status = 1;
try {
  await waitFor(`${origin}/healthz`, 60_000);
  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync(path.join(root, 'tests', 'e2e')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join('tests', 'e2e', f));
  const r = spawnSync('node', ['--test', '--test-concurrency=1', ...files], {
    cwd: root,
    env: { ...env, BASE_URL: origin, ARTIFACTS: artifacts },
    stdio: 'inherit',
  });
  status = r.status ?? 1;
} catch (e) {
  console.error(String(e));
  console.error('--- wrangler output ---\n' + log.slice(-5000));
} finally {
  stopAll();
  await new Promise((r) => setTimeout(r, 500));
  hardStop();
}
if (status !== 0) console.error('--- wrangler output (tail) ---\n' + log.slice(-3000));
process.exit(status);
