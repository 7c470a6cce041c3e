//! A small HTTP/1.1 server over std's `TcpListener`: GET and HEAD of the
//! in-memory site, keep-alive, and the WebSocket upgrade for live reload.
//!
//! The site is served from the engine's map, never from the disk, so a
//! request can only ever reach a file the build produced: `..`, encoded
//! `%2e%2e`, absolute-form targets and backslashes are refused with 400
//! before any lookup, and symlinks are never part of the output.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use super::State;

/// The script injected into every served HTML page.
pub const LIVE_JS: &str = include_str!("live.js");
const SCRIPT_TAG: &str = "<script src=\"/__attache/live.js\"></script>";
const MAX_HEAD: usize = 16 * 1024;

struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    ws_key: Option<String>,
}

/// Serve one connection until the client closes it or goes idle.
pub fn handle(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let req = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(()) => {
                let _ = respond(&mut writer, 400, "text/plain; charset=utf-8", b"bad request\n", false, false);
                return;
            }
        };
        if let Some(key) = &req.ws_key
            && req.target.split('?').next() == Some("/__attache/ws")
        {
            super::ws::accept(writer, reader, key, &state);
            return;
        }
        let head_only = req.method == "HEAD";
        let ok = if req.method != "GET" && !head_only {
            respond(&mut writer, 405, "text/plain; charset=utf-8", b"method not allowed\n", req.keep_alive, false)
        } else {
            let (status, ctype, body, extra) = route(&req.target, &state);
            respond_with(&mut writer, status, &ctype, &body, req.keep_alive, head_only, extra.as_deref())
        };
        if ok.is_err() || !req.keep_alive {
            return;
        }
    }
}

/// `Ok(None)` when the connection closed before a request began.
fn read_request(reader: &mut impl BufRead) -> Result<Option<Request>, ()> {
    let mut head = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.by_ref().take(MAX_HEAD as u64).read_until(b'\n', &mut line).map_err(|_| ())?;
        if n == 0 {
            return if head.is_empty() { Ok(None) } else { Err(()) };
        }
        if head.is_empty() && (line == b"\r\n" || line == b"\n") {
            continue; // stray CRLF between keep-alive requests
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD {
            return Err(());
        }
    }
    let text = std::str::from_utf8(&head).map_err(|_| ())?;
    let mut lines = text.lines();
    let mut first = lines.next().ok_or(())?.split_whitespace();
    let method = first.next().ok_or(())?.to_string();
    let target = first.next().ok_or(())?.to_string();
    let version = first.next().ok_or(())?;
    let mut keep_alive = version == "HTTP/1.1";
    let mut ws_key = None;
    let mut upgrade = false;
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
            _ => {}
        }
    }
    Ok(Some(Request { method, target, keep_alive, ws_key: ws_key.filter(|_| upgrade) }))
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
    let Some(key) = output_key(path) else { return plain(400, "bad request\n") };
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

/// The output file a request path names, or `None` if the path tries to
/// leave the output (or is not a path at all).
pub fn output_key(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    let decoded = percent_decode(path)?;
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return None,
            s if s.contains('\\') || s.contains('\0') || s.contains(':') && parts.is_empty() => return None,
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    Some(if decoded.ends_with('/') || joined.is_empty() {
        if joined.is_empty() { "index.html".to_string() } else { format!("{joined}/index.html") }
    } else {
        joined
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
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
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    }
}

fn respond(w: &mut impl Write, status: u16, ctype: &str, body: &[u8], keep: bool, head: bool) -> std::io::Result<()> {
    respond_with(w, status, ctype, body, keep, head, None)
}

fn respond_with(
    w: &mut impl Write,
    status: u16,
    ctype: &str,
    body: &[u8],
    keep: bool,
    head: bool,
    location: Option<&str>,
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
    w.write_all(&buf)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_output_files() {
        assert_eq!(output_key("/").as_deref(), Some("index.html"));
        assert_eq!(output_key("/europe/minsk/").as_deref(), Some("europe/minsk/index.html"));
        assert_eq!(output_key("/style.css").as_deref(), Some("style.css"));
        assert_eq!(output_key("/caf%C3%A9/").as_deref(), Some("café/index.html"));
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/%2E%2E/etc/passwd",
            "/a/..%2fb",
            "//etc/passwd",
            "http://x/",
            "/a\\..\\b",
            "/%ff",
            "/%2",
        ] {
            assert_eq!(output_key(bad), None, "{bad}");
        }
    }
}
