#!/usr/bin/env bash
# Interoperability with js-libp2p: two Kodeon nodes, K1 and K2, that know
# nothing of each other, and a js-libp2p gossipsub peer (peer.mjs) connected
# to both. A public post made on K1 must reach the js peer (rust -> js) and,
# forwarded by it, be verified and stored by K2 (js -> rust).
#
#   KODEON_BIN=target/debug/kodeon tests/interop/js-libp2p/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="${KODEON_BIN:-$root/target/debug/kodeon}"
[ -x "$bin" ] || { echo "interop: $bin is missing (cargo build first)" >&2; exit 1; }
command -v node >/dev/null || { echo "interop: node is missing" >&2; exit 1; }

cd "$here"
if [ ! -d node_modules/libp2p ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; v=json.load(sys.stdin); print($1)"; }

base=""
start_node() { # name -> sets $base
  local port; port="$(free_port)"
  env -u KODEON_BIN KODEON_P2P__KADEMLIA=false "$bin" serve --data-dir "$work/$1" --listen "127.0.0.1:$port" \
    --domain "localhost:$port" --dev --p2p-listen /ip4/127.0.0.1/tcp/0 >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.05
  done
  base="http://127.0.0.1:$port"
  curl -fs "$base/api/kodeon/v1/p2p" >/dev/null || { echo "interop: node $1 did not start:" >&2; cat "$work/$1.log" >&2; exit 1; }
}

start_node k1; k1="$base"
start_node k2; k2="$base"
addr1="$(curl -fs "$k1/api/kodeon/v1/p2p" | json 'v["listen_addrs"][0]')"
addr2="$(curl -fs "$k2/api/kodeon/v1/p2p" | json 'v["listen_addrs"][0]')"
peer1="${addr1##*/}"

node --import ./polyfill.mjs peer.mjs "$addr1" "$addr2" >"$work/js.log" 2>"$work/js.err" &
pids+=($!)

passed=0; failed=0
wait_for() { # seconds, description, command...
  local secs="$1" what="$2"; shift 2
  for _ in $(seq $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "interop: timed out waiting for $what" >&2
  return 1
}
check() { # description, command...
  local what="$1"; shift
  if "$@"; then echo "ok - $what"; passed=$((passed + 1)); else echo "FAILED - $what"; failed=$((failed + 1)); fi
}

# Both Kodeon nodes announce their subscription to the js peer.
wait_for 20 "both subscriptions at the js peer" \
  bash -c "[ \$(grep -c '\"subscribed\"' '$work/js.log') -ge 2 ]" || { cat "$work/js.err" >&2; exit 1; }

token="$(curl -fs -H 'content-type: application/json' \
  -d '{"username":"alice","email":"alice@example.test","password":"correct horse battery"}' \
  "$k1/api/kodeon/v1/auth/register" | json 'v["token"]')"
curl -fs -H 'content-type: application/json' -H "authorization: Bearer $token" \
  -d '{"content":"hello js-libp2p from Kodeon"}' "$k1/api/kodeon/v1/posts" >/dev/null

check "rust -> js: the js peer received the signed envelope" \
  wait_for 20 "the envelope at the js peer" grep -q 'hello js-libp2p from Kodeon' "$work/js.log"
check "rust -> js -> rust: K2 verified and stored the post forwarded by js" \
  wait_for 30 "the post on K2" bash -c "curl -fs '$k2/api/v1/timelines/public?remote=true' | grep -q 'hello js-libp2p from Kodeon'"
check "K1 and K2 are not connected to each other" \
  bash -c "! curl -fs '$k2/api/kodeon/v1/p2p' | grep -q '$peer1'"
check "the js peer keeps a non-negative score at K2" \
  bash -c "curl -fs '$k2/api/kodeon/v1/p2p' | python3 -c 'import json,sys; v=json.load(sys.stdin); assert all(p[\"score\"] >= 0 for p in v[\"peers\"]) and v[\"peers\"], v'"

echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
