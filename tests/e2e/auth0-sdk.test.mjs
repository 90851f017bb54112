// Compatibility with the real `auth0` Node SDK at major 4 (the last with AuthenticationClient).
// The SDK builds https://{domain} URLs and checks iss = https://{domain}/, so this file runs its own
// Worker over HTTPS (wrangler's self-signed certificate, trusted for this test process only).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import path from 'node:path';
import { AuthenticationClient, UserInfoClient } from 'auth0';
import { root, startWorker } from './worker.mjs';
import { uniqueEmail } from './lib.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const CONNECTION = 'Username-Password-Authentication';
let worker;
let domain;
before(async () => {
  worker = await startWorker({ state: path.join(root, 'tests', 'artifacts', 'sdk-state'), https: true });
  domain = new URL(worker.origin).host;
});
after(async () => worker?.stop());

// The server-side SDK authenticates with a secret: the confidential `demo-web` client.
const web = () => new AuthenticationClient({ domain, clientId: 'demo-web', clientSecret: worker.webSecret });

test('AuthenticationClient: database.signUp, oauth.passwordGrant (ID token validated by the SDK), userinfo', async () => {
  const auth = web();
  const email = uniqueEmail('sdk');
  const { data: user } = await auth.database.signUp({ email, password: 'Cobol1959!', connection: CONNECTION });
  assert.equal(user.email, email);
  assert.equal(user.email_verified, false);

  const { data: tokens } = await auth.oauth.passwordGrant({ username: email, password: 'Cobol1959!', realm: CONNECTION });
  assert.ok(tokens.id_token && tokens.access_token);
  assert.equal(tokens.token_type, 'Bearer');

  const info = new UserInfoClient({ domain });
  const { data: profile } = await info.getUserInfo(tokens.access_token);
  assert.equal(profile.email, email);
});

test('AuthenticationClient: SDK errors carry our Auth0-shaped bodies', async () => {
  const auth = web();
  await assert.rejects(
    auth.oauth.passwordGrant({ username: uniqueEmail('nobody'), password: 'Wrong1!x', realm: CONNECTION }),
    (e) => e.error === 'invalid_grant' && e.error_description === 'Wrong email or password.' && e.statusCode === 403,
  );
  await assert.rejects(
    auth.database.signUp({ email: uniqueEmail('weak'), password: 'abc', connection: CONNECTION }),
    (e) => e.statusCode === 400 && e.error === 'invalid_password',
  );
});

test('AuthenticationClient: oauth.clientCredentialsGrant for the Management API', async () => {
  const auth = new AuthenticationClient({ domain, clientId: 'demo-m2m', clientSecret: worker.m2mSecret });
  const { data } = await auth.oauth.clientCredentialsGrant({ audience: `https://${domain}/api/v2/` });
  assert.ok(data.access_token);
  assert.equal(data.scope, 'create:users read:users update:users delete:users');
});
