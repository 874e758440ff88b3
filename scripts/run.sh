#!/usr/bin/env bash
# Builds the helpdesk for release and runs it on SQLite with demo data.
# Settings: DATABASE_URL (default sqlite://data/helpdesk.db), LEPTOS_SITE_ADDR (default 127.0.0.1:3000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/setup.sh
cargo leptos build --release --split --precompress
scripts/bundle-split.py

export DATABASE_URL="${DATABASE_URL:-sqlite://data/helpdesk.db}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="$root/target/site"
bin="$root/target/release/helpdesk"

echo
"$bin" seed
echo
echo "Open http://$LEPTOS_SITE_ADDR  (Ctrl-C stops the server)"
echo
exec "$bin" serve
