// Overload, as `make bench` prints it: `concurrency` clients each send right-password logins of
// ONE account (password-realm grant) back to back until `total` have been sent, straight at the
// Worker. Every answer is classified: a success, Tollgate's own overload answer (503
// `temporarily_unavailable` with Retry-After), or a request lost by the runtime (a reset
// connection, or a 5xx that is not ours — wrangler's "Your worker restarted mid-request").
// Afterwards the account's `logins_count` must equal the successes.
import { setTimeout as sleep } from 'node:timers/promises';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';

function quantile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

/** One run at `concurrency`. `logins()` reads the account's logins_count. */
export async function overloadRun({ origin, email, password, connection, clientId = 'demo-spa', concurrency, total, logins }) {
  const before = await logins();
  const body = JSON.stringify({ grant_type: REALM, client_id: clientId, username: email, password, realm: connection });
  const out = { ok: 0, ours: 0, dropped: 0, other: 0, latencies: [], samples: [] };
  let sent = 0;
  const t0 = performance.now();
  // Each client is a person at their own address (the Worker trusts CF-Connecting-IP here, as
  // behind Cloudflare): the per-IP limits of the token endpoint are not what is measured.
  async function client(_, i) {
    const headers = { 'content-type': 'application/json', 'cf-connecting-ip': `198.19.${i >> 8}.${i & 255}` };
    while (sent < total) {
      sent += 1;
      const start = performance.now();
      try {
        const r = await fetch(`${origin}/oauth/token`, { method: 'POST', headers, body });
        const text = await r.text();
        out.latencies.push(performance.now() - start);
        if (r.status === 200) out.ok += 1;
        else if (r.status === 503 && r.headers.get('retry-after') && text.includes('temporarily_unavailable')) out.ours += 1;
        else if (r.status >= 500) {
          out.dropped += 1;
          if (out.samples.length < 3) out.samples.push(`${r.status} ${text.slice(0, 80)}`);
        } else {
          out.other += 1;
          if (out.samples.length < 3) out.samples.push(`${r.status} ${text.slice(0, 80)}`);
        }
      } catch (e) {
        out.dropped += 1;
        if (out.samples.length < 3) out.samples.push(String(e.cause?.code ?? e.message));
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - t0) / 1000;
  await sleep(200);
  const counted = (await logins()) - before;
  const sorted = out.latencies.sort((a, b) => a - b);
  return { concurrency, total, ...out, latencies: undefined, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), seconds, counted };
}

/** Prints one line per run and the knee: the first concurrency where p99 passes 5 s or anything fails. */
export async function benchOverload(opts, levels = [10, 40, 100, 200, 400]) {
  const rows = [];
  for (const c of levels) {
    const r = await overloadRun({ ...opts, concurrency: c, total: opts.total ?? Math.max(200, c * 5) });
    rows.push(r);
    const pct = (100 * r.ok) / r.total;
    console.log(`  ${String(c).padStart(4)} concurrent: ${r.ok}/${r.total} ok (${pct.toFixed(0)} %), ${r.ours} × our 503, ` +
      `${r.dropped} lost by the runtime, ${r.other} other; p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; ` +
      `logins_count +${r.counted} (${r.counted === r.ok ? 'exact' : 'NOT exact'})${r.samples.length ? `; e.g. ${r.samples.join(' | ')}` : ''}`);
  }
  const knee = rows.find((r) => r.p99 > 5000 || r.ok < r.total);
  console.log(`  knee: ${knee ? `${knee.concurrency} concurrent (${knee.ok < knee.total ? 'first refusals' : 'p99 over 5 s'})` : `above ${levels.at(-1)} concurrent`}`);
  return rows;
}

export { REALM };
