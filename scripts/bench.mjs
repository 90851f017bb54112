#!/usr/bin/env node
// `make bench`: prints figures, asserts nothing.
//  - widget transfer size of the release build (wasm + js + css): raw / gzip / brotli
//  - Worker wasm size: raw / gzip
//  - one argon2id hash (m=19456, t=2, p=1) inside workerd next to the same hash natively
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { root, startWorker } from '../tests/e2e/worker.mjs';

const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
const sizes = (buf) => ({
  raw: buf.length,
  gzip: zlib.gzipSync(buf, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), min: s[0] };
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(9);

console.log('== Widget transfer (dist/, release build) ==');
const dist = path.join(root, 'dist');
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const f of readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort()) {
  const s = sizes(readFileSync(path.join(dist, f)));
  for (const k of Object.keys(total)) total[k] += s[k];
  console.log(`  ${f.padEnd(40)} raw ${kb(s.raw)}  gzip ${kb(s.gzip)}  brotli ${kb(s.brotli)}`);
}
console.log(`  ${'total'.padEnd(40)} raw ${kb(total.raw)}  gzip ${kb(total.gzip)}  brotli ${kb(total.brotli)}`);

console.log('\n== Worker (edge/build/) ==');
const wasm = sizes(readFileSync(path.join(root, 'edge', 'build', 'index_bg.wasm')));
console.log(`  index_bg.wasm${' '.repeat(27)} raw ${kb(wasm.raw)}  gzip ${kb(wasm.gzip)}`);

console.log('\n== argon2id m=19456 KiB t=2 p=1 ==');
const native = JSON.parse(
  execFileSync('cargo', ['run', '-q', '--release', '-p', 'edge', '--example', 'argon2_native', '--', '10'], { cwd: root }).toString(),
).ms;
const worker = await startWorker({ vars: { BENCH_ROUTES: '1' }, state: path.join(root, 'tests', 'artifacts', 'bench-state') });
try {
  await fetch(`${worker.origin}/__bench/argon2?n=2`); // warm-up: instantiate the module
  const inside = (await (await fetch(`${worker.origin}/__bench/argon2?n=10`)).json()).ms;
  const rtt = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await (await fetch(`${worker.origin}/__bench/argon2?n=1`)).text();
    rtt.push(performance.now() - t);
  }
  const trivial = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await (await fetch(`${worker.origin}/healthz`)).text();
    trivial.push(performance.now() - t);
  }
  const [n, w, r, t] = [stats(native), stats(inside), stats(rtt), stats(trivial)];
  console.log(`  native (same machine, same run)        p50 ${ms(n.p50)}  min ${ms(n.min)}  (n=${n.n})`);
  console.log(`  inside workerd (Date.now in the Worker) p50 ${ms(w.p50)}  min ${ms(w.min)}  (n=${w.n})`);
  console.log(`  request with one hash (client-side)    p50 ${ms(r.p50)}  vs trivial route p50 ${ms(t.p50)}`);
  console.log(`  workerd / native ratio (p50)           ${(w.p50 / n.p50).toFixed(1)}x`);
} finally {
  await worker.stop();
}
