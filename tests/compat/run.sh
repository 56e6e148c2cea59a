#!/usr/bin/env bash
# Runs the Mastodon.py compatibility test against the built `kodeon` binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/compat-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/compat/requirements.txt
export KODEON_BIN="${KODEON_BIN:-$PWD/target/debug/kodeon}"
exec "$venv/bin/python" tests/compat/mastodon_py_test.py
