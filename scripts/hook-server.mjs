// The reference hook server: what an operator's endpoint for Tollgate's hooks looks like (README,
// "Hooks"). It checks every call as the contract asks — the HMAC over method, path, timestamp,
// request id and body with the shared secret, a timestamp within 5 minutes, a request id not seen
// before — then answers:
//   POST /pre-user-registration   deny sign-ups whose address is in BLOCKED_DOMAINS, allow the rest
//                                 (adding app_metadata.signup_checked_by = "hook-server")
//   POST /post-user-registration  allow (a notification; kept in `calls`)
//   POST /post-login              allow, adding the claim https://tollgate.dev/hooked to both tokens
// `make dev` runs it on 127.0.0.1:8789 with the secret CONNECTION_SECRET_HOOKS of .dev.vars; the
// e2e suite starts it in-process (startHookServer).
//   node scripts/hook-server.mjs [--port 8789] [--blocked blocked.example,spam.example]
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const WINDOW_S = 300;

/** Starts the server; resolves to { origin, calls, close }. `calls` keeps every accepted call's body. */
export async function startHookServer({ secret, port = 0, blockedDomains = ['blocked.example'] }) {
  const seen = new Map();
  const calls = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const answer = (status, json) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      const ts = Number(req.headers['x-tollgate-timestamp']);
      const id = String(req.headers['x-tollgate-request-id'] ?? '');
      const path = new URL(req.url, 'http://x').pathname;
      const expected = 'v2=' + createHmac('sha256', secret).update(`${req.method}\n${path}\n${ts}\n${id}\n${body}`).digest('hex');
      const given = String(req.headers['x-tollgate-signature'] ?? '');
      const now = Math.floor(Date.now() / 1000);
      const signed = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!signed || !Number.isFinite(ts) || Math.abs(now - ts) > WINDOW_S || !/^[0-9a-f]{32}$/.test(id)) return answer(401, { error: 'bad signature' });
      for (const [k, t] of seen) if (now - t > WINDOW_S) seen.delete(k);
      if (seen.has(id)) return answer(401, { error: 'replayed request' });
      seen.set(id, now);
      let event;
      try { event = JSON.parse(body); } catch { return answer(400, { error: 'not JSON' }); }
      calls.push({ path, event });
      const domain = String(event.user?.email ?? '').split('@').pop().toLowerCase();
      switch (path) {
        case '/pre-user-registration':
          if (blockedDomains.includes(domain)) {
            return answer(200, { verdict: 'deny', reason: `sign-up domain ${domain} is blocked`, user_message: `Sign-ups with ${domain} addresses are not accepted.` });
          }
          return answer(200, { verdict: 'allow', app_metadata: { signup_checked_by: 'hook-server' } });
        case '/post-user-registration':
          return answer(200, { verdict: 'allow' });
        case '/post-login':
          return answer(200, { verdict: 'allow', id_token_claims: { 'https://tollgate.dev/hooked': true }, access_token_claims: { 'https://tollgate.dev/hooked': true } });
        default:
          return answer(404, { error: 'unknown trigger' });
      }
    });
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return { origin: `http://127.0.0.1:${server.address().port}`, calls, close: () => new Promise((done) => server.close(done)) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { devVar } = await import('./keys.mjs');
  const server = await startHookServer({
    secret: devVar('CONNECTION_SECRET_HOOKS'),
    port: Number(arg('--port', '8789')),
    blockedDomains: arg('--blocked', 'blocked.example').split(',').map((d) => d.trim().toLowerCase()),
  });
  console.log(`hook server on ${server.origin} (secret CONNECTION_SECRET_HOOKS of .dev.vars)`);
}
