#!/usr/bin/env bash
# Installs what building and testing need, skipping what is already there at the pinned version.
# Everything comes from the package registries (crates.io, npm, Debian); nothing from GitHub.
#   scripts/install-tools.sh [--browser]     (--browser: also Debian chromium + chromium-driver)
set -euo pipefail
TOOLS=${TOOLS:-$HOME/.cache/tollgate/tools}
mkdir -p "$TOOLS/bin"

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

# JavaScript tooling pinned in package-lock.json (wrangler 4.86 is the last for node 20).
if [ ! -x node_modules/.bin/wrangler ] || ! cmp -s package-lock.json node_modules/.tollgate-lock 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.tollgate-lock
fi

if [ "${1:-}" = "--browser" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

cargo fetch --locked >/dev/null 2>&1 || cargo fetch
