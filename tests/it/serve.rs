//! `attache serve` on an ephemeral port against a temp site: pages, the
//! live-reload WebSocket, the error overlay's data, traversal, 404s; and the
//! server being local in every sense: foreign Hosts and Origins refused, slow
//! and idle clients cut off, clients that never read unable to delay others.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use scraper::Html;

use crate::support::{Running, SiteTest, texts};

struct Server {
    proc: Running,
    addr: String,
}

fn serve(t: &SiteTest) -> Server {
    serve_with(t, &[], &[])
}

/// `attache serve --port 0` with extra arguments and environment variables.
fn serve_with(t: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut all = vec!["serve", "--port", "0"];
    all.extend_from_slice(args);
    let proc = Running::start_with_env(&t.root(), &all, env);
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
    let (status, headers, body) = crate::support::http_get(addr, path);
    Response { status, headers, body }
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
        write!(conn, "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).expect("send");
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

/// The whole response to a hand-written request (the server closes after it).
fn exchange(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

fn port(addr: &str) -> &str {
    addr.rsplit_once(':').expect("host:port").1
}

#[test]
fn only_requests_naming_this_server_are_served() {
    let t = site();
    let s = serve(&t);
    let port = port(&s.addr);
    // DNS rebinding: a page on evil.example whose name now points at
    // 127.0.0.1 talks to the server, but its Host still says evil.example.
    for host in ["evil.example", &format!("evil.example:{port}"), "localhost.evil.example"] {
        let r = exchange(&s.addr, &format!("GET /europe/minsk/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert!(r.starts_with("HTTP/1.1 403"), "Host {host}: {r}");
        assert!(!r.contains("Minsk"), "Host {host} was served the page");
    }
    let lines = s.proc.wait_for(&["refused GET"]);
    let line = lines.last().expect("a line");
    assert!(line.contains("evil.example") && line.contains("--allow-host"), "{line}");
    let r = exchange(&s.addr, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400"), "no Host at all: {r}");
    for host in [format!("localhost:{port}"), "localhost".to_string(), format!("127.0.0.1:{port}")] {
        let r = exchange(&s.addr, &format!("GET /europe/minsk/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert!(r.starts_with("HTTP/1.1 200") && r.contains("Minsk"), "Host {host}: {r}");
    }

    // `--allow-host` adds a name (a reverse proxy's, say); others stay out.
    let s = serve_with(&t, &["--allow-host", "preview.test"], &[]);
    let r = exchange(
        &s.addr,
        &format!("GET / HTTP/1.1\r\nHost: preview.test:{}\r\nConnection: close\r\n\r\n", port_of(&s)),
    );
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let r = exchange(&s.addr, "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 403"), "{r}");
}

fn port_of(s: &Server) -> String {
    port(&s.addr).to_string()
}

fn upgrade(addr: &str, origin: &str) -> String {
    format!(
        "GET /__attache/ws HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
}

#[test]
fn websockets_from_other_origins_are_refused() {
    let t = site();
    let s = serve(&t);
    // Break the build first: the overlay message carries file paths and
    // source lines, exactly what another site must not read.
    let mut ws = Ws::connect(&s.addr);
    t.file("content/europe/minsk.md", "+++\ntitle = \"Minsk\"\ndate = \"secret draft line\"\n+++\nText.\n");
    assert_eq!(ws.next()["type"], "error");
    for origin in ["http://evil.example", &format!("http://evil.example:{}", port(&s.addr)), "null"] {
        let r = exchange(&s.addr, &upgrade(&s.addr, origin));
        assert!(r.starts_with("HTTP/1.1 403"), "Origin {origin}: {r}");
        assert!(!r.contains("101") && !r.contains("hello") && !r.contains("secret draft line"), "{r}");
    }
    assert!(s.proc.wait_for(&["refused GET"]).last().is_some_and(|l| l.contains("origin")));
    // The page's own origin is welcome.
    let mut s2 = TcpStream::connect(&s.addr).expect("connect");
    s2.write_all(upgrade(&s.addr, &format!("http://{}", s.addr)).as_bytes()).expect("send");
    s2.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut head = [0u8; 12];
    s2.read_exact(&mut head).expect("a reply");
    assert_eq!(&head, b"HTTP/1.1 101");
}

#[test]
fn slow_request_heads_are_cut_off_and_block_no_one() {
    let t = site();
    let s = serve_with(&t, &[], &[("ATTACHE_SERVE_HEAD_TIMEOUT_MS", "1500")]);
    let opened = Instant::now();
    let slow: Vec<TcpStream> = (0..50).map(|_| TcpStream::connect(&s.addr).expect("connect")).collect();
    // Each trickles a header byte every 200 ms: never idle for a per-read
    // timeout, never done.
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers: Vec<TcpStream> = slow.iter().map(|c| c.try_clone().expect("clone")).collect();
    let trickle = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let head = b"GET / HTTP/1.1\r\nX-Slow: ";
            for i in 0.. {
                if stop.load(Ordering::SeqCst) || i > 100 {
                    break;
                }
                let byte = head.get(i).copied().unwrap_or(b'a');
                for w in &mut writers {
                    let _ = w.write_all(&[byte]);
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    let start = Instant::now();
    let r = get(&s.addr, "/europe/minsk/");
    assert_eq!(r.status, 200);
    assert!(start.elapsed() < Duration::from_secs(1), "a normal request waited {:?}", start.elapsed());
    for mut c in slow {
        let left = Duration::from_secs(6).saturating_sub(opened.elapsed()).max(Duration::from_millis(10));
        c.set_read_timeout(Some(left)).expect("timeout");
        let mut got = Vec::new();
        let closed = c.read_to_end(&mut got).is_ok();
        assert!(closed, "a trickling connection was still open after {:?}", opened.elapsed());
        let text = String::from_utf8_lossy(&got);
        assert!(got.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    stop.store(true, Ordering::SeqCst);
    let _ = trickle.join();
    assert_eq!(get(&s.addr, "/").status, 200);
}

#[test]
fn connections_beyond_the_limit_are_refused_at_once() {
    let t = site();
    let env = [("ATTACHE_SERVE_MAX_CONNECTIONS", "4"), ("ATTACHE_SERVE_HEAD_TIMEOUT_MS", "1000")];
    let s = serve_with(&t, &[], &env);
    let idle: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(&s.addr).expect("connect")).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(&s.addr).expect("connect");
    extra.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let start = Instant::now();
    let mut reply = String::new();
    let _ = extra.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply:?}");
    assert!(start.elapsed() < Duration::from_millis(500), "the refusal took {:?}", start.elapsed());
    // The idle ones time out and give their places back.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(get(&s.addr, "/").status, 200);
    drop(idle);
}

/// A masked client frame (zero mask, so the payload goes as is).
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    let n = payload.len();
    if n < 126 {
        out.push(0x80 | n as u8);
    } else if n <= usize::from(u16::MAX) {
        out.push(0x80 | 126);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(n as u64).to_be_bytes());
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
    out
}

#[test]
fn websocket_clients_that_never_read_delay_no_one() {
    let t = site();
    let s = serve(&t);
    let stop = Arc::new(AtomicBool::new(false));
    // Four clients send 1 MiB pings and never read; four more send small
    // pings as fast as they can and never read the pongs.
    let mut pingers = Vec::new();
    for i in 0..8 {
        let mut c = TcpStream::connect(&s.addr).expect("connect");
        c.write_all(upgrade(&s.addr, &format!("http://{}", s.addr)).as_bytes()).expect("send");
        let frame = if i < 4 { client_frame(0x9, &vec![b'p'; 1 << 20]) } else { client_frame(0x9, b"ping") };
        let stop = stop.clone();
        pingers.push(std::thread::spawn(move || {
            c.set_write_timeout(Some(Duration::from_secs(1))).expect("timeout");
            while !stop.load(Ordering::SeqCst) && c.write_all(&frame).is_ok() {}
        }));
    }
    let mut ws = Ws::connect(&s.addr);
    std::thread::sleep(Duration::from_millis(500));
    for round in 0..3 {
        let start = Instant::now();
        t.page("europe/minsk.md", "title = \"The Minsk agreements\"\ndate = 2024-05-01", &format!("Edit {round}.\n"));
        let msg = ws.next();
        assert_eq!(msg["type"], "reload", "{msg}");
        let took = start.elapsed();
        assert!(took < Duration::from_secs(2), "edit {round}: the reload took {took:?}");
    }
    stop.store(true, Ordering::SeqCst);
    for p in pingers {
        let _ = p.join();
    }
}
