// `make bench`: where the widget's wasm bytes go, by twiggy (installed by `make tools-bench`).
// The shipped wasm has no names (wasm-opt drops them), so cargo's own output of the same release
// build (target/widget/…/widget.wasm) goes through the same steps as Trunk's — wasm-bindgen, then
// wasm-opt -Oz — with the name section kept (`--debuginfo`): the same code as the shipped file
// (within 1 %), raw bytes, with names.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const WASM_OPT_FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals'];

/** The release wasm of `cargoWasm` as shipped (bindgen + wasm-opt -Oz) but with its names; the path. */
function namedBuild(cargoWasm, dir) {
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', dir, '--out-name', 'named', cargoWasm]);
  const out = path.join(dir, 'named-opt.wasm');
  execFileSync(process.env.WASM_OPT_BIN || 'wasm-opt', ['-Oz', '--debuginfo', ...WASM_OPT_FEATURES, path.join(dir, 'named_bg.wasm'), '-o', out]);
  return out;
}

/** The crate an item's code belongs to: `<a::B as c::D>::f` → a, `core::ptr::drop_in_place<a::B>` → a. */
export function crateOf(name) {
  const glue = /^core::ptr::drop_in_place<(.+)>$/.exec(name);
  if (glue) return crateOf(glue[1]);
  const m = /^[<&*\s]*(?:(?:const|mut|dyn)\s+)*([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
  if (m) return m[1];
  // `<_ as tachys::…>`, `<f64 as core::…>`: a trait implemented for a type without a path.
  const t = / as ([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
  if (name.startsWith('<') && t) return t[1];
  if (/^data segment/.test(name)) return '(data)';
  if (/^(elem|table|memory|global|type)\[/.test(name)) return `(${name.split('[')[0]} section)`;
  if (/^(import|export) /.test(name)) return `(${name.split(' ')[0]}s)`;
  if (/ (externref )?shim$/.test(name)) return '(wasm-bindgen shims)';
  return '(other)';
}

/** The module of the widget's own code an item belongs to (`widget::components::mfa::…` → components::mfa). */
function moduleOf(name) {
  const m = /widget(?:\[[0-9a-f]+\])?::((?:components::)?[a-z_0-9]+)/.exec(name);
  return m ? m[1] : null;
}

/**
 * Prints twiggy's largest items of `cargoWasm` built as shipped, the bytes per crate and the widget's
 * own code per module; returns false when a tool is missing.
 */
export function printCodeProfile(cargoWasm, { top = 15, crates = 12, modules = 12 } = {}) {
  if (!existsSync(cargoWasm)) {
    console.log(`  (no ${path.relative(process.cwd(), cargoWasm)}: run make build-widget)`);
    return false;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-twiggy-'));
  let out;
  try {
    const wasm = namedBuild(cargoWasm, dir);
    out = execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'json', wasm], { maxBuffer: 256 << 20 }).toString();
  } catch (e) {
    console.log(`  (twiggy did not run: ${e.message.split('\n')[0]}; make tools-bench installs it)`);
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const items = JSON.parse(out)
    .filter((i) => !/^custom section|subsection$/.test(i.name))
    .map((i) => ({ name: i.name.replace(/\[[0-9a-f]{16}\]/g, ''), size: i.shallow_size }));
  const code = items.reduce((s, i) => s + i.size, 0);
  const pct = (n) => `${((100 * n) / code).toFixed(1)} %`.padStart(7);
  const bytes = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
  console.log(`  ${(code / 1024).toFixed(1)} KB of code and data (raw, as shipped, names aside); shares of it:`);
  console.log(`  largest items (twiggy top):`);
  for (const i of items.slice(0, top)) {
    const name = i.name.length > 110 ? `${i.name.slice(0, 107)}...` : i.name;
    console.log(`  ${bytes(i.size)} ${pct(i.size)}  ${name}`);
  }
  const byCrate = new Map();
  for (const i of items) byCrate.set(crateOf(i.name), (byCrate.get(crateOf(i.name)) ?? 0) + i.size);
  console.log('  by crate (generic code counts where its outermost type lives):');
  for (const [c, n] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, crates)) {
    console.log(`  ${bytes(n)} ${pct(n)}  ${c}`);
  }
  const byModule = new Map();
  for (const i of items) {
    const m = crateOf(i.name) === 'widget' || /^core::ptr::drop_in_place<widget::/.test(i.name) ? moduleOf(i.name) : null;
    if (m) byModule.set(m, (byModule.get(m) ?? 0) + i.size);
  }
  console.log("  the widget's own code by module (screens, mount API, options, API):");
  for (const [m, n] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, modules)) {
    console.log(`  ${bytes(n)} ${pct(n)}  widget::${m}`);
  }
  return true;
}
