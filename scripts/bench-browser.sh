#!/usr/bin/env bash
# Runs one browser benchmark of end2end/bench (figures in BENCHMARKS.md) against the release
# build on a seeded SQLite file, in headless Chromium:
#   scripts/bench-browser.sh lab-metrics   LCP and CLS of the portal pages (issue 5)
#   scripts/bench-browser.sh bundle        the WASM and JS each area downloads to hydrate

set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bench="${1:?usage: scripts/bench-browser.sh lab-metrics|bundle}"
[[ -f "end2end/bench/$bench.mjs" ]] || { echo "no benchmark end2end/bench/$bench.mjs" >&2; exit 1; }

scripts/setup.sh --test
cargo leptos build --release --split --precompress >/dev/null 2>&1 || cargo leptos build --release --split --precompress
scripts/check-split-data.py
scripts/bundle-split.py

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$work/helpdesk.db" LEPTOS_SITE_ROOT="$root/target/site" LOG_LEVEL=warn
target/release/helpdesk seed >/dev/null
target/release/helpdesk serve --addr "127.0.0.1:$port" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
(cd end2end && BASE_URL="http://127.0.0.1:$port" node "bench/$bench.mjs")
