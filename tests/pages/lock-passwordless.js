// Lock Passwordless's quick start (email, one-time code), pointed at Tollgate: the domain is the
// edge's origin (?edge=, kept across the redirect in sessionStorage), its configuration
// (/client/{id}.js) read from there too. This page is also the callback: Lock parses the answer,
// validates the ID token and emits `authenticated`. Tests read window.lockEvents.
const params = new URLSearchParams(location.search);
if (params.get('edge')) sessionStorage.setItem('edge', params.get('edge'));
const edge = sessionStorage.getItem('edge');
window.lockEvents = [];
// --- Lock code as a site would have it ---
const lock = new Auth0LockPasswordless('demo-spa', edge, {
  configurationBaseUrl: edge,
  allowedConnections: ['email'],
  passwordlessMethod: 'code',
  auth: {
    redirectUrl: `${location.origin}/lock-passwordless.html`,
    responseType: 'token id_token',
    params: { scope: 'openid profile email' },
  },
  // The issuer of a domain given with its scheme (auth0-js would expect https://{domain}/).
  overrides: { __tenant: 'demo', __token_issuer: `${edge}/` },
  languageDictionary: { title: 'Lock Passwordless demo' },
});
lock.on('authenticated', (authResult) => {
  window.lockEvents.push({ name: 'authenticated', authResult });
  lock.getUserInfo(authResult.accessToken, (error, profile) => {
    window.lockEvents.push({ name: 'profile', error, profile });
    document.getElementById('out').textContent = error ? `error: ${error.error}` : `Hello ${profile.email}`;
  });
});
lock.on('authorization_error', (error) => window.lockEvents.push({ name: 'authorization_error', error }));
lock.on('hash_parsed', (hash) => window.lockEvents.push({ name: 'hash_parsed', hash }));
lock.on('show', () => window.lockEvents.push({ name: 'show' }));
document.getElementById('login').addEventListener('click', () => lock.show());
// --- end of Lock code ---
window.lock = lock;
