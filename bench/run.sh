#!/usr/bin/env bash
# Attaché vs Hugo build benchmark.
#
#   bench/run.sh [N ...]          # default: 1000 10000
#
# For each N: generate an Attaché site and its Hugo twin (bench/gen.py) in a
# temporary directory under $BENCH_DIR (default /tmp), then build each RUNS
# times (default 3) from a clean output directory and report the median wall
# time, the median CPU time (user + sys), the peak RSS (the highest of the
# runs) and the number of HTML files written.
#
# Environment:
#   RUNS=3            builds per tool and size
#   SEED=2024         gen.py seed
#   KEEP=1            keep the generated sites (their paths are printed)
#   BENCH_DIR=/tmp    where the temporary site directories go (/dev/shm: tmpfs,
#                     leaves out the disk file system's cost of creating files)
#   NO_HUGO=1         skip Hugo even if it is installed
#   NO_INSTALL=1      do not apt-get install `time` / `hugo` when missing
#   ATTACHE_OUT=public  the output directory attache writes inside the site
#   TIMEOUT=1200      seconds before one build is killed (reported as ">TIMEOUT s")
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
RUNS="${RUNS:-3}"
SEED="${SEED:-2024}"
ATTACHE_OUT="${ATTACHE_OUT:-public}"
TIMEOUT="${TIMEOUT:-1200}"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)

log() { printf '%s\n' "$*" >&2; }

apt_install() {
    [ -n "${NO_INSTALL:-}" ] && return 1
    command -v apt-get >/dev/null || return 1
    log "installing $*"
    if [ ! -f /tmp/.attache-bench-apt-updated ]; then
        apt-get update -qq >&2 && touch /tmp/.attache-bench-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# --- tools -------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    apt_install time || { log "error: /usr/bin/time (GNU time) is required"; exit 1; }
fi
HUGO=""
if [ -z "${NO_HUGO:-}" ]; then
    command -v hugo >/dev/null || apt_install hugo || true
    HUGO="$(command -v hugo || true)"
    [ -n "$HUGO" ] && log "$("$HUGO" version)"
fi

log "building attache (cargo build --release) ..."
if ! (cd "$REPO" && cargo build --release 2>&1 | tail -3 >&2; exit "${PIPESTATUS[0]}"); then
    log "error: cargo build --release failed"
    exit 1
fi
ATTACHE="$REPO/target/release/attache"
log "$("$ATTACHE" --version 2>/dev/null || echo "attache (no --version)")"

# --- helpers -----------------------------------------------------------------
# time_runs OUTDIR CMD... : run CMD $RUNS times, cleaning OUTDIR before each
# run; prints "median_wall_s max_rss_kb median_cpu_s", ">TIMEOUT" or "FAIL".
time_runs() {
    local outdir="$1"; shift
    local walls=() rsses=() cpus=() i tf ef
    tf="$(mktemp)"; ef="$(mktemp)"
    for ((i = 1; i <= RUNS; i++)); do
        rm -rf "$outdir"
        sync
        local rc=0
        /usr/bin/time -f '%e %M %U %S' -o "$tf" timeout -k 10 "$TIMEOUT" "$@" >"$ef" 2>&1 || rc=$?
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            log "  run $i killed after ${TIMEOUT}s: $*"
            rm -f "$tf" "$ef"
            echo ">${TIMEOUT}"
            return
        fi
        if [ "$rc" -ne 0 ]; then
            log "  run $i FAILED (exit $rc): $*"
            tail -n 30 "$ef" | sed 's/^/    /' >&2
            rm -f "$tf" "$ef"
            echo FAIL
            return
        fi
        if [ -s "$ef" ]; then
            log "  run $i output (first lines):"
            head -n 15 "$ef" | sed 's/^/    /' >&2
        fi
        read -r w m u sy < <(tail -n 1 "$tf")
        c="$(awk -v u="$u" -v s="$sy" 'BEGIN {printf "%.2f", u + s}')"
        log "  run $i: ${w}s wall, ${c}s cpu, $((m / 1024)) MB   (load $(cut -d' ' -f1 /proc/loadavg))"
        walls+=("$w"); rsses+=("$m"); cpus+=("$c")
    done
    rm -f "$tf" "$ef"
    local max
    max="$(printf '%s\n' "${rsses[@]}" | sort -g | tail -n 1)"
    echo "$(median "${walls[@]}") $max $(median "${cpus[@]}")"
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

count_html() {
    if [ -d "$1" ]; then find "$1" -name '*.html' | wc -l; else echo "-"; fi
}

# --- runs --------------------------------------------------------------------
ROWS=()
DIR=""
cleanup() { [ -z "${KEEP:-}" ] && [ -n "$DIR" ] && rm -rf "$DIR"; return 0; }
trap cleanup EXIT
for N in "${SIZES[@]}"; do
    DIR="$(mktemp -d "${BENCH_DIR:-/tmp}"/attache-bench-"$N".XXXXXX)"
    SITE="$DIR/site"; HSITE="$DIR/hugo"
    log ""
    log "== N=$N in $DIR"
    GEN_ARGS=(--articles "$N" --out "$SITE" --seed "$SEED")
    [ -n "$HUGO" ] && GEN_ARGS+=(--hugo "$HSITE")
    python3 "$HERE/gen.py" "${GEN_ARGS[@]}"

    log "attache build --root $SITE -q   (load $(cut -d" " -f1-3 /proc/loadavg))"
    read -r a_wall a_rss a_cpu < <(time_runs "$SITE/$ATTACHE_OUT" "$ATTACHE" build --root "$SITE" -q; echo) || true
    a_html="$(count_html "$SITE/$ATTACHE_OUT")"

    h_wall="-"; h_rss=""; h_cpu="-"; h_html="-"
    if [ -n "$HUGO" ]; then
        log "hugo --quiet -s $HSITE   (load $(cut -d" " -f1-3 /proc/loadavg))"
        read -r h_wall h_rss h_cpu < <(time_runs "$HSITE/public" "$HUGO" --quiet -s "$HSITE"; echo) || true
        h_html="$(count_html "$HSITE/public")"
    fi

    mb() { [[ "${1:-}" =~ ^[0-9]+$ ]] && awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}' || echo "-"; }
    ratio="-"
    if [[ "$a_wall" =~ ^[0-9.]+$ && "$h_wall" =~ ^[0-9.]+$ ]]; then
        ratio="$(awk -v a="$a_wall" -v h="$h_wall" 'BEGIN { if (h > 0) printf "%.2f", a / h; else print "-" }')"
    fi
    ROWS+=("$(printf '| %6s | %9s | %13s | %10s | %6s | %10s | %7s | %12s | %12s | %9s |' \
        "$N" "$a_wall" "${a_cpu:--}" "$(mb "${a_rss:-}")" "$h_wall" "${h_cpu:--}" "$(mb "${h_rss:-}")" \
        "$ratio" "$a_html" "$h_html")")

    if [ -n "${KEEP:-}" ]; then
        log "kept $DIR"
    else
        rm -rf "$DIR"
    fi
    DIR=""
done

echo
echo "median of $RUNS builds (wall, and cpu = user + sys); MB = highest max-RSS of the runs; attache/hugo = ratio of median wall times"
echo
echo "|      N | attache s | attache cpu s | attache MB | hugo s | hugo cpu s | hugo MB | attache/hugo | attache HTML | hugo HTML |"
echo "|-------:|----------:|--------------:|-----------:|-------:|-----------:|--------:|-------------:|-------------:|----------:|"
printf '%s\n' "${ROWS[@]}"
