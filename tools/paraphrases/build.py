#!/usr/bin/env python3
"""Build data/correct/paraphrases.tsv from the PPDB lexical pairs in shared/spin.

Keeps pairs of plain lower-case words that both occur at least MIN times in the
clean corpus's dev split (so the corrector only ever proposes words this domain
uses), and writes one line per word: `word<TAB>neighbour neighbour ...`, sorted.
PPDB 1.0 (Ganitkevitch, Van Durme, Callison-Burch, NAACL 2013), CC BY 3.0.

usage: python3 tools/paraphrases/build.py ../shared data/correct/paraphrases.tsv
"""
import collections, json, re, sys

MIN = 5
shared, out = sys.argv[1], sys.argv[2]
counts = collections.Counter()
for name in ["milestones", "hsg", "frus", "sotu"]:
    with open(f"{shared}/corpus/{name}.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("split") != "dev":
                continue
            counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", rec["text"]))
neigh = collections.defaultdict(set)
with open(f"{shared}/spin/paraphrase_pairs.tsv", encoding="utf-8") as f:
    next(f)
    for line in f:
        a, b = line.rstrip("\n").split("\t")[:2]
        if not (a.isalpha() and b.isalpha() and a.islower() and b.islower()):
            continue
        if counts[a] >= MIN and counts[b] >= MIN and a != b:
            neigh[a].add(b)
            neigh[b].add(a)
with open(out, "w", encoding="utf-8") as f:
    f.write("# word\tneighbours (PPDB 1.0 XL lexical pairs, CC BY 3.0; both words seen >= %d times in the clean corpus)\n" % MIN)
    for w in sorted(neigh):
        f.write(w + "\t" + " ".join(sorted(neigh[w])) + "\n")
print(len(neigh), "words", sum(len(v) for v in neigh.values()) // 2, "pairs")
