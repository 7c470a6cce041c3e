//! A small HTTP/1.1 server over std's `TcpListener`: GET and HEAD of the
//! in-memory site, keep-alive, and the WebSocket upgrade for live reload.
//!
//! The site is served from the engine's map, never from the disk, so a
//! request can only ever reach a file the build produced: [`resolve`] turns
//! a request-target into an output key and refuses `..`, encoded `%2e%2e`,
//! absolute-form targets and backslashes with 400 before any lookup.
//!
//! It is also local in every sense: a request must name this server in its
//! `Host` ([`Allowed`]), so a page elsewhere cannot reach it through DNS
//! rebinding; a request head must arrive whole within a deadline; a response
//! must be taken within one. Slow or idle clients therefore hold a connection
//! slot (of a bounded number, see `super::Limits`) for a bounded time.

use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::State;

/// The script injected into every served HTML page.
pub const LIVE_JS: &str = include_str!("live.js");
const SCRIPT_TAG: &str = "<script src=\"/__attache/live.js\"></script>";
/// The largest request head accepted (browsers send 1–3 KiB).
const MAX_HEAD: usize = 16 * 1024;

/// A client connection with what has been read past the last request head
/// (a pipelined request, or the first WebSocket frames after an upgrade).
pub struct Conn {
    pub stream: TcpStream,
    pub peer: Option<SocketAddr>,
    pub buf: Vec<u8>,
}

struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    ws_key: Option<String>,
    host: Option<String>,
    origin: Option<String>,
}

/// Why a request head could not be read.
enum HeadError {
    /// The client closed, or never began a request before the deadline:
    /// close without a word (an idle keep-alive connection).
    Gone,
    /// Part of a head arrived but not all of it in time (408).
    Slow,
    /// Larger than [`MAX_HEAD`] (431).
    TooLarge,
    /// Cut off in the middle (400).
    Bad,
}

/// Serve one connection until the client closes it, goes idle or is too
/// slow. `slot` is this connection's place in the bounded pool; it is given
/// back when this returns, or as soon as the connection becomes a WebSocket
/// (which counts against the live-reload clients' own limit instead).
pub fn handle(stream: TcpStream, state: Arc<State>, slot: super::Slot) {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    let mut conn = Conn { stream, peer, buf: Vec::new() };
    loop {
        let deadline = Instant::now() + state.limits.head_timeout;
        let head = match read_head(&mut conn, deadline) {
            Ok(h) => h,
            Err(e) => {
                let status = match e {
                    HeadError::Gone => return,
                    HeadError::Slow => 408,
                    HeadError::TooLarge => 431,
                    HeadError::Bad => 400,
                };
                let _ = plain(&mut conn.stream, status, false, &state);
                return;
            }
        };
        let Ok(req) = parse_head(&head) else {
            let _ = plain(&mut conn.stream, 400, false, &state);
            return;
        };
        if let Err(why) = state.allowed.check_host(req.host.as_deref()) {
            // RFC 9112 3.2: a request without a Host is a bad request.
            let status = if req.host.is_none() { 400 } else { 403 };
            refuse(&mut conn, &req, &why, status, &state);
            return;
        }
        if let Some(key) = &req.ws_key
            && req.target.split('?').next() == Some("/__attache/ws")
        {
            if let Err(why) = state.allowed.check_origin(req.origin.as_deref(), req.host.as_deref()) {
                refuse(&mut conn, &req, &why, 403, &state);
                return;
            }
            drop(slot); // a live-reload client counts against its own limit
            super::ws::accept(conn, key, &state);
            return;
        }
        let head_only = req.method == "HEAD";
        let ok = if req.method != "GET" && !head_only {
            plain(&mut conn.stream, 405, req.keep_alive, &state)
        } else {
            let (status, ctype, body, extra) = route(&req.target, &state);
            let deadline = Instant::now() + state.limits.response_timeout;
            respond(&mut conn.stream, status, &ctype, &body, req.keep_alive, head_only, extra.as_deref(), deadline)
        };
        if ok.is_err() || !req.keep_alive {
            return;
        }
    }
}

/// Answer `status` (403, or 400 without a Host) and say on stderr who was refused and why, in one line.
fn refuse(conn: &mut Conn, req: &Request, why: &str, status: u16, state: &State) {
    let from = conn.peer.map_or_else(|| "?".to_string(), |p| p.to_string());
    eprintln!("refused {} {:?} from {from}: {why}", req.method.escape_debug(), req.target);
    let _ = plain(&mut conn.stream, status, false, state);
}

/// A short plain-text response whose body is its status line.
pub(super) fn plain(w: &mut TcpStream, status: u16, keep: bool, state: &State) -> std::io::Result<()> {
    let body = format!("{}\n", status_text(status).to_ascii_lowercase());
    let deadline = Instant::now() + state.limits.response_timeout;
    respond(w, status, "text/plain; charset=utf-8", body.as_bytes(), keep, false, None, deadline)
}

/// Answer a connection the server has no room for: 503 at once, without
/// waiting on the client (the socket is non-blocking and the reply fits in
/// an empty send buffer), then close.
pub fn refuse_busy(mut stream: TcpStream) {
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    // Take what the client already sent so that closing does not reset the
    // connection before it reads the reply.
    // A few reads at most: a client that keeps sending must not keep the
    // accepting thread here.
    let mut sink = [0u8; 4096];
    for _ in 0..4 {
        if !matches!(stream.read(&mut sink), Ok(n) if n > 0) {
            break;
        }
    }
    let body = "the preview server is busy; try again\n";
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
}

/// Read one request head (up to the blank line) by `deadline`, across as
/// many reads as the client needs: a per-read timeout alone would let a
/// client that sends a byte at a time hold the connection for ever.
fn read_head(conn: &mut Conn, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut chunk = [0u8; 4096];
    loop {
        // Stray CRLFs between keep-alive requests are allowed (RFC 9112 2.2).
        let start = conn.buf.iter().position(|b| *b != b'\r' && *b != b'\n').unwrap_or(conn.buf.len());
        conn.buf.drain(..start);
        if let Some(end) = head_end(&conn.buf) {
            let head = conn.buf[..end].to_vec();
            conn.buf.drain(..end);
            return Ok(head);
        }
        if conn.buf.len() > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        let begun = !conn.buf.is_empty();
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(if begun { HeadError::Slow } else { HeadError::Gone });
        }
        if conn.stream.set_read_timeout(Some(left)).is_err() {
            return Err(HeadError::Gone);
        }
        match conn.stream.read(&mut chunk) {
            Ok(0) => return Err(if begun { HeadError::Bad } else { HeadError::Gone }),
            Ok(n) => conn.buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(HeadError::Gone),
        }
    }
}

/// Where the head in `buf` ends (just past its blank line), if it is there.
fn head_end(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(nl) = buf[i..].iter().position(|b| *b == b'\n') {
        let line_end = i + nl + 1;
        if let Some(rest) = buf.get(line_end..) {
            if rest.starts_with(b"\r\n") {
                return Some(line_end + 2);
            }
            if rest.starts_with(b"\n") {
                return Some(line_end + 1);
            }
        }
        i = line_end;
    }
    None
}

/// The parts of a request head the server acts on. A body (which GET and
/// HEAD do not carry) ends keep-alive, since it is not read.
fn parse_head(head: &[u8]) -> Result<Request, ()> {
    let text = std::str::from_utf8(head).map_err(|_| ())?;
    let mut lines = text.lines();
    let mut first = lines.next().ok_or(())?.split_whitespace();
    let method = first.next().ok_or(())?.to_string();
    let target = first.next().ok_or(())?.to_string();
    let version = first.next().ok_or(())?;
    if !version.starts_with("HTTP/1.") || first.next().is_some() {
        return Err(());
    }
    let mut keep_alive = version == "HTTP/1.1";
    let mut ws_key = None;
    let mut upgrade = false;
    let mut host = None;
    let mut origin = None;
    for l in lines {
        let Some((name, value)) = l.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "upgrade" => upgrade = value.eq_ignore_ascii_case("websocket"),
            "sec-websocket-key" => ws_key = Some(value.to_string()),
            // Two Hosts (or Origins) are ambiguous: which one would be checked?
            "host" if host.replace(value.to_string()).is_some() => return Err(()),
            "origin" if origin.replace(value.to_string()).is_some() => return Err(()),
            "content-length" if value != "0" => keep_alive = false,
            "transfer-encoding" => keep_alive = false,
            _ => {}
        }
    }
    Ok(Request { method, target, keep_alive, ws_key: ws_key.filter(|_| upgrade), host, origin })
}

/// Which `Host` (and WebSocket `Origin`) values name this server. A page on
/// another site can make a browser talk to 127.0.0.1 by pointing its own
/// name there (DNS rebinding), but the browser still sends that name as the
/// Host; so only names that cannot be rebound are served: `localhost` (and
/// `*.localhost`), loopback addresses, the bound address (any IP literal when bound to all
/// interfaces), and the names given with `--allow-host`. The port is not
/// compared: a port forward may change it, and it gives an attacker nothing.
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    bound: Option<IpAddr>,
    names: Vec<String>,
}

impl Allowed {
    /// Localhost and `bound`, plus `extra` names (`.example.test` allows the
    /// name and its subdomains, as in Vite and webpack-dev-server).
    /// A value that is no host name is an error naming it (a port given
    /// with it is ignored, as for requests).
    pub fn new(bound: IpAddr, extra: &[String]) -> Result<Self, String> {
        let mut names = Vec::new();
        for value in extra {
            let (wild, rest) = match value.strip_prefix('.') {
                Some(rest) => (".", rest),
                None => ("", value.as_str()),
            };
            match split_host(rest) {
                Some((name, _)) if !name.starts_with('.') => names.push(format!("{wild}{name}")),
                _ => {
                    return Err(format!(
                        "--allow-host {value:?} is not a host name (like preview.example or .example)"
                    ));
                }
            }
        }
        Ok(Allowed { bound: Some(bound), names })
    }

    /// `Ok` when a request with this `Host` may be served; else the reason.
    pub fn check_host(&self, host: Option<&str>) -> Result<(), String> {
        let Some(host) = host else { return Err("the request has no Host header".to_string()) };
        match split_host(host) {
            Some((name, _)) if self.allows_name(&name) => Ok(()),
            Some((name, _)) => Err(format!(
                "Host {host:?} is not this server (if it is, add --allow-host {})",
                name.trim_start_matches('[').trim_end_matches(']')
            )),
            None => Err(format!("Host {host:?} is not a host name")),
        }
    }

    /// `Ok` when a WebSocket upgrade may proceed. A browser always sends the
    /// page's Origin with a WebSocket, so it must be this very server (the
    /// same `http://` host and port as the request's Host), which keeps build
    /// errors — file paths and source lines — away from other sites and from
    /// other servers on localhost. No Origin means no browser page (a script
    /// or a test): allowed, as Vite does, since it could read the pages anyway.
    pub fn check_origin(&self, origin: Option<&str>, host: Option<&str>) -> Result<(), String> {
        let Some(origin) = origin else { return Ok(()) };
        let refused = || Err(format!("WebSocket from origin {origin:?}, which is not this server"));
        let Some(rest) = origin.get(..7).filter(|s| s.eq_ignore_ascii_case("http://")).and(origin.get(7..)) else {
            return refused();
        };
        let (Some((o_name, o_port)), Some((h_name, h_port))) = (split_host(rest), host.and_then(split_host)) else {
            return refused();
        };
        if o_name == h_name && o_port.unwrap_or(80) == h_port.unwrap_or(80) && self.allows_name(&o_name) {
            Ok(())
        } else {
            refused()
        }
    }

    /// Whether a (lower-case, bracketed for IPv6) host name names this server.
    fn allows_name(&self, name: &str) -> bool {
        // `localhost` and names under it (RFC 6761: they never leave the machine).
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        let literal = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let bound_all = self.bound.is_some_and(|b| b.is_unspecified());
            return ip.is_loopback() || Some(ip) == self.bound || bound_all;
        }
        self.names.iter().any(|allowed| match allowed.strip_prefix('.') {
            Some(domain) => name == domain || name.strip_suffix(allowed.as_str()).is_some_and(|sub| !sub.is_empty()),
            None => name == allowed,
        })
    }
}

/// `host[:port]` → (lower-case name without a trailing dot, port). IPv6
/// literals keep their brackets. `None` for anything that is not a host.
fn split_host(value: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = if value.starts_with('[') {
        let close = value.find(']')?;
        let (name, rest) = value.split_at(close + 1);
        name[1..close].parse::<std::net::Ipv6Addr>().ok()?;
        match rest {
            "" => (name, None),
            r => (name, Some(r.strip_prefix(':')?)),
        }
    } else {
        match value.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (value, None),
        }
    };
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse::<u16>().ok()?),
        Some(_) => return None,
        None => None,
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':');
    (!name.is_empty() && name.bytes().all(ok)).then_some((name, port))
}

type Routed = (u16, String, Arc<Vec<u8>>, Option<String>);

fn route(target: &str, state: &State) -> Routed {
    let plain = |status: u16, text: &str| {
        (status, "text/plain; charset=utf-8".to_string(), Arc::new(text.as_bytes().to_vec()), None)
    };
    let path = target.split(['?', '#']).next().unwrap_or("");
    match path {
        "/__attache/live.js" => {
            return (200, "text/javascript; charset=utf-8".into(), Arc::new(LIVE_JS.as_bytes().to_vec()), None);
        }
        "/__attache/status" => {
            return (200, "application/json".into(), Arc::new(state.status_json().into_bytes()), None);
        }
        "/__attache/corrections" => {
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let page = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|v| percent_decode(&v.replace('+', " ")))
                .unwrap_or_default();
            return (200, "application/json".into(), Arc::new(state.findings_json(&page).into_bytes()), None);
        }
        _ => {}
    }
    let Ok(key) = resolve(target) else { return plain(400, "bad request\n") };
    let files = state.files();
    if let Some(body) = files.get(&key) {
        return (200, content_type(&key).into(), maybe_inject(&key, body), None);
    }
    // `/europe/minsk` → `/europe/minsk/` when that is a page.
    if !key.ends_with("index.html") && files.contains_key(&format!("{key}/index.html")) {
        return (301, "text/plain; charset=utf-8".into(), Arc::new(b"moved\n".to_vec()), Some(format!("{path}/")));
    }
    match files.get("404.html") {
        Some(body) => (404, "text/html; charset=utf-8".into(), maybe_inject("404.html", body), None),
        None => plain(404, "not found\n"),
    }
}

/// Why a request-target names no output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not origin-form (`/path`): absolute-form, `//host/…`, `*`, empty.
    NotAPath,
    /// A `.` or `..` segment, plain or percent-encoded.
    Traversal,
    /// A broken `%` escape, or bytes that are not UTF-8 once decoded.
    BadEncoding,
    /// A backslash, a control character (NUL included), or a drive-like
    /// first segment (`c:`), none of which an output path contains.
    ForbiddenCharacter,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::NotAPath => "not a path on this server",
            Refusal::Traversal => "a `.` or `..` segment",
            Refusal::BadEncoding => "a malformed percent-escape or non-UTF-8 bytes",
            Refusal::ForbiddenCharacter => "a backslash, control character or drive name",
        })
    }
}

/// The output file a request-target names (`/europe/minsk/?x=1` →
/// `europe/minsk/index.html`): a relative path of plain segments, or the
/// reason there is none. Pure, so it can be fuzzed (`fuzz/fuzz_targets/
/// request_path.rs`); the path is only ever a key into the built files.
pub fn resolve(target: &str) -> Result<String, Refusal> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(Refusal::NotAPath);
    }
    let decoded = percent_decode(path).ok_or(Refusal::BadEncoding)?;
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return Err(Refusal::Traversal),
            s if s.contains(|c: char| c == '\\' || c.is_control()) => return Err(Refusal::ForbiddenCharacter),
            s if parts.is_empty() && s.contains(':') => return Err(Refusal::ForbiddenCharacter),
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    Ok(if joined.is_empty() {
        "index.html".to_string()
    } else if decoded.ends_with('/') {
        format!("{joined}/index.html")
    } else {
        joined
    })
}

/// The property the fuzz target and the seed replay check: [`resolve`]
/// returns, and what it yields is a relative path of plain segments (no
/// `.`/`..` or empty segment, no leading `/`, no backslash or NUL).
pub fn check_resolve(target: &str) -> Result<(), String> {
    let Ok(path) = resolve(target) else { return Ok(()) };
    let bad = path.starts_with('/')
        || path.contains(['\\', '\0'])
        || path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..")
        || !std::path::Path::new(&path).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if bad { Err(format!("{target:?} resolved to the unsafe path {path:?}")) } else { Ok(()) }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn maybe_inject(key: &str, body: &Arc<Vec<u8>>) -> Arc<Vec<u8>> {
    if !key.ends_with(".html") {
        return body.clone();
    }
    let text = String::from_utf8_lossy(body);
    let injected = match text.rfind("</body>") {
        Some(i) => format!("{}{SCRIPT_TAG}{}", &text[..i], &text[i..]),
        None => format!("{text}{SCRIPT_TAG}"),
    };
    Arc::new(injected.into_bytes())
}

pub fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

#[allow(clippy::too_many_arguments)]
fn respond(
    w: &mut TcpStream,
    status: u16,
    ctype: &str,
    body: &[u8],
    keep: bool,
    head: bool,
    location: Option<&str>,
    deadline: Instant,
) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        status_text(status),
        body.len(),
        if keep { "keep-alive" } else { "close" }
    );
    if let Some(l) = location {
        out.push_str(&format!("Location: {l}\r\n"));
    }
    out.push_str("\r\n");
    let mut buf = out.into_bytes();
    if !head {
        buf.extend_from_slice(body);
    }
    write_all_by(w, &buf, deadline)
}

/// Write all of `bytes` by `deadline` (not per write: a client that takes a
/// byte now and then must not hold the connection for ever).
pub fn write_all_by(w: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(ErrorKind::TimedOut, "write deadline passed"));
        }
        w.set_write_timeout(Some(left.max(Duration::from_millis(1))))?;
        match w.write(bytes) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_output_files() {
        assert_eq!(resolve("/").as_deref(), Ok("index.html"));
        assert_eq!(resolve("/europe/minsk/").as_deref(), Ok("europe/minsk/index.html"));
        assert_eq!(resolve("/europe/minsk/?x=1#top").as_deref(), Ok("europe/minsk/index.html"));
        assert_eq!(resolve("/style.css").as_deref(), Ok("style.css"));
        assert_eq!(resolve("/caf%C3%A9/").as_deref(), Ok("café/index.html"));
    }

    #[test]
    fn traversal_is_refused() {
        for (bad, why) in [
            ("/../etc/passwd", Refusal::Traversal),
            ("/a/%2e%2e/%2E%2E/etc/passwd", Refusal::Traversal),
            ("/a/..%2fb", Refusal::Traversal),
            ("//etc/passwd", Refusal::NotAPath),
            ("http://x/", Refusal::NotAPath),
            ("*", Refusal::NotAPath),
            ("/a\\..\\b", Refusal::ForbiddenCharacter),
            ("/a%00b", Refusal::ForbiddenCharacter),
            ("/c:/windows", Refusal::ForbiddenCharacter),
            ("/%ff", Refusal::BadEncoding),
            ("/%2", Refusal::BadEncoding),
            ("/%+1", Refusal::BadEncoding),
        ] {
            assert_eq!(resolve(bad), Err(why), "{bad}");
        }
    }

    /// A cheap stand-in for the fuzzer where there is no nightly: targets
    /// pieced together from the tokens that matter to traversal.
    #[test]
    fn pieced_together_targets_resolve_to_safe_paths() {
        const TOKENS: [&str; 16] =
            ["/", "/", ".", "..", "%2e", "%2E", "%2f", "%5c", "\\", "%00", "a", "é", "?", "#", ":", "%"];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut target = String::new();
            for _ in 0..(seed % 9) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                target.push_str(TOKENS[(seed >> 33) as usize % TOKENS.len()]);
            }
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            assert_eq!(check_resolve(&target), Ok(()));
        }
    }

    #[test]
    fn hosts_that_name_this_server() {
        let local = Allowed::new("127.0.0.1".parse().expect("ip"), &[]).expect("allowed");
        for ok in
            ["localhost", "localhost:1111", "LOCALHOST.", "blog.localhost", "127.0.0.1:1111", "[::1]:1111", "[::1]"]
        {
            assert_eq!(local.check_host(Some(ok)), Ok(()), "{ok}");
        }
        for bad in ["evil.example", "evil.example:1111", "localhost.evil.example", "192.168.1.5:1111", "", "a b"] {
            assert!(local.check_host(Some(bad)).is_err(), "{bad}");
        }
        assert!(local.check_host(None).is_err());
        let lan = Allowed::new("192.168.1.5".parse().expect("ip"), &["Preview.test:8080".into(), ".dev.test".into()])
            .expect("allowed");
        for ok in ["192.168.1.5:1111", "preview.test", "dev.test", "a.dev.test:80", "localhost"] {
            assert_eq!(lan.check_host(Some(ok)), Ok(()), "{ok}");
        }
        for bad in ["192.168.1.6", "xpreview.test", "evil-dev.test"] {
            assert!(lan.check_host(Some(bad)).is_err(), "{bad}");
        }
        let all = Allowed::new("0.0.0.0".parse().expect("ip"), &[]).expect("allowed");
        for bad in ["", "a/b", "http://x", ".", "..x"] {
            assert!(Allowed::new("127.0.0.1".parse().expect("ip"), &[bad.to_string()]).is_err(), "{bad}");
        }
        assert_eq!(all.check_host(Some("10.0.0.7:1111")), Ok(()), "any address of this machine");
        assert!(all.check_host(Some("evil.example")).is_err());
    }

    #[test]
    fn websockets_only_from_the_served_origin() {
        let local = Allowed::new("127.0.0.1".parse().expect("ip"), &[]).expect("allowed");
        let host = Some("127.0.0.1:1111");
        assert_eq!(local.check_origin(None, host), Ok(()), "not a browser");
        assert_eq!(local.check_origin(Some("http://127.0.0.1:1111"), host), Ok(()));
        assert_eq!(local.check_origin(Some("http://localhost:80"), Some("localhost")), Ok(()));
        for bad in [
            "http://evil.example",
            "http://evil.example:1111",
            "http://localhost:3000",
            "https://127.0.0.1:1111",
            "http://127.0.0.1:1111/",
            "null",
            "",
        ] {
            assert!(local.check_origin(Some(bad), host).is_err(), "{bad}");
        }
    }
}
