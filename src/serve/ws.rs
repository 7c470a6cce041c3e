//! The live-reload channel: a minimal RFC 6455 server side. The server only
//! ever sends unfragmented text frames; from the browser it only needs to see
//! a close frame or the end of the stream, so incoming frames are read and
//! dropped (answering pings, which keeps proxies and browsers happy).

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;

use base64::Engine as _;
use sha1::{Digest, Sha1};

use super::State;

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for a client's key.
pub fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// One text frame as sent by a server (unmasked).
pub fn text_frame(text: &str) -> Vec<u8> {
    frame(0x1, text.as_bytes())
}

fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 10);
    out.push(0x80 | opcode);
    let n = payload.len();
    if n < 126 {
        out.push(n as u8);
    } else if n <= u16::MAX as usize {
        out.push(126);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(127);
        out.extend_from_slice(&(n as u64).to_be_bytes());
    }
    out.extend_from_slice(payload);
    out
}

/// Finish the handshake, register the client, and read until it leaves.
pub fn accept(mut stream: TcpStream, mut reader: BufReader<TcpStream>, key: &str, state: &State) {
    let reply = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    );
    if stream.write_all(reply.as_bytes()).is_err() {
        return;
    }
    // No read timeout: an open tab may stay silent for hours.
    let _ = stream.set_read_timeout(None);
    let Ok(clone) = stream.try_clone() else { return };
    let id = state.add_client(clone);
    let hello = serde_json::json!({"type": "hello", "version": state.version()}).to_string();
    let _ = state.send_to(id, &hello);
    while let Some((opcode, payload)) = read_frame(&mut reader) {
        match opcode {
            0x8 => {
                let _ = stream.write_all(&frame(0x8, &[]));
                break;
            }
            0x9 if state.send_raw(id, &frame(0xA, &payload)).is_err() => break,
            _ => {}
        }
    }
    state.remove_client(id);
}

/// One frame from the client: (opcode, unmasked payload). `None` on EOF,
/// error, or a frame larger than any control or chat message we expect.
fn read_frame(r: &mut impl Read) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 2];
    r.read_exact(&mut h).ok()?;
    let opcode = h[0] & 0x0f;
    let masked = h[1] & 0x80 != 0;
    let mut len = u64::from(h[1] & 0x7f);
    if len == 126 {
        let mut b = [0u8; 2];
        r.read_exact(&mut b).ok()?;
        len = u64::from(u16::from_be_bytes(b));
    } else if len == 127 {
        let mut b = [0u8; 8];
        r.read_exact(&mut b).ok()?;
        len = u64::from_be_bytes(b);
    }
    if len > 1 << 20 {
        return None;
    }
    let mut mask = [0u8; 4];
    if masked {
        r.read_exact(&mut mask).ok()?;
    }
    let mut payload = vec![0u8; len as usize];
    r.read_exact(&mut payload).ok()?;
    if masked {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Some((opcode, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_matches_rfc_example() {
        // The worked example of RFC 6455, section 1.3.
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn frames_carry_their_length() {
        assert_eq!(&text_frame("hi")[..2], &[0x81, 2]);
        let long = "x".repeat(300);
        assert_eq!(&text_frame(&long)[..4], &[0x81, 126, 1, 44]);
    }
}
