#!/usr/bin/env node
// `make bench-platform` (~3 minutes, after `make build`): the platform-floor part of `make bench`
// alone, to measure a change to the Worker adapter before and after. A plain JavaScript Worker
// (bench/js-floor) and Tollgate under the same wrangler dev, rounds alternating between them
// (autocannon, 10 connections, 4 s each, the median of the rounds), then V8's sampling profiler in
// both isolates for the same two routes: busy ms per request side by side (a steadier comparison than
// throughput on a shared machine) and, for Tollgate, the functions with the most self time. Prints
// figures, asserts nothing.
import autocannon from 'autocannon';
import { FLOOR_TOKEN_BODY, startFloor } from './bench-floor.mjs';
import { connectProfiler } from './bench-profile.mjs';
import { freePort, startWorker } from '../tests/e2e/worker.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const rate = async (url, request = {}, duration = 4) => {
  const res = await autocannon({ url, connections: 10, duration, ...request });
  if (res.non2xx + res.errors + res.timeouts) throw new Error(`${url}: ${res.non2xx} not 2xx, ${res.errors} errors`);
  return res.requests.average;
};

const inspectorPort = await freePort();
// Rate limits scaled out of the way, as in `make bench`: this measures the request path, not the throttle.
const worker = await startWorker({ state: '.wrangler/bench-platform', inspectorPort, vars: { RATE_LIMIT_SCALE: '1000000' } });
const floorInspectorPort = await freePort();
const floor = await startFloor({ inspectorPort: floorInspectorPort });
try {
  const routes = {
    'floor healthz': [`${floor.origin}/healthz`, {}],
    'floor token': [`${floor.origin}/oauth/token`,
      json(FLOOR_TOKEN_BODY)],
    'ours healthz': [`${worker.origin}/healthz`, {}],
    'ours token': [`${worker.origin}/oauth/token`,
      json({ grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: worker.m2mSecret, audience: `${worker.origin}/api/v2/` })],
  };
  // Warm both isolates (first requests compile the wasm, import the signing key).
  for (const [url, request] of Object.values(routes)) await rate(url, request, 1);
  const seen = Object.fromEntries(Object.keys(routes).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, [url, request]] of Object.entries(routes)) seen[name].push(await rate(url, request));
  }
  if (ROUNDS > 0) { // ROUNDS=0: the profile alone
    const r = Object.fromEntries(Object.entries(seen).map(([k, xs]) => [k, median(xs)]));
    console.log(`== Platform floor (median of ${ROUNDS} alternating rounds, req/s) ==`);
    for (const [k, xs] of Object.entries(seen)) {
      console.log(`  ${k.padEnd(14)} ${String(Math.round(r[k])).padStart(6)}   (${xs.map((x) => Math.round(x)).join(', ')})`);
    }
    console.log(`  trivial route ${(r['ours healthz'] / r['floor healthz']).toFixed(2)}x the JS floor (goal >= 0.8), `
      + `client_credentials token ${(r['ours token'] / r['floor token']).toFixed(2)}x (goal >= 0.8)`);
  }

  console.log('\n== CPU in the isolate per request (V8 sampling profiler, 2 s of load; profiler included) ==');
  const busy = {};
  const profile = async (port, names, top) => {
    const profiler = await connectProfiler(port);
    try {
      for (const name of names) {
        const [url, request] = routes[name];
        const m = await profiler.measure(async () =>
          (await autocannon({ url, connections: 10, duration: 2, ...request })).requests.total, { top });
        busy[name] = m.msPerRequest;
        console.log(`  ${name.padEnd(14)} ${m.msPerRequest.toFixed(2).padStart(6)} ms   ${m.top.join(' · ')}`);
      }
    } finally {
      profiler.close();
    }
  };
  try {
    await profile(floorInspectorPort, ['floor healthz', 'floor token'], 4);
  } catch (e) {
    console.log(`  the floor not profiled: ${e.message}`);
  }
  await profile(inspectorPort, ['ours healthz', 'ours token'], 8);
  if (busy['floor healthz'] && busy['floor token']) {
    console.log(`  CPU per request, floor ÷ ours: trivial route ${(busy['floor healthz'] / busy['ours healthz']).toFixed(2)}x, `
      + `client_credentials token ${(busy['floor token'] / busy['ours token']).toFixed(2)}x`);
  }
} finally {
  floor.stop();
  await worker.stop();
}
