#!/usr/bin/env bash
# How a full build grows from 10,000 articles to N (default 100,000).
#
#   bench/scale.sh [N]
#
# Generates the peer workload (../shared/bench/gen_site.py) at 10,000 and at
# N articles, turns each into an Attaché site the way bench/peer.sh does
# (translated config, the repo's default theme, correction on), builds each
# once with `attache build --no-cache --future` (release) under /usr/bin/time,
# and prints wall, CPU (user + sys) and peak RSS of both, and the N/10k
# ratios. `--future`: at 100,000 the generator's dates run to 2083, and the
# pages dated after today would be left out (only ~27,000 are built).
# The issue's goal: N = 100,000 in ≤ 11× the 10k time and ≤ 4 GB peak.
#
# Environment:
#   SEED=42             gen_site.py seed
#   SHARED=../shared/bench   where gen_site.py lives
#   BENCH_DIR=/dev/shm  where the sites and outputs go (100k needs ~12 GB:
#                       sources, output, and the temporary output of the swap)
#   KEEP=1              keep the generated sites (their paths are printed)
#   TIMINGS=1           also print ATTACHE_TIMINGS stage laps of each build
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
N="${1:-100000}"
SEED="${SEED:-42}"
source "$HERE/lib.sh"  # SHARED, BENCH_DIR, attache_site
log() { printf '%s\n' "$*" >&2; }
[ -f "$SHARED/gen_site.py" ] || { log "error: $SHARED/gen_site.py not found (set SHARED)"; exit 1; }

log "building attache (cargo build --release) ..."
(cd "$REPO" && cargo build --release --quiet --locked) || { log "error: cargo build --release failed"; exit 1; }
ATTACHE="$REPO/target/release/attache"


DIR="$(mktemp -d "$BENCH_DIR/attache-scale.XXXXXX")"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$DIR"; else log "kept $DIR"; fi; }
trap cleanup EXIT

# build SIZE: generate, translate, build once; prints "wall cpu MiB files".
build() {
    local n="$1" d="$DIR/$1"
    log "== N=$n: generating in $d (load $(cut -d' ' -f1-3 /proc/loadavg))"
    python3 "$SHARED/gen_site.py" "$n" --out "$d/gen" --seed "$SEED" >/dev/null
    rm -rf "$d/gen/hugo"
    attache_site "$d/gen/zola" "$d/site"
    rm -rf "$d/gen"
    log "== N=$n: building"
    (cd "$d/site" && ATTACHE_TIMINGS="${TIMINGS:-}" /usr/bin/time -f '%e %U %S %M' -o "$d/time.txt" \
        "$ATTACHE" build -q --no-cache --future -o "$d/out" >&2)
    local files
    files="$(find "$d/out" -type f | wc -l)"
    awk -v f="$files" '{printf "%.2f %.2f %.0f %d\n", $1, $2 + $3, $4 / 1024, f}' "$d/time.txt"
    rm -rf "$d"
}

read -r w10 c10 m10 f10 < <(build 10000)
read -r wn cn mn fn < <(build "$N")
echo
echo "One --no-cache build each (release, output in $BENCH_DIR); CPU = user + sys; MiB = peak RSS"
echo
echo "| articles | wall s | cpu s | peak MiB | files |"
echo "|--:|--:|--:|--:|--:|"
printf '| 10,000 | %s | %s | %s | %s |\n' "$w10" "$c10" "$m10" "$f10"
printf "| %'d | %s | %s | %s | %s |\n" "$N" "$wn" "$cn" "$mn" "$fn"
awk -v a="$w10" -v b="$wn" -v c="$c10" -v d="$cn" -v n="$N" \
    'BEGIN {printf "\nratio %d/10k: wall %.1f×, cpu %.1f× (goal ≤ 11×)\n", n, b / a, d / c}'
