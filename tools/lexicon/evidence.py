"""Shared evidence look-ups for the lexicon builders (stdlib only):
observed facts, PPDB single-word paraphrase pairs and the Problematic Paper
Screener tortured phrases/word pairs, all from shared/spin."""
import os

from cleancorpus import REPO


def spin_dir():
    for c in (os.environ.get("ATTACHE_SPIN_DIR"),
              os.path.join(os.path.dirname(REPO), "shared", "spin"),
              "/work/shared/spin"):
        if c and os.path.exists(os.path.join(c, "mappings.tsv")):
            return c
    raise FileNotFoundError("shared/spin not found")


def read_tsv(path):
    with open(path, encoding="utf-8") as fh:
        rows = [l.rstrip("\n").split("\t") for l in fh]
    return rows[0], rows[1:]


class Evidence:
    def __init__(self):
        d = spin_dir()
        _, self.mappings = read_tsv(os.path.join(d, "mappings.tsv"))
        self.observed_pairs = {(r[0], r[1]) for r in self.mappings}
        self.observed_spun = {r[0] for r in self.mappings}
        self.ppdb = set()
        with open(os.path.join(d, "paraphrase_pairs.tsv"), encoding="utf-8") as fh:
            next(fh)
            for line in fh:
                a, b, _ = line.rstrip("\n").split("\t")
                self.ppdb.add((a, b))
                self.ppdb.add((b, a))
        _, tp = read_tsv(os.path.join(d, "tortured_phrases.tsv"))
        self.tortured = {}
        for r in tp:
            self.tortured.setdefault(r[0], r[1])
        _, tw = read_tsv(os.path.join(d, "tortured_word_pairs.tsv"))
        self.tortured_words = {(r[0], r[1]) for r in tw}

    # Swaps named in shared/spin/README.md (prose, not in mappings.tsv).
    README_SWAPS = [("chilly", "cold"), ("warfare", "war"), ("overseas", "foreign"),
                    ("coverage", "policy"), ("hearth", "fire"), ("recreation", "game"),
                    ("sport", "game"), ("courtroom", "court"), ("home", "house"),
                    ("division", "department"), ("brand new", "new"), ("got here", "came"),
                    ("change into", "become"), ("essentially the most", "the most")]

    def supported(self, spun, original):
        """True when every change from `original` to `spun` is explained by
        observed facts (mappings.tsv or the README's named swaps)."""
        s, o = " %s " % spun.lower(), " %s " % original.lower()
        if (spun.lower(), original.lower()) in self.observed_pairs:
            return True
        pairs = [(a, b) for a, b in self.observed_pairs if a != b] + self.README_SWAPS
        pairs.sort(key=lambda p: -len(p[0]))
        for a, b in pairs:
            if " %s " % a in s and " %s " % b in o:
                s = s.replace(" %s " % a, " %s " % b)
        return s == o

    def word_pairs(self, spun, original):
        """Differing word pairs of two phrases of the same length."""
        a, b = spun.lower().split(), original.lower().split()
        if len(a) != len(b):
            if len(a) == 1 and len(b) == 1:
                return [(a[0], b[0])]
            return []
        return [(x, y) for x, y in zip(a, b) if x != y]

    def tags(self, spun, original):
        s, o = spun.lower(), original.lower()
        out = []
        if (s, o) in self.observed_pairs:
            out.append("also observed")
        elif s in self.observed_spun:
            out.append("spun form observed")
        pairs = self.word_pairs(s, o)
        if pairs and any(p in self.ppdb for p in pairs):
            out.append("ppdb")
        if s in self.tortured or (pairs and any(p in self.tortured_words for p in pairs)):
            out.append("tortured")
        return out
