// /oauth/token, /userinfo, JWKS and discovery against workerd: exact bodies, brute force, jose.
import { managementScopes } from '../../scripts/management-scopes.mjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as jose from 'jose';
import { BASE, CONNECTION, REALM_GRANT, login, post, signUp, testIp, uniqueEmail } from './lib.mjs';

const PASSWORD = 'Cobol1959!';
const JWKS = jose.createRemoteJWKSet(new URL(`${BASE}/.well-known/jwks.json`));

test('password-realm login: tokens verify with jose against our JWKS', async () => {
  const email = uniqueEmail('login');
  await signUp(email, PASSWORD);
  const r = await login(email, PASSWORD, testIp());
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.token_type, 'Bearer');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const { payload, protectedHeader } = await jose.jwtVerify(r.body.id_token, JWKS, { issuer: `${BASE}/`, audience: 'demo-spa' });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.email, email);
  assert.match(payload.sub, /^auth0\|[0-9a-f]{24}$/);
  assert.equal(payload.exp - payload.iat, 36000);
  assert.match(payload.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const access = await jose.jwtVerify(r.body.access_token, JWKS, { issuer: `${BASE}/`, audience: `${BASE}/userinfo` });
  assert.equal(access.payload.azp, 'demo-spa');

  const ui = await fetch(`${BASE}/userinfo`, { headers: { authorization: `Bearer ${r.body.access_token}` } });
  assert.equal(ui.status, 200);
  assert.deepEqual(
    Object.keys(await ui.json()).sort(),
    ['email', 'email_verified', 'name', 'nickname', 'sub', 'updated_at'],
  );
  assert.ok(ui.headers.get('x-ratelimit-remaining'));
});

test('form-encoded token requests work (spa-js, node-auth0)', async () => {
  const email = uniqueEmail('form');
  await signUp(email, PASSWORD);
  const body = new URLSearchParams({ grant_type: REALM_GRANT, client_id: 'demo-spa', username: email, password: PASSWORD, realm: CONNECTION });
  const r = await post('/oauth/token', body.toString(), { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': testIp() });
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

test('wrong password and unknown user get byte-identical 403s', async () => {
  const email = uniqueEmail('enum');
  await signUp(email, PASSWORD);
  const ip = testIp();
  const wrong = await login(email, 'Wrong1!x', ip);
  const unknown = await login(uniqueEmail('nobody'), 'Wrong1!x', ip);
  const expected = { error: 'invalid_grant', error_description: 'Wrong email or password.' };
  assert.equal(wrong.status, 403);
  assert.deepEqual(wrong.body, expected);
  assert.equal(unknown.status, 403);
  assert.equal(JSON.stringify(unknown.body), JSON.stringify(wrong.body));
});

test('brute-force block lands on exactly the 11th failure, per identifier and IP', async () => {
  const email = uniqueEmail('brute');
  await signUp(email, PASSWORD);
  const ip = testIp();
  for (let i = 1; i <= 10; i++) {
    const r = await login(email, 'Wrong1!x', ip);
    assert.equal(r.status, 403, `attempt ${i}`);
  }
  const eleventh = await login(email, PASSWORD, ip);
  assert.equal(eleventh.status, 429);
  assert.equal(eleventh.body.error, 'too_many_attempts');
  assert.equal((await login(email, PASSWORD, testIp())).status, 200, 'another IP still logs in');
});

test('userinfo refuses missing, forged and foreign tokens', async () => {
  const none = await fetch(`${BASE}/userinfo`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate'), /invalid_token/);
  // A token signed by a key we never published.
  const { privateKey } = await jose.generateKeyPair('RS256');
  const forged = await new jose.SignJWT({ sub: 'auth0|x', scope: 'openid email' })
    .setProtectedHeader({ alg: 'RS256', kid: 'attacker' })
    .setIssuer(`${BASE}/`).setAudience(`${BASE}/userinfo`).setIssuedAt().setExpirationTime('1h')
    .sign(privateKey);
  const r = await fetch(`${BASE}/userinfo`, { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error, 'invalid_token');
});

test('client_credentials for the Management API, with client_secret_post and _basic', async () => {
  const audience = `${BASE}/api/v2/`;
  const secret = process.env.DEMO_M2M_SECRET;
  const post1 = await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: secret, audience });
  assert.equal(post1.status, 200, JSON.stringify(post1.body));
  const { payload } = await jose.jwtVerify(post1.body.access_token, JWKS, { issuer: `${BASE}/`, audience });
  assert.equal(payload.sub, 'demo-m2m@clients');
  assert.equal(payload.scope, managementScopes.join(' '));
  const basic = Buffer.from(`demo-m2m:${secret}`).toString('base64');
  const post2 = await post('/oauth/token', `grant_type=client_credentials&audience=${encodeURIComponent(audience)}`,
    { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` });
  assert.equal(post2.status, 200);
  const bad = await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'demo-m2m', client_secret: 'nope', audience });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error, 'invalid_client');
});

test('discovery lists what we serve', async () => {
  const d = await (await fetch(`${BASE}/.well-known/openid-configuration`)).json();
  assert.equal(d.issuer, `${BASE}/`);
  assert.deepEqual(d.id_token_signing_alg_values_supported, ['RS256']);
  const jwks = await (await fetch(d.jwks_uri)).json();
  assert.ok(jwks.keys.length >= 1);
  assert.deepEqual(Object.keys(jwks.keys[0]).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
});

test('auth0-forwarded-for keys brute force on the end user only for confidential clients', async () => {
  const email = uniqueEmail('fwd');
  await signUp(email, PASSWORD);
  const server = testIp();
  const body = { grant_type: REALM_GRANT, client_id: 'demo-web', client_secret: process.env.DEMO_WEB_SECRET,
    username: email, password: 'Wrong1!x', realm: CONNECTION };
  // Ten failures forwarded for one end user block that end user, not the server's own IP.
  const endUser = testIp();
  for (let i = 0; i < 10; i++) {
    const r = await post('/oauth/token', body, { 'content-type': 'application/json', 'cf-connecting-ip': server, 'auth0-forwarded-for': endUser });
    assert.equal(r.status, 403);
  }
  const blocked = await post('/oauth/token', { ...body, password: PASSWORD },
    { 'content-type': 'application/json', 'cf-connecting-ip': server, 'auth0-forwarded-for': endUser });
  assert.equal(blocked.status, 429);
  const otherUser = await post('/oauth/token', { ...body, password: PASSWORD },
    { 'content-type': 'application/json', 'cf-connecting-ip': server, 'auth0-forwarded-for': testIp() });
  assert.equal(otherUser.status, 200);
  // A public client cannot choose the IP it is counted under.
  const spoof = testIp();
  for (let i = 0; i < 10; i++) await login(email, 'Wrong1!x', spoof, {});
  const r = await post('/oauth/token', { grant_type: REALM_GRANT, client_id: 'demo-spa', username: email, password: PASSWORD, realm: CONNECTION },
    { 'content-type': 'application/json', 'cf-connecting-ip': spoof, 'auth0-forwarded-for': testIp() });
  assert.equal(r.status, 429, 'the header is ignored for public clients');
});
