#!/usr/bin/env python3
"""Clean-corpus phrase rates for the prose-corrector lexicons (stdlib only).

The clean corpus is the public-domain foreign-policy corpus in shared/corpus
(*.jsonl, field `text`).  Text is lower-cased, curly apostrophes become
straight ones, and it is split into word tokens (letters/digits, with inner
hyphens and apostrophes kept: "hand-picked", "court's") and single
punctuation tokens.  A phrase matches a run of consecutive word tokens, so a
phrase never matches across punctuation.  Rates are occurrences per million
word tokens of the whole corpus.

Usage as a tool:
    python3 tools/lexicon/cleancorpus.py PHRASE [PHRASE ...]
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[^\sa-z0-9]")
CASED_TOKEN_RE = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[-'][A-Za-z0-9\u00c0-\u024f]+)*|[^\sA-Za-z0-9\u00c0-\u024f]")
WORD_RE = re.compile(r"[a-z0-9]")


def corpus_dir():
    """Locate shared/corpus: $ATTACHE_CLEAN_CORPUS, then ../shared/corpus
    next to the repository (CI layout), then /work/shared/corpus."""
    cands = []
    env = os.environ.get("ATTACHE_CLEAN_CORPUS")
    if env:
        cands.append(env)
    cands.append(os.path.join(os.path.dirname(REPO), "shared", "corpus"))
    cands.append("/work/shared/corpus")
    for c in cands:
        if glob.glob(os.path.join(c, "*.jsonl")):
            return c
    return None


def normalise(text):
    return (text.lower().replace("\u2019", "'").replace("\u2018", "'")
            .replace("\u2010", "-").replace("\u2011", "-"))


def tokenize(text):
    return TOKEN_RE.findall(normalise(text))


def normalise_cased(text):
    return (text.replace("\u2019", "'").replace("\u2018", "'")
            .replace("\u2010", "-").replace("\u2011", "-"))


def tokenize_cased(text):
    return CASED_TOKEN_RE.findall(normalise_cased(text))


def phrase_tokens(phrase, cased=False):
    return tuple(tokenize_cased(phrase) if cased else tokenize(phrase))


def is_cased(phrase):
    """A lexicon entry whose spun side has a capital letter is matched
    case-sensitively; an all-lower-case entry is matched case-insensitively."""
    return phrase != phrase.lower()


class Corpus:
    def __init__(self, directory=None):
        self.dir = directory or corpus_dir()
        if self.dir is None:
            raise FileNotFoundError("clean corpus (shared/corpus/*.jsonl) not found")
        self.docs = []  # list of token lists (lower-cased)
        self.cased_docs = []  # same text, case kept
        self.words = 0
        for path in sorted(glob.glob(os.path.join(self.dir, "*.jsonl"))):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    text = rec.get("text", "")
                    toks = tokenize(text)
                    self.docs.append(toks)
                    self.cased_docs.append(tokenize_cased(text))
                    self.words += sum(1 for t in toks if WORD_RE.match(t))
        self._unigrams = None

    def unigrams(self):
        if self._unigrams is None:
            counts = {}
            for toks in self.docs:
                for t in toks:
                    counts[t] = counts.get(t, 0) + 1
            self._unigrams = counts
        return self._unigrams

    def counts(self, phrases, cased=False):
        """Return {phrase: occurrences} for an iterable of phrases.
        cased=True matches case-sensitively (on the case-kept tokens)."""
        want = {}
        by_first = {}
        for p in phrases:
            toks = phrase_tokens(p, cased)
            if not toks:
                continue
            want[p] = toks
            by_first.setdefault(toks[0], set()).add(toks)
        found = {}
        for toks in (self.cased_docs if cased else self.docs):
            n = len(toks)
            for i, t in enumerate(toks):
                cands = by_first.get(t)
                if not cands:
                    continue
                for c in cands:
                    k = len(c)
                    if k == 1 or (i + k <= n and tuple(toks[i:i + k]) == c):
                        found[c] = found.get(c, 0) + 1
        return {p: found.get(toks, 0) for p, toks in want.items()}

    def rate(self, count):
        return count * 1_000_000 / self.words


    def entry_counts(self, phrases):
        """Counts for lexicon entries: case-sensitive for entries with a
        capital letter, case-insensitive otherwise."""
        phrases = list(phrases)
        res = self.counts([p for p in phrases if not is_cased(p)])
        res.update(self.counts([p for p in phrases if is_cased(p)], cased=True))
        return res


def fmt_rate(corpus, count):
    return "clean=%s/M n=%d" % (round(corpus.rate(count), 2), count)


if __name__ == "__main__":
    c = Corpus()
    res = c.entry_counts(sys.argv[1:])
    print("corpus words:", c.words)
    for p in sys.argv[1:]:
        print("%s\t%d\t%.2f/M" % (p, res.get(p, 0), c.rate(res.get(p, 0))))
