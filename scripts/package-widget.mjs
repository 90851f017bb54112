#!/usr/bin/env node
// After `trunk build`: gives the widget stable entry points and removes trunk's inline script.
//   dist/widget.js   widget/loader.js with the hashed wasm-bindgen glue and wasm names filled in:
//                    `LoginWidget.mount`, the `Auth0Lock` facade, and auto-mounting of every
//                    `[data-tollgate-*]` host on the page (the wasm start function does that)
//   dist/i18n/*.json the language packs (widget/i18n), fetched by the widget when needed
//   dist/widget.css  the widget's stylesheet
//   dist/_headers    CORS for the widget's files, so any site can embed them
//   dist/index.html  trunk's inline bootstrap <script> replaced by <script defer src="/widget.js">,
//                    so the demo page runs under a CSP without 'unsafe-inline'
// The loader, the wasm-bindgen glue and the stylesheet are minified with esbuild (the glue in
// place, with its integrity hash in index.html updated).
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
const files = readdirSync(dist);
const find = (re) => {
  const f = files.find((x) => re.test(x));
  if (!f) throw new Error(`dist/ has no file matching ${re}`);
  return f;
};
const glue = find(/^widget-[0-9a-f]+\.js$/);
const wasm = find(/^widget-[0-9a-f]+_bg\.wasm$/);
const css = find(/^style-[0-9a-f]+\.css$/);

const root = path.resolve(import.meta.dirname, '..');
const version = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))?.[1] ?? '0.0.0';
const loader = readFileSync(path.join(root, 'widget', 'loader.js'), 'utf8')
  .replace("'__GLUE__'", JSON.stringify(glue))
  .replace("'__WASM__'", JSON.stringify(wasm))
  .replace("'__VERSION__'", JSON.stringify(version));
const minify = (code, loader, format) => transformSync(code, { loader, minify: true, format, target: 'es2020' }).code;
writeFileSync(path.join(dist, 'widget.js'), minify(loader, 'js'));
const glueCode = minify(readFileSync(path.join(dist, glue), 'utf8'), 'js', 'esm');
writeFileSync(path.join(dist, glue), glueCode);
const sri = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
cpSync(path.join(root, 'widget', 'i18n'), path.join(dist, 'i18n'), { recursive: true });
writeFileSync(path.join(dist, 'widget.css'), minify(readFileSync(path.join(dist, css), 'utf8'), 'css'));
// Sites embed the widget from the edge's origin: its files are public and must be loadable
// cross-origin (module scripts and wasm fetches need CORS). Workers static assets read `_headers`.
writeFileSync(
  path.join(dist, '_headers'),
  ['/widget*', '/style-*', '/i18n/*'].map((p) => `${p}\n  Access-Control-Allow-Origin: *\n  Cross-Origin-Resource-Policy: cross-origin\n`).join(''),
);

const indexPath = path.join(dist, 'index.html');
let html = readFileSync(indexPath, 'utf8');
const inline = /<script type="module">[\s\S]*?<\/script>/;
html = html.replace(inline, '<script defer src="/widget.js"></script>');
// The modulepreload/preload hints name the hashed files; keep them (they are not scripts), with
// the minified glue's integrity.
html = html.replace(new RegExp(`(href="/${glue.replace('.', '\\.')}"[^>]*integrity=")[^"]+`), `$1${sri(glueCode)}`);
writeFileSync(indexPath, html);
console.log(`widget packaged: widget.js → ${glue}, ${wasm}; widget.css ← ${css}`);
