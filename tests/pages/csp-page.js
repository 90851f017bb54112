// Served with a strict CSP header by the e2e static server (see tests/e2e/worker.mjs). Records
// every CSP violation in window.violations.
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }));
const edge = new URLSearchParams(location.search).get('edge');
const s = document.createElement('script');
s.src = `${edge}/widget.js`;
s.onload = () => {
  window.widget = LoginWidget.mount('#login', { clientId: 'demo-spa', domain: edge, theme: { primaryColor: '#0b5fff' } });
  window.events = [];
  window.widget.on('authenticated', (r) => window.events.push({ name: 'authenticated', payload: r }));
};
document.head.append(s);
