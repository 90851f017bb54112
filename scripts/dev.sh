#!/usr/bin/env bash
# `make dev`'s last step: the reference legacy service (demo legacy users) beside `wrangler dev`.
# Ctrl-C stops both.
set -euo pipefail
PORT=${PORT:-8787}
LEGACY_PORT=${LEGACY_PORT:-8788}
ORIGIN=${ORIGIN:-http://localhost:$PORT}
# The HMAC key the Legacy-* connections share with the store: a connection secret
# (CONNECTION_SECRET_*), kept in .dev.vars like every development secret.
LEGACY_SECRET=$(node -e "import('./scripts/keys.mjs').then(k => console.log(k.devVar('CONNECTION_SECRET_LEGACY')))")
LEGACY_SECRET=$LEGACY_SECRET target/release/legacy-service --port "$LEGACY_PORT" --db .wrangler/legacy-demo.db --seed-demo &
legacy=$!
# The reference hook server (scripts/hook-server.mjs), signing secret CONNECTION_SECRET_HOOKS of .dev.vars.
HOOK_PORT=${HOOK_PORT:-8789}
node -e "import('./scripts/keys.mjs').then(k => k.devVar('CONNECTION_SECRET_HOOKS'))"
node scripts/hook-server.mjs --port "$HOOK_PORT" --blocked blocked.example >/dev/null &
hooks=$!
trap 'kill $legacy $hooks 2>/dev/null || true' EXIT INT TERM
echo ""
echo "  Tollgate demo page:  $ORIGIN/"
echo "  Client config:       $ORIGIN/client/demo-spa.json"
echo "  Mail (dev outbox):   $ORIGIN/dev/outbox"
echo "  Legacy user store:   http://127.0.0.1:$LEGACY_PORT/auth  (connections Legacy-Import, Legacy-Handover, Legacy-OwnStore)"
echo "                       demo users: alice@legacy.example / Alice-Legacy-2019, bob@legacy.example / bob-legacy,"
echo "                       carol@legacy.example (username carol) / Carol-Legacy-7"
echo "  Hook server:         http://127.0.0.1:$HOOK_PORT/pre-user-registration (refuses @blocked.example), /post-login"
echo "                       create a hook in the console (Hooks) with secret CONNECTION_SECRET_HOOKS"
echo ""
# Development switches (each honoured only with a loopback issuer): the mail outbox, outbound calls
# to the loopback legacy store; and the client IP is not taken from a header a client can set.
CI=true npx wrangler dev --local --ip 127.0.0.1 --port "$PORT" --var "ISSUER:$ORIGIN/" --var DEV_OUTBOX:1 \
  --var DEV_ALLOW_PRIVATE_URLS:1 --var TRUST_CF_CONNECTING_IP:0
