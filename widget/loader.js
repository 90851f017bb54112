/* Tollgate widget loader: `LoginWidget.mount(target, options)` and an `Auth0Lock`-compatible
 * facade. A classic script (also fine as a module): no eval, no inline styles — theme colors are
 * set with `style.setProperty`, which a strict Content-Security-Policy allows. The WebAssembly
 * needs `'wasm-unsafe-eval'` in `script-src`.
 * scripts/package-widget.mjs fills in the hashed file names below. */
(function () {
  'use strict';
  if (window.LoginWidget) return;
  var GLUE = '__GLUE__';
  var WASM = '__WASM__';

  var script =
    document.currentScript ||
    Array.prototype.find.call(document.querySelectorAll('script[src]'), function (s) {
      return /\/widget\.js(\?|$)/.test(s.src);
    });
  var BASE = new URL('.', script ? script.src : location.href).href.replace(/\/$/, '');

  if (!document.querySelector('link[href="' + BASE + '/widget.css"], link[href="/widget.css"]')) {
    var css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = BASE + '/widget.css';
    document.head.appendChild(css);
  }

  var wasm = null;
  function runtime() {
    if (!wasm) {
      // The module's download starts with the glue's, not after it (one round trip less).
      var module = fetch(BASE + '/' + WASM);
      wasm = import(BASE + '/' + GLUE).then(function (m) {
        return m.default({ module_or_path: module }).then(function () {
          return m;
        });
      });
    }
    return wasm;
  }

  // A hint that the widget will GET `url` (its client configuration) as soon as it runs: the
  // browser downloads it while the module compiles, and the widget's own request (gloo-net, same
  // mode and credentials) is answered from that download.
  function preload(url) {
    if (document.querySelector('link[rel=preload][href="' + url + '"]')) return;
    var link = document.createElement('link');
    link.rel = 'preload';
    link.as = 'fetch';
    link.crossOrigin = 'anonymous';
    link.href = url;
    document.head.appendChild(link);
  }
  // Hosts written as HTML (`data-tollgate-client-id`, the hosted pages) mount as soon as the
  // runtime starts; start it right away when the page has one.
  if (document.querySelector('[data-tollgate-client-id], [data-tollgate-reset-ticket]')) runtime();

  var counter = 0;
  var validators = (window.__tollgateValidators = window.__tollgateValidators || {});

  function randomString() {
    var a = new Uint8Array(24);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function decodeJwtPayload(jwt) {
    try {
      var part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      var bin = atob(part + '==='.slice((part.length + 3) % 4));
      var bytes = Uint8Array.from(bin, function (c) { return c.charCodeAt(0); });
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      return undefined;
    }
  }

  /** Black or white text on `color` (hex), whichever contrasts more. */
  function onColor(color) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(color).trim());
    if (!m) return null;
    var h = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
    var lin = [0, 2, 4].map(function (i) {
      var c = parseInt(h.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
  }

  var THEME_VARS = { primaryColor: '--tg-primary', radius: '--tg-radius', font: '--tg-font', backgroundColor: '--tg-bg', textColor: '--tg-fg' };
  function applyTheme(el, theme) {
    if (!theme) return;
    Object.keys(theme).forEach(function (k) {
      var name = THEME_VARS[k] || (k.indexOf('--tg-') === 0 ? k : null);
      if (name && theme[k] != null) el.style.setProperty(name, String(theme[k]));
    });
    var on = theme.primaryColor && onColor(theme.primaryColor);
    if (on) el.style.setProperty('--tg-on-primary', on);
  }

  /** Lock's state and nonce, remembered for the answer. */
  function prepareAuth(auth) {
    auth = Object.assign({}, auth);
    if (auth.redirect === false) return auth;
    auth.state = auth.state || (auth.params && auth.params.state) || randomString();
    auth.nonce = auth.nonce || (auth.params && auth.params.nonce) || randomString();
    try {
      sessionStorage.setItem('tollgate:tx:' + auth.state, JSON.stringify({ nonce: auth.nonce }));
    } catch (e) { /* storage disabled: the state check will fail loudly later */ }
    return auth;
  }

  /** The options the WebAssembly reads (functions stay here). */
  function wireOptions(instance, options) {
    var o = Object.assign({}, options, { instance: instance, assetBase: BASE });
    // The edge is where this script came from unless the page names another.
    o.domain = o.domain ? origin(o.domain) : new URL(BASE).origin;
    o.additionalSignUpFields = (options.additionalSignUpFields || []).map(function (f) {
      var copy = Object.assign({}, f);
      if (typeof f.validator === 'function') {
        validators[instance + ':' + f.name] = function (v) {
          try {
            var r = f.validator(v);
            return typeof r === 'boolean' ? { valid: r } : r || { valid: true };
          } catch (e) {
            return { valid: false };
          }
        };
        copy.has_validator = true;
      }
      delete copy.validator;
      if (typeof f.options === 'function') delete copy.options;
      return copy;
    });
    return o;
  }

  /** Resolves Lock's asynchronous select options (`options: function (cb) {…}`). */
  function resolveSelectOptions(options) {
    var fields = options.additionalSignUpFields || [];
    return Promise.all(
      fields.map(function (f) {
        if (typeof f.options !== 'function') return f;
        return new Promise(function (resolve) {
          f.options(function (err, list) {
            resolve(Object.assign({}, f, { options: err ? [] : list }));
          });
        });
      }),
    ).then(function (list) {
      return Object.assign({}, options, { additionalSignUpFields: list });
    });
  }

  /** The first text field (where a user starts typing), else the first control. */
  function firstFocusable(root) {
    return (
      root.querySelector('input:not([type=hidden]):not([type=checkbox]):not([tabindex="-1"])') ||
      root.querySelector('input:not([type=hidden]):not([tabindex="-1"]), select, button, a[href]')
    );
  }

  /**
   * Mounts a widget. `target` (element or selector) renders inline; without one the widget is a
   * modal dialog opened with `show()`.
   */
  function mount(target, options) {
    options = Object.assign({}, options);
    var instance = 'w' + ++counter;
    var handlers = {};
    var inline = target != null;
    var container = typeof target === 'string' ? document.querySelector(target) : target;
    if (inline && !container) throw new Error('LoginWidget.mount: no element matches ' + target);
    var host = document.createElement('div');
    host.className = 'tg-host';
    host.setAttribute('data-tollgate-instance', instance);
    var lastFocus = null;
    var mounted = null;
    var visible = false;

    function emit(name, payload) {
      (handlers[name] || []).slice().forEach(function (fn) {
        try {
          fn(payload);
        } catch (e) {
          setTimeout(function () { throw e; });
        }
      });
    }
    host.addEventListener('tollgate', function (e) {
      var d = e.detail || {};
      var payload = d.payload;
      // The modal dialog (a Leptos component) asks to close: close button or Escape.
      if (d.name === '__close') return api.hide();
      if (d.name === 'authenticated' && payload && payload.idToken && !payload.idTokenPayload) {
        payload.idTokenPayload = decodeJwtPayload(payload.idToken);
      }
      emit(d.name, payload);
      if (d.name === 'authenticated' && options.autoclose && !inline) api.hide();
    });

    // Inline in the page's element, or (modal) at the end of the body: the dialog, its overlay,
    // close button, Escape and focus trap are the widget's own `Modal` component.
    (inline ? container : document.body).appendChild(host);
    applyTheme(host, options.theme);

    function render() {
      var clientId = options.clientID || options.clientId;
      if (typeof clientId === 'string' && clientId) {
        var edge = options.domain ? origin(options.domain) : new URL(BASE).origin;
        preload(edge + '/client/' + encodeURIComponent(clientId) + '.json');
      }
      mounted = Promise.all([runtime(), resolveSelectOptions(options)]).then(function (r) {
        var o = wireOptions(instance, r[1]);
        if (!inline) {
          o.modal = true;
          o.closable = options.closable !== false;
        }
        r[0].mount_widget(host, o);
        return r[0];
      });
      return mounted;
    }
    function setOpen(open) {
      if (mounted) mounted.then(function (m) { m.set_modal_open(instance, open); });
    }
    function whenRendered(fn) {
      // The widget renders after its configuration arrives; wait for its first field.
      var tries = 0;
      (function poll() {
        var el = firstFocusable(host);
        // Rendered and shown (a modal opens once its state reaches the view).
        if (el && el.offsetParent !== null) fn(el);
        else if (tries++ < 100) setTimeout(poll, 50);
      })();
    }

    var api = {
      /** The host element the widget renders into. */
      element: host,
      on: function (name, fn) {
        (handlers[name] = handlers[name] || []).push(fn);
        return api;
      },
      off: function (name, fn) {
        handlers[name] = (handlers[name] || []).filter(function (f) { return f !== fn; });
        return api;
      },
      /** Shows the widget; `opts` (Lock's show options) replace the mount options. */
      show: function (opts) {
        if (opts && Object.keys(opts).length) {
          options = Object.assign({}, options, opts);
          if (mounted) api.update({});
        }
        if (!mounted) render();
        if (!inline) {
          lastFocus = document.activeElement;
          setOpen(true);
          whenRendered(function (el) { el.focus(); });
        } else {
          host.hidden = false;
        }
        if (!visible) {
          visible = true;
          emit('show');
        }
        return api;
      },
      hide: function () {
        if (!inline) setOpen(false);
        else host.hidden = true;
        if (lastFocus && lastFocus.focus) lastFocus.focus();
        if (visible) {
          visible = false;
          emit('hide');
        }
        return api;
      },
      /** Re-renders with changed options (`language`, `initialScreen`, …). */
      update: function (opts) {
        options = Object.assign({}, options, opts);
        if (!mounted) return render();
        return mounted.then(function (m) {
          m.unmount_widget(instance);
          return render();
        });
      },
      setLanguage: function (language) {
        return api.update({ language: language });
      },
      destroy: function () {
        if (mounted) mounted.then(function (m) { m.unmount_widget(instance); });
        host.remove();
      },
    };
    if (inline) {
      render();
      visible = true;
    }
    return api;
  }

  // ---------------------------------------------------------------------------------------------
  // Auth0Lock facade: `new Auth0Lock(clientId, domain, options)`.

  function origin(domain) {
    return /^https?:\/\//.test(domain) ? domain.replace(/\/$/, '') : 'https://' + domain;
  }

  function parseHash(hash) {
    var p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
    var get = function (k) { return p.get(k) || undefined; };
    return {
      access_token: get('access_token'),
      id_token: get('id_token'),
      token_type: get('token_type'),
      expires_in: get('expires_in'),
      state: get('state'),
      scope: get('scope'),
      refresh_token: get('refresh_token'),
      error: get('error'),
      error_description: get('error_description'),
    };
  }

  function Auth0Lock(clientId, domain, options) {
    if (!(this instanceof Auth0Lock)) return new Auth0Lock(clientId, domain, options);
    options = Object.assign({}, options);
    this.clientId = clientId;
    this.domain = domain;
    this.origin = origin(domain);
    this.options = options;
    var auth = Object.assign({ redirect: true, autoParseHash: true }, options.auth);
    if (auth.redirect !== false && !auth.redirectUrl) {
      // Lock's default: back to this page, tokens in the fragment.
      auth.redirectUrl = location.href.split('#')[0];
      auth.responseType = auth.responseType || 'token';
    }
    this._auth = auth;
    this._handlers = {};
    this._widget = null;
    var self = this;
    if (auth.autoParseHash !== false && /(access_token|id_token|error)=/.test(location.hash)) {
      var hash = location.hash;
      // After the constructor returns, so `on(...)` calls made right after it see the events.
      setTimeout(function () {
        self.resumeAuth(hash, function (err, result) {
          try {
            history.replaceState(null, '', location.href.split('#')[0]);
          } catch (e) { /* sandboxed */ }
          if (err) self._emit('authorization_error', err);
          else self._emit('authenticated', result);
          self._emit('hash_parsed', err ? null : result);
        });
      }, 0);
    }
  }

  Auth0Lock.prototype._emit = function (name, payload) {
    (this._handlers[name] || []).slice().forEach(function (fn) { fn(payload); });
  };

  Auth0Lock.prototype.on = function (name, fn) {
    (this._handlers[name] = this._handlers[name] || []).push(fn);
    return this;
  };

  Auth0Lock.prototype._ensure = function () {
    if (this._widget) return this._widget;
    var o = this.options;
    var self = this;
    var widgetOptions = Object.assign({}, o, {
      clientId: this.clientId,
      domain: this.origin,
      auth: prepareAuth(this._auth),
      connection: o.defaultDatabaseConnection || o.connection,
    });
    var target = o.container ? document.getElementById(o.container) : null;
    this._widget = mount(target, widgetOptions);
    [
      'show', 'hide', 'unrecoverable_error', 'authenticated', 'authorization_error',
      'signin ready', 'signup ready', 'forgot_password ready', 'forgot_password submit',
      'signin submit', 'signup submit', 'signup success', 'signup error', 'federated login',
    ].forEach(function (name) {
      self._widget.on(name, function (payload) { self._emit(name, payload); });
    });
    return this._widget;
  };

  Auth0Lock.prototype.show = function (opts) {
    this._ensure().show(opts);
  };

  Auth0Lock.prototype.hide = function () {
    if (this._widget) this._widget.hide();
  };

  Auth0Lock.prototype.resumeAuth = function (hash, cb) {
    var h = parseHash(hash);
    if (h.error) return cb({ error: h.error, errorDescription: h.error_description, state: h.state });
    var stored = null;
    try {
      stored = h.state && JSON.parse(sessionStorage.getItem('tollgate:tx:' + h.state));
      if (stored) sessionStorage.removeItem('tollgate:tx:' + h.state);
    } catch (e) { stored = null; }
    if (!stored) return cb({ error: 'invalid_token', errorDescription: '`state` does not match.' });
    var payload = h.id_token ? decodeJwtPayload(h.id_token) : undefined;
    if (h.id_token && (!payload || payload.nonce !== stored.nonce)) {
      return cb({ error: 'invalid_token', errorDescription: 'Nonce does not match.' });
    }
    cb(null, {
      accessToken: h.access_token || null,
      idToken: h.id_token || null,
      idTokenPayload: payload || null,
      tokenType: h.token_type || null,
      expiresIn: h.expires_in ? Number(h.expires_in) : null,
      refreshToken: h.refresh_token || null,
      scope: h.scope || null,
      state: h.state,
      appState: null,
    });
  };

  Auth0Lock.prototype.getUserInfo = function (accessToken, cb) {
    fetch(this.origin + '/userinfo', { headers: { authorization: 'Bearer ' + accessToken } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (r.ok) cb(null, body);
          else cb({ error: body.error || 'request_error', errorDescription: body.error_description, statusCode: r.status });
        });
      })
      .catch(function (e) { cb({ error: 'request_error', errorDescription: String(e) }); });
  };
  Auth0Lock.prototype.getProfile = Auth0Lock.prototype.getUserInfo;

  /** Silent authentication in a hidden iframe (`prompt=none`, `response_mode=web_message`). */
  Auth0Lock.prototype.checkSession = function (opts, cb) {
    var auth = this._auth;
    var state = randomString();
    var nonce = randomString();
    var params = Object.assign({}, auth.params, opts, {
      client_id: this.clientId,
      response_type: (opts && opts.responseType) || auth.responseType || 'token',
      redirect_uri: (opts && opts.redirectUri) || auth.redirectUrl || location.href.split('#')[0],
      response_mode: 'web_message',
      prompt: 'none',
      state: state,
      nonce: nonce,
    });
    delete params.responseType;
    delete params.redirectUri;
    if (!params.scope) params.scope = 'openid profile email';
    if (auth.audience && !params.audience) params.audience = auth.audience;
    var url = this.origin + '/authorize?' + new URLSearchParams(params).toString();
    var frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'session check';
    var self = this;
    var done = false;
    function finish(err, result) {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      frame.remove();
      cb(err, result);
    }
    function onMessage(e) {
      if (e.origin !== self.origin || !e.data || e.data.type !== 'authorization_response') return;
      var r = e.data.response || {};
      if (r.state !== state) return finish({ error: 'invalid_token', errorDescription: '`state` does not match.' });
      if (r.error) return finish({ error: r.error, error_description: r.error_description, errorDescription: r.error_description });
      var payload = r.id_token ? decodeJwtPayload(r.id_token) : undefined;
      if (r.id_token && (!payload || payload.nonce !== nonce)) {
        return finish({ error: 'invalid_token', errorDescription: 'Nonce does not match.' });
      }
      finish(null, {
        accessToken: r.access_token || null,
        idToken: r.id_token || null,
        idTokenPayload: payload || null,
        tokenType: r.token_type || null,
        expiresIn: r.expires_in ? Number(r.expires_in) : null,
        scope: r.scope || null,
        state: r.state,
      });
    }
    var timer = setTimeout(function () {
      finish({ error: 'timeout', errorDescription: 'Timeout during executing web_message communication' });
    }, 60000);
    window.addEventListener('message', onMessage);
    frame.src = url;
    document.body.appendChild(frame);
  };

  Auth0Lock.prototype.logout = function (opts) {
    opts = opts || {};
    var q = new URLSearchParams({ client_id: opts.clientID || this.clientId });
    if (opts.returnTo) q.set('returnTo', opts.returnTo);
    if (opts.federated) q.set('federated', '');
    location.assign(this.origin + '/v2/logout?' + q.toString());
  };

  window.LoginWidget = { mount: mount, version: '__VERSION__' };
  if (!window.Auth0Lock) window.Auth0Lock = Auth0Lock;
})();
