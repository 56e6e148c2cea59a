#!/usr/bin/env bash
# Interoperability of Kodeon's certificates with an independent
# implementation of Verifiable Credentials: Digital Bazaar's
# @digitalbazaar/vc with its eddsa-rdfc-2022 cryptosuite and Bitstring
# Status List checker (vc.mjs, contexts served from npm packages, never
# fetched).
#
# - The web crate's certificate route test writes what the node answered
#   (KODEON_CERTIFICATE_FIXTURES): a certificate it issued on a course's
#   completion and its status list before and after revocation. Digital
#   Bazaar verifies the certificate, reads the status lists (checking their
#   own proofs), and refuses a tampered copy.
# - Digital Bazaar issues a credential with a key of its own; `kodeon
#   verify` accepts it, and refuses a tampered copy saying what failed.
#
#   KODEON_BIN=target/debug/kodeon tests/interop/vc/run.sh
#
# The test binaries are those `cargo test --workspace` builds, so after it
# this takes seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="${KODEON_BIN:-$root/target/debug/kodeon}"
target="${CARGO_TARGET_DIR:-$root/target}"
[ -x "$bin" ] || { echo "interop: $bin is missing (cargo build first)" >&2; exit 1; }
command -v node >/dev/null || { echo "interop: node is missing" >&2; exit 1; }

if [ ! -d "$here/node_modules/@digitalbazaar/vc" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

fixtures="$target/certificate-fixtures"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$fixtures"
if ! (cd "$root" && KODEON_CERTIFICATE_FIXTURES="$fixtures" cargo test -q --workspace --lib \
  a_certificate_is_listed_downloaded_shown_verified_and_revoked >"$work/cargo.log" 2>&1); then
  cat "$work/cargo.log" >&2
  exit 1
fi

passed=0
failed=0
check() { # name, expected stdout, actual stdout
  if [ "$2" = "$3" ]; then
    echo "ok - $1"; passed=$((passed + 1))
  else
    echo "not ok - $1: expected '$2', got '$3'"; failed=$((failed + 1))
  fi
}
vc() { node "$here/vc.mjs" "$@" 2>&1 || true; }
edit() { # in, out, js statement on d
  node -e "const fs=require('fs');const d=JSON.parse(fs.readFileSync(process.argv[1]));$3;fs.writeFileSync(process.argv[2],JSON.stringify(d))" "$1" "$2"
}

# Kodeon issued; Digital Bazaar verifies.
check "Digital Bazaar verifies Kodeon's certificate" "verified" "$(vc verify "$fixtures/issued.json")"
check "Digital Bazaar reads Kodeon's status list: not revoked" "verified, not revoked" \
  "$(vc verify "$fixtures/issued.json" "$fixtures/status-before.json")"
check "Digital Bazaar reads Kodeon's status list after revocation: revoked" "verified, revoked" \
  "$(vc verify "$fixtures/issued.json" "$fixtures/status-after.json")"
edit "$fixtures/issued.json" "$work/tampered.json" "d.credentialSubject.achievement.name='Brain surgery'"
out="$(vc verify "$work/tampered.json")"
check "Digital Bazaar refuses a tampered copy" "not verified" "${out%%:*}"
edit "$fixtures/status-after.json" "$work/forged-list.json" "d.credentialSubject.encodedList=JSON.parse(require('fs').readFileSync('$fixtures/status-before.json')).credentialSubject.encodedList"
out="$(vc verify "$fixtures/issued.json" "$work/forged-list.json")"
check "Digital Bazaar refuses a status list changed after signing" "not verified" "${out%%:*}"

# Digital Bazaar issued; kodeon verify checks.
edit "$fixtures/issued.json" "$work/unsigned.json" "delete d.proof; delete d.credentialStatus; d.id='urn:uuid:0b7d3f2e-6c4a-4f0e-9a51-2d8c1e5b7a90'"
vc issue "$work/unsigned.json" "$work/theirs.json" >/dev/null
check "kodeon verify accepts Digital Bazaar's credential" "valid" \
  "$("$bin" verify --offline "$work/theirs.json" 2>/dev/null || true)"
edit "$work/theirs.json" "$work/theirs-tampered.json" "d.validFrom='2020-01-01T00:00:00Z'"
set +e
out="$("$bin" verify --offline "$work/theirs-tampered.json" 2>/dev/null)"
rc=$?
set -e
check "kodeon verify refuses a tampered copy with exit 1" "1" "$rc"
check "kodeon verify says which proof failed" \
  "invalid|  proof eddsa-rdfc-2022: the signature does not match the document (it was changed after signing, or signed by another key)" \
  "$(echo "$out" | paste -sd'|')"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
