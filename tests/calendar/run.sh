#!/usr/bin/env bash
# Checks the node's iCalendar output with a third-party parser (icalendar
# from PyPI): the web crate's calendar route test writes what the routes
# answered (KODEON_CALENDAR_FIXTURES), and calendar_test.py reads it back.
# The test binaries are those `cargo test --workspace` builds, so after it
# this takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
venv="$target/calendar-venv"
fixtures="$target/calendar-fixtures"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/calendar/requirements.txt
rm -rf "$fixtures"
mkdir -p "$target"
log="$target/calendar-fixtures.log"
if ! KODEON_CALENDAR_FIXTURES="$fixtures" cargo test -q --workspace --lib \
  calendar_fixtures_for_a_third_party_parser >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
exec "$venv/bin/python" tests/calendar/calendar_test.py "$fixtures"
