#!/usr/bin/env bash
# Attaché vs Hugo on the shared peer workload (../shared/bench/gen_site.py).
#
#   bench/peer.sh [N ...]          # default: 1000 10000
#
# For each N: generate the workload under $BENCH_DIR (default /dev/shm, a
# tmpfs), turn its Zola layout into an Attaché site (translated config.toml,
# the repo's default theme, correction on), then build Attaché (release) and
# Hugo (Debian's `hugo`, plain templates) alternately with measure.py: one
# untimed warm-up each, then ROUNDS rounds, the order flipping every round,
# output on the tmpfs. Prints the medians of wall and CPU (user + sys), the
# peak RSS and the Attaché/Hugo ratios. Two Attaché rows: the translated site
# with the default theme, and the Zola layout built as it is (`zola:attache`:
# the generator's plain Zola templates and config, correction on), the fairer
# comparison beside Hugo's plain templates.
#
# Environment:
#   ROUNDS=3          timed builds per tool and size (after one warm-up)
#   SEED=42           gen_site.py seed
#   SHARED=../shared/bench   where gen_site.py and measure.py live
#   BENCH_DIR=/dev/shm       where the sites and outputs go
#   KEEP=1            keep the generated sites (their paths are printed)
#   NO_INSTALL=1      do not apt-get install `hugo` when missing
#   NO_HUGO=1         time Attaché alone
#   NO_CACHE_CASES=1  skip the build cache cases
#   NO_SERVE_CASES=1  skip the `serve` cases (bench/serve.sh on the same site)
#   SCALE=100000      the size of the large case (bench/scale.sh: a 10k and a
#                     SCALE build, one each); NO_SCALE=1 skips it
#
# The comparison with Hugo builds with `--no-cache` (a full build every time).
# Then, per N, the build cache cases (ROUNDS rounds each, medians): a cold
# build (cache deleted), a rebuild with nothing changed, and a rebuild after
# appending a sentence to one article; the last output is compared with a
# `--no-cache` build byte for byte (`diff -r`). Then the `serve` cases on the
# same site (bench/serve.sh: latency of an article, `index.html`, `page.html`
# and CSS edit, and the server's RSS against sources + output), and last the
# large case (bench/scale.sh: 10k and SCALE articles, one build each).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
ROUNDS="${ROUNDS:-3}"
SEED="${SEED:-42}"
source "$HERE/lib.sh"  # SHARED, BENCH_DIR, attache_site
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)

log() { printf '%s\n' "$*" >&2; }

for f in gen_site.py measure.py; do
    [ -f "$SHARED/$f" ] || { log "error: $SHARED/$f not found (set SHARED)"; exit 1; }
done

HUGO=""
if [ -z "${NO_HUGO:-}" ]; then
    if ! command -v hugo >/dev/null && [ -z "${NO_INSTALL:-}" ]; then
        log "installing hugo (apt-get)"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >&2
    fi
    HUGO="$(command -v hugo || true)"
    [ -n "$HUGO" ] || { log "error: hugo not found (NO_HUGO=1 to skip it)"; exit 1; }
fi

log "building attache (cargo build --release) ..."
(cd "$REPO" && cargo build --release --quiet) || { log "error: cargo build --release failed"; exit 1; }
ATTACHE="$REPO/target/release/attache"


# timed CMD...: "wall cpu" (seconds; cpu = user + sys) of one run.
timed() {
    /usr/bin/time -f '%e %U %S' -o "$DIR/time.txt" "$@" >/dev/null
    awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$DIR/time.txt"
}

# median of the numbers on stdin.
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# cache_cases SITE OUT N: the build cache cases as one table row.
cache_cases() {
    local site="$1" out="$2" n="$3" r case
    local -A wall cpu
    local article
    article="$(find "$site/content" -name '*.md' ! -name _index.md | sort | head -1)"
    for r in $(seq "$ROUNDS"); do
        rm -rf "$site/.attache-cache" "$out"
        for case in cold same edit; do
            [ "$case" = edit ] && printf '\nOne more sentence, round %s.\n' "$r" >>"$article"
            read -r w c < <(cd "$site" && timed "$ATTACHE" build -q -o "$out")
            wall[$case]+="$w "; cpu[$case]+="$c "
            log "cache $case (N=$n, round $r): ${w} s wall, ${c} s cpu (load $(cut -d' ' -f1 /proc/loadavg))"
        done
    done
    local same="yes"
    (cd "$site" && "$ATTACHE" build -q --no-cache -o "$out.cold")
    diff -r "$out" "$out.cold" >/dev/null || same="NO"
    rm -rf "$out.cold"
    local row="| $(printf "%'d" "$n") |"
    for case in cold same edit; do
        row+=" $(tr ' ' '\n' <<<"${wall[$case]}" | grep . | median) | $(tr ' ' '\n' <<<"${cpu[$case]}" | grep . | median) |"
    done
    echo "$row $same |"
}

ROWS=()
CACHE_ROWS=()
SERVE_OUT=()
DIR=""
cleanup() { [ -z "${KEEP:-}" ] && [ -n "$DIR" ] && rm -rf "$DIR"; return 0; }
trap cleanup EXIT
for N in "${SIZES[@]}"; do
    DIR="$(mktemp -d "$BENCH_DIR/attache-peer-$N.XXXXXX")"
    log ""
    log "== N=$N in $DIR (load $(cut -d' ' -f1-3 /proc/loadavg))"
    python3 "$SHARED/gen_site.py" "$N" --out "$DIR/gen" --seed "$SEED" >/dev/null
    mkdir -p "$DIR/sites" "$DIR/out"
    attache_site "$DIR/gen/zola" "$DIR/sites/attache"
    cp -r "$DIR/gen/zola" "$DIR/sites/zola"
    TOOLS=("attache=$ATTACHE build --root . -q --no-cache -o {out}"
        "zola:attache=$ATTACHE build --root . -q --no-cache -o {out}")
    if [ -n "$HUGO" ]; then
        mv "$DIR/gen/hugo" "$DIR/sites/hugo"
        TOOLS+=("hugo=$HUGO --quiet -d {out}")
    fi
    python3 "$SHARED/measure.py" build --site-dir "$DIR/sites" --rounds "$ROUNDS" \
        --articles "$N" --out "$DIR/results.json" --out-root "$DIR/out" "${TOOLS[@]}" >&2
    ROWS+=("$(python3 - "$DIR/results.json" "$N" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); n = int(sys.argv[2])
h = r.get("hugo")
def cells(t):
    return [f"{t['median_wall_s']:.2f}", f"{t['median_cpu_s']:.2f}", f"{t['max_rss_mib']:.0f}",
            f"{t['output']['html_files']:,}"]
for name, label in (("attache", "default theme"), ("zola:attache", "Zola form")):
    a = r.get(name)
    if not a:
        continue
    row = [f"{n:,}", label] + cells(a)
    if h:
        row += cells(h) + [f"{a['median_wall_s'] / h['median_wall_s']:.2f}",
                           f"{a['median_cpu_s'] / h['median_cpu_s']:.2f}",
                           f"{a['max_rss_mib'] / h['max_rss_mib']:.2f}"]
    else:
        row += ["-"] * 7
    print("| " + " | ".join(row) + " |")
EOF
)")
    [ -z "${NO_CACHE_CASES:-}" ] && CACHE_ROWS+=("$(cache_cases "$DIR/sites/attache" "$DIR/out/cache" "$N")")
    if [ -z "${NO_SERVE_CASES:-}" ]; then
        rm -rf "$DIR/out"
        SERVE_OUT+=("$(SITE="$DIR/sites/attache" ARTICLES="$N" RUNS="$ROUNDS" BENCH_DIR="$BENCH_DIR" \
            bash "$HERE/serve.sh")")
    fi
    if [ -n "${KEEP:-}" ]; then log "kept $DIR"; else rm -rf "$DIR"; fi
    DIR=""
done

echo
echo "$ROUNDS alternating rounds after one warm-up; medians of wall and CPU (user + sys); MiB = highest peak RSS; ratios attache/hugo"
echo
echo "| N | attache site | attache s | attache cpu s | attache MiB | attache HTML | hugo s | hugo cpu s | hugo MiB | hugo HTML | wall ratio | cpu ratio | RSS ratio |"
echo "|--:|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
printf '%s\n' "${ROWS[@]}"

if [ ${#CACHE_ROWS[@]} -gt 0 ]; then
    echo
    echo "Build cache ($ROUNDS rounds, medians): cold = cache deleted; same = nothing changed; edit = one article edited; identical = the edited build equals a --no-cache build (diff -r)"
    echo
    echo "| N | cold s | cold cpu s | same s | same cpu s | edit s | edit cpu s | identical |"
    echo "|--:|--:|--:|--:|--:|--:|--:|:-:|"
    printf '%s\n' "${CACHE_ROWS[@]}"
fi

for out in "${SERVE_OUT[@]}"; do
    echo
    echo "$out"
done

if [ -z "${NO_SCALE:-}" ]; then
    echo
    SHARED="$SHARED" BENCH_DIR="$BENCH_DIR" bash "$HERE/scale.sh" "${SCALE:-100000}"
fi
