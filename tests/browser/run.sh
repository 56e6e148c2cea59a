#!/usr/bin/env bash
# Browser tests of the admin panel, the public pages and the members' web
# app: each script gets a fresh node from the built binary (its setup token
# read from the log) and drives Debian's Chromium with playwright-core.
# Screenshots: target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin="${KODEON_BIN:-$root/target/debug/kodeon}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$bin" ] || { echo "no kodeon binary at $bin (cargo build first)" >&2; exit 1; }
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install chromium)" >&2; exit 1; }
(cd tests/browser && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
node_pids=()
cleanup() {
  for pid in "${node_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p target/browser-artifacts

# start_node NAME: a new --dev node with its own data directory and port;
# sets PORT and TOKEN (its setup token, read from its log).
start_node() {
  local name=$1
  TOKEN=""
  mkdir -p "$work/$name"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" serve --dev --data-dir "$work/$name/data" --listen "127.0.0.1:$PORT" >"$work/$name.log" 2>&1 &
  node_pids+=($!)
  for _ in $(seq 1 100); do
    TOKEN=$(grep -so 'setup token [A-Za-z0-9_-]*' "$work/$name.log" | awk '{print $3}' || true)
    [ -n "$TOKEN" ] && curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  [ -n "$TOKEN" ] || { echo "the node logged no setup token:" >&2; cat "$work/$name.log" >&2; exit 1; }
}

# run_on_fresh_node NAME SCRIPT: SCRIPT against a new node.
run_on_fresh_node() {
  start_node "$1"
  BASE="http://127.0.0.1:$PORT" SETUP_TOKEN="$TOKEN" ARTIFACTS="$root/target/browser-artifacts" \
    CHROMIUM="$chromium" node "$2"
}

# The admin test suspends alice and renames the node: the members' app
# starts from a node of its own.
run_on_fresh_node admin tests/browser/admin.mjs
run_on_fresh_node members tests/browser/members.mjs
run_on_fresh_node courses tests/browser/courses.mjs

# Two nodes federating on loopback: search, follow and read across them.
start_node first
first=$PORT
start_node second
BASE="http://127.0.0.1:$first" BASE2="http://127.0.0.1:$PORT" ARTIFACTS="$root/target/browser-artifacts" \
  CHROMIUM="$chromium" node tests/browser/two_nodes.mjs
