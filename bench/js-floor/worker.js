// The platform's floor for `make bench`: a plain JavaScript Worker under the same wrangler dev,
// serving a trivial route and a client-credentials-shaped token signed with WebCrypto RS256 (the
// key generated once per isolate), after checking the client secret's SHA-256 — what Tollgate's
// own token request does, minus everything Tollgate adds.
const enc = new TextEncoder();
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const part = (obj) => b64url(enc.encode(JSON.stringify(obj)));
const sha256 = async (text) => b64url(await crypto.subtle.digest('SHA-256', enc.encode(text)));
// The one client's secret, stored as its SHA-256 (as Tollgate stores client secrets).
const CLIENT = { id: 'floor', secret: sha256('floor-secret') };
let keys;

function signingKey() {
  keys ??= crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false, ['sign', 'verify']);
  return keys;
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return Response.json({ ok: true });
    if (pathname === '/oauth/token' && request.method === 'POST') {
      const body = await request.json();
      if (body.client_id !== CLIENT.id || (await sha256(body.client_secret ?? '')) !== (await CLIENT.secret)) {
        return Response.json({ error: 'invalid_client' }, { status: 401 });
      }
      const now = Math.floor(Date.now() / 1000);
      const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'floor' })}.${part({
        iss: new URL(request.url).origin + '/', sub: `${body.client_id}@clients`, aud: body.audience, iat: now, exp: now + 86400,
        scope: 'read:users', gty: 'client-credentials', azp: body.client_id, jti: crypto.randomUUID() })}`;
      const { privateKey } = await signingKey();
      const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, enc.encode(input));
      return Response.json({ access_token: `${input}.${b64url(sig)}`, token_type: 'Bearer', expires_in: 86400, scope: 'read:users' },
        { headers: { 'cache-control': 'no-store' } });
    }
    return Response.json({ error: 'not_found' }, { status: 404 });
  },
};
