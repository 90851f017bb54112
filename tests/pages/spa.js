// A single-page app using the real @auth0/auth0-spa-js against the Worker (?edge=ORIGIN, kept in
// sessionStorage across the redirect; ?rt=1 turns on refresh tokens). Tests drive it through
// window.spa (the Auth0Client) and read #out.
const params = new URLSearchParams(location.search);
if (params.get('edge')) sessionStorage.setItem('edge', params.get('edge'));
if (params.get('rt')) sessionStorage.setItem('rt', params.get('rt'));
const edge = sessionStorage.getItem('edge');
const useRefreshTokens = sessionStorage.getItem('rt') === '1';
const out = document.getElementById('out');
try {
  const client = await auth0.createAuth0Client({
    domain: edge,
    clientId: 'demo-spa',
    authorizationParams: { redirect_uri: `${location.origin}/spa.html`, scope: 'openid profile email' },
    useRefreshTokens,
    cacheLocation: 'localstorage',
  });
  window.spa = client;
  if (params.has('code') || params.has('error')) {
    await client.handleRedirectCallback();
    history.replaceState({}, '', '/spa.html');
  }
  out.textContent = JSON.stringify({ user: (await client.getUser()) ?? null });
} catch (e) {
  out.textContent = JSON.stringify({ error: e.error ?? e.message });
}
window.ready = true;
