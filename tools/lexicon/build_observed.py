#!/usr/bin/env python3
"""Build data/correct/observed.tsv from shared/spin/mappings.tsv.

Every row of mappings.tsv becomes one row here (lower-cased, matched
case-insensitively); a row with a `cased` form adds the cased pair as a
second row (matched case-sensitively) unless the cased pair only restores
the capitals of the original, in which case the row itself carries them.
Tiers are our judgement, written below, checked against the clean corpus.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cleancorpus import Corpus, REPO, is_cased  # noqa: E402
from evidence import Evidence  # noqa: E402

OUT = os.path.join(REPO, "data", "correct", "observed.tsv")

CONTRACTIONS = {"he's", "doesn't", "they've", "i've", "isn't", "it's", "that's",
                "they're", "we're", "who've", "can't", "couldn't", "could not",
                "did not", "didn't", "does not", "here is"}
NUMBERS = {"4", "5", "three", "eleventh"}
MODALS = {("can", "will"), ("may", "will"), ("might", "would"), ("must", "should"),
          ("shall", "will"), ("will", "would"), ("might", "could"), ("may", "can"),
          ("want", "need"), ("wish", "want"), ("needed", "wanted"), ("wanted", "needed"),
          ("when", "if"), ("have to", "must"), ("ought to", "should"), ("but", "yet"),
          ("needed", "necessary"), ("may very well", "could"), ("will ship", "would deliver")}

# (spun, original) -> (tier, note).  Rows not listed are `weak`: ordinary
# English that the spinner also produces (README: home, division, folks,
# mentioned, in line with, safety, coverage ...).
J = {}


def put(tier, note, *pairs):
    for p in pairs:
        J[p] = (tier, note)


# ---- fingerprints: essentially never written in clean prose -------------
put("fingerprint", "inserted 'docket'; exception: a literal court docket (docket entry/number/sheet)",
    ("court docket", "court"), ("Court docket", "Court"))
put("fingerprint", "possessive of the inserted 'court docket'", ("court docket's", "court's"))
put("fingerprint", "", ("particular grasp", "special master"),
    ("particular grasp however stated", "special master but said"))
put("fingerprint", "README fingerprint; also in tortured-phrase list", ("imaginative and prescient", "vision"))
put("fingerprint", "", ("historical past", "history"), ("content material", "content"),
    ("textual content", "text"), ("pure fuel", "natural gas"), ("an excessive amount of", "too much"),
    ("slightly than", "rather than"), ("last word check", "ultimate test"),
    ("local weather disaster", "climate crisis"), ("examined constructive", "tested positive"),
    ("finish factors", "end points"), ("doc reveals", "document shows"),
    ("additionally discovered one other", "also found another"),
    ("assessment course of", "review process"), ("believable declare", "plausible claim"),
    ("brokers discovered greater", "agents found more"),
    ("categorized paperwork", "classified documents"), ("convention name", "conference call"),
    ("courtroom doesn't discover", "court does not find"), ("courtroom submitting", "court filing"),
    ("discover categorized", "find classified"), ("out of doors evaluation", "outside review"),
    ("points with out additional evaluate", "issues without further review"),
    ("images with out", "photographs without"), ("security internet enlargement", "safety net expansion"),
    ("significant enhance", "major boost"), ("submitting reveals", "filing shows"),
    ("submitting stated", "filing said"), ("whereas one other", "while another"),
    ("misplaced religion", "lost faith"), ("almost all's", "the majority's"),
    ("docket choose", "judge"), ("authorities paperwork", "government documents"),
    ("authorities paperwork faraway", "government documents removed"),
    ("different authorities paperwork", "other government documents"))
put("fingerprint", "not an English word ('enhancement' garbled)", ("enchancment", "improvement"))
put("fingerprint", "not an English word (won't)", ("gained't", "won't"))
put("fingerprint", "ethnic slur produced as a thesaurus swap for 'eastern'; always fix. "
    "Only a quotation of a 1940s source can hold it legitimately: flag, do not rewrite, inside quotation marks",
    ("jap", "eastern"))
put("fingerprint", "abbreviation as a running-text word; a '10-yr' compound is one token and not matched",
    ("yr", "year"))
put("fingerprint", "spun title of the Congressional Budget Office", ("funds workplace", "budget office"),
    ("Funds Workplace", "Budget Office"))
put("fingerprint", "spun institution name", ("air drive", "air force"), ("Air Drive", "Air Force"),
    ("Washington Submit", "Washington Post"), ("rose backyard", "Rose Garden"),
    ("construct again higher", "build back better"), ("Construct Again Higher", "Build Back Better"),
    ("division's prime", "department's top"), ("Division's prime", "Department's top"))
put("fingerprint", "whole spun phrase (README example of an unambiguous output); match exactly",
    ("threw a hand-picked poll", "casting the tiebreaking ballot"))

# ---- strong: unusual in clean prose but possible ------------------------
put("strong", "most frequent fact (20x in 7 articles); legitimate only in advertising contexts",
    ("marketing campaign", "campaign"))
put("strong", "'courtroom' is a real word (the room); spun for court before ruled/ordered/filing",
    ("courtroom", "court"), ("Courtroom", "Court"), ("courtroom's", "court's"))
put("strong", "legislative 'bill'; 'invoice' is legitimate in commerce", ("invoice", "bill"))
put("strong", "'package deal' is an idiom, but spun for a legislative/aid package", ("package deal", "package"))
put("strong", "legitimate 'a particular person' is rare; spun for 'person'", ("particular person", "person"))
put("strong", "real verb (sag); spun for suspend (the debt limit, a rule)", ("droop", "suspend"))
put("strong", "real words, rare in foreign-policy prose; sport stories only", ("gamers", "players"),
    ("pal", "friend"), ("bins", "boxes"), ("gaggle", "group"), ("dashing", "rushing"))
put("strong", "real word; spun for 'ordinary'", ("atypical", "ordinary"))
put("strong", "sense-blind swap; real word 'curiosity' (inquisitiveness)", ("curiosity", "interest"))
put("strong", "real word (hearth); spun for 'fire'", ("fireplace", "fire"))
put("strong", "real word, rare in news; spun for 'city'", ("metropolis", "city"))
put("weak", "real word in older clean prose (3.2/M); spun for 'hard'", ("laborious", "hard"))
put("strong", "sentence-initial 'Laborious' is rare in clean prose; spun for 'Hard'", ("Laborious", "Hard"))
put("strong", "real word; spun for 'forever'", ("ceaselessly", "forever"))
put("strong", "archaic spelling in old texts; spun for 'everything'", ("every thing", "everything"))
put("strong", "archaic 'making ready'; spun for 'preparing'", ("making ready", "preparing"))
put("strong", "'night time' is a legitimate spelling", ("night time", "night"), ("night time's", "night's"))
put("strong", "literal sense 'keep away from the border' is clean", ("keep away from", "avoid"))
put("strong", "'gave the impression that' is clean English; 'gave the impression to be' is spin",
    ("gave the impression", "appeared"))
put("strong", "'how we got here' is clean (2 hits in clean text); spin when followed by to/again/out/beneath "
    "(see curated); README lists it as a fingerprint, but the bare form is not one",
    ("got here", "came"))
put("strong", "'in a single day' (within one day) is clean but rare", ("in a single day", "overnight"))
put("strong", "'forestall' is a real verb", ("forestall one other", "prevent another"))
put("strong", "", ("growing entry", "increasing access"), ("home applications", "domestic programs"),
    ("paperwork might", "documents could"), ("paperwork on", "documents at"),
    ("personal membership", "private club"), ("different authorized", "other legal"),
    ("docket information", "records"), ("bundle comprises", "package contains"),
    ("utilizing these information", "using those records"), ("one other main", "another major"))
put("strong", "FBI 'brokers' (agents); 'brokers discovered' is possible about stock brokers",
    ("brokers discovered", "agents found"), ("Brokers discovered", "Agents found"))
put("strong", "possessive of 'structure' is clean; spun for the Constitution's",
    ("structure's", "constitution's"), ("Structure's", "Constitution's"))
put("strong", "British spelling of a real word; spun for 'classified' (documents)",
    ("categorised", "classified"))
put("strong", "real word, common in data prose; spun for 'classified'",
    ("categorized", "classified"), ("categorized data", "classified records"))
put("strong", "contraction of 'who are' is unusual in edited prose", ("who're", "who are"))
put("strong", "lower-case 'vp' in running text; capital 'VP' is a normal abbreviation", ("vp", "vice president"))
put("strong", "'on the finish line' is clean; 'on the finish of' is spin", ("on the finish", "at the end"))
put("strong", "'often known as' (for known as / also known as)", ("often known", "known"))
put("strong", "'In addition they' without a comma is rare in clean prose", ("in addition they", "they also"),
    ("In addition they", "They also"))
put("strong", "'brand new' is an idiom but rare in formal prose; README example of spinner output",
    ("brand new", "new"))
put("strong", "'based mostly on' (mostly based on) is clean but rare", ("based mostly", "based"))
put("strong", "'don't seem to be' is clean speech; spun for 'aren't'", ("don't seem to be", "aren't"))
put("strong", "real verb 'persevere'; 'persevering with' is rare", ("persevering with", "continuing"))

# ---- phrase-bound: only inside their phrase ------------------------------
put("phrase-bound", "context: even because (<- even as); README: never alone", ("because", "as"))
put("phrase-bound", "context: the one (<- the only), e.g. 'the one option'; README: never alone", ("one", "only"))
put("phrase-bound", "context: inside its phrase only (README); bare 'on' is never reversed", ("on", "directly"))
put("phrase-bound", "context: by the top of the week (<- by the end of); README", ("top", "end"))
put("phrase-bound", "context: on the sector (<- on the field, sport); README", ("sector", "field"))
put("phrase-bound", "context: a (routine) success (<- hit, a tackle in sport); README", ("success", "hit"))
put("phrase-bound", "context: Buffalo Payments (<- Buffalo Bills); README: the team only",
    ("payments", "bills"), ("Payments", "Bills"))
put("phrase-bound", "context: Medical Heart (<- Medical Center); README", ("heart", "center"), ("Heart", "Center"))
put("phrase-bound", "context: the tip of the (week|month|year) (<- the end of); context inferred", ("tip", "end"))
put("phrase-bound", "context: the long run of (<- the end of); 'in the long run' is clean", ("long run", "end"))
put("phrase-bound", "context: is about to (<- is set to); 'about to' is clean", ("about", "set"))
put("phrase-bound", "context: so long as / so far as (<- as long as / as far as), inferred; never alone", ("so", "as"))
put("phrase-bound", "context: on the + event noun (<- at the summit/meeting); never alone", ("on", "at"))
put("phrase-bound", "context: on + place/time noun (<- in); never alone", ("on", "in"))
put("phrase-bound", "context: (just|fell|falls) in need of (<- short of); 'in need of' is clean",
    ("in need of", "short of"))

# ---- drop: version differences, not spinner output -----------------------
put("drop", "different wording and length: editorial version difference", ("stated the jubilant", "an elated"),
    ("reducing drug costs", "lower prescription medication prices"),
    ("serious problem", "major challenge"), ("laws generally", "legislation"),
    ("management", "keeping control"), ("assist increase", "aid"))
put("drop", "extra 'arbiter's' in the spun side: version difference (the swaps independent->unbiased, "
    "review->assessment are real)", ("unbiased arbiter's assessment", "independent review"))
put("drop", "preposition and object changed together: headline rewrite, not the spinner",
    ("for people", "to americans"), ("For People", "To Americans"))
put("drop", "function words changed with the nouns: version difference (Division->Department, movement->motion "
    "are real, see curated)", ("division of their movement", "department in its motion"),
    ("Division of their movement", "Department in its motion"))
put("drop", "number mismatch election/elections: version difference; the real fact yr's->year's is curated",
    ("yr's election", "year's elections"))
put("drop", "polarity/function-word rewrite, not reversible word by word", ("any", "no"), ("and", "with"))
put("drop", "adverb inserted around an unchanged verb: version difference", ("simply accept", "accept"))

# ---- weak with a specific note --------------------------------------------
put("weak", "frequent clean English; only mid-sentence lower-case 'america' is evidence (case-sensitive), "
    "capital America is clean: never rewrite it", ("america", "the United States"))
put("weak", "'well being' is a legitimate spelling of well-being; spun phrases (well being care, public well being) "
    "are curated", ("well being", "health"))
put("weak", "comparative 'earlier than expected' is clean", ("earlier than", "before"))
put("weak", "inserted 'federal'; never reverse alone", ("federal government", "government"),
    ("federal government's", "government's"))
put("weak", "'the way' -> 'the best way' insertion; never reverse alone", ("best way", "way"))
put("weak", "'will be' -> 'will probably be' insertion; never reverse alone", ("probably be", "be"))
put("weak", "'scale back' is a clean phrasal verb (scale back a program)", ("scale back", "reduce"))
put("weak", "legitimate 'take a look at'; spun noun uses (a nuclear take a look at) are curated",
    ("take a look at", "test"))
put("weak", "e.g. 'government privilege' <- executive privilege; never alone", ("government", "executive"))
put("weak", "sense change; never apply alone", ("most of", "among"), ("among", "some of"))
put("weak", "'NATO/EU enlargement' is standard usage", ("enlargement", "expansion"))
put("weak", "'accredited to a government' is standard diplomatic usage", ("accredited", "approved"))
put("weak", "'the Navy' is a proper noun; only lower-case 'navy' beside army/air force nouns",
    ("navy", "military"))


def judge(spun, orig):
    if (spun, orig) in J:
        return J[(spun, orig)]
    base = spun.lower()
    if base in CONTRACTIONS:
        return ("weak", "contraction swap, both directions; a house-style matter")
    if base in NUMBERS:
        return ("weak", "digit/number-word swap, both directions; a house-style matter")
    if (base, orig.lower()) in MODALS:
        return ("weak", "function-word/modal swap; never apply without strong context")
    return ("weak", "")


def parse_cased(c):
    if " -> " not in c:
        return None
    a, b = c.split(" -> ", 1)
    return a.strip(), b.strip()


def main():
    ev = Evidence()
    rows = []  # (spun, original, count, articles, source_row)
    for r in ev.mappings:
        spun, orig, count, arts = r[0], r[1], r[2], r[3]
        cased = r[4] if len(r) > 4 else ""
        pc = parse_cased(cased) if cased else None
        if pc and pc[0] == spun and pc[1].lower() == orig and pc[1] != orig:
            rows.append((spun, pc[1], count, arts))  # capitals of the original only
            continue
        rows.append((spun, orig, count, arts))
        if pc and (pc[0], pc[1]) != (spun, orig):
            rows.append((pc[0], pc[1], count, arts))
    corpus = Corpus()
    cnt = corpus.entry_counts({r[0] for r in rows})
    seen = set()
    out = []
    for spun, orig, count, arts in rows:
        key = (spun, orig)
        if key in seen:
            continue
        seen.add(key)
        tier, note = judge(spun, orig)
        parts = [note] if note else []
        parts += [t for t in ev.tags(spun, orig) if t not in ("also observed", "spun form observed")]
        if is_cased(spun):
            parts.append("cased")
        n = cnt.get(spun, 0)
        parts.append("clean=%s/M n=%d" % (round(corpus.rate(n), 2), n))
        out.append((spun, orig, count, arts, tier, "; ".join(parts)))
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(HEADER % {"words": corpus.words})
        fh.write("spun\toriginal\tcount\tarticles\ttier\tnote\n")
        for r in out:
            fh.write("\t".join(r) + "\n")
    unused = set(J) - seen
    if unused:
        print("judgements not used:", sorted(unused), file=sys.stderr)
    print("wrote %d rows to %s" % (len(out), OUT))


HEADER = """\
# observed.tsv: spinner substitution facts observed in real spun news, reversed.
# Source: shared/spin/mappings.tsv (word-aligned spun/original article pairs);
# every row there is converted; tiers and notes are our judgement.
# Built by tools/lexicon/build_observed.py; validated by tools/lexicon/check.py.
#
# Columns (tab-separated, exactly 6):
#   spun      the spinner's output. All lower-case: match case-insensitively,
#             whole words, and carry the matched capitalisation over to
#             `original` (unless `original` itself has capitals: a proper
#             name, written as is). With a capital letter: a cased row from
#             the source's `cased` column, matched case-sensitively.
#   original  what the spinner replaced (the correction).
#   count     times the fact was seen; articles: distinct article pairs.
#   tier      fingerprint  essentially never in clean prose: evidence of
#                          spinning on its own; safe to correct in a spun text.
#             strong       unusual in clean prose but possible: counts as
#                          evidence, corrected once the document is judged spun.
#             weak         common English: correct only in a document already
#                          judged spun AND when context supports it.
#             phrase-bound valid only inside the phrase given in `note`
#                          ("context: ..."); never apply the bare form.
#             drop         not spinner output (editorial version differences):
#                          load for reference, never apply.
#   note      reason; ppdb = the word pair is in PPDB-XL; tortured = in the
#             Problematic Paper Screener lists; cased = case-sensitive row;
#             clean=R/M n=N = occurrences of `spun` per million words (N raw)
#             in the clean public-domain corpus shared/corpus (%(words)d
#             word tokens, lower-cased whole-word/phrase match, case-sensitive
#             for cased rows).
# A spun form may have several rows (one per original seen): the key is the
# (spun, original) pair, and the engine should choose among the originals
# by context and `count`.
"""

if __name__ == "__main__":
    main()
