#!/usr/bin/env python3
"""Measure `attache serve`: time from a file write to the WebSocket message
that tells open pages about it, for an article, `index.html`, `page.html` and a CSS edit,
and the server's memory against the size of the site's sources and output.

    python3 bench/serve_latency.py --site DIR --url http://127.0.0.1:PORT/ --pid PID \
        [--runs 20] [--output-size BYTES]

Standard library only: the WebSocket client below does the RFC 6455
handshake and reads unmasked server frames, which is all the server sends.
"""
import argparse
import base64
import json
import os
import socket
import statistics
import time
import urllib.parse


def ws_connect(url):
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port))
    s.settimeout(180)  # an edit that changes no output would otherwise wait forever
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        f"GET /__attache/ws HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit(f"no WebSocket upgrade: {head[:80]!r}")
    return s


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise SystemExit("server closed the WebSocket")
        buf += chunk
    return buf


def ws_message(s):
    h = read_exact(s, 2)
    n = h[1] & 0x7F
    if n == 126:
        n = int.from_bytes(read_exact(s, 2), "big")
    elif n == 127:
        n = int.from_bytes(read_exact(s, 8), "big")
    return json.loads(read_exact(s, n))


def wait_type(s, types):
    while True:
        m = ws_message(s)
        if m.get("type") in types:
            return m
        if m.get("type") == "error":
            raise SystemExit(f"the build failed during the bench: {m['errors'][0]['message']}")


def cpu_ms(pid):
    """The server's user + system CPU time so far (the figure to read on a busy machine)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure(s, pid, path, edit, types, runs):
    original = open(path, encoding="utf-8").read()
    times, cpus = [], []
    try:
        for i in range(runs):
            text = edit(original, i)
            c0 = cpu_ms(pid)
            t0 = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            wait_type(s, types)
            times.append((time.perf_counter() - t0) * 1000)
            cpus.append(cpu_ms(pid) - c0)
            time.sleep(0.15)  # let the watcher settle between samples
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        wait_type(s, types)
    return times, cpus


def tree_size(d):
    total = 0
    for dirpath, _, files in os.walk(d):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", required=True, type=int)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--output-size", type=int, default=0)
    a = ap.parse_args()
    s = ws_connect(a.url)
    wait_type(s, {"hello"})
    content = os.path.join(a.site, "content")
    article = sorted(
        os.path.join(dp, f) for dp, _, fs in os.walk(content) for f in fs if f.endswith(".md") and f != "_index.md"
    )[0]
    theme = os.path.join(a.site, "themes", "default")
    template = os.path.join(theme, "templates", "page.html")
    home = os.path.join(theme, "templates", "index.html")
    # The site's own static/style.css takes the place of the theme's (the peer
    # workload has one): edit the one that is served.
    css = os.path.join(a.site, "static", "style.css")
    if not os.path.exists(css):
        css = os.path.join(theme, "static", "style.css")
    rows = [
        ("article edit", article, lambda t, i: t + f"\n\nBench paragraph {i}.\n", {"reload"}),
        # A template edit re-renders the outputs whose template closure holds it:
        # index.html the home page (and its pagers), page.html every article.
        ("index.html edit", home, lambda t, i: t.replace("{% block content %}", f"{{% block content %}}<!-- bench {i} -->", 1), {"reload"}),
        ("page.html edit", template, lambda t, i: t.replace("{% endblock head %}", f"<!-- bench {i} -->{{% endblock head %}}", 1), {"reload"}),
        ("CSS edit", css, lambda t, i: t + f"\n/* bench {i} */\n", {"css"}),
    ]
    print(f"{'change':<16} {'median ms':>10} {'min':>8} {'max':>8} {'cpu ms':>8}  (runs: {a.runs}; cpu: the server's, median)")
    for name, path, edit, types in rows:
        t, c = measure(s, a.pid, path, edit, types, a.runs)
        print(f"{name:<16} {statistics.median(t):>10.1f} {min(t):>8.1f} {max(t):>8.1f} {statistics.median(c):>8.0f}  (n={len(t)})",
              flush=True)
    sources = sum(tree_size(os.path.join(a.site, d)) for d in ("content", "themes", "static"))
    sources += os.path.getsize(os.path.join(a.site, "config.toml"))
    rss = rss_kb(a.pid) * 1024
    total = sources + a.output_size
    print(f"server RSS {rss / 1e6:.0f} MB; sources {sources / 1e6:.0f} MB + output {a.output_size / 1e6:.0f} MB"
          f" = {total / 1e6:.0f} MB; ratio {rss / total if total else 0:.2f}")


if __name__ == "__main__":
    main()
