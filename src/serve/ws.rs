//! The live-reload channel: a minimal RFC 6455 server side. The server only
//! ever sends unfragmented text frames (and the replies protocol demands);
//! from the browser it only needs to see a close frame or the end of the
//! stream, so incoming frames are read, bounded and dropped.
//!
//! Each client has two threads: the reader (the connection's own thread),
//! and a writer that owns the sending side and drains the client's bounded
//! queue with a deadline per message. Broadcasts and pongs only queue, so a
//! client that stops reading fills its own queue and is dropped; it never
//! holds a lock or another client's message.

use std::io::{Cursor, Read};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use base64::Engine as _;
use sha1::{Digest, Sha1};

use super::State;
use super::http::{Conn, write_all_by};

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// RFC 6455 5.5: control frames carry at most 125 bytes.
const MAX_CONTROL: u64 = 125;
/// The browser script sends no data at all; anything bigger than this is not
/// a live-reload client.
const MAX_DATA: u64 = 64 * 1024;

const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;

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

/// A close frame with a status code (1002 protocol error, 1009 too big).
fn close_frame(code: u16) -> Vec<u8> {
    frame(OP_CLOSE, &code.to_be_bytes())
}

/// Finish the handshake, register the client, start its writer, and read
/// until it leaves or breaks the protocol.
pub fn accept(conn: Conn, key: &str, state: &Arc<State>) {
    let Conn { mut stream, buf, .. } = conn;
    let Some((id, queue)) = state.add_client() else {
        eprintln!("refused a live-reload client: {} are open already", state.limits.max_ws_clients);
        let _ = super::http::plain(&mut stream, 503, false, state);
        return;
    };
    let reply = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    );
    let deadline = Instant::now() + state.limits.ws_write_timeout;
    let writer = stream.try_clone();
    let started = writer.and_then(|w| {
        write_all_by(&mut stream, reply.as_bytes(), deadline)?;
        let st = state.clone();
        std::thread::Builder::new().name("ws-writer".into()).spawn(move || write_frames(w, &queue, id, &st))
    });
    if started.is_err() {
        state.remove_client(id);
        return;
    }
    // No read timeout: an open tab may stay silent for hours. Frames are
    // bounded, and so is the number of clients.
    let _ = stream.set_read_timeout(None);
    let hello = serde_json::json!({"type": "hello", "version": state.version()}).to_string();
    state.send_to(id, &hello);
    let mut reader = Cursor::new(buf).chain(stream);
    loop {
        match read_frame(&mut reader) {
            Ok((OP_CLOSE, _)) => {
                state.send_raw(id, frame(OP_CLOSE, &[]).into());
                break;
            }
            Ok((OP_PING, payload)) => {
                if !state.send_raw(id, frame(0xA, &payload).into()) {
                    break;
                }
            }
            Ok(_) => {}
            Err(FrameError::Gone) => break,
            Err(FrameError::Protocol(code)) => {
                state.send_raw(id, close_frame(code).into());
                break;
            }
        }
    }
    state.remove_client(id);
}

/// The client's writer: every queued frame is written within the write
/// deadline, or the client is dropped. Ends when the queue closes (the
/// client was removed) or after a close frame, and closes the socket, which
/// also ends the reader.
fn write_frames(mut stream: TcpStream, queue: &Receiver<Arc<[u8]>>, id: u64, state: &State) {
    for frame in queue {
        let deadline = Instant::now() + state.limits.ws_write_timeout;
        if write_all_by(&mut stream, &frame, deadline).is_err() {
            state.remove_client(id);
            break;
        }
        if frame.first() == Some(&(0x80 | OP_CLOSE)) {
            state.remove_client(id);
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Why reading frames stopped.
#[derive(Debug, PartialEq)]
enum FrameError {
    /// The end of the stream or a read error: just leave.
    Gone,
    /// The client broke RFC 6455; close with this status code.
    Protocol(u16),
}

/// One frame from the client: (opcode, unmasked payload). Client frames must
/// be masked; control frames carry at most 125 bytes and are never
/// fragmented; data frames are refused above [`MAX_DATA`] before their
/// payload is read or allocated.
fn read_frame(r: &mut impl Read) -> Result<(u8, Vec<u8>), FrameError> {
    let mut h = [0u8; 2];
    r.read_exact(&mut h).map_err(|_| FrameError::Gone)?;
    let fin = h[0] & 0x80 != 0;
    let opcode = h[0] & 0x0f;
    let masked = h[1] & 0x80 != 0;
    let control = opcode & 0x8 != 0;
    if h[0] & 0x70 != 0 || !masked || !matches!(opcode, 0x0..=0x2 | 0x8..=0xA) || (control && !fin) {
        return Err(FrameError::Protocol(1002));
    }
    let mut len = u64::from(h[1] & 0x7f);
    if len == 126 {
        let mut b = [0u8; 2];
        r.read_exact(&mut b).map_err(|_| FrameError::Gone)?;
        len = u64::from(u16::from_be_bytes(b));
    } else if len == 127 {
        let mut b = [0u8; 8];
        r.read_exact(&mut b).map_err(|_| FrameError::Gone)?;
        len = u64::from_be_bytes(b);
    }
    if control && len > MAX_CONTROL {
        return Err(FrameError::Protocol(1002));
    }
    if len > MAX_DATA {
        return Err(FrameError::Protocol(1009));
    }
    let mut mask = [0u8; 4];
    r.read_exact(&mut mask).map_err(|_| FrameError::Gone)?;
    let mut payload = vec![0u8; usize::try_from(len).map_err(|_| FrameError::Protocol(1009))?];
    r.read_exact(&mut payload).map_err(|_| FrameError::Gone)?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Ok((opcode, payload))
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

    /// A client frame: masked with a zero mask, so the payload reads as is.
    fn client_frame(first: u8, len_bytes: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut out = vec![first];
        out.extend_from_slice(len_bytes);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn oversized_and_unmasked_frames_are_refused() {
        let ping = client_frame(0x89, &[0x80 | 5], b"hello");
        assert_eq!(read_frame(&mut &ping[..]), Ok((OP_PING, b"hello".to_vec())));
        // A 1 MiB ping: refused from its header, before any payload is read.
        let big_ping = [0x89, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0];
        assert_eq!(read_frame(&mut &big_ping[..]), Err(FrameError::Protocol(1002)));
        let huge_text = [0x81, 0x80 | 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(read_frame(&mut &huge_text[..]), Err(FrameError::Protocol(1009)));
        let unmasked = [0x89, 0];
        assert_eq!(read_frame(&mut &unmasked[..]), Err(FrameError::Protocol(1002)));
        let fragmented_ping = client_frame(0x09, &[0x80], b"");
        assert_eq!(read_frame(&mut &fragmented_ping[..]), Err(FrameError::Protocol(1002)));
        assert_eq!(read_frame(&mut &[0x81][..]), Err(FrameError::Gone));
    }
}
