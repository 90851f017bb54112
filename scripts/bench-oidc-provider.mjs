// `make bench` part: panva's oidc-provider (node) issuing the same kind of token as our
// client_credentials grant — an RS256 JWT access token for an API audience — so its req/s can be
// printed next to ours. Run as a child process: prints `ready <origin>`, serves until killed.
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
const server = createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const provider = new Provider(origin, {
  clients: [{ client_id: 'bench', client_secret: 'bench-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
  jwks: { keys: [jwk] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'https://api.bench/',
      getResourceServerInfo: () => ({ scope: 'read:users', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      useGrantedResource: () => true,
    },
  },
});
server.on('request', provider.callback());
console.log(`ready ${origin}`);
