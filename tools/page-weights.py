#!/usr/bin/env python3
"""Page weights of a built site, per page type: the HTML, the stylesheets and
scripts it links, its images, and the total a first visit downloads
(uncompressed). Usage: tools/page-weights.py [PUBLIC_DIR] (default public/)."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "public"
PAGES = [("home", "index.html"), ("section", "sanctions/index.html"),
         ("article (with code)", "sanctions/how-sanctions-work/index.html"),
         ("article", "alliances/nato-article-5/index.html"),
         ("taxonomy list", "topics/index.html"), ("term", "topics/sanctions/index.html"),
         ("search", "search/index.html"), ("404", "404.html")]


def local(url):
    """A linked URL as a path under ROOT (absolute permalinks lose their origin)."""
    url = re.sub(r"^https?://[^/]+", "", url)
    return os.path.join(ROOT, url.lstrip("/"))


def size(urls):
    return sum(os.path.getsize(local(u)) for u in urls if os.path.isfile(local(u)))


print("| page | HTML KB | CSS KB | JS KB | images KB | total KB |")
print("|---|---:|---:|---:|---:|---:|")
for name, rel in PAGES:
    path = os.path.join(ROOT, rel)
    if not os.path.isfile(path):
        continue
    html = open(path, encoding="utf-8").read()
    css = size(re.findall(r'<link rel="stylesheet" href="([^"]+)"', html))
    js = size(re.findall(r'<script src="([^"]+)"', html))
    img = size(re.findall(r'<img src="([^"]+)"', html))
    h = len(html.encode())
    print(f"| {name} | {h / 1024:.1f} | {css / 1024:.1f} | {js / 1024:.1f} | {img / 1024:.1f} | {(h + css + js + img) / 1024:.1f} |")
print(f"\nsearch_index.json: {os.path.getsize(os.path.join(ROOT, 'search_index.json')) / 1024:.1f} KB (loaded by the search page only)")
