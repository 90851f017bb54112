// Embeds the widget from the edge named by ?edge=ORIGIN (the e2e runner's Worker).
const edge = new URL(location.href).searchParams.get('edge');
const css = document.createElement('link');
css.rel = 'stylesheet';
css.href = `${edge}/widget.css`;
document.head.append(css);
addEventListener('DOMContentLoaded', () => {
  const host = document.getElementById('login');
  host.dataset.tollgateClientId = 'demo-spa';
  host.dataset.tollgateInitialScreen = 'signUp';
  host.dataset.tollgateDomain = edge;
  const s = document.createElement('script');
  s.type = 'module';
  s.src = `${edge}/widget.js`;
  document.head.append(s);
});
