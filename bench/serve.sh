#!/usr/bin/env bash
# `attache serve` latency and memory on a generated site (see bench/README.md).
#
#   bench/serve.sh              # 10,000 articles, 20 runs per kind of edit
#   ARTICLES=1000 RUNS=5 bench/serve.sh
#   SITE=DIR bench/serve.sh     # a copy of an existing site instead (bench/peer.sh
#                               # passes the peer workload's); ARTICLES is then a label
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
ARTICLES="${ARTICLES:-10000}"
RUNS="${RUNS:-20}"
WORK="$(mktemp -d "${BENCH_DIR:-/tmp}/attache-serve-bench.XXXXXX")"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PID=""

if [ -n "${SITE:-}" ]; then
  cp -r "$SITE" "$WORK/site"
  rm -rf "$WORK/site/.attache-cache" "$WORK/site/public"
else
  python3 "$HERE/gen.py" --articles "$ARTICLES" --out "$WORK/site" --copy-theme >/dev/null
fi
(cd "$REPO" && cargo build --release -q)
BIN="$REPO/target/release/attache"

# The output's size, as a full build writes it (the server holds the same bytes).
"$BIN" build --root "$WORK/site" -q -o "$WORK/out"
OUT_SIZE=$(du -sb "$WORK/out" | cut -f1)
rm -rf "$WORK/out"

"$BIN" serve --root "$WORK/site" --port 0 >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 600); do
  grep -q "Serving at" "$WORK/serve.log" && break
  sleep 0.1
done
URL=$(grep -o 'http://[^ ]*' "$WORK/serve.log" | head -1)
echo "attache serve on $ARTICLES articles ($(nproc) cores): $(grep 'Built the site' "$WORK/serve.log")"
python3 "$HERE/serve_latency.py" --site "$WORK/site" --url "$URL" --pid "$PID" --runs "$RUNS" --output-size "$OUT_SIZE"
kill -INT "$PID"
wait "$PID" || true
