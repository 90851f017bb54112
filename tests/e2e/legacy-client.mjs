// Calls the reference legacy service directly, signed as the contract says (the Worker's side
// of the contract, from Node): used by the e2e tests and the benchmarks.
import { createHmac } from 'node:crypto';

/** Signs and sends `POST {origin}/auth/{action}`; returns {status, body}. */
export async function legacyCall(origin, secret, action, body) {
  const path = `/auth/${action}`;
  const ts = Math.floor(Date.now() / 1000);
  const text = JSON.stringify(body);
  const sig = createHmac('sha256', secret).update(`POST\n${path}\n${ts}\n${text}`).digest('hex');
  const r = await fetch(origin + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tollgate-timestamp': String(ts), 'x-tollgate-signature': `v1=${sig}` },
    body: text,
  });
  return { status: r.status, body: await r.json() };
}
