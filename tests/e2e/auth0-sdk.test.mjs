// Compatibility with the real `auth0` Node SDK at major 4 (the last with AuthenticationClient).
// The SDK builds https://{domain} URLs and checks iss = https://{domain}/, so this file runs its own
// Worker over HTTPS (wrangler's self-signed certificate, trusted for this test process only).
import { managementScopes } from '../../scripts/management-scopes.mjs';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import path from 'node:path';
import { AuthenticationClient, UserInfoClient } from 'auth0';
import { createServer } from 'node:http';
import { freePort, root, startWorker } from './worker.mjs';
import { uniqueEmail } from './lib.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const CONNECTION = 'Username-Password-Authentication';
let worker;
let domain;
// A stand-in HTTP mail API: this Worker sends mail through the HTTP adapter, not the dev outbox.
// While `hold` is set it receives mail but does not answer until `release()`.
const mails = [];
let mailApi;
let hold = false;
const held = [];
const release = () => held.splice(0).forEach((res) => res.writeHead(202).end('{}'));
/** The mails sent to `to`, once `n` of them have arrived (mail goes out after the response). */
async function mailsTo(to, n) {
  for (let i = 0; i < 100; i++) {
    const got = mails.filter((m) => m.body.to === to);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${n} mails reached ${to}`);
}
before(async () => {
  const port = await freePort();
  mailApi = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      mails.push({ auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(body) });
      if (hold) held.push(res);
      else res.writeHead(202).end('{}');
    });
  });
  await new Promise((r) => mailApi.listen(port, '127.0.0.1', r));
  worker = await startWorker({
    state: path.join(root, 'tests', 'artifacts', 'sdk-state'),
    https: true,
    vars: { DEV_OUTBOX: '0', MAIL_API_URL: `http://127.0.0.1:${port}/send`, MAIL_API_KEY: 'test-mail-key', MAIL_FROM: 'auth@tollgate.test' },
  });
  domain = new URL(worker.origin).host;
});
after(async () => {
  await worker?.stop();
  mailApi?.close();
});

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
  assert.equal(data.scope, managementScopes.join(' '));
});

test('AuthenticationClient: database.changePassword mails a reset link through the HTTP mail API', async () => {
  const auth = web();
  const email = uniqueEmail('sdkreset');
  await auth.database.signUp({ email, password: 'Cobol1959!', connection: CONNECTION });
  const { data } = await auth.database.changePassword({ email, connection: CONNECTION });
  assert.equal(data, "We've just sent you an email to reset your password.");
  const sent = await mailsTo(email, 2);
  assert.deepEqual(sent.map((m) => m.body.subject).sort(), ['Reset your password', 'Verify your email']);
  const reset = sent.find((m) => m.body.subject === 'Reset your password');
  assert.equal(reset.auth, 'Bearer test-mail-key');
  assert.equal(reset.type, 'application/json');
  assert.equal(reset.body.from, 'auth@tollgate.test');
  assert.match(reset.body.text, new RegExp(`https://${domain.replace('.', '\\.')}/lo/reset\\?ticket=`));
  // The dev outbox is off on this Worker.
  assert.equal((await fetch(`${worker.origin}/dev/outbox.json`)).status, 404);
});

test('mail goes out after the response: a known account does not wait for the mail API', async () => {
  const auth = web();
  const email = uniqueEmail('heldmail');
  await auth.database.signUp({ email, password: 'Cobol1959!', connection: CONNECTION });
  await mailsTo(email, 1);
  hold = true;
  try {
    // The mail API does not answer; the reset request still does, exactly as for an unknown email.
    const { data } = await auth.database.changePassword({ email, connection: CONNECTION });
    assert.equal(data, "We've just sent you an email to reset your password.");
    const sent = await mailsTo(email, 2);
    assert.equal(sent[1].body.subject, 'Reset your password');
    assert.equal(held.length, 1, 'the mail API has not answered yet');
  } finally {
    hold = false;
    release();
  }
});
