// CPU time per request inside the Worker's isolate, from V8's sampling profiler over wrangler dev's
// inspector (the DevTools protocol): `make bench` loads a route for a few seconds with the profiler
// on, and divides the isolate's busy time (all samples but `(idle)`) by the requests served. The
// profiler's own cost is included, so the figures are upper bounds; the ratios between routes hold.
import WebSocket from 'ws';

export async function connectProfiler(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(10_000) })).json();
  // wrangler's inspector proxy only accepts DevTools-like origins.
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { origin: 'http://localhost' } });
  await new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('inspector: no websocket within 10 s')), 10_000).unref();
    ws.once('open', resolve).once('error', reject);
  });
  let seq = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const call = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 30_000);
    pending.set(id, (m) => { clearTimeout(timer); m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result); });
    ws.send(JSON.stringify({ id, method, params }));
  });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 500 });
  return {
    // Runs `work` (which returns how many requests it made) under the profiler.
    async measure(work, { top: topN = 4 } = {}) {
      await call('Profiler.start');
      const requests = await work();
      const { profile } = await call('Profiler.stop');
      const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
      const self = new Map();
      let busy = 0;
      profile.samples.forEach((id, i) => {
        const frame = nodes.get(id);
        // Anonymous functions (wasm-bindgen's `handleError(function …)` shims, the runtime's own
        // JavaScript) are told apart by where they are.
        const name = frame.functionName
          || (frame.url ? `(anonymous ${frame.url.split('/').pop()}:${frame.lineNumber + 1})` : '(anonymous)');
        if (name === '(idle)') return;
        busy += profile.timeDeltas[i];
        self.set(name, (self.get(name) ?? 0) + profile.timeDeltas[i]);
      });
      const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, topN)
        .map(([name, us]) => `${name.slice(0, 60)} ${(us / 1000 / requests).toFixed(2)}`);
      return { msPerRequest: busy / 1000 / requests, top };
    },
    close: () => ws.close(),
  };
}
