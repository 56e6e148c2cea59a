#!/usr/bin/env bash
# Browser tests of the admin panel and public pages: starts a fresh node
# from the built binary, reads its setup token from the log, and drives
# Debian's Chromium with playwright-core. Screenshots: target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin="${KODEON_BIN:-$root/target/debug/kodeon}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$bin" ] || { echo "no kodeon binary at $bin (cargo build first)" >&2; exit 1; }
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install chromium)" >&2; exit 1; }
(cd tests/browser && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --dev --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/node.log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true; wait $node_pid 2>/dev/null || true; rm -rf "$work"' EXIT

token=""
for _ in $(seq 1 100); do
  token=$(grep -o 'setup token [A-Za-z0-9_-]*' "$work/node.log" | awk '{print $3}' || true)
  [ -n "$token" ] && curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
[ -n "$token" ] || { echo "the node logged no setup token:" >&2; cat "$work/node.log" >&2; exit 1; }

mkdir -p target/browser-artifacts
BASE="http://127.0.0.1:$port" SETUP_TOKEN="$token" ARTIFACTS="$root/target/browser-artifacts" \
  CHROMIUM="$chromium" node tests/browser/admin.mjs
