#!/usr/bin/env python3
"""Build data/correct/curated.tsv from tools/lexicon/curated_src.txt plus a
few systematically generated name families (war names), adding evidence tags
(also observed / ppdb / tortured) and the clean-corpus rate to each note.

Usage: python3 tools/lexicon/build_curated.py [--report]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cleancorpus import Corpus, REPO, is_cased  # noqa: E402
from evidence import Evidence  # noqa: E402

SRC = os.path.join(HERE, "curated_src.txt")
OUT = os.path.join(REPO, "data", "correct", "curated.tsv")
TIERS = {"fingerprint", "strong", "weak", "phrase-bound", "drop"}


def read_src():
    out = []
    with open(SRC, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ")]
            if len(parts) != 5:
                raise SystemExit("%s:%d: expected 5 fields: %r" % (SRC, n, line))
            spun, orig, tier, conf, note = parts
            if tier not in TIERS:
                raise SystemExit("%s:%d: bad tier %r" % (SRC, n, tier))
            out.append((spun, orig, tier, conf, note, n))
    return out


def generated():
    """War names: the family spins 'War' (warfare/struggle) and 'World'
    (international/global/worldwide) independently, so a name shows up in
    many combinations; none of them can be clean prose."""
    out = []
    worlds = ["World", "International", "Global", "Worldwide"]
    wars = ["Warfare", "Struggle", "Battle", "Conflict", "War"]
    for suffix in ("I", "II"):
        for w in worlds:
            for x in wars:
                if (w, x) == ("World", "War"):
                    continue
                conf = "high" if (w, x) in (("World", "Warfare"), ("International", "Warfare"),
                                             ("Global", "Warfare"), ("World", "Struggle")) else "medium"
                out.append(("%s %s %s" % (w, x, suffix), "World War %s" % suffix, "fingerprint", conf,
                            "generated: world -> %s, war -> %s" % (w.lower(), x.lower())))
    for ordinal in ("First", "Second"):
        for w in ("World", "International", "Global"):
            for x in ("Warfare", "Struggle", "War"):
                if (w, x) == ("World", "War"):
                    continue
                out.append(("%s %s %s" % (ordinal, w, x), "%s World War" % ordinal, "fingerprint", "medium",
                            "generated: world -> %s, war -> %s" % (w.lower(), x.lower())))
    named = ["Korean", "Vietnam", "Gulf", "Iraq", "Afghan", "Crimean", "Boer", "Opium",
             "Spanish-American", "Mexican-American", "Six-Day", "Yom Kippur", "Falklands",
             "Russo-Japanese", "Franco-Prussian", "Iran-Iraq", "Persian Gulf", "Korean"]
    for name in dict.fromkeys(named):
        out.append(("%s Warfare" % name, "%s War" % name, "fingerprint", "high",
                    "generated: war -> warfare"))
        out.append(("%s Struggle" % name, "%s War" % name, "fingerprint", "medium",
                    "generated: war -> struggle"))
    out.append(("Civil Warfare", "Civil War", "strong", "high",
                "generated; 'civil warfare' (irregular war) is possible"))
    out.append(("Revolutionary Warfare", "Revolutionary War", "strong", "high",
                "generated; 'revolutionary warfare' is a doctrine term"))
    out.append(("Warfare of 1812", "War of 1812", "fingerprint", "high", "generated: war -> warfare"))
    out.append(("Warfare of Independence", "War of Independence", "fingerprint", "high",
                "generated: war -> warfare"))
    return [e + (0,) for e in out]


def main():
    report = "--report" in sys.argv
    entries = read_src() + generated()
    seen = {}
    dups = []
    uniq = []
    lower_entries = {e[0] for e in entries if e[0] == e[0].lower()}
    for e in entries:
        key = e[0]
        if key in seen:
            dups.append((e[0], seen[key][5], e[5]))
            continue
        if key != key.lower() and key.lower() in lower_entries:
            dups.append((e[0], "lower-case entry", e[5]))
            continue
        seen[key] = e
        uniq.append(e)
    for d in dups:
        print("duplicate spun form dropped: %r (lines %s and %s)" % d, file=sys.stderr)
    bad = [e for e in uniq if e[0] == e[1]]
    for e in bad:
        print("spun equals original: %r" % (e[0],), file=sys.stderr)
    uniq = [e for e in uniq if e[0] != e[1]]
    ev = Evidence()
    corpus = Corpus()
    cnt = corpus.entry_counts(e[0] for e in uniq)
    rows = []
    for spun, orig, tier, conf, note, line in uniq:
        tags = ev.tags(spun, orig)
        parts = [note] if note else []
        if conf == "high" and not ev.supported(spun, orig):
            conf = "medium"  # our knowledge of the family, not backed by observed swaps
        elif conf == "medium" and ev.supported(spun, orig):
            conf = "high"
        parts.append("conf=" + conf)
        parts += [t for t in tags if t not in note]
        if is_cased(spun):
            parts.append("cased")
        n = cnt.get(spun, 0)
        rate = corpus.rate(n)
        parts.append("clean=%s/M n=%d" % (round(rate, 2), n))
        rows.append((spun, orig, tier, "; ".join(parts)))
        if report and ((tier == "fingerprint" and n > 0) or (tier == "strong" and rate > 2.0)):
            print("REVIEW %-12s %-40s n=%d rate=%.2f" % (tier, spun, n, rate))
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(HEADER % {"words": corpus.words})
        fh.write("spun\toriginal\ttier\tnote\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    print("wrote %d entries to %s" % (len(rows), OUT))


HEADER = """\
# curated.tsv: general reverse lexicon for the article spinner of the
# "Chilly Warfare" / "overseas coverage" family, written from knowledge of how
# the family behaves (not copied from observed.tsv; overlaps say so).
# Built by tools/lexicon/build_curated.py from tools/lexicon/curated_src.txt;
# validated by tools/lexicon/check.py.
#
# Columns (tab-separated, exactly 4):
#   spun      the spinner's output. All lower-case: match case-insensitively,
#             whole words, carrying the matched capitalisation over to
#             `original` unless `original` has capitals of its own (a proper
#             name, written as is). With a capital letter: match
#             case-sensitively (names and titles whose lower-case form is
#             ordinary English, e.g. 'White Home'). A possessive 's on the
#             last word should be allowed and carried over.
#   original  the correction.
#   tier      fingerprint | strong | weak | phrase-bound | drop, as in
#             observed.tsv: fingerprint = never clean prose, evidence on its
#             own; strong = unusual in clean prose, corrected once the
#             document is judged spun; weak = ordinary English, needs document
#             evidence and context; phrase-bound = only in the phrase given in
#             `note`; drop = never apply.
#   note      our reason and evidence: conf = how sure we are that this
#             family produces the spun form: high = every swap in the entry is
#             an observed fact (shared/spin mappings or its README), medium =
#             at least one swap comes from our knowledge of the family's
#             output, not from the observed facts, low = plausible by the
#             family's mappings only (kept where the spun side cannot be clean
#             prose, so a miss costs nothing); 'also observed' = the pair is in observed.tsv; 'spun
#             form observed' = the spun form is, with another original; ppdb =
#             a differing word pair is in PPDB-XL; tortured = in the Problematic
#             Paper Screener lists; cased = case-sensitive entry;
#             clean=R/M n=N = occurrences per million words (N raw) in the
#             clean public-domain corpus (%(words)d word tokens).
# Not listed because the family leaves them alone in the samples: Pentagon,
# Kremlin, NATO, Congress, Senate, Secretary of State, Black Sea (only the
# implausible 'Black Ocean' is listed), peace talks. "celebration" for party
# belongs to another spinner family and is left out.
"""

if __name__ == "__main__":
    main()
