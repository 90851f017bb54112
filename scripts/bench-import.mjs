// `make bench` part: users imported through the Management API into local D1 (uploads split into
// R2 chunk objects, processed by the Queues consumer in workerd), timed from the first upload to
// the last job `completed`; and an export of them, timed to its download.
const hash = '$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K';

async function token(origin, m2mSecret) {
  const r = await fetch(`${origin}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: m2mSecret, audience: `${origin}/api/v2/` }),
  });
  return (await r.json()).access_token;
}

async function settle(origin, auth, id) {
  for (;;) {
    const status = await (await fetch(`${origin}/api/v2/jobs/${id}`, { headers: auth })).json();
    if (status.status === 'completed' || status.status === 'failed') return status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Imports `n` users as `files` uploads of n/files users each (one after the other, as the CLI
 * sends a large file), into connection `connectionId` (default: the demo database connection).
 */
export async function benchImport(origin, m2mSecret, n = 100_000, { files = 1, connectionId } = {}) {
  const auth = { authorization: `Bearer ${await token(origin, m2mSecret)}` };
  const conn = connectionId
    ?? (await (await fetch(`${origin}/api/v2/connections?name=Username-Password-Authentication`, { headers: auth })).json())[0].id;
  const run = Date.now();
  const per = Math.ceil(n / files);
  const bodies = Array.from({ length: files }, (_, f) => {
    const users = [];
    for (let i = f * per; i < Math.min(n, (f + 1) * per); i++) {
      users.push({ email: `bulk-${run}-${i}@example.com`, password_hash: hash, user_metadata: { n: String(i) } });
    }
    return JSON.stringify(users);
  });
  const start = performance.now();
  const jobs = [];
  for (const body of bodies) {
    const form = new FormData();
    form.append('connection_id', conn);
    form.append('users', new Blob([body], { type: 'application/json' }), 'users.json');
    const created = await fetch(`${origin}/api/v2/jobs/users-imports`, { method: 'POST', headers: auth, body: form });
    const job = await created.json();
    if (created.status !== 201) throw new Error(`import: ${created.status} ${JSON.stringify(job)}`);
    jobs.push(job.id);
  }
  const uploaded = performance.now() - start;
  const statuses = [];
  for (const id of jobs) statuses.push(await settle(origin, auth, id));
  const total = performance.now() - start;
  const summary = { inserted: 0, updated: 0, failed: 0, total: 0 };
  for (const s of statuses) for (const k of Object.keys(summary)) summary[k] += s.summary?.[k] ?? 0;
  const status = statuses.every((s) => s.status === 'completed') ? 'completed' : statuses.map((s) => s.status).join(',');
  return { n, files, uploadedMs: uploaded, totalMs: total, summary, status, connectionId: conn };
}

/** Exports connection `connectionId` (NDJSON, default fields) and downloads it. */
export async function benchExport(origin, m2mSecret, connectionId) {
  const auth = { authorization: `Bearer ${await token(origin, m2mSecret)}` };
  const start = performance.now();
  const created = await fetch(`${origin}/api/v2/jobs/users-exports`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ connection_id: connectionId, format: 'json' }),
  });
  const job = await created.json();
  if (created.status !== 201) throw new Error(`export: ${created.status} ${JSON.stringify(job)}`);
  const done = await settle(origin, auth, job.id);
  const exported = performance.now() - start;
  const file = await fetch(done.location);
  const { gunzipSync } = await import('node:zlib');
  const text = gunzipSync(Buffer.from(await file.arrayBuffer()));
  let lines = 0;
  for (const byte of text) if (byte === 10) lines++;
  return { exportedMs: exported, totalMs: performance.now() - start, status: done.status, lines };
}
