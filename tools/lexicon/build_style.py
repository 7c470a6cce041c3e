#!/usr/bin/env python3
"""Build data/correct/house_style.tsv from house_style_src.txt, adding the
number of case-sensitive occurrences of each `wrong` form in the clean corpus."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cleancorpus import Corpus, REPO  # noqa: E402

SRC = os.path.join(HERE, "house_style_src.txt")
OUT = os.path.join(REPO, "data", "correct", "house_style.tsv")

HEADER = """\
# house_style.tsv: place-name and country-name house style for Attaché.
# Built by tools/lexicon/build_style.py from house_style_src.txt; validated by
# tools/lexicon/check.py.
#
# Columns (tab-separated, exactly 4):
#   wrong   the form to replace.
#   right   the house form.
#   scope   word   = whole word, case-sensitive ('Kiev' matches 'Kiev' and
#                    'Kiev's' as a word, never 'Kievan');
#           phrase = whole-word phrase, case-sensitive.
#   note    starts with 'default' (apply unless the site config turns it
#           off) or 'optional' (style-dependent: off unless the site config
#           turns it on), then exceptions the engine or an editor must
#           respect; clean=N = case-sensitive occurrences of `wrong` in the
#           clean public-domain corpus (mostly historical documents, where
#           the period spelling is correct: house style applies to new prose,
#           and quotations and titles are left alone).
"""


def main():
    rows = []
    with open(SRC, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ")]
            assert len(parts) == 4, line
            rows.append(parts)
    corpus = Corpus()
    cnt = corpus.counts([r[0] for r in rows], cased=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("wrong\tright\tscope\tnote\n")
        for wrong, right, scope, note in rows:
            fh.write("\t".join([wrong, right, scope, "%s; clean=%d" % (note, cnt.get(wrong, 0))]) + "\n")
    print("wrote %d rows to %s" % (len(rows), OUT))


if __name__ == "__main__":
    main()
