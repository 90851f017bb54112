// Overload answered by Tollgate, not by the runtime (issue 22): a Worker whose password work is
// bounded tightly (one flow at a time, three waiting) takes 24 concurrent right-password logins of
// one account. Every answer is a success or Tollgate's own 503 with Retry-After in the OAuth error
// shape — no reset connection, no runtime 5xx ("the Worker's code had hung": waiting in line is a
// timer, never a promise of another request) — and logins_count counts exactly the successes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CONNECTION, REALM_GRANT, post } from './lib.mjs';
import { root, startWorker } from './worker.mjs';

let worker;
before(async () => {
  worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'overload-state'), vars: { PASSWORD_WORK: 'permits=1,queue=3' } });
});
after(async () => worker?.stop());

test('past the bound, logins get our 503 with Retry-After; none is lost and logins_count is exact', async () => {
  const email = `overload-${Date.now()}@example.com`;
  const password = 'Overload-e2e-Pass-1';
  const su = await post(`${worker.origin}/dbconnections/signup`, { client_id: 'demo-spa', connection: CONNECTION, email, password });
  assert.equal(su.status, 200, JSON.stringify(su.body));
  const body = JSON.stringify({ grant_type: REALM_GRANT, client_id: 'demo-spa', username: email, password, realm: CONNECTION });
  const answers = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
    const r = await fetch(`${worker.origin}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': `198.18.99.${i + 1}` }, body,
    });
    return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json().catch(() => null) };
  }));
  const ok = answers.filter((a) => a.status === 200);
  const ours = answers.filter((a) => a.status === 503 && a.body?.error === 'temporarily_unavailable' && Number(a.retryAfter) >= 1);
  assert.equal(ok.length + ours.length, answers.length, `only successes and our 503s: ${JSON.stringify(answers.filter((a) => a.status !== 200).slice(0, 3))}`);
  assert.ok(ours.length > 0, 'the bound was reached');
  assert.ok(ok.length >= 4, `the permit and the line were served: ${ok.length}`);

  const m2m = await post(`${worker.origin}/oauth/token`, { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: worker.m2mSecret, audience: `${worker.origin}/api/v2/` });
  const users = await (await fetch(`${worker.origin}/api/v2/users-by-email?email=${encodeURIComponent(email)}`, {
    headers: { authorization: `Bearer ${m2m.body.access_token}` } })).json();
  assert.equal(users[0].logins_count, ok.length, 'every success counted once, no refusal counted');
});
