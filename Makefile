# Tollgate: `make dev` runs it, `make test` tests everything, `make bench` prints the figures.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := dev

PORT ?= 8787
LEGACY_PORT ?= 8788
# localhost, not 127.0.0.1: WebAuthn (passkeys, security keys) takes no IP address as its RP id.
ORIGIN ?= http://localhost:$(PORT)
TOOLS ?= $(HOME)/.cache/tollgate/tools

# Keep every tool offline: local wasm-bindgen / wasm-opt / esbuild instead of GitHub downloads.
export TOOLS
export PATH := $(TOOLS)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export WASM_BINDGEN_BIN := $(TOOLS)/bin/wasm-bindgen
export WASM_OPT_BIN := $(CURDIR)/node_modules/.bin/wasm-opt
export ESBUILD_BIN := $(firstword $(wildcard $(CURDIR)/node_modules/@esbuild/*/bin/esbuild) $(CURDIR)/node_modules/.bin/esbuild)
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := $(TOOLS)/bin/wasm-bindgen-test-runner
export CHROMEDRIVER := /usr/bin/chromedriver
export WASM_BINDGEN_USE_BROWSER := 1

.PHONY: dev test bench bench-platform preview tools tools-browser tools-bench build build-widget build-console build-floor build-worker build-legacy migrate seed \
        test-native test-wasm test-e2e lint fmt clean fuzz fuzz-smoke

## dev: install what is missing, build, migrate + seed local D1, run wrangler dev on $(ORIGIN)
##      with the reference legacy user store on port $(LEGACY_PORT)
dev: tools build migrate seed
	PORT=$(PORT) LEGACY_PORT=$(LEGACY_PORT) ORIGIN=$(ORIGIN) scripts/dev.sh

## test: every test layer (native + lint, wasm in Chromium, e2e in workerd + Chromium)
test: tools-browser test-native fuzz-smoke test-wasm test-e2e

## bench: print the figures (sizes next to Lock and Leptos' floor, load time next to Lock, hashing
##        time in workerd vs native, login and import speed, enumeration timing)
bench: tools-bench build build-floor
	cargo build -q --release -p edge --examples
	node scripts/bench.mjs

## bench-platform: the platform-floor figures of `make bench` alone (~3 minutes, after `make build`):
##        a plain JS Worker and Tollgate side by side, and the V8 profile of both routes
bench-platform:
	node scripts/bench-platform.mjs

tools:
	scripts/install-tools.sh

tools-browser:
	scripts/install-tools.sh --browser

tools-bench:
	scripts/install-tools.sh --bench

build: build-widget build-console build-worker build-legacy

# The widget and the console are size-bound: their release builds recompile the standard library for
# size, with panics that abort without formatting and no Debug or panic-location text
# (`-Zbuild-std`, allowed on the pinned stable toolchain by RUSTC_BOOTSTRAP for these commands). Each
# has its own target dir, so the Worker's and the tests' builds keep the ordinary std and flags.
SIZE_BUILD_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg getrandom_backend="wasm_js" \
	-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none --cfg erase_components'
WIDGET_BUILD_ENV := $(SIZE_BUILD_ENV) CARGO_TARGET_DIR=$(CURDIR)/target/widget

build-widget:
	$(WIDGET_BUILD_ENV) trunk build --release --dist $(CURDIR)/dist
	node scripts/package-widget.mjs

# The operator console (console/, Leptos CSR) at /admin: after the widget, whose trunk build
# empties dist/. Its own target dir, the widget's size flags.
build-console:
	$(SIZE_BUILD_ENV) CARGO_TARGET_DIR=$(CURDIR)/target/console trunk build console/index.html --release --dist $(CURDIR)/dist/admin --public-url /admin/
	node scripts/package-console.mjs

## preview: the widget alone on http://127.0.0.1:8080 with live rebuilds (`trunk serve`, a debug
##          build outside dist/), the API proxied to `make dev` on port 8787
preview:
	trunk serve

# Leptos' size floor for `make bench`: a bare CSR form (bench/leptos-floor) built like the widget.
build-floor:
	$(WIDGET_BUILD_ENV) trunk build --release --dist $(CURDIR)/target/leptos-floor bench/leptos-floor/index.html

# The Worker is built with wasm SIMD (workerd's V8 has it): argon2id's loops vectorise a little
# (~5 %, see `make bench`). Like the widget, it recompiles the standard library for size and drops
# panic locations: 1 MB gzip is its budget. Unlike the widget it keeps each panic's message (the
# panic hook logs it before worker-build's shim resets the instance) and Debug text. Its own target
# dir keeps these flags from rebuilding the lint/test builds.
WORKER_BUILD_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size CARGO_TARGET_DIR=$(CURDIR)/target/worker \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128 \
	-Zlocation-detail=none'

# worker-build keeps wasm's name section (it runs `wasm-opt --debuginfo`): ~350 KB of the Worker,
# ~100 KB gzip, that only names functions in stack traces. Stripped afterwards (`strip = true` would
# also drop the target-features section wasm-bindgen reads); panics still print their message.
# `make build-worker WORKER_NAMES=1` keeps the names, for a V8 profile that names Rust functions.
build-worker:
	cd edge && $(WORKER_BUILD_ENV) worker-build --release
	$(if $(WORKER_NAMES),,$(WASM_OPT_BIN) --strip-debug --strip-producers edge/build/index_bg.wasm -o edge/build/index_bg.wasm)

build-legacy:
	cargo build --release -p legacy-service -p tollgate-cli

migrate:
	@mkdir -p dist
	CI=true npx wrangler d1 migrations apply DB --local

seed:
	node scripts/seed-demo.mjs --origin $(ORIGIN) --legacy-url http://127.0.0.1:$(LEGACY_PORT)/auth

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p edge -p widget -p console --target wasm32-unknown-unknown -- -D warnings

test-native: lint
	cargo test --workspace --exclude widget
	cargo test -p widget --lib

## fuzz: every fuzz target (fuzz/, cargo-fuzz) for FUZZ_SECONDS each (default 600); prints the
##       executions per target and fails on any crash, timeout or out-of-memory
fuzz: tools
	scripts/fuzz.sh

# A short run of every fuzz target (20 s each), part of `make test`.
fuzz-smoke:
	scripts/fuzz.sh --smoke

test-wasm:
	cargo test -p shared -p widget --target wasm32-unknown-unknown

test-e2e: build
	node tests/e2e/run.mjs

fmt:
	cargo fmt --all

clean:
	rm -rf target dist edge/build .wrangler tests/artifacts
