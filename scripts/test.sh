#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests on SQLite and on PostgreSQL (a throwaway
# database made for this run and dropped after it), then the Playwright suite in headless
# Chromium against the real server. Fails, never skips, when PostgreSQL or the browser is missing.
#
# TEST_POSTGRES_URL: an account allowed to create databases (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "tools"
scripts/setup.sh --test

admin_url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
test_db="helpdesk_test_$(date +%s)_$$"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  psql "$admin_url" -qc "drop database if exists $test_db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "PostgreSQL: throwaway database $test_db"
psql "$admin_url" -v ON_ERROR_STOP=1 -qc "create database $test_db" >/dev/null
export TEST_DATABASE_URL="${admin_url%/*}/$test_db"

step "Rust tests (SQLite and PostgreSQL)"
# One cargo invocation for both packages: their dependencies' features unify, so the
# application and its dependencies compile once rather than once per package.
timeout 30m cargo test -p app -p server --features app/test-support

step "build (server + hydrated client)"
cargo leptos build --split
scripts/check-split-data.py
scripts/bundle-split.py

step "browser tests (headless Chromium)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$work/e2e.db"
export HELPDESK_KEY_FILE="$work/helpdesk.key"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$root/target/site"
target/debug/helpdesk seed >/dev/null
target/debug/helpdesk serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://$LEPTOS_SITE_ADDR/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
# The tests read mailed links from the outbox with the same binary, as an operator would.
export HELPDESK_BIN="$root/target/debug/helpdesk"
# On failure the server's last lines come first and Playwright's failure report last, so the end
# of the output names the test that failed.
if ! (cd end2end && BASE_URL="http://$LEPTOS_SITE_ADDR" timeout 15m npx playwright test 2>&1) | tee "$work/browser.log"; then
  step "server log (last 50 lines)"
  tail -n 50 "$work/server.log"
  step "browser test failures"
  sed -n '/^ *1) /,$p' "$work/browser.log"
  exit 1
fi

step "graceful shutdown"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
grep -q "in-flight requests finished" "$work/server.log"
echo "server stopped cleanly on SIGTERM"

step "all tests passed"
