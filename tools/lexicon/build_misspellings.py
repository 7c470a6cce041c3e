#!/usr/bin/env python3
"""Build data/correct/misspellings.tsv.

Sources: our own list (misspellings_src.txt) and, to widen coverage of the
domain's vocabulary, known misspelling pairs from the `typos-dict` crate
(MIT OR Apache-2.0; see data/correct/NOTICE.md), filtered hard:
  * exactly one suggested correction, one Damerau edit away from it;
  * the correction is a frequent word of the clean foreign-policy corpus;
  * at most two misspellings per correct word, preferring the kinds people
    make when spelling (a doubled letter written once, transposition, vowel
    confusion, a dropped letter) over keyboard slips;
and, for every entry from either source, `wrong` must not be a word or name
in the system word lists (wamerican, wbritish; compared case-insensitively)
nor occur in the clean corpus (except known typos of the corpus itself).

Usage: build_misspellings.py [--typos-dict PATH_TO_word_codegen.rs]
Without the crate source, only the own list is used.
"""
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cleancorpus import Corpus, REPO  # noqa: E402

SRC = os.path.join(HERE, "misspellings_src.txt")
OUT = os.path.join(REPO, "data", "correct", "misspellings.tsv")
WORDLISTS = ["/usr/share/dict/american-english", "/usr/share/dict/british-english"]
# Misspellings that do occur in the clean corpus, each reviewed in context
# and found to be a typo of the source there (withdrawl is documented in
# shared/corpus/README.md). Any other corpus hit is rejected until reviewed.
KNOWN_CORPUS_TYPOS = {"withdrawl", "concensus", "embasy", "goverment", "govenment", "managment",
                      "occured", "parliamant", "priviledge", "publically", "recieved", "seige",
                      "secertary", "britian", "ocotber", "litle", "imformed", "embassay",
                      "thoughout"}
# Real words or names missing from the system word lists (reviewed).
# Also foreign words (French, Spanish, German, Dutch, Latin, Slavic
# transliterations) and names that an English foreign-policy text may quote:
# 'agrement' (the diplomatic agrément), 'Brin', 'Gulf of Mannar' ...
NOT_MISSPELLINGS = {"miliary", "affaires", "enver", "cours", "aktion", "serie", "decembre",
                    "americanas", "mony", "persones", "brin", "formar", "unio", "lage", "ather",
                    "migh", "noth", "bever", "serios", "anual", "comercial", "posible", "proces",
                    "progres", "sesion", "milion", "millon", "mannar", "ministr", "stil",
                    "agrement", "beter", "diplomatis", "adquire", "americanus", "billon", "groth"}
MAX_TOTAL = 1000
MIN_CORRECTION_COUNT = 100  # occurrences in the clean corpus (about 25 per million words)


CASED = {}


def load_wordlist():
    words = set()
    for p in WORDLISTS:
        if os.path.exists(p):
            with open(p, encoding="utf-8", errors="replace") as fh:
                for w in fh:
                    w = w.strip()
                    words.add(w.lower())
                    CASED.setdefault(w.lower(), set()).add(w)
    if not words:
        raise SystemExit("no system word list found (apt-get install wamerican wbritish)")
    return words


def canonical(right, corpus=None):
    """'american' -> 'American' when the word lists only know it capitalised,
    or when the clean corpus writes it capitalised at least 95% of the time
    (French, August)."""
    if corpus is not None:
        low = corpus.cased_unigrams.get(right.lower(), 0)
        cap = corpus.cased_unigrams.get(right.capitalize(), 0)
        if cap + low >= 20 and cap >= 0.95 * (cap + low):
            return right.capitalize()
    forms = CASED.get(right.lower(), set())
    if right in forms or not forms:
        return right
    if right.lower() not in forms:
        caps = sorted(f for f in forms if f[:1].isupper())
        if caps:
            return caps[0]
    return right


def damerau1(a, b):
    """True when a and b are exactly one Damerau-Levenshtein edit apart."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    for i in range(len(b)):
        if a == b[:i] + b[i + 1:]:
            return True
    return False


VOWELS = set("aeiou")


def typo_kind(wrong, right):
    """Rank of a one-edit misspelling by how human it looks (lower = more
    typical of spelling errors rather than keyboard slips)."""
    if len(wrong) == len(right) - 1:
        i = next((k for k in range(len(wrong)) if wrong[k] != right[k]), len(wrong))
        if i + 1 < len(right) and right[i] == right[i + 1] or i > 0 and right[i] == right[i - 1]:
            return 0  # a doubled letter written once (comitee)
        return 2 if right[i] in VOWELS else 3  # a letter dropped
    if len(wrong) == len(right):
        diff = [k for k in range(len(wrong)) if wrong[k] != right[k]]
        if len(diff) == 2:
            return 1  # adjacent transposition (recieve)
        k = diff[0]
        if wrong[k] in VOWELS and right[k] in VOWELS:
            return 1  # vowel confusion (seperate)
        return 4
    i = next((k for k in range(len(right)) if wrong[k] != right[k]), len(right))
    if i > 0 and wrong[i] == wrong[i - 1]:
        return 2  # a letter doubled by mistake (untill)
    return 5


def find_typos_dict():
    for arg in sys.argv[1:]:
        if arg.startswith("--typos-dict="):
            return arg.split("=", 1)[1]
    cands = glob.glob(os.path.expanduser(
        "~/.cargo/registry/src/*/typos-dict-*/src/word_codegen.rs"))
    return sorted(cands)[-1] if cands else None


def read_typos_dict(path):
    pat = re.compile(r'\(dictgen::InsensitiveStr::(?:Ascii|Unicode)\("([^"]+)"\), &\[([^\]]*)\]\)')
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = pat.search(line)
            if m:
                out[m.group(1)] = re.findall(r'"([^"]*)"', m.group(2))
    return out


def main():
    words = load_wordlist()
    corpus = Corpus()
    uni = corpus.unigrams()
    cu = {}
    for toks in corpus.cased_docs:
        for t in toks:
            cu[t] = cu.get(t, 0) + 1
    corpus.cased_unigrams = cu
    own = []
    with open(SRC, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            wrong, right = line.split(" ", 1)
            own.append((wrong, right))
    rows, seen, rejected = [], set(), []

    def ok(wrong, right):
        lw = wrong.lower()
        if lw in seen or lw == right.lower():
            return False
        if lw in words or lw in NOT_MISSPELLINGS:
            rejected.append((wrong, right, "a word or name"))
            return False
        if uni.get(lw, 0) and lw not in KNOWN_CORPUS_TYPOS:
            rejected.append((wrong, right, "in clean corpus (%d)" % uni[lw]))
            return False
        return True

    for wrong, right in own:
        if ok(wrong, right):
            rows.append((wrong, right))
            seen.add(wrong.lower())
    n_own = len(rows)
    td_path = find_typos_dict()
    n_td = 0
    if td_path:
        td = read_typos_dict(td_path)
        by_right = {}
        for wrong, fixes in td.items():
            if len(fixes) != 1:
                continue
            right = fixes[0]
            if not (wrong.isalpha() and right.isalpha() and wrong.islower() and right.islower()):
                continue
            if len(right) < 5 or uni.get(right, 0) < MIN_CORRECTION_COUNT or right not in words:
                continue
            if not damerau1(wrong, right):
                continue
            by_right.setdefault(right, []).append(wrong)
        ranked = sorted(by_right, key=lambda r: -uni.get(r, 0))
        for right in ranked:
            taken = 0
            for wrong in sorted(by_right[right], key=lambda w: (typo_kind(w, right), w)):
                if len(rows) >= MAX_TOTAL or taken >= 2:
                    break
                if ok(wrong, right):
                    rows.append((wrong, canonical(right, corpus)))
                    seen.add(wrong)
                    taken += 1
                    n_td += 1
            if len(rows) >= MAX_TOTAL:
                break
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(HEADER % {"own": n_own, "td": n_td})
        fh.write("wrong\tright\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    for r in rejected:
        print("rejected %-20s -> %-20s %s" % r, file=sys.stderr)
    print("wrote %d rows (%d own, %d from typos-dict) to %s" % (len(rows), n_own, n_td, OUT))


HEADER = """\
# misspellings.tsv: common English misspellings and their corrections.
# Built by tools/lexicon/build_misspellings.py; validated by check.py.
# Columns (tab-separated, exactly 2): wrong, right. Match `wrong` as a whole
# word, case-insensitively. Output `right` with the matched capitalisation
# carried over, unless `right` has a capital letter of its own (a name or a
# proper adjective: American, February, Israeli), then as written.
# Every `wrong` was checked against the system word lists (wamerican,
# wbritish) and the clean corpus: none is a valid word, name or British/
# American variant. A few occur in the clean corpus as typos of the sources
# themselves (withdrawl, goverment, occured, publically ...; each reviewed).
# First %(own)d rows: our own list. Next %(td)d rows: one-edit misspellings of
# frequent words of the domain, from the typos-dict crate's word list
# (MIT OR Apache-2.0, see NOTICE.md).
"""

if __name__ == "__main__":
    main()
