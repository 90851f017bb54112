// An app using the real auth0-js WebAuth against the Worker (?edge=ORIGIN, kept in sessionStorage).
// Tests call window.wa (the WebAuth) and read #out.
const params = new URLSearchParams(location.search);
if (params.get('edge')) sessionStorage.setItem('edge', params.get('edge'));
const edge = sessionStorage.getItem('edge');
window.wa = new auth0.WebAuth({
  domain: edge,
  clientID: 'demo-spa',
  redirectUri: `${location.origin}/auth0js.html`,
  responseType: 'token id_token',
  scope: 'openid profile email',
  overrides: { __tenant: 'demo', __token_issuer: `${edge}/` },
});
/** Promise wrapper: wa.call('login', {...}) etc. */
window.call = (method, options) =>
  new Promise((resolve) => window.wa[method](options, (err, res) => resolve(err ? { error: err } : { ok: res ?? true })));
addEventListener('DOMContentLoaded', () => {
  const out = document.getElementById('out');
  if (location.hash.includes('access_token') || location.hash.includes('error')) {
    window.wa.parseHash((err, res) => {
      out.textContent = JSON.stringify(err ? { error: err } : { email: res.idTokenPayload.email, state: res.state });
      window.ready = true;
    });
  } else {
    out.textContent = '{}';
    window.ready = true;
  }
});
