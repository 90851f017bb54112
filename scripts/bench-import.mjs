// `make bench` part: 100,000 users imported through the Management API into local D1 (split into
// chunks, processed by the Queues consumer in workerd), timed from upload to `completed`.
export async function benchImport(origin, m2mSecret, n = 100_000) {
  const token = (await (await fetch(`${origin}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: m2mSecret, audience: `${origin}/api/v2/` }),
  })).json()).access_token;
  const auth = { authorization: `Bearer ${token}` };
  const conn = (await (await fetch(`${origin}/api/v2/connections?name=Username-Password-Authentication`, { headers: auth })).json())[0].id;
  const hash = '$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K';
  const run = Date.now();
  const users = Array.from({ length: n }, (_, i) => ({ email: `bulk-${run}-${i}@example.com`, password_hash: hash, user_metadata: { n: String(i) } }));
  const form = new FormData();
  form.append('connection_id', conn);
  form.append('users', new Blob([JSON.stringify(users)], { type: 'application/json' }), 'users.json');
  const start = performance.now();
  const created = await fetch(`${origin}/api/v2/jobs/users-imports`, { method: 'POST', headers: auth, body: form });
  const job = await created.json();
  if (created.status !== 201) throw new Error(`import: ${created.status} ${JSON.stringify(job)}`);
  const uploaded = performance.now() - start;
  let status;
  for (;;) {
    status = await (await fetch(`${origin}/api/v2/jobs/${job.id}`, { headers: auth })).json();
    if (status.status === 'completed' || status.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const total = performance.now() - start;
  return { n, uploadedMs: uploaded, totalMs: total, summary: status.summary, status: status.status };
}
