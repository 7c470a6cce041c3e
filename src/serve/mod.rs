//! `attache serve`: build, serve the site from memory, watch, rebuild, and
//! tell every open page what changed.
//!
//! One thread accepts connections (one thread each, since a preview server
//! sees a handful of tabs); the main thread waits on the watcher and runs the
//! [`Engine`]. The served site is an `Arc` swapped whole after a good build, so
//! a request never sees half of one; after a failed build the old `Arc` stays
//! and the pages are sent the error for their overlay.

pub mod http;
pub mod ws;

use std::io::Write as _;
use std::net::{IpAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::cli::ServeArgs;
use crate::diagnostics::Format;
use crate::incremental::{Engine, Files, Findings, Update};
use crate::site::BuildOptions;
use crate::watch::Watcher;

/// What request threads share with the rebuild loop.
#[derive(Default)]
pub struct State {
    site: RwLock<Arc<Files>>,
    findings: RwLock<Arc<Findings>>,
    /// The current build errors (overlay JSON), if the last build failed.
    errors: RwLock<Option<Value>>,
    version: AtomicU64,
    clients: Mutex<Vec<(u64, TcpStream)>>,
    next_id: AtomicU64,
}

impl State {
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

    fn add_client(&self, stream: TcpStream) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut c) = self.clients.lock() {
            c.push((id, stream));
        }
        id
    }

    fn remove_client(&self, id: u64) {
        if let Ok(mut c) = self.clients.lock() {
            c.retain(|(i, _)| *i != id);
        }
    }

    fn send_raw(&self, id: u64, bytes: &[u8]) -> std::io::Result<()> {
        let mut c = self.clients.lock().map_err(|_| std::io::Error::other("poisoned"))?;
        match c.iter_mut().find(|(i, _)| *i == id) {
            Some((_, s)) => s.write_all(bytes),
            None => Ok(()),
        }
    }

    fn send_to(&self, id: u64, text: &str) -> std::io::Result<()> {
        self.send_raw(id, &ws::text_frame(text))
    }

    /// Send a message to every open page; drop those that are gone.
    pub fn broadcast(&self, msg: &Value) {
        let frame = ws::text_frame(&msg.to_string());
        if let Ok(mut c) = self.clients.lock() {
            c.retain_mut(|(_, s)| s.write_all(&frame).is_ok());
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
    };
    let output = args.root.join("public");
    let watcher = Watcher::new(&args.root, &[output])?;
    let stop = crate::watch::stop_on_interrupt();

    let mut engine = Engine::new(opts);
    let state = Arc::new(State::default());
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
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let state = state.clone();
                std::thread::spawn(move || http::handle(conn, state));
            }
        });
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

/// Print a rebuild's diagnostics the way `attache build` does.
pub(crate) fn report(update: &Update) {
    if let Some(f) = update.failure.as_ref().or(update.warnings.as_ref()) {
        crate::cmd::report(&f.diagnostics, &f.sources, Format::Human);
    }
}
