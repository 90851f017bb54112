// Identity providers for the social-login tests, each on its own loopback port with its own keys:
//  - startOidcProvider: the real `oidc-provider` package as the stand-in for Google (discovery,
//    JWKS, code flow with PKCE, its development login and consent pages), plus a token-endpoint
//    proxy that re-signs the ID token for another audience (for the wrong-audience test);
//  - startOAuth2Provider: a Facebook-like OAuth 2.0 provider without ID tokens (a consent page,
//    a token endpoint checking client secret and PKCE, and a profile URL).
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

/** The OIDC stand-in for Google. Any login name signs in; its claims derive from the name.
 * Returns {issuer, hits(path) — requests served per path, stop()}. */
export async function startOidcProvider({ clientId, clientSecret, redirectUri }) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture'] },
    conformIdTokenClaims: false, // the claims travel in the ID token, as Google's do
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        email: `${id}@idp.example`,
        email_verified: true,
        name: `User ${id}`,
        given_name: 'User',
        family_name: id,
        picture: `${issuer}/pictures/${id}.png`,
      }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  });
  // The token endpoint again, but the ID token re-signed with the provider's own key for another
  // audience: the signature is good, the audience is not ours.
  const callback = provider.callback();
  const hits = new Map();
  const server = createServer(async (req, res) => {
    const p = new URL(req.url, issuer).pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    if (req.method === 'POST' && req.url === '/tamper/token') {
      const r = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] },
        body: await readBody(req),
      });
      const body = await r.json();
      if (body.id_token) {
        const claims = jose.decodeJwt(body.id_token);
        body.id_token = await new jose.SignJWT({ ...claims, aud: 'someone-else' })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
          .sign(privateKey);
      }
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    callback(req, res);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { issuer, hits: (p) => hits.get(p) ?? 0, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * A Facebook-like OAuth 2.0 provider: `/dialog/oauth` shows a consent page (account name field,
 * Allow / Deny), `/oauth/access_token` checks the client secret, the code and the PKCE verifier,
 * `/me` returns the profile for the access token.
 */
export async function startOAuth2Provider({ clientId, clientSecret }) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const codes = new Map();
  const tokens = new Map();
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/dialog/oauth') {
      const q = url.searchParams;
      const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']
        .map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k) ?? '')}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><title>FakeBook</title></head>
<body><h1>FakeBook</h1><form action="/decide" method="get">${hidden}
<label>Account <input name="account" value="grace"></label>
<button name="allow" value="yes">Allow</button> <button name="allow" value="no">Deny</button></form></body></html>`);
      return;
    }
    if (url.pathname === '/decide') {
      const q = url.searchParams;
      const back = new URL(q.get('redirect_uri'));
      if (q.get('client_id') !== clientId) {
        res.writeHead(400).end('unknown client');
        return;
      }
      if (q.get('allow') !== 'yes') {
        back.search = new URLSearchParams({ error: 'access_denied', error_description: 'Permissions error', state: q.get('state') }).toString();
      } else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { account: q.get('account'), challenge: q.get('code_challenge'), redirect: q.get('redirect_uri') });
        back.search = new URLSearchParams({ code, state: q.get('state') }).toString();
      }
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const grant = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const error = (d) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: d, type: 'OAuthException' } }));
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return error('bad client');
      if (!grant || grant.redirect !== form.get('redirect_uri')) return error('bad code');
      if (grant.challenge !== challenge) return error('bad code_verifier');
      const token = randomBytes(16).toString('hex');
      tokens.set(token, grant.account);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600 }));
      return;
    }
    if (url.pathname === '/me') {
      const account = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!account) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad token' } }));
        return;
      }
      const id = String(1000 + [...account].reduce((a, c) => a + c.charCodeAt(0), 0));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id, name: `${account} Hopper`, first_name: account, last_name: 'Hopper', email: `${account}@fakebook.example`,
        picture: { data: { url: `${origin}/pictures/${account}.jpg` } },
      }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { origin, stop: () => new Promise((r) => server.close(r)) };
}
