// Auth0's own Lock (auth0-lock@14 from npm, unmodified) as a browser bundle: the package ships none,
// so esbuild bundles and minifies `lib/index.js`. Used by `make bench` (size and load time next to
// the widget) and by the e2e suites that drive the real Lock (tests/e2e/passwordless.test.mjs).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Bundles auth0-lock into `dir`/lock.min.js (an IIFE defining `window.Auth0Lock` and
 * `window.Auth0LockPasswordless`). Returns {file, version}. */
export async function bundleLock(dir = path.join(root, 'tests', 'artifacts', 'lock-bundle')) {
  mkdirSync(dir, { recursive: true });
  // auth0-lock's CommonJS entry bundles to {default, Auth0Lock, Auth0LockPasswordless}.
  writeFileSync(path.join(dir, 'entry.mjs'), [
    "import * as lock from 'auth0-lock';",
    'const m = lock.default?.Auth0Lock ? lock.default : lock;',
    'window.Auth0Lock = m.Auth0Lock;',
    'window.Auth0LockPasswordless = m.Auth0LockPasswordless;',
    '',
  ].join('\n'));
  const version = JSON.parse(readFileSync(path.join(root, 'node_modules', 'auth0-lock', 'package.json'), 'utf8')).version;
  // Lock `require()`s auth0-js, whose package is `"type": "module"`: its UMD `main` would run as an
  // ES module and lose its exports, so (as webpack does for Lock's CDN build) take its ES build.
  const auth0Js = createRequire(import.meta.url).resolve('auth0-js/package.json', { paths: [path.join(root, 'node_modules', 'auth0-lock')] });
  const file = path.join(dir, 'lock.min.js');
  await build({
    entryPoints: [path.join(dir, 'entry.mjs')], bundle: true, minify: true, format: 'iife', platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' }, outfile: file, logLevel: 'error',
    nodePaths: [path.join(root, 'node_modules')],
    plugins: [{ name: 'auth0-js-esm', setup: (b) => b.onResolve({ filter: /^auth0-js$/ }, () => ({ path: path.join(path.dirname(auth0Js), 'dist', 'auth0.min.esm.js') })) }],
  });
  return { file, version };
}
