// The Worker's RS256 signatures (WebCrypto) verified by jose against the published JWKS, and the
// isolate's configuration cache: a connection's policy changed through the Management API is
// enforced by the very next sign-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as jose from 'jose';
import { BASE, login, post, signUp, testIp, uniqueEmail } from './lib.mjs';

async function m2mToken() {
  const r = await post('/oauth/token', {
    grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: process.env.DEMO_M2M_SECRET, audience: `${BASE}/api/v2/`,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

test('tokens signed in the Worker (WebCrypto) verify with jose against the JWKS', async () => {
  const jwks = jose.createRemoteJWKSet(new URL(`${BASE}/.well-known/jwks.json`));
  const m2m = await jose.jwtVerify(await m2mToken(), jwks, { issuer: `${BASE}/`, audience: `${BASE}/api/v2/`, algorithms: ['RS256'] });
  assert.equal(m2m.payload.gty, 'client-credentials');
  assert.equal(m2m.protectedHeader.typ, 'JWT');
  const email = uniqueEmail('jose');
  await signUp(email, 'Jose-Verified-1');
  const r = await login(email, 'Jose-Verified-1', testIp(), { scope: 'openid email' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const id = await jose.jwtVerify(r.body.id_token, jwks, { issuer: `${BASE}/`, audience: 'demo-spa', algorithms: ['RS256'] });
  assert.equal(id.payload.email, email);
  await jose.jwtVerify(r.body.access_token, jwks, { issuer: `${BASE}/`, algorithms: ['RS256'] });
  // A tampered token is refused by jose and by the Worker.
  const [h, p, s] = r.body.access_token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...id.payload, sub: 'auth0|someone-else' })).toString('base64url')}.${s}`;
  await assert.rejects(jose.jwtVerify(forged, jwks));
  const userinfo = await fetch(`${BASE}/userinfo`, { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(userinfo.status, 401);
  assert.ok(p);
});

test('a policy changed through the Management API is enforced by the next sign-up', async () => {
  const auth = { authorization: `Bearer ${await m2mToken()}`, 'content-type': 'application/json' };
  const name = `cache-${Date.now()}`;
  const created = await fetch(`${BASE}/api/v2/connections`, {
    method: 'POST', headers: auth,
    body: JSON.stringify({ name, strategy: 'auth0', options: { passwordPolicy: 'low' }, enabled_clients: ['demo-spa'] }),
  });
  const body = await created.text();
  assert.equal(created.status, 201, body);
  const connection = JSON.parse(body).id;
  const signup = (email) => post('/dbconnections/signup', { client_id: 'demo-spa', connection: name, email, password: 'weakpass' },
    { 'content-type': 'application/json', 'cf-connecting-ip': testIp() });
  // The policy is read (and cached) by a first sign-up.
  assert.equal((await signup(uniqueEmail('cache'))).status, 200);
  const patched = await fetch(`${BASE}/api/v2/connections/${connection}`, {
    method: 'PATCH', headers: auth, body: JSON.stringify({ options: { passwordPolicy: 'excellent' } }),
  });
  assert.equal(patched.status, 200, await patched.text());
  const refused = await signup(uniqueEmail('cache'));
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal(refused.body.code, 'invalid_password');
});
