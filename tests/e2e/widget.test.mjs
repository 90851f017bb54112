// The widget as a site embeds it: LoginWidget.mount on a page served from another origin than the
// Worker, the Auth0Lock facade, a strict-CSP page, languages (incl. RTL), keyboard-only use, and
// axe-core on every screen in light and dark mode. Screenshots go to tests/artifacts/screenshots.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { BASE, launch, screenshot, signUp, uniqueEmail } from './lib.mjs';

const PAGES = process.env.PAGES_URL;
let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function open(pathname, { locale = 'en-US', colorScheme = 'light', query = '' } = {}) {
  const context = await browser.newContext({ locale, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${PAGES}/${pathname}?edge=${encodeURIComponent(BASE)}${query}`);
  return { page, errors, close: () => context.close() };
}

const events = (page, name) => page.evaluate((n) => window.events.filter((e) => e.name === n), name);
const waitEvent = (page, name) => page.waitForFunction((n) => window.events?.some((e) => e.name === n), name);
const escape = (s) => s.replace(/[.+]/g, '\\$&');

test('sign up through LoginWidget.mount: extra fields, validator, terms, focus on the first error, events', async () => {
  const { page, errors, close } = await open('widget.html', { query: '&screen=signUp&extras=1&theme=1' });
  await page.locator('#tg-signup-password').waitFor();
  await waitEvent(page, 'signup ready');
  const email = uniqueEmail('widget');
  await page.fill('#tg-signup-email', email);
  await page.fill('#tg-signup-password', 'Cobol1959!');
  await page.fill('#tg-signup-company', 'A');
  await page.click('button[type=submit]');
  // Nothing sent; the first invalid field has focus and says why.
  await page.waitForFunction(() => document.activeElement?.id === 'tg-signup-given_name');
  assert.equal(await page.getAttribute('#tg-signup-given_name', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#tg-signup-terms', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#tg-signup-company-hint'), /At least 2 characters/, "the page's validator hint");
  assert.deepEqual(await events(page, 'signup submit'), []);
  await screenshot(page, 'widget-signup-errors');

  await page.fill('#tg-signup-given_name', 'Ada');
  await page.fill('#tg-signup-company', 'Acme');
  await page.selectOption('#tg-signup-plan', 'pro');
  await page.check('#tg-signup-newsletter');
  await page.check('#tg-signup-terms');
  await page.click('button[type=submit]');
  await page.locator('.tg-success').waitFor();
  assert.match(await page.textContent('.tg-status'), new RegExp(escape(email)));
  const [success] = await events(page, 'signup success');
  assert.equal(success.payload.email, email);
  assert.equal(success.payload.given_name, 'Ada', 'root attribute');
  assert.deepEqual(success.payload.user_metadata, { company: 'Acme', plan: 'pro', newsletter: 'true', source: 'e2e' });
  // loginAfterSignUp: the page gets tokens.
  await waitEvent(page, 'authenticated');
  const [auth] = await events(page, 'authenticated');
  assert.equal(auth.payload.idTokenPayload.email, email);
  assert.ok(auth.payload.accessToken);
  await screenshot(page, 'widget-signup-success');
  assert.deepEqual(errors, []);
  await close();
});

test('log in, a wrong password, then forgot password through the dev outbox', async () => {
  const email = uniqueEmail('widget-login');
  await signUp(email, 'Cobol1959!');
  const { page, errors, close } = await open('widget.html');
  await page.locator('#tg-login-password').waitFor();
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', 'Wrong1959!');
  await page.click('button[type=submit]');
  await page.locator('.tg-error').waitFor();
  assert.equal(await page.textContent('.tg-error'), 'Wrong email or password.');
  const [failure] = await events(page, 'authorization_error');
  assert.equal(failure.payload.error, 'invalid_grant');
  await screenshot(page, 'widget-login-wrong-password');

  await page.fill('#tg-login-password', 'Cobol1959!');
  await page.click('button[type=submit]');
  await waitEvent(page, 'authenticated');
  const [auth] = await events(page, 'authenticated');
  assert.equal(auth.payload.idTokenPayload.email, email);
  assert.equal(auth.payload.tokenType, 'Bearer');
  await page.locator('.tg-success').waitFor();
  await screenshot(page, 'widget-login-success');

  await page.click('text=Don\'t remember your password?');
  await page.locator('#tg-forgot-email').waitFor();
  assert.equal(await page.inputValue('#tg-forgot-email'), email, 'the email carries over');
  await screenshot(page, 'widget-forgot');
  await page.click('button[type=submit]');
  await page.locator('.tg-success').waitFor();
  await screenshot(page, 'widget-forgot-sent');
  const mails = (await (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json())
    .filter((m) => m.subject === 'Reset your password');
  assert.equal(mails.length, 1);
  assert.match(mails[0].link, /\/lo\/reset\?ticket=/);
  assert.deepEqual(errors, []);
  await close();
});

test('language from the browser, then switched to Arabic (right to left)', async () => {
  const { page, errors, close } = await open('widget.html', { locale: 'de-DE', query: '&screen=signUp' });
  await page.locator('#tg-signup-password').waitFor();
  assert.equal(await page.textContent('label[for=tg-signup-password]'), 'Passwort');
  assert.equal(await page.getAttribute('.tg-host', 'lang'), 'de');
  await page.fill('#tg-signup-password', 'abc');
  assert.match(await page.textContent('[data-code=lengthAtLeast]'), /Mindestens 8 Zeichen lang/);
  await screenshot(page, 'widget-de-signup');

  await page.evaluate(() => window.widget.setLanguage('ar'));
  await page.waitForFunction(() => document.querySelector('.tg-host')?.getAttribute('dir') === 'rtl');
  await page.locator('label[for=tg-signup-password]').waitFor();
  assert.equal(await page.getAttribute('.tg-host', 'lang'), 'ar');
  assert.equal(await page.textContent('label[for=tg-signup-password]'), 'كلمة المرور');
  await page.fill('#tg-signup-password', 'abc');
  assert.match(await page.textContent('[data-code=lengthAtLeast]'), /8 أحرف على الأقل/);
  // Right to left: the show-password toggle sits on the left edge of the field.
  const input = await page.locator('#tg-signup-password').boundingBox();
  const toggle = await page.locator('.tg-show').first().boundingBox();
  assert.ok(toggle.x < input.x + input.width / 2, 'toggle on the left in RTL');
  await screenshot(page, 'widget-ar-signup');
  await page.click('#tg-tab-login');
  await page.fill('#tg-login-id', 'nobody@example.com');
  await page.fill('#tg-login-password', 'Wrong1959!');
  await page.click('button[type=submit]');
  await page.locator('.tg-error').waitFor();
  assert.equal(await page.textContent('.tg-error'), 'البريد الإلكتروني أو كلمة المرور غير صحيحة.');
  await screenshot(page, 'widget-ar-login-error');
  assert.deepEqual(errors, []);
  await close();
});

test('keyboard only: reach every control in order, switch tabs with arrows, log in with Enter', async () => {
  const email = uniqueEmail('keyboard');
  await signUp(email, 'Cobol1959!');
  const { page, close } = await open('widget.html');
  await page.locator('#tg-login-password').waitFor();
  const order = [];
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      const outline = getComputedStyle(el).outlineStyle;
      return `${el.id || el.className}${outline === 'none' ? ' (no focus ring)' : ''}`;
    }));
  }
  // The inactive tab is skipped (roving tabindex); social buttons (when the client has social
  // connections) come between the tabs and the form; the focus ring is always visible.
  const socials = order.filter((o) => o.startsWith('tg-social'));
  assert.ok(socials.every((o) => o === 'tg-social'), `focus ring on social buttons: ${socials}`);
  assert.deepEqual(order.filter((o) => !o.startsWith('tg-social')).slice(0, 6), ['tg-tab-login', 'tg-login-id', 'tg-login-password', 'tg-link tg-show', 'tg-link', 'tg-submit']);
  await page.focus('#tg-tab-login');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tg-tab-signup', 'aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tg-tab-signup');
  await page.keyboard.press('ArrowLeft');
  // Tab past any social buttons to the email field.
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.id)) !== 'tg-login-id'; i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Cobol1959!');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // the show-password toggle
  assert.equal(await page.getAttribute('#tg-login-password', 'type'), 'text');
  await screenshot(page, 'widget-keyboard');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter'); // submits the form
  await waitEvent(page, 'authenticated');
  await close();
});

test('a page written for Auth0 Lock works with our script: modal, redirect login, getUserInfo, checkSession, logout', async () => {
  const email = uniqueEmail('lock');
  await signUp(email, 'Cobol1959!');
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${PAGES}/lock.html?edge=${encodeURIComponent(BASE)}`);
  await page.waitForFunction(() => window.lock);
  await page.click('#login');
  await page.locator('.tg-overlay:not([hidden]) #tg-login-password').waitFor();
  // Focus moves into the dialog; Escape closes it and gives focus back.
  await page.waitForFunction(() => document.activeElement?.id === 'tg-login-id');
  assert.equal(await page.getAttribute('.tg-dialog', 'role'), 'dialog');
  await screenshot(page, 'lock-modal');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.tg-overlay').isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login');
  assert.deepEqual(await page.evaluate(() => window.lockEvents.map((e) => e.name)), ['show', 'hide']);

  await page.click('#login');
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', 'Cobol1959!');
  await Promise.all([page.waitForURL(/lock\.html#?/), page.click('.tg-overlay button[type=submit]')]);
  await page.waitForFunction(() => window.lockEvents?.some((e) => e.name === 'profile'));
  const log = await page.evaluate(() => window.lockEvents);
  const auth = log.find((e) => e.name === 'authenticated').authResult;
  assert.equal(auth.idTokenPayload.email, email);
  assert.equal(auth.tokenType, 'Bearer');
  assert.ok(auth.accessToken && auth.state);
  assert.ok(log.some((e) => e.name === 'hash_parsed'));
  assert.equal(log.find((e) => e.name === 'profile').profile.email, email);
  assert.equal(await page.textContent('#out'), `Hello ${email}`);
  assert.equal(new URL(page.url()).hash, '', 'the fragment is cleared');
  await screenshot(page, 'lock-authenticated');

  const silent = await page.evaluate(() => new Promise((resolve) => window.lock.checkSession({}, (err, r) => resolve({ err, r }))));
  assert.equal(silent.err, null);
  assert.ok(silent.r.accessToken, 'checkSession renews tokens from the session');

  await Promise.all([page.waitForURL(`${PAGES}/`), page.click('#logout')]);
  await page.goto(`${PAGES}/lock.html`);
  await page.waitForFunction(() => window.lock);
  const after = await page.evaluate(() => new Promise((resolve) => window.lock.checkSession({}, (err, r) => resolve({ err, r }))));
  assert.equal(after.err.error, 'login_required');

  // A tampered state is refused.
  await page.goto(`${PAGES}/lock.html?tampered=1#access_token=x&token_type=Bearer&state=forged`);
  await page.waitForFunction(() => window.lockEvents?.some((e) => e.name === 'authorization_error'));
  const refused = await page.evaluate(() => window.lockEvents.find((e) => e.name === 'authorization_error').error);
  assert.equal(refused.error, 'invalid_token');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the widget runs under a strict Content-Security-Policy', async () => {
  const email = uniqueEmail('csp');
  await signUp(email, 'Cobol1959!');
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const res = await page.goto(`${PAGES}/csp.html?edge=${encodeURIComponent(BASE)}`);
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' http:\/\/127\.0\.0\.1:\d+ 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  await page.locator('#tg-login-password').waitFor();
  // The theme reached the widget through CSS custom properties, not inline styles.
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.tg-submit')).backgroundColor);
  assert.equal(bg, 'rgb(11, 95, 255)');
  await page.fill('#tg-login-id', email);
  await page.fill('#tg-login-password', 'Cobol1959!');
  await page.click('button[type=submit]');
  await page.waitForFunction(() => window.events?.some((e) => e.name === 'authenticated'));
  await screenshot(page, 'widget-strict-csp');
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('axe-core: no violations on any screen, light and dark, English and Arabic', async () => {
  const found = [];
  for (const colorScheme of ['light', 'dark']) {
    for (const lang of ['en', 'ar']) {
      const shots = async (page, screen) => {
        const result = await new AxeBuilder({ page }).analyze();
        for (const v of result.violations) {
          found.push(`${colorScheme}/${lang}/${screen}: ${v.id} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        }
        await screenshot(page, `axe-${colorScheme}-${lang}-${screen}`);
      };
      const { page, close } = await open('widget.html', { colorScheme, query: `&lang=${lang}&extras=1&theme=1&flash=Session+expired` });
      await page.locator('#tg-login-password').waitFor();
      await shots(page, 'login');
      await page.fill('#tg-login-id', 'nobody@example.com');
      await page.fill('#tg-login-password', 'Wrong1959!');
      await page.click('button[type=submit]');
      await page.locator('.tg-error').waitFor();
      await shots(page, 'login-error');
      await page.click('#tg-tab-signup');
      await page.locator('#tg-signup-password').waitFor();
      await page.fill('#tg-signup-password', 'abc');
      await page.click('button[type=submit]');
      await page.locator('[aria-invalid=true]').first().waitFor();
      await shots(page, 'signup-errors');
      await page.click('#tg-tab-login');
      await page.click('.tg-aside .tg-link');
      await page.locator('#tg-forgot-email').waitFor();
      await shots(page, 'forgot');
      await close();

      const modal = await open('widget.html', { colorScheme, query: `&lang=${lang}&modal=1` });
      await modal.page.waitForFunction(() => window.widget);
      await modal.page.evaluate(() => window.widget.show());
      await modal.page.locator('#tg-login-password').waitFor();
      await shots(modal.page, 'modal');
      await modal.close();

      // The pages the Worker serves around the widget, in the browser's language.
      const context = await browser.newContext({ locale: lang === 'ar' ? 'ar-EG' : 'en-US', colorScheme });
      const around = await context.newPage();
      const q = new URLSearchParams({ client_id: 'demo-spa', response_type: 'code', redirect_uri: `${PAGES}/callback.html`,
        code_challenge: 'z'.repeat(43), code_challenge_method: 'S256', state: 's' });
      await around.goto(`${BASE}/authorize?${q}`);
      await around.locator('#tg-login-password').waitFor();
      await shots(around, 'hosted-login');
      const email = uniqueEmail('axe');
      await signUp(email, 'Cobol1959!');
      await fetch(`${BASE}/dbconnections/change_password`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'demo-spa', connection: 'Username-Password-Authentication', email }) });
      const mails = await (await fetch(`${BASE}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json();
      await around.goto(mails.find((m) => m.kind === 'reset_password').link);
      await around.locator('#tg-reset-password').waitFor();
      await shots(around, 'reset');
      await around.goto(mails.find((m) => m.kind === 'verify_email').link);
      await shots(around, 'verified');
      await around.goto(`${BASE}/authorize?client_id=demo-spa&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/')}`);
      await shots(around, 'authorize-error');
      await around.goto(`${BASE}/lo/reset?ticket=no-such-ticket`);
      await around.locator('.tg-widget [role=alert]').waitFor();
      await shots(around, 'reset-expired');
      await context.close();
    }
  }
  assert.deepEqual(found, []);
});
