# Shared by the benchmark scripts: `source "$HERE/lib.sh"`.
# The REPO variable must be set (the repository root). Sets SHARED (the
# shared workload's scripts: a clone beside ../shared, or a worktree one
# level further down) and BENCH_DIR (where sites and outputs go) unless set.

if [ -z "${SHARED:-}" ]; then
    for SHARED in "$REPO/../shared/bench" "$REPO/../../shared/bench"; do
        [ -d "$SHARED" ] && break
    done
fi
BENCH_DIR="${BENCH_DIR:-/dev/shm}"

# attache_site ZOLA_DIR ATTACHE_DIR: the Zola layout as an Attaché site. The
# content is the same; the config is translated key by key (Zola-only keys
# dropped, taxonomies as tables); `transparent = true` is left out of the
# section front matter, which Attaché does not know.
attache_site() {
    local z="$1" a="$2"
    mkdir -p "$a"
    cp -r "$z/content" "$z/static" "$a/"
    find "$a/content" -name _index.md -exec sed -i '/^transparent = true$/d' {} +
    mkdir -p "$a/themes" && cp -r "$REPO/themes/default" "$a/themes/"
    cat >"$a/config.toml" <<'EOF'
base_url = "https://example.org"
title = "Foreign Policy Explainers"
description = "Synthetic benchmark site: explainers on foreign policy"
default_language = "en"
theme = "default"
generate_feed = true
feed_limit = 20
generate_sitemap = true
generate_robots_txt = true

[markdown]
smart_punctuation = false
highlight_code = true

[taxonomies.topics]
paginate_by = 10

[taxonomies.countries]
paginate_by = 10
EOF
}
