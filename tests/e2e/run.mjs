#!/usr/bin/env node
// End-to-end runner: starts the Worker in real workerd with a fresh local D1 (worker.mjs), runs
// every `tests/e2e/*.test.mjs` with node's test runner against it, and stops everything it started
// even when a test fails or the run is interrupted.
//
//   node tests/e2e/run.mjs [test files...]        (needs `make build` first)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { env, root, startLegacy, startStatic, startWorker } from './worker.mjs';

const artifacts = path.join(root, 'tests', 'artifacts');
let status = 1;
let worker;
let pages;
let legacy;
try {
  legacy = await startLegacy();
  // Test pages live on a second loopback origin, allowed as a web origin of demo-spa.
  pages = await startStatic(path.join(root, 'tests', 'pages'));
  // Client secrets of the test identity providers (started by social.test.mjs): Worker secrets,
  // generated per run, never in the repo.
  const idpSecrets = { CONNECTION_SECRET_IDP_OIDC: randomBytes(24).toString('hex'), CONNECTION_SECRET_IDP_OAUTH2: randomBytes(24).toString('hex'),
    // The signing secret of the reference hook server (hooks.test.mjs).
    CONNECTION_SECRET_HOOKS: randomBytes(24).toString('hex') };
  // JOB_FAULTS: test-only chunk failures on request (honoured only with a loopback issuer).
  // E2E_STATE names another state folder, so two runs on one machine do not share a database.
  worker = await startWorker({ state: path.join(artifacts, process.env.E2E_STATE ?? 'wrangler-state'), extraOrigins: [pages.origin], legacy, vars: { ...idpSecrets, JOB_FAULTS: '1' } });
  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync(path.join(root, 'tests', 'e2e')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join('tests', 'e2e', f));
  // Asynchronous: the static server for the test pages lives in this process and must keep serving.
  const child = spawn('node', ['--test', '--test-concurrency=1', ...files], {
    cwd: root,
    env: { ...env, BASE_URL: worker.origin, PAGES_URL: pages.origin, LEGACY_URL: legacy.origin, LEGACY_SECRET: legacy.secret, DEMO_M2M_SECRET: worker.m2mSecret, DEMO_WEB_SECRET: worker.webSecret, ARTIFACTS: artifacts, ...idpSecrets },
    stdio: 'inherit',
  });
  status = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  if (status !== 0) console.error('--- wrangler output (tail) ---\n' + worker.log().slice(-(Number(process.env.LOG_TAIL) || 3000)));
} catch (e) {
  console.error(String(e.stack ?? e));
} finally {
  await worker?.stop();
  await pages?.stop();
  await legacy?.stop();
}
process.exit(status);
