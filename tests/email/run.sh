#!/usr/bin/env bash
# Runs the e-mail end-to-end test: a real SMTP server (aiosmtpd) on
# loopback and the built `kodeon` binary pointed at it.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/email-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/email/requirements.txt
export KODEON_BIN="${KODEON_BIN:-$PWD/target/debug/kodeon}"
exec "$venv/bin/python" tests/email/email_test.py
