// Lock's quick-start code, unchanged except for the script tag: our widget.js instead of
// https://cdn.auth0.com/js/lock/14.x/lock.min.js. The edge comes from ?edge= (kept across the
// redirect in sessionStorage).
const params = new URLSearchParams(location.search);
if (params.get('edge')) sessionStorage.setItem('edge', params.get('edge'));
const edge = sessionStorage.getItem('edge');
window.lockEvents = [];
const s = document.createElement('script');
s.src = `${edge}/widget.js`;
s.onload = () => {
  // --- Lock code as a site would have it ---
  const lock = new Auth0Lock('demo-spa', edge, {
    auth: {
      redirectUrl: `${location.origin}/lock.html`,
      responseType: 'token id_token',
      params: { scope: 'openid profile email' },
    },
    languageDictionary: { title: 'Lock demo' },
    allowSignUp: true,
  });
  lock.on('authenticated', (authResult) => {
    window.lockEvents.push({ name: 'authenticated', authResult });
    lock.getUserInfo(authResult.accessToken, (error, profile) => {
      window.lockEvents.push({ name: 'profile', error, profile });
      document.getElementById('out').textContent = error ? `error: ${error.error}` : `Hello ${profile.email}`;
    });
  });
  lock.on('authorization_error', (error) => window.lockEvents.push({ name: 'authorization_error', error }));
  lock.on('hash_parsed', () => window.lockEvents.push({ name: 'hash_parsed' }));
  lock.on('show', () => window.lockEvents.push({ name: 'show' }));
  lock.on('hide', () => window.lockEvents.push({ name: 'hide' }));
  document.getElementById('login').addEventListener('click', () => lock.show());
  document.getElementById('logout').addEventListener('click', () => lock.logout({ returnTo: `${location.origin}/` }));
  // --- end of Lock code ---
  window.lock = lock;
};
document.head.append(s);
