#!/usr/bin/env bash
# Measures the skeleton's targets on a release build (figures go to BENCHMARKS.md):
#   - WASM + JS glue of the hydrated client, raw / gzip / brotli;
#   - cold start of the release server to a 200 from /readyz on a new, empty SQLite file
#     (migrations included), over RUNS runs;
#   - the server's resident memory once idle after start-up.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${RUNS:-10}"

scripts/setup.sh
cargo leptos build --release --split --precompress >/dev/null 2>&1 || cargo leptos build --release --split --precompress
scripts/check-split-data.py
scripts/bundle-split.py

echo "== client bundle: the main module every page loads (target/site/pkg)"
echo "   (per-area downloads, chunks included: scripts/bench-browser.sh bundle)"
node -e '
const fs = require("fs"), zlib = require("zlib");
const pkg = "target/site/pkg/";
const main = fs.readdirSync(pkg).filter((f) => /^(helpdesk\.(wasm|js|css)|__wasm_split\..*\.js)$/.test(f));
let total = { raw: 0, gz: 0, br: 0 };
for (const f of main.sort()) {
  const data = fs.readFileSync(pkg + f);
  const gz = zlib.gzipSync(data, { level: 9 }).length;
  const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  if (f !== "helpdesk.css") { total.raw += data.length; total.gz += gz; total.br += br; }
  console.log(`${f.padEnd(40)} raw ${(data.length / 1024).toFixed(1)} KB  gzip ${(gz / 1024).toFixed(1)} KB  brotli ${(br / 1024).toFixed(1)} KB`);
}
console.log(`${"wasm + js".padEnd(40)} raw ${(total.raw / 1024).toFixed(1)} KB  gzip ${(total.gz / 1024).toFixed(1)} KB  brotli ${(total.br / 1024).toFixed(1)} KB`);
'

echo "== cold start to /readyz and idle RSS (release server, empty SQLite, $runs runs)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
starts=()
rss=()
for _ in $(seq 1 "$runs"); do
  dir="$(mktemp -d)"
  begin=$(date +%s%N)
  DATABASE_URL="sqlite://$dir/helpdesk.db" LEPTOS_SITE_ROOT="$root/target/site" LOG_LEVEL=warn \
    target/release/helpdesk serve --addr "127.0.0.1:$port" &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
  end=$(date +%s%N)
  starts+=($(( (end - begin) / 1000000 )))
  sleep 3
  rss+=($(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))
  kill -TERM "$pid"; wait "$pid"
  rm -rf "$dir"
done
printf 'cold start ms: %s\n' "${starts[*]}"
printf 'idle RSS KiB:  %s\n' "${rss[*]}"
python3 - "${starts[*]}" "${rss[*]}" <<'PY'
import statistics, sys
starts = [int(x) for x in sys.argv[1].split()]
rss = [int(x) for x in sys.argv[2].split()]
print(f"cold start: median {statistics.median(starts)} ms, max {max(starts)} ms")
print(f"idle RSS:   median {statistics.median(rss) / 1024:.1f} MiB, max {max(rss) / 1024:.1f} MiB")
PY
