// Calls the reference legacy service directly, signed as the contract says (the Worker's side
// of the contract, from Node): used by the e2e tests and the benchmarks.
import { createHmac, randomBytes } from 'node:crypto';

/** The contract's `v2` signature: HMAC-SHA256 over method, path, timestamp, request id and body. */
export function signLegacy(secret, { path, ts, requestId, text }) {
  return 'v2=' + createHmac('sha256', secret).update(`POST\n${path}\n${ts}\n${requestId}\n${text}`).digest('hex');
}

/** Signs and sends `POST {origin}/auth/{action}`; returns {status, body}. `requestId` and `ts`
 * default to a new random id and now (pass them to replay a request). */
export async function legacyCall(origin, secret, action, body, { requestId = randomBytes(16).toString('hex'), ts = Math.floor(Date.now() / 1000) } = {}) {
  const path = `/auth/${action}`;
  const text = JSON.stringify(body);
  const r = await fetch(origin + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tollgate-timestamp': String(ts),
      'x-tollgate-request-id': requestId,
      'x-tollgate-signature': signLegacy(secret, { path, ts, requestId, text }),
    },
    body: text,
  });
  return { status: r.status, body: await r.json() };
}
