#!/usr/bin/env python3
"""Generate a synthetic Attaché site (and optionally an equivalent Hugo site)
for benchmarking.

    python3 bench/gen.py --articles N --out DIR [--hugo DIR2] [--seed S] [--copy-theme]

Standard library only. The output depends only on N and the seed: every
article draws from its own random stream (seeded from the seed and the
article number), so article 7 is the same whether N is 100 or 10,000, except
for its links, which may point at any article of the site.

All prose is assembled from the templates and word lists below (written for
this file); nothing is copied from real articles.
"""
import argparse
import datetime
import os
import random
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
THEMES = os.path.join(REPO, "themes")

# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

SECTIONS = [
    ("Alliances", "How defence pacts are made, stretched and sometimes broken."),
    ("Sanctions", "Who punishes whom, with what tools, and whether it works."),
    ("Trade", "Tariffs, customs unions and the politics of market access."),
    ("Security", "Armed conflict, ceasefires and the people who negotiate them."),
    ("Energy", "Pipelines, grids and the diplomacy of fuel."),
    ("Climate", "Emissions pledges, adaptation money and who pays for what."),
    ("Migration", "Borders, asylum and the deals struck over people on the move."),
    ("Human Rights", "Courts, monitors and the limits of outside pressure."),
    ("Development", "Aid, debt and the institutions that lend to governments."),
    ("Law of the Sea", "Maritime borders, fishing rights and freedom of navigation."),
]
PAGINATED_SECTION = 0  # sec-01 paginates by 10; the others list every page

TOPICS = [
    "sanctions", "arms control", "trade policy", "alliances", "climate diplomacy",
    "energy security", "migration", "humanitarian aid", "nonproliferation", "cyber security",
    "maritime law", "peacekeeping", "development finance", "human rights", "treaties",
    "elections", "border disputes", "export controls", "critical minerals", "food security",
    "public health", "space policy", "refugees", "intelligence", "defence spending",
    "diplomatic recognition", "international courts", "multilateralism", "debt relief", "ceasefires",
    "summits", "embargoes", "fisheries", "water rights", "arctic policy",
    "technology standards", "shipping lanes", "visa policy", "soft power", "counterterrorism",
]

REGIONS = [
    "Europe", "Middle East", "Sub-Saharan Africa", "East Asia",
    "South Asia", "Latin America", "North America", "Central Asia",
]

COUNTRIES = [
    "Albania", "Algeria", "Argentina", "Armenia", "Australia", "Austria", "Azerbaijan",
    "Bangladesh", "Belarus", "Belgium", "Bolivia", "Brazil", "Bulgaria", "Canada",
    "Chile", "China", "Colombia", "Croatia", "Denmark", "Egypt", "Estonia", "Ethiopia",
    "Finland", "France", "Georgia", "Germany", "Ghana", "Greece", "Hungary", "India",
    "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Japan", "Jordan",
    "Kazakhstan", "Kenya", "Latvia", "Lithuania", "Malaysia", "Mexico", "Moldova",
    "Morocco", "Nigeria", "Norway", "Pakistan", "Peru", "Philippines", "Poland",
    "Portugal", "Romania", "Senegal", "Serbia", "South Africa", "Spain", "Sweden",
    "Turkey", "Ukraine", "Vietnam",
]

AUTHORS = [
    "Mara Okonjo", "Tomas Reinholt", "Lena Vasquez", "Idris Hallam", "Sofia Brandt",
    "Kwame Asante", "Hana Takeda", "Piotr Zawadzki", "Nadia Farouk", "Oliver Strand",
    "Aisha Mensah", "Jonas Ekberg", "Rosa Llorente", "Dev Raman", "Clara Moreau",
]

ORGS = [
    "the United Nations", "the Security Council", "NATO", "the African Union", "ASEAN",
    "the European Union", "the World Trade Organization", "the atomic energy agency",
    "the OSCE", "the G20", "the Arab League", "Mercosur", "the IMF", "the World Bank",
    "the regional development bank", "the maritime tribunal",
]

ACTORS = [
    "the foreign ministry", "the defence ministry", "the cabinet", "parliament",
    "the prime minister", "the president", "chief negotiators", "special envoys",
    "the central bank", "opposition parties", "trade officials", "coast guard commanders",
    "treasury officials", "the national security council", "the upper house",
    "provincial governors", "the constitutional court", "the energy regulator",
]

INSTRUMENTS = [
    "a trade agreement", "a sanctions package", "a ceasefire", "a defence pact",
    "a framework agreement", "an export ban", "a memorandum of understanding",
    "a joint communique", "a loan guarantee", "a visa waiver", "a fisheries accord",
    "an arms embargo", "a customs arrangement", "a border commission", "a debt swap",
    "a pipeline concession", "a basing agreement", "a readmission deal",
    "a technology-sharing pact", "an emissions pledge",
]

VERBS_PAST = [
    "signed", "suspended", "renewed", "extended", "rejected", "ratified",
    "renegotiated", "tabled", "froze", "welcomed", "quietly shelved", "revived",
    "challenged", "watered down", "endorsed", "delayed",
]

REASONS = [
    "to protect domestic industry", "to keep shipping lanes open", "to secure gas supplies",
    "to win votes at home", "to avoid a costly dispute", "to reassure nervous neighbours",
    "to unlock frozen funds", "to signal resolve", "to buy time for talks",
    "to satisfy lenders", "to limit the flow of weapons", "to stabilise the currency",
    "to keep a coalition together", "to meet a treaty deadline", "to answer domestic critics",
]

OUTCOMES = [
    "exports fell by {pct} percent within a year",
    "the currency lost {pct} percent of its value",
    "trade between the two rose by {pct} percent",
    "fuel prices climbed {pct} percent over the winter",
    "the number of crossings dropped by {pct} percent",
    "aid disbursements slowed by roughly {pct} percent",
    "defence budgets grew {pct} percent in real terms",
    "imports of grain recovered to {pct} percent of earlier levels",
]

QUALIFIERS = [
    "In practice,", "On paper,", "For now,", "By most accounts,", "Officially,",
    "Behind closed doors,", "In the short run,", "Over the longer term,",
    "According to officials,", "Critics argue that", "Supporters say that",
    "Diplomats note that",
]

ABSTRACTS = [
    "credibility", "leverage", "legitimacy", "deterrence", "reciprocity",
    "enforcement", "sovereignty", "interdependence", "burden-sharing", "compliance",
]

NOUNS = [
    "the accord", "the agreement", "the dispute", "the deal", "the new regime",
    "the embargo", "the summit", "the vote", "the mission", "the arrangement",
]

SENTENCES = [
    "{Country} {verb} {instrument} with {country2} in {year}, {reason}.",
    "{Actor} argued that {instrument} was the only way {reason}.",
    "{Qual} {noun} turned on a question of {abstract}.",
    "When {org} met in {year}, {country} pushed for {instrument}.",
    "The decision by {country} to back {instrument} surprised {actor} in {country2}.",
    "After {noun} collapsed, {outcome}.",
    "{Qual} {country} has little {abstract} over {country2} without support from {org}.",
    "{Actor} in {country} {verb} the plan, saying it did too little {reason}.",
    "Few expected {noun} to survive the {year} elections in {country}.",
    "The text leaves {actor} wide discretion, which is where disputes over {abstract} begin.",
    "Between {year} and {year2}, {outcome}, according to figures published by {org}.",
    "{Country} and {country2} disagree less about goals than about {abstract}.",
    "{Qual} the real test is whether {actor} can enforce {noun}.",
    "A senior official described {instrument} as a question of {abstract} rather than money.",
    "{Org} has no power to compel {country}, but it can raise the cost of saying no.",
    "That matters because {outcome} the last time a similar measure was tried.",
    "Neither side published the annex, so {actor} in {country2} had to infer the details.",
    "{Qual} {instrument} is easier to announce than to implement.",
    "Lawyers for {country} said {noun} breached earlier commitments to {org}.",
    "The dispute is older than it looks: {country} first raised it with {org} in {year}.",
    "The choice for {actor} is now between {abstract} and {abstract2}.",
    "Markets in {country} reacted calmly, although {outcome}.",
    "Smaller states watched closely, since {noun} set a precedent for {abstract}.",
    "{Country} {verb} {instrument} after months of pressure from {actor}.",
    "Officials in {country2} insist that {noun} is about {abstract}, not about {country}.",
    "What changed in {year} was not the law but the willingness of {actor} to use it.",
    "The numbers are contested, but most estimates agree that {outcome}.",
    "{Org} tends to move slowly, and {noun} was no exception.",
    "For {country}, the appeal of {instrument} lies in {abstract}.",
    "It is worth separating what {noun} requires from what it merely permits.",
]

HEADINGS = [
    "What happened", "Why it matters", "Who decides?", "The background",
    "What the text says", "How {country} responded", "What comes next",
    "The numbers", "Key terms", "Timeline since {year}", "Questions still open",
    "The legal position", "Reactions abroad", "Costs and benefits", "What critics say",
    "The view from {country}", "Sanctions: do they work?", "Who pays", "The role of {org}",
    "What's at stake for {country}", "Enforcement in practice", "Lessons from {year}",
    "The domestic politics", "Options on the table", "A short history",
    "How {noun} unfolded", "What {country2} wants", "Where the money goes",
]

SUBHEADINGS = [
    "The first round", "The second round", "Inside {country}", "Regional partners",
    "Legal objections", "The economic case", "The security case", "Public opinion",
    "Implementation", "Monitoring", "Exceptions and waivers", "Before {year}", "After {year}",
]

TITLES = [
    "How {country} {verb} {instrument}",
    "Why {org} matters for {country}",
    "{Country}, {country2} and the politics of {abstract}",
    "What {instrument} between {country} and {country2} means",
    "The {year} dispute over {abstract}, explained",
    "Inside the {country} debate on {topic}",
    "{Topic}: what {country} wants from {org}",
    "A guide to {topic} in {region}",
]

LINK_PHRASES = [
    "For the background, see [{text}]({target}).",
    "We covered the earlier round in [{text}]({target}).",
    "The same logic applies in [{text}]({target}).",
    "Compare [{text}]({target}), where the outcome was different.",
    "A related case is explained in [{text}]({target}).",
]

FOOTNOTES = [
    "Figures are rounded and taken from the annual report of {org} for {year}.",
    "The full text was published by {actor} in {country}; the annex remains confidential.",
    "Estimates vary; this one is the midpoint of the range cited by {org}.",
    "Dates refer to signature, not entry into force.",
    "Officials in {country2} dispute this account.",
]


def cap(s):
    return s[:1].upper() + s[1:]


# --------------------------------------------------------------------------
# Slugs and ids
# --------------------------------------------------------------------------

def attache_slug(text):
    """Attaché's slugify: lower-case alphanumerics, other runs become one `-`."""
    out = []
    dash = False
    for c in text:
        if c.isalnum():
            if dash and out:
                out.append("-")
            dash = False
            out.append(c.lower())
        else:
            dash = True
    return "".join(out)


def hugo_anchor(text):
    """Goldmark's default (GitHub-style) heading id for plain ASCII text."""
    out = []
    for c in text.lower():
        if c.isalnum() or c in "-_":
            out.append(c)
        elif c == " ":
            out.append("-")
    return "".join(out)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items):
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


# --------------------------------------------------------------------------
# Article model
# --------------------------------------------------------------------------

class Filler:
    """Fills template slots from the word lists with one article's RNG."""

    def __init__(self, rng, countries):
        self.rng = rng
        self.countries = countries

    def fill(self, template, **fixed):
        r = self.rng
        c1 = r.choice(self.countries) if self.countries and r.random() < 0.7 else r.choice(COUNTRIES)
        c2 = r.choice([c for c in COUNTRIES if c != c1])
        year = r.randint(1991, 2024)
        a1, a2 = r.sample(ABSTRACTS, 2)
        vals = {
            "country": c1, "Country": c1, "country2": c2,
            "org": r.choice(ORGS), "Org": cap(r.choice(ORGS)),
            "actor": r.choice(ACTORS), "Actor": cap(r.choice(ACTORS)),
            "instrument": r.choice(INSTRUMENTS), "verb": r.choice(VERBS_PAST),
            "reason": r.choice(REASONS), "Qual": r.choice(QUALIFIERS),
            "noun": r.choice(NOUNS), "abstract": a1, "abstract2": a2,
            "year": year, "year2": min(2025, year + r.randint(1, 8)),
            "topic": r.choice(TOPICS), "Topic": cap(r.choice(TOPICS)),
            "region": r.choice(REGIONS),
        }
        if "{outcome}" in template:
            vals["outcome"] = r.choice(OUTCOMES).format(pct=r.randint(3, 45))
        vals.update(fixed)
        return template.format(**vals)


class Article:
    __slots__ = ("n", "section", "slug", "title", "description", "date", "authors",
                 "topics", "regions", "countries", "headings", "flags", "words")


def plan_article(seed, n, n_sections):
    """Metadata and heading list of article n (1-based), from its own RNG."""
    rng = random.Random(f"{seed}:plan:{n}")
    a = Article()
    a.n = n
    # Sections get unequal shares, as real sites do.
    a.section = rng.choices(range(n_sections), weights=[10, 9, 8, 8, 7, 6, 6, 5, 4, 3][:n_sections])[0]
    a.topics = rng.sample(TOPICS, rng.randint(1, 3))
    a.regions = [rng.choice(REGIONS)]
    a.countries = rng.sample(COUNTRIES, rng.randint(1, 3))
    f = Filler(rng, a.countries)
    a.title = f.fill(rng.choice(TITLES))
    a.description = f.fill(rng.choice(SENTENCES)).rstrip(".") + "."
    start = datetime.date(2012, 1, 1).toordinal()
    end = datetime.date(2025, 10, 31).toordinal()
    a.date = datetime.date.fromordinal(rng.randint(start, end)).isoformat()
    a.authors = rng.sample(AUTHORS, 1 if rng.random() < 0.75 else 2)
    a.flags = {
        "table": rng.random() < 0.30,
        "footnotes": rng.random() < 0.30,
        "code": rng.random() < 0.10,
    }
    a.words = rng.randint(500, 1200)
    # Headings: (level, text), unique ids within the article.
    headings = []
    seen = set()
    for _ in range(rng.randint(3, 6)):
        for _try in range(20):
            h = f.fill(rng.choice(HEADINGS))
            if attache_slug(h) not in seen:
                break
        else:
            continue
        seen.add(attache_slug(h))
        headings.append((2, h))
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 2)):
                s = f.fill(rng.choice(SUBHEADINGS))
                if attache_slug(s) in seen:
                    continue
                seen.add(attache_slug(s))
                headings.append((3, s))
    a.headings = headings
    return a


def sec_dir(i):
    return f"sec-{i + 1:02d}"


def article_name(n, width):
    return f"article-{n:0{width}d}"


# Links in bodies are written as placeholders and rendered per generator.
LINK_RE = re.compile(r"\x00LINK:(\d+):(-?\d+)\x00")


def paragraph(rng, f, n_sent):
    return " ".join(f.fill(rng.choice(SENTENCES)) for _ in range(n_sent))


def make_table(rng, f):
    kind = rng.randrange(3)
    rows = []
    if kind == 0:
        head = "| Year | Exports (bn USD) | Change |\n|---:|---:|---:|"
        y = rng.randint(2005, 2018)
        v = rng.uniform(5, 80)
        for k in range(rng.randint(3, 6)):
            nv = v * rng.uniform(0.8, 1.25)
            rows.append(f"| {y + k} | {nv:.1f} | {100 * (nv - v) / v:+.1f} % |")
            v = nv
    elif kind == 1:
        head = "| Country | Position | Vote |\n|---|---|:---:|"
        for c in rng.sample(COUNTRIES, rng.randint(3, 6)):
            rows.append(f"| {c} | {rng.choice(['in favour', 'against', 'abstained', 'absent'])} "
                        f"| {rng.choice(['yes', 'no', '-'])} |")
    else:
        head = "| Instrument | Signed | In force | Parties |\n|---|---|---|---:|"
        for _ in range(rng.randint(3, 5)):
            y = rng.randint(1995, 2022)
            rows.append(f"| {cap(rng.choice(INSTRUMENTS))} | {y} | {y + rng.randint(0, 3)} "
                        f"| {rng.randint(2, 40)} |")
    caption = f.fill("Table: selected figures, as reported by {org}.")
    return caption + "\n\n" + head + "\n" + "\n".join(rows)


def make_code(rng, f):
    lang = rng.choice(["json", "python", "toml"])
    c1, c2 = rng.sample(COUNTRIES, 2)
    year = rng.randint(2000, 2024)
    if lang == "json":
        body = (
            "{\n"
            f'  "instrument": "{rng.choice(INSTRUMENTS)}",\n'
            f'  "parties": ["{c1}", "{c2}"],\n'
            f'  "signed": "{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",\n'
            f'  "in_force": {str(rng.random() < 0.5).lower()},\n'
            f'  "value_bn": {rng.uniform(0.5, 40):.2f}\n'
            "}"
        )
    elif lang == "python":
        body = (
            "# Change in bilateral trade, in percent\n"
            f"before = {rng.uniform(10, 90):.1f}  # bn USD, {year}\n"
            f"after = {rng.uniform(10, 90):.1f}  # bn USD, {year + 1}\n"
            "change = 100 * (after - before) / before\n"
            "print(f\"{change:+.1f} %\")"
        )
    else:
        body = (
            "[agreement]\n"
            f"name = \"{cap(rng.choice(INSTRUMENTS))}\"\n"
            f"parties = [\"{c1}\", \"{c2}\"]\n"
            f"signed = {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            f"review_years = {rng.randint(2, 10)}"
        )
    intro = f.fill("The published summary of the data, as released by {actor}, reads:")
    return f"{intro}\n\n```{lang}\n{body}\n```"


def make_body(seed, a, plan):
    """Markdown body of article a, with link placeholders."""
    rng = random.Random(f"{seed}:body:{a.n}")
    f = Filler(rng, a.countries)
    blocks = []
    words = 0

    def para(lo=3, hi=6):
        nonlocal words
        p = paragraph(rng, f, rng.randint(lo, hi))
        words += len(p.split())
        blocks.append(p)
        return len(blocks) - 1

    para(2, 4)
    blocks.append("<!-- more -->")
    para()

    # Internal links: 1-3 other articles, some to a heading of the target.
    links = []
    if len(plan) > 1:
        for _ in range(rng.randint(1, 3)):
            t = rng.randint(1, len(plan) - 1)
            if t >= a.n:
                t += 1
            target = plan[t - 1]
            h = rng.randrange(len(target.headings)) if target.headings and rng.random() < 0.4 else -1
            links.append(f"\x00LINK:{t}:{h}\x00")

    n_heads = len(a.headings)
    # Spread the remaining word budget over the headings.
    table_at = rng.randrange(n_heads) if a.flags["table"] and n_heads else -1
    code_at = rng.randrange(n_heads) if a.flags["code"] and n_heads else -1
    paras_in = []
    for i, (level, text) in enumerate(a.headings):
        blocks.append("#" * level + " " + text)
        words += len(text.split()) + 1
        extra = []
        if i == table_at:
            extra.append(make_table(rng, f))
        if i == code_at:
            extra.append(make_code(rng, f))
        words += sum(len(e.split()) for e in extra)
        # This heading's share of what is left of the word budget (links and
        # footnotes add ~40 words more), in paragraphs of 2-6 sentences.
        per = max(0, a.words - 40 - words) // max(1, n_heads - i)
        sents = []
        got = 0
        while got < per or not sents:
            s = f.fill(rng.choice(SENTENCES))
            sents.append(s)
            got += len(s.split())
        words += got
        while sents:
            k = rng.randint(2, 6)
            if len(sents) - k == 1:
                k += 1
            blocks.append(" ".join(sents[:k]))
            paras_in.append(len(blocks) - 1)
            sents = sents[k:]
        blocks.extend(extra)

    # Place links at the end of random paragraphs (not the summary).
    for link in links:
        idx = rng.choice(paras_in) if paras_in else 2
        phrase = rng.choice(LINK_PHRASES)
        blocks[idx] += " " + phrase.format(text="\x00TEXT\x00", target=link)

    if a.flags["footnotes"] and paras_in:
        notes = []
        for k in range(1, rng.randint(1, 3) + 1):
            idx = rng.choice(paras_in)
            blocks[idx] += f"[^{k}]"
            notes.append(f"[^{k}]: " + f.fill(rng.choice(FOOTNOTES)))
        blocks.append("\n".join(notes))
    return "\n\n".join(blocks) + "\n"


def render_links(body, plan, width, hugo):
    """Replace link placeholders with `@/` links (Attaché) or URL paths (Hugo)."""
    out = []
    pos = 0
    for m in re.finditer(r"\[\x00TEXT\x00\]\(\x00LINK:(\d+):(-?\d+)\x00\)", body):
        t, h = int(m.group(1)), int(m.group(2))
        target = plan[t - 1]
        name = article_name(t, width)
        sec = sec_dir(target.section)
        anchor = ""
        text = target.title
        if h >= 0:
            htext = target.headings[h][1]
            anchor = "#" + (hugo_anchor(htext) if hugo else attache_slug(htext))
            text = f"{target.title} ({htext.rstrip('?').lower()})"
        if hugo:
            url = f"/{sec}/{name}/{anchor}"
        else:
            url = f"@/{sec}/{name}.md{anchor}"
        out.append(body[pos:m.start()])
        out.append(f"[{text}]({url})")
        pos = m.end()
    out.append(body[pos:])
    return "".join(out)


# --------------------------------------------------------------------------
# Attaché site
# --------------------------------------------------------------------------

ATTACHE_CONFIG = '''# Generated by bench/gen.py: the structure of the sample site's config.toml.
title = "Attache Bench"
description = "A generated foreign-policy explainer site for benchmarking."
base_url = "https://bench.example.org"
theme = "default"
default_language = "en"
generate_feed = true
site_search = true
fingerprint_assets = true
feed_limit = 20

[markdown]
highlight_theme = "InspiredGitHub"
smart_punctuation = true
external_links_target_blank = true
external_links_no_referrer = true
external_links_no_follow = false

[taxonomies.topics]
paginate_by = 10
feed = true

[taxonomies.regions]
feed = true

[taxonomies.countries]
feed = false

[extra]
tagline = "Foreign policy, explained."
footer = "Generated benchmark content. Every word of it is made up."
'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def prepare_dir(path):
    if os.path.exists(path):
        for sub in ("content", "layouts", "templates", "static", "public", "themes", "config.toml", "hugo.toml"):
            p = os.path.join(path, sub)
            if os.path.islink(p) or os.path.isfile(p):
                os.remove(p)
            elif os.path.isdir(p):
                shutil.rmtree(p)
    os.makedirs(path, exist_ok=True)


def section_intro(seed, i):
    rng = random.Random(f"{seed}:section:{i}")
    f = Filler(rng, [])
    return paragraph(rng, f, 3) + "\n\n" + paragraph(rng, f, 3) + "\n"


def write_attache(out, plan, bodies, seed, width, copy_theme):
    prepare_dir(out)
    write(os.path.join(out, "config.toml"), ATTACHE_CONFIG)
    themes = os.path.join(out, "themes")
    if copy_theme:
        shutil.copytree(THEMES, themes, symlinks=False)
    else:
        os.symlink(THEMES, themes)
    write(os.path.join(out, "content", "_index.md"),
          '+++\ntitle = "Attache Bench"\ndescription = "Generated explainers on foreign policy."\n+++\n\n'
          + section_intro(seed, -1))
    for i, (title, desc) in enumerate(SECTIONS):
        fm = [f"title = {toml_str(title)}", f"description = {toml_str(desc)}"]
        if i == PAGINATED_SECTION:
            fm.append("paginate_by = 10")
        else:
            fm.append('sort_by = "date"')
        fm.append(f"weight = {i + 1}")
        write(os.path.join(out, "content", sec_dir(i), "_index.md"),
              "+++\n" + "\n".join(fm) + "\n+++\n\n" + section_intro(seed, i))
    for a, body in zip(plan, bodies):
        fm = [
            "+++",
            f"title = {toml_str(a.title)}",
            f"description = {toml_str(a.description)}",
            f"date = {a.date}",
            f"authors = {toml_list(a.authors)}",
            "",
            "[taxonomies]",
            f"topics = {toml_list(a.topics)}",
            f"regions = {toml_list(a.regions)}",
            f"countries = {toml_list(a.countries)}",
            "+++",
            "",
        ]
        write(os.path.join(out, "content", sec_dir(a.section), article_name(a.n, width) + ".md"),
              "\n".join(fm) + render_links(body, plan, width, hugo=False))


# --------------------------------------------------------------------------
# Hugo site
# --------------------------------------------------------------------------

HUGO_CONFIG = '''# Generated by bench/gen.py: the Hugo twin of the Attaché bench site.
baseURL = "https://bench.example.org/"
title = "Attache Bench"
languageCode = "en"
enableRobotsTXT = true
disableKinds = []

[params]
description = "A generated foreign-policy explainer site for benchmarking."
tagline = "Foreign policy, explained."
footer = "Generated benchmark content. Every word of it is made up."

[taxonomies]
topic = "topics"
region = "regions"
country = "countries"

[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
taxonomy = ["HTML"]
term = ["HTML", "RSS"]

[services.rss]
limit = 20

# Like Attache's config: no feeds for country terms.
[[cascade]]
outputs = ["HTML"]
[cascade._target]
path = "/countries/**"

[markup.highlight]
noClasses = false
style = "github"

[markup.goldmark.renderer]
unsafe = false

[markup.tableOfContents]
startLevel = 2
endLevel = 3

[related]
includeNewer = true
threshold = 1
toLower = false

[[related.indices]]
name = "topics"
weight = 100

[[related.indices]]
name = "regions"
weight = 50

[[related.indices]]
name = "countries"
weight = 80
'''

# Layouts that do the same work as themes/default/templates: the same listings
# (lead + 8 latest + section grid on the home page; title, dek, date and
# reading time per item), breadcrumbs, table of contents, "Filed under" terms,
# four related explainers and previous/next links on every article.
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ .Site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta name="color-scheme" content="light dark">
<link rel="alternate" type="application/rss+xml" title="{{ .Site.Title }}" href="{{ "index.xml" | absURL }}">
{{ if not .IsHome }}{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}{{ end }}
<link rel="stylesheet" href="{{ "style.css" | absURL }}">
<link rel="stylesheet" href="{{ "highlight.css" | absURL }}">
{{ block "head" . }}{{ end }}
</head>
<body class="{{ block "body_class" . }}{{ end }}">
<a class="skip-link" href="#main">Skip to main content</a>
{{ $cur := .RelPermalink }}
<header class="site-header">
  <div class="wrap site-header-inner">
    <p class="site-title"><a href="{{ .Site.Home.Permalink }}" rel="home">{{ .Site.Title }}</a>
    {{ with .Site.Params.tagline }}<span class="tagline">{{ . }}</span>{{ end }}</p>
    <nav class="site-nav" aria-label="Sections">
      <ul>
      {{ range .Site.Sections.ByWeight }}
        <li><a href="{{ .Permalink }}"{{ if eq $cur .RelPermalink }} aria-current="page"{{ else if hasPrefix $cur .RelPermalink }} class="is-active"{{ end }}>{{ .Title }}</a></li>
      {{ end }}
      </ul>
    </nav>
  </div>
</header>
<main id="main" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <div class="wrap">
    {{ with .Site.Params.footer }}<p>{{ . }}</p>{{ end }}
    <p class="footer-links"><a href="{{ .Site.Home.Permalink }}">{{ .Site.Title }}</a>
    &middot; <a href="{{ "index.xml" | absURL }}">RSS feed</a>
    {{ range $name, $_ := .Site.Taxonomies }} &middot; <a href="{{ (printf "/%s/" $name) | absURL }}">{{ $name | humanize }}</a>{{ end }}</p>
  </div>
</footer>
</body>
</html>
""",
    "_default/single.html": """{{ define "title" }}{{ .Title }} &middot; {{ .Site.Title }}{{ end }}
{{ define "head" }}
<meta property="og:type" content="article">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
{{ with .Description }}<meta property="og:description" content="{{ . }}">{{ end }}
<meta property="article:published_time" content="{{ .Date.Format "2006-01-02" }}">
{{ end }}
{{ define "body_class" }}is-page{{ end }}
{{ define "main" }}
<article class="article wrap{{ if .TableOfContents }} has-toc{{ end }}">
  <header class="article-header">
    {{ partial "breadcrumbs.html" . }}
    <h1 class="article-title">{{ .Title }}</h1>
    {{ with .Description }}<p class="dek">{{ . }}</p>{{ end }}
    {{ partial "meta.html" (dict "p" . "authors" true) }}
  </header>
  {{ with .TableOfContents }}
  <nav class="toc" aria-labelledby="toc-title">
    <h2 id="toc-title" class="toc-title">In this explainer</h2>
    {{ . }}
  </nav>
  {{ end }}
  <div class="prose article-body">
{{ .Content | replaceRE "<table>" "<div class=\\"table-wrap\\"><table>" | replaceRE "</table>" "</table></div>" | safeHTML }}
  </div>
  <footer class="article-footer">
    <section class="article-terms" aria-labelledby="filed-under">
      <h2 id="filed-under" class="section-label">Filed under</h2>
      {{ range $tax, $_ := .Site.Taxonomies }}{{ with $.GetTerms $tax }}
      <div class="terms">
        <h3 class="terms-title">{{ $tax | humanize }}</h3>
        <ul class="tags" role="list">
          {{ range . }}<li><a href="{{ .Permalink }}" rel="tag">{{ .LinkTitle }}</a></li>{{ end }}
        </ul>
      </div>
      {{ end }}{{ end }}
    </section>
    {{ with .Site.RegularPages.Related . | first 4 }}
    <section class="related" aria-labelledby="related-title">
      <h2 id="related-title" class="section-label">Related explainers</h2>
      <ul class="related-list" role="list">
        {{ range . }}<li><a href="{{ .Permalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>{{ end }}
      </ul>
    </section>
    {{ end }}
    <nav class="prev-next" aria-label="More in this section">
      {{ with .NextInSection }}<a class="prev" href="{{ .Permalink }}" rel="prev"><span class="prev-next-label">Previous</span> {{ .Title }}</a>{{ end }}
      {{ with .PrevInSection }}<a class="next" href="{{ .Permalink }}" rel="next"><span class="prev-next-label">Next</span> {{ .Title }}</a>{{ end }}
    </nav>
  </footer>
</article>
{{ end }}
""",
    "_default/list.html": """{{ define "title" }}{{ .Title }} &middot; {{ .Site.Title }}{{ end }}
{{ define "body_class" }}is-section{{ end }}
{{ define "main" }}
<div class="wrap">
  <header class="section-header">
    {{ partial "breadcrumbs.html" . }}
    <h1 class="section-title">{{ .Title }}</h1>
    {{ with .Description }}<p class="dek">{{ . }}</p>{{ end }}
  </header>
  {{ if .Params.paginate_by }}
  {{ $pager := .Paginate .Pages.ByDate.Reverse .Params.paginate_by }}
  {{ if eq $pager.PageNumber 1 }}<div class="prose section-intro">{{ .Content }}</div>{{ end }}
  <section class="listing" aria-labelledby="listing-title">
    <h2 id="listing-title" class="section-label">Explainers{{ if gt $pager.TotalPages 1 }} <span class="section-label-aside">page {{ $pager.PageNumber }} of {{ $pager.TotalPages }}</span>{{ end }}</h2>
    {{ partial "page_list.html" (dict "pages" $pager.Pages "level" 3) }}
  </section>
  {{ partial "pager.html" $pager }}
  {{ else }}
  <div class="prose section-intro">{{ .Content }}</div>
  <section class="listing" aria-labelledby="listing-title">
    <h2 id="listing-title" class="section-label">Explainers</h2>
    {{ partial "page_list.html" (dict "pages" .Pages.ByDate.Reverse "level" 3) }}
  </section>
  {{ end }}
</div>
{{ end }}
""",
    "_default/taxonomy.html": """{{ define "title" }}{{ .Title }} &middot; {{ .Site.Title }}{{ end }}
{{ define "body_class" }}is-taxonomy{{ end }}
{{ define "main" }}
<div class="wrap">
  <header class="section-header">
    <nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
      <li><a href="{{ .Site.Home.Permalink }}">Home</a></li>
      <li><span aria-current="page">{{ .Title }}</span></li>
    </ol></nav>
    <h1 class="section-title">{{ .Title }}</h1>
    <p class="dek">Every explainer, grouped by {{ .Data.Plural }}: {{ len .Data.Terms }} in all.</p>
  </header>
  <ul class="term-list" role="list">
  {{ range .Data.Terms.Alphabetical }}
    <li><a href="{{ .Page.Permalink }}">{{ .Page.Title }}</a> <span class="count">{{ .Count }}<span class="visually-hidden"> explainers</span></span></li>
  {{ end }}
  </ul>
</div>
{{ end }}
""",
    "_default/term.html": """{{ define "title" }}{{ .Title }} &middot; {{ .Data.Plural | humanize }} &middot; {{ .Site.Title }}{{ end }}
{{ define "body_class" }}is-term{{ end }}
{{ define "main" }}
<div class="wrap">
  <header class="section-header">
    <nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
      <li><a href="{{ .Site.Home.Permalink }}">Home</a></li>
      <li><a href="{{ (printf "/%s/" .Data.Plural) | absURL }}">{{ .Data.Plural | humanize }}</a></li>
      <li><span aria-current="page">{{ .Title }}</span></li>
    </ol></nav>
    <p class="kicker">{{ .Data.Plural | humanize }}</p>
    <h1 class="section-title">{{ .Title }}</h1>
    <p class="dek">{{ len .Pages }} explainers.</p>
  </header>
  {{ if eq .Data.Plural "topics" }}
  {{ $pager := .Paginate .Pages.ByDate.Reverse 10 }}
  {{ partial "page_list.html" (dict "pages" $pager.Pages "level" 2) }}
  {{ partial "pager.html" $pager }}
  {{ else }}
  {{ partial "page_list.html" (dict "pages" .Pages.ByDate.Reverse "level" 2) }}
  {{ end }}
</div>
{{ end }}
""",
    "index.html": """{{ define "title" }}{{ .Site.Title }} &middot; {{ .Site.Params.tagline }}{{ end }}
{{ define "body_class" }}is-home{{ end }}
{{ define "main" }}
{{ $all := .Site.RegularPages.ByDate.Reverse }}
<div class="wrap">
  <section class="intro" aria-labelledby="intro-title">
    <h1 id="intro-title" class="intro-title">{{ .Site.Params.tagline }}</h1>
    <div class="prose intro-body">{{ .Content }}</div>
  </section>
  {{ with index $all 0 }}
  <section class="lead" aria-labelledby="lead-label">
    <h2 id="lead-label" class="section-label">Lead explainer</h2>
    <article class="lead-story">
      <p class="kicker"><a href="{{ .CurrentSection.Permalink }}">{{ .CurrentSection.Title }}</a></p>
      <h3 class="lead-title"><a href="{{ .Permalink }}">{{ .Title }}</a></h3>
      {{ with .Description }}<p class="dek">{{ . }}</p>{{ else }}<p class="dek">{{ .Summary | plainify | truncate 280 }}</p>{{ end }}
      {{ partial "meta.html" (dict "p" . "authors" true) }}
    </article>
  </section>
  {{ end }}
  <section class="latest" aria-labelledby="latest-title">
    <h2 id="latest-title" class="section-label">Latest explainers</h2>
    {{ partial "page_list.html" (dict "pages" (first 8 (after 1 $all)) "level" 3) }}
  </section>
  <section class="sections" aria-labelledby="sections-title">
    <h2 id="sections-title" class="section-label">Browse by section</h2>
    <ul class="section-grid" role="list">
      {{ range .Site.Sections.ByWeight }}
      <li><a href="{{ .Permalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}
        <p class="meta"><span>{{ len .Pages }} explainers</span></p></li>
      {{ end }}
    </ul>
  </section>
</div>
{{ end }}
""",
    "404.html": """{{ define "title" }}Not found &middot; {{ .Site.Title }}{{ end }}
{{ define "main" }}
<div class="wrap"><h1>Page not found</h1>
<p><a href="{{ .Site.Home.Permalink }}">Back to the front page</a></p></div>
{{ end }}
""",
    # Full-content feed entries, as Attache's Atom feeds carry (Hugo's built-in
    # RSS template only has the summary).
    "_default/rss.xml": """{{- $pages := first 20 (cond .IsHome .Site.RegularPages .RegularPages).ByDate.Reverse -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ .Site.LanguageCode }}">
  <title>{{ if .IsHome }}{{ .Site.Title }}{{ else }}{{ .Title }} &middot; {{ .Site.Title }}{{ end }}</title>
  <link href="{{ .Permalink }}index.xml" rel="self" type="application/atom+xml"/>
  <link href="{{ .Permalink }}"/>
  <updated>{{ with index $pages 0 }}{{ .Date.Format "2006-01-02T15:04:05-07:00" }}{{ end }}</updated>
  <id>{{ .Permalink }}index.xml</id>
  {{- range $pages }}
  <entry xml:lang="{{ .Site.LanguageCode }}">
    <title>{{ .Title }}</title>
    <published>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</published>
    <updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" }}</updated>
    {{- range .Params.authors }}<author><name>{{ . }}</name></author>{{ end }}
    <link rel="alternate" type="text/html" href="{{ .Permalink }}"/>
    <id>{{ .Permalink }}</id>
    {{- with .Description }}<summary>{{ . }}</summary>{{ end }}
    <content type="html" xml:base="{{ .Permalink }}">{{ .Content | html }}</content>
  </entry>
  {{- end }}
</feed>
""",
    "partials/meta.html": """<p class="meta">
{{ if and .authors .p.Params.authors }}<span class="meta-authors">By {{ delimit .p.Params.authors ", " " and " }}</span>{{ end }}
<span class="meta-date"><time datetime="{{ .p.Date.Format "2006-01-02" }}">{{ .p.Date.Format "2 January 2006" }}</time></span>
<span class="meta-reading">{{ .p.ReadingTime }} min read</span>
</p>
""",
    "partials/page_list.html": """<ol class="items" role="list">
{{ $level := .level }}
{{ range .pages }}
<li class="item">
  <h{{ $level }} class="item-title"><a href="{{ .Permalink }}">{{ .Title }}</a></h{{ $level }}>
  {{ with .Description }}<p class="item-dek">{{ . }}</p>{{ end }}
  {{ partial "meta.html" (dict "p" . "authors" false) }}
</li>
{{ end }}
</ol>
""",
    "partials/breadcrumbs.html": """<nav class="breadcrumbs" aria-label="Breadcrumb">
  <ol>
    {{ range .Ancestors.Reverse }}<li><a href="{{ .Permalink }}">{{ if .IsHome }}Home{{ else }}{{ .Title }}{{ end }}</a></li>{{ end }}
    <li><span aria-current="page">{{ .Title }}</span></li>
  </ol>
</nav>
""",
    "partials/pager.html": """{{ if gt .TotalPages 1 }}
<nav class="pagination" aria-label="Pagination">
  {{ with .Prev }}<a class="pagination-prev" href="{{ .URL }}" rel="prev">Previous</a>{{ end }}
  <span class="pagination-status">Page {{ .PageNumber }} of {{ .TotalPages }}</span>
  {{ with .Next }}<a class="pagination-next" href="{{ .URL }}" rel="next">Next</a>{{ end }}
</nav>
{{ end }}
""",
}


def write_hugo(out, plan, bodies, seed, width):
    prepare_dir(out)
    write(os.path.join(out, "hugo.toml"), HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        write(os.path.join(out, "layouts", name), text)
    write(os.path.join(out, "static", "style.css"), "body{font-family:serif;max-width:42rem;margin:auto}\n")
    write(os.path.join(out, "content", "_index.md"),
          '+++\ntitle = "Attache Bench"\ndescription = "Generated explainers on foreign policy."\n+++\n\n'
          + section_intro(seed, -1))
    for i, (title, desc) in enumerate(SECTIONS):
        fm = [f"title = {toml_str(title)}", f"description = {toml_str(desc)}", f"weight = {i + 1}"]
        if i == PAGINATED_SECTION:
            fm.append("paginate_by = 10")
        write(os.path.join(out, "content", sec_dir(i), "_index.md"),
              "+++\n" + "\n".join(fm) + "\n+++\n\n" + section_intro(seed, i))
    for a, body in zip(plan, bodies):
        fm = [
            "+++",
            f"title = {toml_str(a.title)}",
            f"date = {a.date}",
            f"description = {toml_str(a.description)}",
            f"authors = {toml_list(a.authors)}",
            f"topics = {toml_list(a.topics)}",
            f"regions = {toml_list(a.regions)}",
            f"countries = {toml_list(a.countries)}",
            "+++",
            "",
        ]
        write(os.path.join(out, "content", sec_dir(a.section), article_name(a.n, width) + ".md"),
              "\n".join(fm) + render_links(body, plan, width, hugo=True))


# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, required=True, help="number of articles")
    ap.add_argument("--out", required=True, help="directory of the Attaché site")
    ap.add_argument("--hugo", help="also write an equivalent Hugo site here")
    ap.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    ap.add_argument("--copy-theme", action="store_true",
                    help="copy the repo's themes/ instead of symlinking it")
    args = ap.parse_args(argv)
    if args.articles < 1:
        ap.error("--articles must be at least 1")
    if not os.path.isdir(THEMES):
        print(f"warning: {THEMES} does not exist; the site's themes/ will dangle", file=sys.stderr)

    n = args.articles
    width = max(4, len(str(n)))
    plan = [plan_article(args.seed, i, len(SECTIONS)) for i in range(1, n + 1)]
    bodies = [make_body(args.seed, a, plan) for a in plan]
    write_attache(os.path.abspath(args.out), plan, bodies, args.seed, width, args.copy_theme)
    if args.hugo:
        write_hugo(os.path.abspath(args.hugo), plan, bodies, args.seed, width)

    words = sum(len(LINK_RE.sub("x", b).split()) for b in bodies)
    print(f"{n} articles, {len(SECTIONS)} sections, ~{words} words "
          f"({words // n} per article); tables {sum(a.flags['table'] for a in plan)}, "
          f"footnotes {sum(a.flags['footnotes'] for a in plan)}, code {sum(a.flags['code'] for a in plan)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
