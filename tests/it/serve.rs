//! `attache serve` on an ephemeral port against a temp site: pages, the
//! live-reload WebSocket, the error overlay's data, traversal, 404s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use scraper::Html;

use crate::support::{Running, SiteTest, texts};

struct Server {
    proc: Running,
    addr: String,
}

fn serve(t: &SiteTest) -> Server {
    let proc = Running::start(&t.root(), &["serve", "--port", "0"]);
    let lines = proc.wait_for(&["Serving at"]);
    let line = lines.last().expect("a line");
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL");
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    Server { proc, addr }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

/// One request on its own connection, written by hand so the path goes out
/// exactly as typed (no client-side normalisation of `..`).
fn get(addr: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("a status");
    Response { status, headers: head.to_ascii_lowercase(), body: body.to_string() }
}

/// A WebSocket client: handshake, then read text frames.
struct Ws {
    r: BufReader<TcpStream>,
}

impl Ws {
    fn connect(addr: &str) -> Ws {
        let mut s = TcpStream::connect(addr).expect("connect");
        write!(
            s,
            "GET /__attache/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .expect("send");
        s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let mut r = BufReader::new(s);
        let mut line = String::new();
        r.read_line(&mut line).expect("status line");
        assert!(line.starts_with("HTTP/1.1 101"), "{line}");
        let mut accept = String::new();
        loop {
            line.clear();
            r.read_line(&mut line).expect("header");
            if line.to_ascii_lowercase().starts_with("sec-websocket-accept:") {
                accept = line[21..].trim().to_string();
            }
            if line == "\r\n" {
                break;
            }
        }
        assert_eq!(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "RFC 6455 accept key");
        let mut ws = Ws { r };
        assert_eq!(ws.next()["type"], "hello");
        ws
    }

    fn next(&mut self) -> serde_json::Value {
        let mut h = [0u8; 2];
        self.r.read_exact(&mut h).expect("a frame");
        assert_eq!(h[0], 0x81, "an unfragmented text frame");
        let mut len = u64::from(h[1] & 0x7f);
        if len == 126 {
            let mut b = [0u8; 2];
            self.r.read_exact(&mut b).expect("len");
            len = u64::from(u16::from_be_bytes(b));
        } else if len == 127 {
            let mut b = [0u8; 8];
            self.r.read_exact(&mut b).expect("len");
            len = u64::from_be_bytes(b);
        }
        let mut payload = vec![0u8; len as usize];
        self.r.read_exact(&mut payload).expect("payload");
        serde_json::from_slice(&payload).expect("JSON message")
    }
}

fn site() -> SiteTest {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"", "Europe intro.\n");
    t.page("europe/minsk.md", "title = \"The Minsk agreements\"\ndate = 2024-05-01", "Two ceasefire deals.\n");
    t.page("europe/osce.md", "title = \"The OSCE\"\ndate = 2023-01-10", "See [the deals](@/europe/minsk.md).\n");
    t
}

#[test]
fn edits_reach_open_pages_and_broken_edits_show_the_error() {
    let t = site();
    let s = serve(&t);
    let page = get(&s.addr, "/europe/minsk/");
    assert_eq!(page.status, 200);
    assert!(page.headers.contains("content-type: text/html; charset=utf-8"));
    assert!(page.headers.contains("cache-control: no-store"));
    let doc = Html::parse_document(&page.body);
    assert_eq!(texts(&doc, "h1.title"), ["The Minsk agreements"]);
    assert!(page.body.contains("/__attache/live.js"), "the reload script is injected into served HTML");
    assert!(get(&s.addr, "/__attache/live.js").body.contains("WebSocket"));

    let mut ws = Ws::connect(&s.addr);
    t.page("europe/minsk.md", "title = \"The Minsk agreements\"\ndate = 2024-05-01", "Two deals, both broken.\n");
    let msg = ws.next();
    assert_eq!(msg["type"], "reload", "{msg}");
    let changed: Vec<&str> = msg["changed"].as_array().expect("list").iter().filter_map(|v| v.as_str()).collect();
    assert!(changed.contains(&"europe/minsk/index.html"), "{changed:?}");
    assert!(!changed.contains(&"europe/osce/index.html"), "an unrelated page is not reloaded: {changed:?}");
    let doc = Html::parse_document(&get(&s.addr, "/europe/minsk/").body);
    assert_eq!(texts(&doc, "article.content p"), ["Two deals, both broken."]);

    // Break the front matter: the overlay message names the file and line,
    // and the last good page is still served.
    t.file(
        "content/europe/minsk.md",
        "+++\ntitle = \"The Minsk agreements\"\ndate = \"yesterday\"\n+++\nHalf-written.\n",
    );
    let msg = ws.next();
    assert_eq!(msg["type"], "error", "{msg}");
    let err = &msg["errors"][0];
    assert_eq!(err["file"], "content/europe/minsk.md", "{msg}");
    assert_eq!(err["line"], 3, "{msg}");
    assert!(err["excerpt"].as_str().is_some_and(|e| e.contains("yesterday")), "the excerpt shows the source line");
    let status: serde_json::Value = serde_json::from_str(&get(&s.addr, "/__attache/status").body).expect("JSON");
    assert_eq!(status["errors"][0]["file"], "content/europe/minsk.md", "a freshly loaded page learns the error");
    let doc = Html::parse_document(&get(&s.addr, "/europe/minsk/").body);
    assert_eq!(texts(&doc, "article.content p"), ["Two deals, both broken."], "still the last good site");

    // Fix it: the overlay goes (every page reloads) and the status is clean.
    t.page("europe/minsk.md", "title = \"The Minsk agreements\"\ndate = 2024-05-01", "Fixed text.\n");
    let msg = ws.next();
    assert_eq!(msg["type"], "reload", "{msg}");
    assert_eq!(msg["all"], true);
    let status: serde_json::Value = serde_json::from_str(&get(&s.addr, "/__attache/status").body).expect("JSON");
    assert!(status["errors"].is_null(), "{status}");

    // A CSS edit is announced as a stylesheet swap.
    let css = t.root().join("themes/plain/static/style.css");
    let text = std::fs::read_to_string(&css).expect("css");
    std::fs::write(&css, format!("{text}\nh1 {{ color: rebeccapurple; }}\n")).expect("write css");
    let msg = ws.next();
    assert_eq!(msg["type"], "css", "{msg}");
    assert_eq!(msg["paths"][0], "style.css");
    assert!(get(&s.addr, "/style.css").body.contains("rebeccapurple"));
    assert!(get(&s.addr, "/style.css").headers.contains("content-type: text/css"));

    // Delete a page: its URL is gone (404 with the site's 404 page).
    std::fs::remove_file(t.root().join("content/europe/osce.md")).expect("delete");
    let msg = ws.next();
    assert_eq!(msg["removed"][0], "europe/osce/index.html", "{msg}");
    let gone = get(&s.addr, "/europe/osce/");
    assert_eq!(gone.status, 404);
    assert!(gone.headers.contains("text/html"));
    assert!(s.proc.interrupt().success(), "Ctrl-C stops the server cleanly");
}

#[test]
fn only_the_output_is_served() {
    let t = site();
    t.file("secret.txt", "do not serve");
    std::os::unix::fs::symlink(t.root().join("secret.txt"), t.root().join("static-link.txt")).expect("symlink");
    std::fs::create_dir_all(t.root().join("static")).expect("static");
    std::os::unix::fs::symlink(t.root().join("secret.txt"), t.root().join("static/leak.txt")).expect("symlink");
    let s = serve(&t);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/europe/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "//etc/passwd",
        "http://evil.example/secret.txt",
        "/europe\\..\\..\\secret.txt",
    ] {
        let r = get(&s.addr, path);
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.status);
        assert!(!r.body.contains("do not serve"), "{path} leaked a file outside the output");
    }
    let r = get(&s.addr, "/leak.txt");
    assert_eq!(r.status, 404, "a symlink in static/ pointing outside is not served");
    assert!(!r.body.contains("do not serve"));
    let missing = get(&s.addr, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.headers.contains("text/html"), "the site's 404.html");
    let redirect = get(&s.addr, "/europe/minsk");
    assert_eq!(redirect.status, 301);
    assert!(redirect.headers.contains("location: /europe/minsk/"));
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let t = site();
    let s = serve(&t);
    let mut conn = TcpStream::connect(&s.addr).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut r = BufReader::new(conn.try_clone().expect("clone"));
    for path in ["/", "/europe/", "/europe/minsk/"] {
        write!(conn, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("send");
        let mut len = 0;
        let mut line = String::new();
        r.read_line(&mut line).expect("status");
        assert!(line.starts_with("HTTP/1.1 200"), "{path}: {line}");
        loop {
            line.clear();
            r.read_line(&mut line).expect("header");
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().expect("length");
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0u8; len];
        r.read_exact(&mut body).expect("body");
        assert!(String::from_utf8_lossy(&body).contains("<html"), "{path}");
    }
}
