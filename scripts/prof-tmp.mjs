import autocannon from 'autocannon';
import { startWorker, root, freePort } from '../tests/e2e/worker.mjs';
import { connectProfiler } from './bench-profile.mjs';
import path from 'node:path';
const inspectorPort = await freePort();
const worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'tp-state'), vars: { RATE_LIMIT_SCALE: '1000000', DEV_OUTBOX: '0' }, inspectorPort });
const ccBody = { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: worker.m2mSecret, audience: `${worker.origin}/api/v2/` };
const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const routes = { cc: ['/oauth/token', json(ccBody)] };
const profiler = await connectProfiler(inspectorPort);
for (const [label, [p, req]] of Object.entries(routes)) {
  const r = await autocannon({ url: worker.origin + p, connections: 10, duration: 5, ...req });
  const { msPerRequest, top } = await profiler.measure(async () => (await autocannon({ url: worker.origin + p, connections: 10, duration: 2, ...req })).requests.total);
  console.log(label, Math.round(r.requests.average), 'req/s', msPerRequest.toFixed(2), top.join(process.env.PROF_TOP ? '\n' : ' · '));
}
process.exit(0);
