#!/usr/bin/env python3
"""Damage probe for lexicon entries: clean dev-split documents of the clean
corpus, each with one sentence holding two fingerprints prepended, so the
corrector judges the document spun (as it would a real spun article). Every
spin change it then applies after that sentence rewrites clean prose: this
lists them, most frequent first, with the lexicon they came from. Use it to
find weak entries whose spun side the context model too often "restores" in
clean text, and drop or re-tier them.

Needs the release binary: cargo build --release --bin attache
Usage: python3 tools/lexicon/probe_damage.py [N_DOCS [OFFSET]]
  (every 10th dev document from OFFSET; the evaluation uses offset 0, so
  calibrate on another offset, e.g. the default 5). BIN overrides the binary.
"""
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cleancorpus import REPO, corpus_dir  # noqa: E402

HEAD = "The Chilly Warfare was essentially the most tense period.\n\n"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    off = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    binary = os.environ.get("BIN", os.path.join(REPO, "target", "release", "attache"))
    docs = []
    for name in ["milestones", "hsg", "frus", "sotu"]:
        with open(os.path.join(corpus_dir(), name + ".jsonl"), encoding="utf-8") as fh:
            for line in fh:
                v = json.loads(line)
                if v.get("split") == "dev":
                    docs.append(v["text"])
    docs = docs[off::10][:n]
    agg = collections.Counter()
    words = 0
    head_len = len(HEAD.encode())
    for text in docs:
        words += len(text.split())
        out = subprocess.run([binary, "correct", "--format", "json", "-"], input=(HEAD + text).encode(),
                             capture_output=True)
        rep = json.loads(out.stdout)
        for c in rep["changes"]:
            if c["status"] != "applied" or c["byte_range"][0] < head_len or not c["rule"].startswith("spin/"):
                continue
            src = next((s for s in ("curated", "observed", "paraphrase") if s in c["reason"]), "other")
            agg[(c["before"].lower(), c["after"].lower(), c["rule"], src)] += 1
    print("docs %d, words %d, applied spin changes on clean prose %d" % (len(docs), words, sum(agg.values())))
    for (before, after, rule, src), k in agg.most_common():
        print("%4d  %-30s -> %-25s %s %s" % (k, before, after, rule, src))


if __name__ == "__main__":
    main()
