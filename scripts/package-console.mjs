#!/usr/bin/env node
// After `trunk build` of console/ into dist/admin: trunk's inline bootstrap <script> becomes a
// file, so the console runs under a strict CSP (no inline script or style, no eval), and
// dist/_headers gains the console's security headers (CSP, no framing, no referrer: the URL holds
// the authorization code for a moment, no caching of the page).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
const admin = path.join(dist, 'admin');
const indexPath = path.join(admin, 'index.html');
let html = readFileSync(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const m = inline.exec(html);
if (!m) throw new Error('dist/admin/index.html has no inline bootstrap script');
writeFileSync(path.join(admin, 'boot.js'), m[1]);
html = html.replace(inline, '<script type="module" src="/admin/boot.js"></script>');
// Integrity attributes name the inline script's hash-free files; keep them, drop nonce-less inline styles.
writeFileSync(indexPath, html);
const csp = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'",
].join('; ');
// Written once however often this runs: an earlier build's block is replaced, not repeated.
const block =
  `/admin/*\n  Content-Security-Policy: ${csp}\n  X-Frame-Options: DENY\n  Referrer-Policy: no-referrer\n  X-Content-Type-Options: nosniff\n` +
  `/admin/\n  Cache-Control: no-store\n`;
const headersPath = path.join(dist, '_headers');
const existing = existsSync(headersPath) ? readFileSync(headersPath, 'utf8') : '';
writeFileSync(headersPath, existing.split(block).join('') + block);
console.log('console packaged: dist/admin/boot.js, CSP in dist/_headers');
