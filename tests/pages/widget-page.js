// Loads widget.js from the edge named by ?edge=ORIGIN and mounts it with options from the query:
// ?lang=ar&screen=signUp&extras=1&modal=1&theme=1&method=code. Events land in window.events for the tests.
const params = new URLSearchParams(location.search);
const edge = params.get('edge');
window.events = [];
const s = document.createElement('script');
s.src = `${edge}/widget.js`;
s.onload = () => {
  const options = {
    clientId: 'demo-spa',
    domain: edge,
    language: params.get('lang') ?? undefined,
    initialScreen: params.get('screen') ?? 'login',
  };
  if (params.get('method')) options.passwordlessMethod = params.get('method');
  if (params.get('extras')) {
    Object.assign(options, {
      mustAcceptTerms: true,
      additionalSignUpFields: [
        { name: 'given_name', placeholder: 'First name', storage: 'root' },
        {
          name: 'company',
          placeholder: 'Company',
          validator: (v) => ({ valid: v.length >= 2, hint: 'At least 2 characters' }),
        },
        { name: 'plan', type: 'select', placeholder: 'Plan', options: [{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }] },
        { name: 'newsletter', type: 'checkbox', placeholder: 'Send me the newsletter' },
        { name: 'source', type: 'hidden', value: 'e2e' },
      ],
    });
  }
  if (params.get('theme')) options.theme = { primaryColor: '#7b2cbf', logo: `${location.origin}/logo.svg`, title: 'Acme' };
  if (params.get('flash')) options.flashMessage = { type: 'error', text: params.get('flash') };
  const target = params.get('modal') ? null : '#login';
  const widget = LoginWidget.mount(target, options);
  for (const name of ['show', 'hide', 'authenticated', 'authorization_error', 'signup success', 'signup error',
    'signin ready', 'signup ready', 'forgot_password ready', 'signin submit', 'signup submit', 'forgot_password submit',
    'passwordless submit']) {
    widget.on(name, (payload) => window.events.push({ name, payload }));
  }
  window.widget = widget;
};
document.head.append(s);
