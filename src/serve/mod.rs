//! `attache serve`: build, serve the site from memory, watch, rebuild, and
//! tell every open page what changed.
//!
//! One thread accepts connections and hands each to a thread of its own, up
//! to [`Limits::max_connections`] (more are answered 503 at once); the main
//! thread waits on the watcher and runs the [`Engine`]. The served site is an
//! `Arc` swapped whole after a good build, so a request never sees half of
//! one; after a failed build the old `Arc` stays and the pages are sent the
//! error for their overlay. Each live-reload client has its own bounded queue
//! and writer thread, so a client that stops reading is dropped and never
//! delays another. What is accepted and guaranteed: docs/content/reliability.md.

pub mod http;
pub mod ws;

use std::io::Write as _;
use std::net::{IpAddr, TcpListener};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::cli::ServeArgs;
use crate::diagnostics::Format;
use crate::incremental::{Engine, Files, Findings, Update};
use crate::site::BuildOptions;
use crate::watch::Watcher;

/// How much the server lets clients take: connections, time, queued bytes.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request head must arrive whole within this (counted from when the
    /// server starts waiting for it, so it is also the keep-alive idle time).
    pub head_timeout: Duration,
    /// A response must be taken by the client within this.
    pub response_timeout: Duration,
    /// Connections being served over HTTP at once.
    pub max_connections: usize,
    /// Open live-reload WebSockets (each has a reader and a writer thread).
    pub max_ws_clients: usize,
    /// Messages queued for one WebSocket client before it is dropped.
    pub ws_queue: usize,
    /// One message must be written to a WebSocket client within this.
    pub ws_write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            head_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(60),
            max_connections: 64,
            max_ws_clients: 64,
            ws_queue: 32,
            ws_write_timeout: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// The defaults, with `ATTACHE_SERVE_HEAD_TIMEOUT_MS` and
    /// `ATTACHE_SERVE_MAX_CONNECTIONS` read so that tests can reach the
    /// limits in a second rather than in minutes.
    pub fn from_env() -> Self {
        let num = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|n| *n > 0);
        let mut l = Limits::default();
        if let Some(ms) = num("ATTACHE_SERVE_HEAD_TIMEOUT_MS") {
            l.head_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = num("ATTACHE_SERVE_MAX_CONNECTIONS") {
            l.max_connections = usize::try_from(n).unwrap_or(usize::MAX);
        }
        l
    }
}

/// One place in the bounded pool of HTTP connections, given back on drop.
pub struct Slot(Arc<State>);

impl Slot {
    /// A place for one more connection, or `None` when all are taken.
    fn take(state: &Arc<State>) -> Option<Slot> {
        let max = state.limits.max_connections;
        state
            .connections
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < max).then_some(n + 1))
            .ok()
            .map(|_| Slot(state.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A live-reload client as the broadcaster sees it: only its queue. The
/// socket belongs to the client's writer thread, so nothing ever writes to a
/// socket while holding [`State::clients`].
struct Client {
    id: u64,
    queue: SyncSender<Arc<[u8]>>,
}

/// What request threads share with the rebuild loop.
#[derive(Default)]
pub struct State {
    site: RwLock<Arc<Files>>,
    findings: RwLock<Arc<Findings>>,
    /// The current build errors (overlay JSON), if the last build failed.
    errors: RwLock<Option<Value>>,
    version: AtomicU64,
    clients: Mutex<Vec<Client>>,
    next_id: AtomicU64,
    /// HTTP connections being served (see [`Slot`]).
    connections: AtomicUsize,
    pub allowed: http::Allowed,
    pub limits: Limits,
}

impl State {
    pub fn new(allowed: http::Allowed, limits: Limits) -> Self {
        State { allowed, limits, ..State::default() }
    }

    pub fn files(&self) -> Arc<Files> {
        self.site.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The corrector's findings for one output page (`null` if none).
    pub fn findings_json(&self, page: &str) -> String {
        let f = self.findings.read().map(|f| f.clone()).unwrap_or_default();
        f.get(page).map_or_else(|| Value::Null.to_string(), |v| v.to_string())
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// `{version, errors}`: lets a page that loads while the build is broken
    /// show the overlay at once.
    pub fn status_json(&self) -> String {
        let errors = self.errors.read().ok().and_then(|e| e.clone());
        json!({"version": self.version(), "errors": errors}).to_string()
    }

    /// Register a live-reload client: its id and the receiving end of its
    /// queue, or `None` when [`Limits::max_ws_clients`] are already open.
    fn add_client(&self) -> Option<(u64, Receiver<Arc<[u8]>>)> {
        let mut clients = self.clients.lock().ok()?;
        if clients.len() >= self.limits.max_ws_clients {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (queue, rx) = std::sync::mpsc::sync_channel(self.limits.ws_queue);
        clients.push(Client { id, queue });
        Some((id, rx))
    }

    /// Forget a client; its writer sees the queue close and ends.
    fn remove_client(&self, id: u64) {
        if let Ok(mut c) = self.clients.lock() {
            c.retain(|c| c.id != id);
        }
    }

    /// Queue a frame for one client without waiting. `false` (and the client
    /// is dropped) when its queue is full: it has stopped reading.
    fn send_raw(&self, id: u64, frame: Arc<[u8]>) -> bool {
        let Ok(mut clients) = self.clients.lock() else { return false };
        let Some(i) = clients.iter().position(|c| c.id == id) else { return false };
        if clients[i].queue.try_send(frame).is_ok() {
            return true;
        }
        clients.remove(i);
        false
    }

    fn send_to(&self, id: u64, text: &str) -> bool {
        self.send_raw(id, ws::text_frame(text).into())
    }

    /// Send a message to every open page: queued, never written here, so a
    /// client that does not read delays no one; a client whose queue is full
    /// (or whose writer has ended) is dropped.
    pub fn broadcast(&self, msg: &Value) {
        let frame: Arc<[u8]> = ws::text_frame(&msg.to_string()).into();
        let mut dropped = 0;
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| match c.queue.try_send(frame.clone()) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    dropped += 1;
                    false
                }
                Err(TrySendError::Disconnected(_)) => false,
            });
        }
        if dropped > 0 {
            eprintln!("dropped {dropped} live-reload client(s) that stopped reading");
        }
    }

    pub fn client_count(&self) -> usize {
        self.clients.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Take in a rebuild's result; returns the message for the pages, if any.
    fn absorb(&self, update: &Update, files: Arc<Files>, findings: Arc<Findings>) -> Option<Value> {
        let had_errors = self.errors.read().map(|e| e.is_some()).unwrap_or(false);
        if let Some(f) = &update.failure {
            let errors = f.to_json();
            if let Ok(mut e) = self.errors.write() {
                *e = Some(errors.clone());
            }
            return Some(json!({"type": "error", "errors": errors, "version": self.version()}));
        }
        if let Ok(mut s) = self.site.write() {
            *s = files;
        }
        if let Ok(mut f) = self.findings.write() {
            *f = findings;
        }
        if let Ok(mut e) = self.errors.write() {
            *e = None;
        }
        if update.changed.is_empty() && update.removed.is_empty() && !had_errors {
            return None;
        }
        let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
        if update.css_only() && !had_errors {
            return Some(json!({"type": "css", "paths": update.changed, "version": version}));
        }
        // A long list (a template edit) is just "everything".
        let all = had_errors || update.changed.len() + update.removed.len() > 2000;
        Some(json!({
            "type": "reload",
            "all": all,
            "changed": if all { Vec::new() } else { update.changed.clone() },
            "removed": if all { Vec::new() } else { update.removed.clone() },
            "version": version,
        }))
    }
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    crate::site::require_site(&args.root)?;
    let allowed = http::Allowed::new(args.bind, &args.allow_host).map_err(anyhow::Error::msg)?;
    let listener = TcpListener::bind((args.bind, args.port))
        .with_context(|| format!("could not listen on {}:{}", args.bind, args.port))?;
    let addr = listener.local_addr().context("could not read the bound address")?;
    if !args.bind.is_loopback() {
        eprintln!("warning: serving on {} makes the preview reachable from other machines on the network", args.bind);
    }
    let host = match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}", addr.port());
    let opts = BuildOptions {
        root: args.root.clone(),
        base_url: Some(url.clone()),
        drafts: args.drafts,
        future: args.future,
        plain_assets: true,
        cache: None,
    };
    let output = args.root.join("public");
    let watcher = Watcher::new(&args.root, &[output])?;
    let stop = crate::watch::stop_on_interrupt();

    let mut engine = Engine::new(opts);
    let state = Arc::new(State::new(allowed, Limits::from_env()));
    let first = engine.rebuild(None);
    report(&first);
    state.absorb(&first, engine.files(), engine.findings());
    if first.failure.is_none() {
        println!("Built the site in {} ms", first.elapsed.as_millis());
    }
    println!("Serving at {url}/ (Ctrl-C stops)");
    let _ = std::io::stdout().flush();

    {
        let state = state.clone();
        std::thread::Builder::new()
            .name("accept".into())
            .spawn(move || accept_loop(&listener, &state))
            .context("could not start the server thread")?;
    }
    if args.open {
        let _ = std::process::Command::new("xdg-open").arg(format!("{url}/")).spawn();
    }

    while let Some(batch) = watcher.next(&|| stop.load(Ordering::SeqCst)) {
        let got = std::time::Instant::now();
        let update = engine.rebuild(Some(&batch));
        report(&update);
        let msg = state.absorb(&update, engine.files(), engine.findings());
        if update.rerendered == 0 && !update.copied_only {
            // The old site is dropped only now that the server holds the new one.
            crate::incremental::release_freed_memory();
        }
        if update.failure.is_some() {
            eprintln!("error: the build failed; still serving the last good site");
        } else {
            println!("Rebuilt in {} ms: {}", update.elapsed.as_millis(), update.tally("changed"));
        }
        if let Some(m) = msg {
            state.broadcast(&m);
        }
        let _ = std::io::stdout().flush();
        if std::env::var_os("ATTACHE_TIMINGS").is_some() {
            eprintln!("  {:>7.1} ms  batch to broadcast", got.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

/// Hand each connection to a thread of its own while there is a [`Slot`];
/// beyond that, answer 503 at once (and say so at most every 10 s), so a
/// flood of idle or slow clients costs neither threads nor waiting.
fn accept_loop(listener: &TcpListener, state: &Arc<State>) {
    let mut last_warning: Option<Instant> = None;
    for conn in listener.incoming() {
        let conn = match conn {
            Ok(c) => c,
            Err(_) => {
                // Out of file descriptors, say: wait rather than spin.
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let Some(slot) = Slot::take(state) else {
            if last_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                eprintln!(
                    "refused connections: {} are open already (the preview server's limit)",
                    state.limits.max_connections
                );
                last_warning = Some(Instant::now());
            }
            http::refuse_busy(conn);
            continue;
        };
        let Ok(spare) = conn.try_clone() else { continue };
        let st = state.clone();
        if std::thread::Builder::new().spawn(move || http::handle(conn, st, slot)).is_err() {
            http::refuse_busy(spare);
        }
    }
}

/// Print a rebuild's diagnostics the way `attache build` does.
pub(crate) fn report(update: &Update) {
    if let Some(f) = update.failure.as_ref().or(update.warnings.as_ref()) {
        crate::cmd::report(&f.diagnostics, &f.sources, Format::Human);
    }
}
