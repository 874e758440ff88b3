#!/usr/bin/env bash
# Lab metrics of the portal pages (issue 5; figures in BENCHMARKS.md): the release build on a
# seeded SQLite file, loaded in headless Chromium by end2end/bench/lab-metrics.mjs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/setup.sh --test
cargo leptos build --release >/dev/null 2>&1 || cargo leptos build --release

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$work/helpdesk.db" LEPTOS_SITE_ROOT="$root/target/site" LOG_LEVEL=warn
target/release/helpdesk seed >/dev/null
target/release/helpdesk serve --addr "127.0.0.1:$port" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
(cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/lab-metrics.mjs)
