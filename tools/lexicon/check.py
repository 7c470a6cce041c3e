#!/usr/bin/env python3
"""Validate the prose-corrector data files in data/correct/ (stdlib only).

Checks, per file:
  * UTF-8, every non-comment line has exactly the stated number of
    tab-separated columns, the first non-comment line is the column header,
    no empty fields and no stray spaces around fields;
  * allowed values: tiers (observed.tsv, curated.tsv), scope and the
    default/optional marker (house_style.tsv); phrase-bound entries carry
    'context:' in their note;
  * no duplicate keys: the spun form in curated.tsv, `wrong` in
    house_style.tsv and (case-insensitively) in misspellings.tsv, and the
    (spun, original) pair in observed.tsv, where one spun form seen with
    several originals legitimately has one row per original;
  * no entry whose original equals its spun form;
  * clean-corpus rates: every fingerprint-tier spun form must occur at most
    0.5 times per million words of the clean corpus (shared/corpus); strong
    forms above 2.5 per million are reported as warnings.

Prints per-tier counts and the clean rate of each fingerprint form, ends
with a line 'lexicon: N passed, M failed' and exits non-zero on failure.

Usage: python3 tools/lexicon/check.py [--quiet] [--no-corpus]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cleancorpus import REPO, Corpus, corpus_dir  # noqa: E402

DATA = os.path.join(REPO, "data", "correct")
TIERS = ("fingerprint", "strong", "weak", "phrase-bound", "drop")
FINGERPRINT_MAX = 0.5   # per million words of clean text
STRONG_WARN = 2.5

FILES = {
    "observed.tsv": ["spun", "original", "count", "articles", "tier", "note"],
    "curated.tsv": ["spun", "original", "tier", "note"],
    "house_style.tsv": ["wrong", "right", "scope", "note"],
    "misspellings.tsv": ["wrong", "right"],
}


class Result:
    def __init__(self):
        self.errors = []
        self.warnings = []
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.errors.append(what)


def read_rows(path, columns, res):
    """Return [(line_no, fields)] for the data rows of a TSV file."""
    name = os.path.basename(path)
    if not os.path.exists(path):
        res.check(False, "%s: missing" % name)
        return []
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        res.check(False, "%s: not UTF-8 (%s)" % (name, e))
        return []
    rows, header_seen, bad = [], False, []
    for n, line in enumerate(text.split("\n"), 1):
        if line == "" and n == text.count("\n") + 1:
            continue  # final newline
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != len(columns):
            bad.append("%s:%d: %d columns, expected %d" % (name, n, len(fields), len(columns)))
            continue
        if any(f == "" or f != f.strip() for f in fields):
            bad.append("%s:%d: empty field or stray spaces" % (name, n))
            continue
        if not header_seen:
            header_seen = True
            if fields != columns:
                bad.append("%s:%d: header %r, expected %r" % (name, n, fields, columns))
            continue
        rows.append((n, fields))
    res.check(header_seen, "%s: no header line" % name)
    res.check(not bad, "; ".join(bad[:20]) + (" ... (%d in all)" % len(bad) if len(bad) > 20 else ""))
    res.check(bool(rows), "%s: no data rows" % name)
    return rows


def check_lexicon(name, rows, col, res, pair_key):
    """Shared checks for observed.tsv and curated.tsv."""
    s_i, o_i, t_i, n_i = col["spun"], col["original"], col["tier"], col["note"]
    bad_tier = [(n, f[t_i]) for n, f in rows if f[t_i] not in TIERS]
    res.check(not bad_tier, "%s: bad tiers %r" % (name, bad_tier[:10]))
    keys, dups = {}, []
    for n, f in rows:
        key = (f[s_i], f[o_i]) if pair_key else f[s_i]
        if key in keys:
            dups.append((key, keys[key], n))
        keys[key] = n
    res.check(not dups, "%s: duplicate keys %r" % (name, dups[:10]))
    same = [(n, f[s_i]) for n, f in rows if f[s_i].lower() == f[o_i].lower()]
    res.check(not same, "%s: original equals spun form %r" % (name, same[:10]))
    nocontext = [(n, f[s_i]) for n, f in rows if f[t_i] == "phrase-bound" and "context:" not in f[n_i]]
    res.check(not nocontext, "%s: phrase-bound without 'context:' %r" % (name, nocontext[:10]))
    if not pair_key:
        # a lower-case entry matches case-insensitively and would shadow a cased twin
        lower = {f[s_i] for n, f in rows if f[s_i] == f[s_i].lower()}
        shadow = [f[s_i] for n, f in rows if f[s_i] != f[s_i].lower() and f[s_i].lower() in lower]
        res.check(not shadow, "%s: cased entries shadowed by a lower-case twin %r" % (name, shadow[:10]))
    if pair_key:
        bad_num = [n for n, f in rows if not (f[col["count"]].isdigit() and f[col["articles"]].isdigit())]
        res.check(not bad_num, "%s: non-numeric count/articles on lines %r" % (name, bad_num[:10]))


def tier_counts(rows, t_i):
    out = {}
    for _, f in rows:
        out[f[t_i]] = out.get(f[t_i], 0) + 1
    return out


def main():
    quiet = "--quiet" in sys.argv
    use_corpus = "--no-corpus" not in sys.argv
    res = Result()
    data = {}
    for fname, columns in FILES.items():
        rows = read_rows(os.path.join(DATA, fname), columns, res)
        data[fname] = (rows, {c: i for i, c in enumerate(columns)})

    rows, col = data["observed.tsv"]
    check_lexicon("observed.tsv", rows, col, res, pair_key=True)
    rows, col = data["curated.tsv"]
    check_lexicon("curated.tsv", rows, col, res, pair_key=False)

    rows, col = data["house_style.tsv"]
    bad = [(n, f[2]) for n, f in rows if f[2] not in ("word", "phrase")]
    res.check(not bad, "house_style.tsv: bad scope %r" % bad[:10])
    bad = [n for n, f in rows if not (f[3].startswith("default") or f[3].startswith("optional"))]
    res.check(not bad, "house_style.tsv: note must start with default/optional, lines %r" % bad[:10])
    keys = [f[0] for n, f in rows]
    res.check(len(keys) == len(set(keys)), "house_style.tsv: duplicate wrong forms")
    same = [f[0] for n, f in rows if f[0] == f[1]]
    res.check(not same, "house_style.tsv: right equals wrong %r" % same)

    rows, col = data["misspellings.tsv"]
    keys = [f[0].lower() for n, f in rows]
    dup = sorted({k for k in keys if keys.count(k) > 1}) if len(keys) != len(set(keys)) else []
    res.check(not dup, "misspellings.tsv: duplicate wrong forms %r" % dup[:10])
    same = [f[0] for n, f in rows if f[0].lower() == f[1].lower()]
    res.check(not same, "misspellings.tsv: right equals wrong %r" % same[:10])
    multi = [f[0] for n, f in rows if " " in f[0]]
    res.check(not multi, "misspellings.tsv: multi-word wrong forms %r" % multi[:10])
    res.check(300 <= len(rows) <= 1000, "misspellings.tsv: %d rows, expected 300-1000" % len(rows))
    n_cur = len(data["curated.tsv"][0])
    res.check(800 <= n_cur <= 4000, "curated.tsv: %d entries, expected 800-4000" % n_cur)

    # ---- report -------------------------------------------------------------
    print("data/correct/ (%s)" % DATA)
    for fname in FILES:
        rows, col = data[fname]
        line = "  %-17s %5d rows" % (fname, len(rows))
        if "tier" in col:
            tc = tier_counts(rows, col["tier"])
            line += "  " + ", ".join("%s %d" % (t, tc.get(t, 0)) for t in TIERS)
        print(line)

    cdir = corpus_dir() if use_corpus else None
    if cdir is None:
        print("clean corpus not found (or --no-corpus): fingerprint rates not checked")
    else:
        corpus = Corpus(cdir)
        print("clean corpus: %s (%d word tokens)" % (cdir, corpus.words))
        for fname in ("observed.tsv", "curated.tsv"):
            rows, col = data[fname]
            s_i, t_i = col["spun"], col["tier"]
            fp = sorted({f[s_i] for _, f in rows if f[t_i] == "fingerprint"})
            st = sorted({f[s_i] for _, f in rows if f[t_i] == "strong"})
            cnt = corpus.entry_counts(fp + st)
            too_high = [(s, corpus.rate(cnt[s])) for s in fp if corpus.rate(cnt[s]) > FINGERPRINT_MAX]
            res.check(not too_high, "%s: fingerprint forms above %.1f/M in clean text, re-tier: %s" % (
                fname, FINGERPRINT_MAX, ", ".join("%s (%.2f/M)" % x for x in too_high)))
            for s in st:
                r = corpus.rate(cnt[s])
                if r > STRONG_WARN:
                    res.warnings.append("%s: strong form %r at %.2f/M in clean text" % (fname, s, r))
            nonzero = [(s, cnt[s]) for s in fp if cnt[s]]
            print("  %s: %d fingerprint forms, %d with any clean occurrence%s" % (
                fname, len(fp), len(nonzero),
                "" if not nonzero else ": " + ", ".join("%s (n=%d, %.2f/M)" % (s, c, corpus.rate(c))
                                                       for s, c in nonzero)))
            if not quiet:
                for s in fp:
                    print("    fingerprint %-45s clean=%.2f/M n=%d" % (s, corpus.rate(cnt[s]), cnt[s]))

    for w in res.warnings:
        print("WARNING:", w)
    for e in res.errors:
        print("FAIL:", e)
    print("lexicon: %d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
