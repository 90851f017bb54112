// The adversarial suite: an attacker's tries against the running Worker (workerd, local D1), one
// class per test — escalation to the Management API, secrets and outbound calls, logins replayed
// from another browser, revocation, brute force under concurrency, forged tokens, open redirects,
// spoofed client IPs. SECURITY.md names the boundary each test holds.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as jose from 'jose';
import { BASE, CONNECTION, REALM_GRANT, login, post, signUp, testIp, uniqueEmail } from './lib.mjs';
import { root, startWorker } from './worker.mjs';

const PAGES = process.env.PAGES_URL;
const MGMT = `${BASE}/api/v2/`;
const PASSWORD = 'Attack-Surface-42';
const json = (ip = testIp()) => ({ 'content-type': 'application/json', 'cf-connecting-ip': ip });

/** A Management API token of demo-m2m (the one legitimate M2M client of the demo tenant). */
async function m2mToken(base = BASE, secret = process.env.DEMO_M2M_SECRET) {
  const r = await post(`${base}/oauth/token`, { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: secret, audience: `${base}/api/v2/` });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

async function mgmt(method, p, body, token, base = BASE) {
  const r = await fetch(`${base}/api/v2/${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: r.status, body: parsed };
}

/** GET without following redirects, with optional cookies; returns {status, location, cookies}. */
async function navigate(url, cookie) {
  const r = await fetch(url.startsWith('http') ? url : BASE + url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]);
  return { status: r.status, location: r.headers.get('location'), cookies, text: await r.text() };
}

function authorizeUrl(params) {
  const q = new URLSearchParams({ client_id: 'demo-spa', redirect_uri: `${PAGES}/callback.html`, state: 's', nonce: 'n',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...params });
  return `/authorize?${q}`;
}

/** The parameters of a redirect back to the application (query and fragment). */
function answer(location) {
  const u = new URL(location);
  return Object.fromEntries([...u.searchParams, ...new URLSearchParams(u.hash.slice(1))]);
}

async function user() {
  const email = uniqueEmail('attack');
  await signUp(email, PASSWORD);
  return email;
}

test('escalation: a signed-up visitor cannot get a Management API token from any user flow', async () => {
  const email = await user();
  const realm = await login(email, PASSWORD, testIp(), { audience: MGMT, scope: 'openid read:users create:connections' });
  assert.equal(realm.status, 403, JSON.stringify(realm.body));
  assert.equal(realm.body.error, 'access_denied');
  assert.match(realm.body.error_description, /^Client is not authorized to access/);
  for (const response_type of ['token', 'id_token token', 'code']) {
    const r = await navigate(authorizeUrl({ response_type, audience: MGMT, scope: 'openid read:users' }));
    assert.equal(r.status, 302, response_type);
    const a = answer(r.location);
    assert.equal(a.error, 'access_denied', `${response_type}: ${r.location}`);
    assert.equal(a.access_token, undefined);
    assert.equal(a.code, undefined);
  }
  // A user's own tokens do not open the Management API either.
  const tokens = await login(email, PASSWORD, testIp());
  for (const t of [tokens.body.access_token, tokens.body.id_token]) {
    assert.equal((await mgmt('GET', 'users', null, t)).status, 401);
  }
});

test('escalation: forged tokens (alg none, HS256 with the public key, unknown kid) open nothing', async () => {
  const jwks = await (await fetch(`${BASE}/.well-known/jwks.json`)).json();
  const claims = { iss: `${BASE}/`, aud: MGMT, sub: 'demo-m2m@clients', azp: 'demo-m2m', gty: 'client-credentials',
    scope: 'read:users', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 };
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  const hs = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid })
    .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
  const { privateKey } = await jose.generateKeyPair('RS256');
  const foreign = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwks.keys[0].kid }).sign(privateKey);
  for (const t of [none, hs, foreign]) {
    assert.equal((await mgmt('GET', 'users', null, t)).status, 401);
    assert.equal((await fetch(`${BASE}/userinfo`, { headers: { authorization: `Bearer ${t}` } })).status, 401);
  }
});

test('secrets: a connection cannot name the key-encryption key, legacy or mail secrets', async () => {
  const token = await m2mToken();
  for (const secret of ['KEY_ENCRYPTION_KEY', 'CONNECTION_SECRET_LEGACY ', 'MAIL_API_KEY', 'ISSUER']) {
    const r = await mgmt('POST', 'connections', { name: `evil-${randomBytes(3).toString('hex')}`, strategy: 'oauth2', options: {
      client_id: 'x', client_secret_env: secret, authorization_endpoint: 'https://idp.example/a',
      token_endpoint: 'https://idp.example/t', profile_url: 'https://idp.example/me' } }, token);
    assert.equal(r.status, 400, `${secret}: ${JSON.stringify(r.body)}`);
  }
  const legacy = await mgmt('POST', 'connections', { name: `evil-${randomBytes(3).toString('hex')}`, strategy: 'auth0',
    options: { import_mode: true, legacy: { url: 'https://legacy.example/auth', secret: 'KEY_ENCRYPTION_KEY' } } }, token);
  assert.equal(legacy.status, 400, JSON.stringify(legacy.body));
});

test('browser binding: a stolen embedded-login ticket does nothing in another browser', async () => {
  const email = await user();
  const co = await fetch(`${BASE}/co/authenticate`, { method: 'POST', headers: { ...json(), origin: PAGES },
    body: JSON.stringify({ client_id: 'demo-spa', username: email, password: PASSWORD, realm: CONNECTION, credential_type: REALM_GRANT }) });
  assert.equal(co.status, 200);
  const victim = co.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('tg_browser='));
  assert.ok(victim, 'the ticket is bound to a browser cookie');
  const { login_ticket } = await co.json();
  const url = authorizeUrl({ response_type: 'code', login_ticket });
  const stolen = await navigate(url);
  assert.equal(answer(stolen.location).error, 'access_denied');
  const mine = await navigate(url, victim);
  assert.ok(answer(mine.location).code, mine.location);
});

test('browser binding: a provider callback with the victim\'s state fails in the attacker\'s browser', async () => {
  const token = await m2mToken();
  const name = `bound-${randomBytes(3).toString('hex')}`;
  const created = await mgmt('POST', 'connections', { name, strategy: 'oauth2', enabled_clients: ['demo-spa'], options: {
    client_id: 'x', client_secret_env: 'CONNECTION_SECRET_IDP_OAUTH2', authorization_endpoint: 'https://idp.example/authorize',
    token_endpoint: 'https://idp.example/token', profile_url: 'https://idp.example/me' } }, token);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const start = await navigate(authorizeUrl({ response_type: 'code', connection: name }));
  assert.equal(start.status, 302);
  const state = new URL(start.location).searchParams.get('state');
  const attacker = await navigate(`/login/callback?state=${state}&code=attacker-code`);
  assert.equal(attacker.status, 400, 'an error page, no redirect to the application');
  assert.equal(attacker.location, null);
});

test('sessions: prompt=login is not satisfied by resuming with an old session', async () => {
  const email = await user();
  // Log in through the hosted page's API, as the widget does.
  const page = await navigate(authorizeUrl({ response_type: 'code' }));
  const tx = page.text.match(/data-tollgate-authorize-tx="([^"]+)"/)[1];
  const u = await post('/u/login', { tx, username: email, password: PASSWORD }, json());
  const session = u.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('tg_session='));
  await new Promise((r) => setTimeout(r, 1100));
  const again = await navigate(authorizeUrl({ response_type: 'code', prompt: 'login' }), session);
  assert.equal(again.status, 200, 'the login page');
  const tx2 = again.text.match(/data-tollgate-authorize-tx="([^"]+)"/)[1];
  const resumed = await navigate(`/authorize/resume?tx=${tx2}`, session);
  assert.equal(answer(resumed.location).error, 'login_required');
});

test('revocation: a password change kills refresh tokens; an old reset link dies with an email change', async () => {
  const email = await user();
  const token = await m2mToken();
  const [found] = (await mgmt('GET', `users-by-email?email=${encodeURIComponent(email)}`, null, token)).body;
  const id = encodeURIComponent(found.user_id);
  // A refresh token through the code flow of the hosted page.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const page = await navigate(authorizeUrl({ response_type: 'code', scope: 'openid offline_access', code_challenge: challenge }));
  const tx = page.text.match(/data-tollgate-authorize-tx="([^"]+)"/)[1];
  const u = await post('/u/login', { tx, username: email, password: PASSWORD }, json());
  const session = u.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('tg_session='));
  const done = await navigate(`/authorize/resume?tx=${tx}`, session);
  const code = answer(done.location).code;
  const tokens = await post('/oauth/token', { grant_type: 'authorization_code', client_id: 'demo-spa', code, code_verifier: verifier,
    redirect_uri: `${PAGES}/callback.html` }, json());
  assert.ok(tokens.body.refresh_token, JSON.stringify(tokens.body));
  assert.equal((await mgmt('PATCH', `users/${id}`, { password: 'Changed-Password-77' }, token)).status, 200);
  const refreshed = await post('/oauth/token', { grant_type: 'refresh_token', client_id: 'demo-spa', refresh_token: tokens.body.refresh_token }, json());
  assert.equal(refreshed.status, 403, 'refresh token revoked');
  const silent = await navigate(authorizeUrl({ response_type: 'code', prompt: 'none' }), session);
  assert.equal(answer(silent.location).error, 'login_required', 'session revoked');

  await post('/dbconnections/change_password', { client_id: 'demo-spa', connection: CONNECTION, email }, json());
  const [mail] = await (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json();
  const ticket = new URL(mail.link).searchParams.get('ticket');
  assert.equal((await mgmt('PATCH', `users/${id}`, { email: uniqueEmail('moved') }, token)).status, 200);
  const reset = await post('/lo/reset', { ticket, password: 'Hijacked-Pass-99' }, json());
  assert.equal(reset.body.code, 'invalid_ticket', 'the link went to the old address');
});

test('tokens never travel in a query string; redirects go only where registered', async () => {
  const token = await navigate(authorizeUrl({ response_type: 'token', response_mode: 'query' }));
  assert.equal(new URL(token.location).search, '');
  assert.equal(answer(token.location).error, 'invalid_request');
  const foreign = await navigate(authorizeUrl({ response_type: 'code', redirect_uri: 'https://evil.example/cb' }));
  assert.equal(foreign.status, 400);
  assert.equal(foreign.location, null);
  const logout = await navigate('/v2/logout?client_id=demo-spa&returnTo=https://evil.example/');
  assert.equal(logout.status, 400);
  assert.equal(logout.location, null);
});

test('identity: another Unicode spelling of an address is the same account', async () => {
  const local = `unicode-${Date.now()}`;
  await signUp(`${local}@example.com`, PASSWORD);
  const twin = await post('/dbconnections/signup', { client_id: 'demo-spa', connection: CONNECTION,
    email: `${local}@ＥＸＡＭＰＬＥ.com`, password: PASSWORD }, json());
  assert.equal(twin.body.code, 'invalid_signup');
  assert.equal((await login(`${local.toUpperCase()}@ｅｘａｍｐｌｅ.com`, PASSWORD, testIp())).status, 200);
});

test('CORS: an origin registered by one application cannot read another application\'s answers', async () => {
  // PAGES is demo-spa's web origin, not demo-web's.
  const r = await fetch(`${BASE}/client/demo-web.json`, { headers: { origin: PAGES } });
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  const own = await fetch(`${BASE}/client/demo-spa.json`, { headers: { origin: PAGES } });
  assert.equal(own.headers.get('access-control-allow-origin'), PAGES);
});

test('brute force under concurrency: right passwords all get in, wrong guesses verify at most 10', async () => {
  const email = await user();
  const token = await m2mToken();
  const count = async () => (await mgmt('GET', `users-by-email?email=${encodeURIComponent(email)}`, null, token)).body[0].logins_count;
  const before = await count();
  const ip = testIp();
  const right = await Promise.all(Array.from({ length: 20 }, () => login(email, PASSWORD, ip)));
  assert.deepEqual(right.map((r) => r.status), Array(20).fill(200), JSON.stringify(right.filter((r) => r.status !== 200).map((r) => r.body)));
  assert.equal(await count(), before + 20, 'logins_count rises by exactly 20');

  const wrong = await Promise.all(Array.from({ length: 25 }, () => login(email, 'Wrong-Guess-1', ip)));
  const verified = wrong.filter((r) => r.status === 403).length;
  const blocked = wrong.filter((r) => r.status === 429).length;
  assert.equal(verified + blocked, 25, JSON.stringify(wrong.map((r) => r.status)));
  assert.ok(verified <= 10, `${verified} wrong passwords were verified`);
  assert.equal((await login(email, PASSWORD, ip)).status, 429, 'blocked now, even with the right password');
});

test('bounded work: imported hashes costlier than 4x argon2id are refused per row', async () => {
  const token = await m2mToken();
  const connections = (await mgmt('GET', `connections?name=${CONNECTION}`, null, token)).body;
  const form = new FormData();
  form.append('connection_id', connections[0].id);
  const costly = '$2b$14$' + 'a'.repeat(53);
  form.append('users', new Blob([JSON.stringify([{ email: uniqueEmail('costly'), password_hash: costly }])], { type: 'application/json' }), 'users.json');
  const job = await (await fetch(`${BASE}/api/v2/jobs/users-imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })).json();
  let status;
  for (let i = 0; i < 60 && !['completed', 'failed'].includes(status?.status); i++) {
    await new Promise((r) => setTimeout(r, 250));
    status = (await mgmt('GET', `jobs/${job.id}`, null, token)).body;
  }
  assert.equal(status.summary.failed, 1, JSON.stringify(status));
  const errors = (await mgmt('GET', `jobs/${job.id}/errors`, null, token)).body;
  assert.equal(errors[0].errors[0].code, 'MAXIMUM');
  assert.match(errors[0].errors[0].message, /bcrypt cost 14 \(at most 10\)/);
});

// A Worker configured as a deployment would be outside Cloudflare: CF-Connecting-IP is not
// trusted, and outbound URLs must be https to public hosts (no development flag).
let hardened;
before(async () => {
  hardened = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'hardened-state'),
    vars: { TRUST_CF_CONNECTING_IP: '0', DEV_ALLOW_PRIVATE_URLS: '0' } });
});
after(async () => hardened?.stop());

test('client IP: per-IP limits cannot be lifted by a header the client chooses', async () => {
  // /oauth/token allows a burst of 30 per IP (refilling 30/s): 60 requests at once, each claiming
  // another IP. Behind Cloudflare (the main suite's Worker trusts the header) each is its own IP;
  // elsewhere the header is ignored and they share one counter.
  const burst = (origin) => Promise.all(Array.from({ length: 60 }, (_, i) =>
    post(`${origin}/oauth/token`, { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' },
      { 'content-type': 'application/json', 'cf-connecting-ip': `203.0.113.${i + 1}` })));
  const limited = (results) => results.filter((r) => r.status === 429).length;
  assert.equal(limited(await burst(BASE)), 0, 'trusted: sixty addresses');
  const untrusted = limited(await burst(hardened.origin));
  assert.ok(untrusted >= 10, `untrusted: one address, ${untrusted} of 60 rate limited`);
});

test('outbound: without the development flag, http and private addresses are refused', async () => {
  const token = await m2mToken(hardened.origin, hardened.m2mSecret);
  for (const url of ['http://legacy.example/auth', 'https://127.0.0.1:8788/auth', 'https://169.254.169.254/latest', 'https://10.0.0.8/auth']) {
    const r = await mgmt('POST', 'connections', { name: `private-${randomBytes(3).toString('hex')}`, strategy: 'auth0',
      options: { import_mode: true, legacy: { url, secret: 'CONNECTION_SECRET_LEGACY' } } }, token, hardened.origin);
    assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
  }
});
