//! The persistent build cache: `.attache-cache/` in the site root (or
//! `--cache-dir`), so that `attache build` redoes only what changed.
//!
//! What it keeps, each under a key made of everything the result depends on:
//!
//! - the corrector's report of each article (key: the corrector's settings
//!   and data, the article's text);
//! - each article's rendered Markdown (key: the site's inputs other than the
//!   articles, the site's structure, the article's text);
//! - a manifest per output directory: the key of every output file and the
//!   size, modification time and inode it had when written, plus which page
//!   values each template output read. An output whose key is unchanged and
//!   whose file is still the one written is not rendered again but linked
//!   from the previous output into the new one.
//!
//! Every key starts with the Attaché version and the cache format, so a new
//! release never reads an old cache. Every file carries a checksum and is
//! written to a temporary name and renamed, so concurrent builds never see a
//! half-written entry; an entry that does not decode is ignored (a cache
//! miss), never an error. Deleting the directory only costs time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The directory's default name, in the site root.
pub const DIR: &str = ".attache-cache";

/// Sub-directory of the images `resize_image` made, one entry per source
/// and operation (see [`crate::render::images`]).
pub const IMAGES: &str = "images";

/// Sub-directory of compiled Sass, one entry per state of the `sass/`
/// directories (see [`crate::render::sass`]).
pub const SASS: &str = "sass";

/// Bumped whenever an entry's layout changes.
const FORMAT: u32 = 2;

/// The first bytes of every cache file.
const MAGIC: &[u8; 8] = b"ATTACHE\x01";

/// A 64-bit key of anything hashable, seeded with the version so that keys
/// of different releases never meet.
///
/// FxHash rather than `std`'s SipHash: a build keys every article's whole
/// text and checks every cache entry it reads, and SipHash was a tenth of
/// a rebuild's work. Keys need no defence against chosen inputs (only the
/// site's own author writes them), only a spread that makes two different
/// inputs meet with odds of about 2^-64.
#[derive(Default)]
pub struct Key(rustc_hash::FxHasher);

impl Key {
    pub fn new() -> Self {
        let mut k = Key(rustc_hash::FxHasher::default());
        k.add(&salt());
        k
    }

    /// Feed one part (length-prefixed by `Hash`, so parts never run together).
    pub fn add<T: Hash + ?Sized>(&mut self, part: &T) -> &mut Self {
        part.hash(&mut self.0);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// What makes this binary's entries its own: the version and the format; a
/// development build also adds its executable's size and time, so that
/// changed code never reads what older code wrote.
fn salt() -> (u32, &'static str, u64) {
    static SALT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let exe = *SALT.get_or_init(|| {
        if cfg!(debug_assertions) {
            let meta = std::env::current_exe().and_then(std::fs::metadata);
            meta.map(|m| m.len() ^ mtime_ns(&m)).unwrap_or(0)
        } else {
            0
        }
    });
    (FORMAT, env!("CARGO_PKG_VERSION"), exe)
}

fn mtime_ns(m: &std::fs::Metadata) -> u64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs().wrapping_mul(1_000_000_000).wrapping_add(u64::from(d.subsec_nanos())))
}

/// A file's identity as written: if size, time and inode are unchanged, so are
/// the bytes (nobody else wrote to it since).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    mtime: u64,
    ino: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::symlink_metadata(path).ok().filter(std::fs::Metadata::is_file)?;
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let ino = 0;
        Some(Stamp { size: m.len(), mtime: mtime_ns(&m), ino })
    }
}

/// The cache directory, opened for one build.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// Open (create) the cache at `dir`; `None` when it cannot be created,
    /// and the build then runs without it.
    pub fn open(dir: &Path) -> Option<Cache> {
        let versioned = dir.join(format!("v{FORMAT}"));
        drop_other_formats(dir);
        for sub in ["docs", IMAGES, SASS] {
            std::fs::create_dir_all(versioned.join(sub)).ok()?;
        }
        let tag = dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            let _ = std::fs::write(
                &tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n# Attaché's build cache: safe to delete, never published.\n",
            );
        }
        Some(Cache { dir: versioned })
    }

    /// Decode the file `name`, or `None` if it is missing, from another
    /// version, damaged or not what `T` expects.
    pub fn read<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let bytes = std::fs::read(self.dir.join(name)).ok()?;
        decode(&bytes)
    }

    /// Write the file `name` atomically: a temporary file renamed over it.
    /// A failure is ignored: the next build simply misses.
    pub fn write<T: Serialize>(&self, name: &str, value: &T) {
        let Some(bytes) = encode(value) else { return };
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!("{name}.tmp-{}-{:x}", std::process::id(), unique()));
        if std::fs::write(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, &path).is_ok() {
            return;
        }
        let _ = std::fs::remove_file(&tmp);
    }

    /// Remove the entries under `sub` that this build did not use (so the
    /// cache holds one site's worth, not every version ever built), and
    /// temporary files of writers that died.
    pub fn prune(&self, sub: &str, used: &HashSet<String>) {
        let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) else { return };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let stale_tmp = name.contains(".tmp-")
                && e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|d| d.as_secs() > 3600));
            if (!name.contains(".tmp-") && !used.contains(&name)) || stale_tmp {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Remove the entries of other cache formats (`v1/` beside `v2/`): no
/// build of this binary reads them, and they would stay forever.
fn drop_other_formats(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let ours = format!("v{FORMAT}");
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let versioned = name.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if versioned && name != ours && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A number that differs between calls and processes, for temporary names.
fn unique() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    t ^ n.rotate_left(40)
}

/// Magic, payload length, checksum, payload.
fn encode<T: Serialize>(value: &T) -> Option<Vec<u8>> {
    use bincode::Options as _;
    let payload = bincode::DefaultOptions::new().serialize(&(salt(), value)).ok()?;
    let mut out = Vec::with_capacity(payload.len() + 24);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Some(out)
}

/// The inverse of [`encode`]; `None` for anything that is not a whole,
/// undamaged entry of this version.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (len, rest) = rest.split_first_chunk::<8>()?;
    let (sum, payload) = rest.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*len) != payload.len() as u64 || u64::from_le_bytes(*sum) != checksum(payload) {
        return None;
    }
    // Bounded: a length field inside cannot make bincode allocate more than the entry holds.
    use bincode::Options as _;
    let opts = bincode::DefaultOptions::new().with_limit(payload.len() as u64 * 4 + 1024);
    let (s, value): ((u32, String, u64), T) = opts.deserialize(payload).ok()?;
    let (format, version, exe) = salt();
    (s.0 == format && s.1 == version && s.2 == exe).then_some(value)
}

/// Catches a file cut short or overwritten (not a defence against forgery:
/// whoever can write the cache can write the site).
fn checksum(bytes: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// One output file as the last build left it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Written {
    pub key: u64,
    pub stamp: Stamp,
}

/// What the last build into one output directory did.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// Everything the build read, in one key: equal means nothing changed.
    pub input: u64,
    /// Whether that build reported no diagnostic at all (only then may a
    /// later build with the same input skip everything: there is nothing to print).
    pub clean: bool,
    /// The summary counts: pages, sections, terms, files; then the
    /// corrector's five.
    pub stats: [usize; 9],
    /// Output path → its key and file.
    pub outputs: BTreeMap<String, Written>,
    /// Template output path → the pages (`content_rel`) whose values it read.
    pub reads: HashMap<String, Vec<String>>,
}

/// The manifest's file name for the output directory `out`.
pub fn manifest_name(out: &Path) -> String {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    format!("build-{:016x}.bin", Key::new().add(&abs).finish())
}

impl Manifest {
    /// Whether `rel` in `out` is still exactly what the last build wrote
    /// there with key `key`.
    pub fn still_there(&self, out: &Path, rel: &str, key: u64) -> bool {
        self.outputs.get(rel).is_some_and(|w| w.key == key && Stamp::of(&out.join(rel)) == Some(w.stamp))
    }

    /// Whether `out` holds exactly the files the last build wrote, unchanged
    /// (besides the marker and `keep`ed dotfiles).
    pub fn intact(&self, out: &Path, keep: impl Fn(&str) -> bool) -> bool {
        let mut seen = 0usize;
        for e in walkdir::WalkDir::new(out).min_depth(1) {
            let Ok(e) = e else { return false };
            if e.file_type().is_dir() {
                continue;
            }
            let Ok(rel) = e.path().strip_prefix(out) else { return false };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel == crate::outdir::MARKER || keep(rel.split('/').next().unwrap_or("")) {
                continue;
            }
            match self.outputs.get(&rel) {
                Some(w) if Stamp::of(e.path()) == Some(w.stamp) => seen += 1,
                _ => return false,
            }
        }
        seen == self.outputs.len()
    }
}

/// Rendered Markdown as the cache keeps it (no diagnostics: a document with
/// any is always rendered again, so its messages are never stale).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocEntry {
    pub html: String,
    pub summary: Option<String>,
    pub toc: Vec<crate::render::markdown::TocEntry>,
    pub word_count: usize,
    pub ids: Vec<String>,
    /// Target, anchor, span start and end.
    pub anchors: Vec<(Option<String>, String, usize, usize)>,
    /// The page's search terms (see [`crate::render::search::doc_terms`]).
    pub terms: crate::render::search::DocTerms,
    /// Each class name in the HTML, with how often it occurs.
    pub classes: Vec<(String, usize)>,
}

/// A report's key in the corrector's own cache: data id and SHA-1.
pub type ReportKey = (u64, [u8; 20]);

/// A change as stored: span start and end, before, after, rule, confidence,
/// applied, reason.
type StoredChange = (usize, usize, String, String, String, f32, bool, String);

/// The correction reports this build found in or added to the cache.
#[derive(Default)]
pub struct Reports {
    pub known: HashMap<ReportKey, crate::correct::Report>,
    pub used: Mutex<Vec<(ReportKey, crate::correct::Report)>>,
}

/// A report as stored: the rule by name.
#[derive(Serialize, Deserialize)]
struct StoredReport {
    changes: Vec<StoredChange>,
    spin_score: f32,
    spun: bool,
    words: usize,
    odd_per_k: f32,
    weak_per_k: f32,
    gate_odd: (usize, usize),
}

const REPORTS: &str = "reports.bin";

impl Reports {
    pub fn load(cache: &Cache) -> Reports {
        let stored: Vec<(ReportKey, StoredReport)> = cache.read(REPORTS).unwrap_or_default();
        let known = stored.into_iter().map(|(k, r)| (k, from_stored(r))).collect();
        Reports { known, used: Mutex::default() }
    }

    /// Keep the reports this build used, and only those.
    pub fn save(&self, cache: &Cache) {
        let Ok(mut used) = self.used.lock() else { return };
        used.sort_by_key(|a| a.0);
        used.dedup_by(|a, b| a.0 == b.0);
        let stored: Vec<(ReportKey, StoredReport)> = used.iter().map(|(k, r)| (*k, to_stored(r))).collect();
        cache.write(REPORTS, &stored);
    }
}

fn to_stored(r: &crate::correct::Report) -> StoredReport {
    StoredReport {
        changes: r
            .changes
            .iter()
            .map(|c| {
                (
                    c.span.start,
                    c.span.end,
                    c.before.clone(),
                    c.after.clone(),
                    c.rule.to_string(),
                    c.confidence,
                    c.applied,
                    c.reason.clone(),
                )
            })
            .collect(),
        spin_score: r.spin_score,
        spun: r.spun,
        words: r.words,
        odd_per_k: r.odd_per_k,
        weak_per_k: r.weak_per_k,
        gate_odd: r.gate_odd,
    }
}

fn from_stored(s: StoredReport) -> crate::correct::Report {
    crate::correct::Report {
        changes: s
            .changes
            .into_iter()
            .map(|(start, end, before, after, rule, confidence, applied, reason)| crate::correct::Change {
                span: start..end,
                before,
                after,
                rule: intern(&rule),
                confidence,
                applied,
                reason,
            })
            .collect(),
        spin_score: s.spin_score,
        spun: s.spun,
        words: s.words,
        odd_per_k: s.odd_per_k,
        weak_per_k: s.weak_per_k,
        gate_odd: s.gate_odd,
        ..Default::default()
    }
}

/// The rule ids are `&'static str`; the few distinct ones read back are
/// leaked once each.
fn intern(s: &str) -> &'static str {
    static SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let Ok(mut seen) = SEEN.lock() else { return "unknown" };
    if let Some(x) = seen.iter().find(|x| **x == s) {
        return x;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    seen.push(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_entries_read_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.write("x.bin", &vec![1u32, 2, 3]);
        assert_eq!(cache.read::<Vec<u32>>("x.bin"), Some(vec![1, 2, 3]));
        let path = dir.path().join(format!("v{FORMAT}/x.bin"));
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.read::<Vec<u32>>("x.bin"), None);
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert_eq!(cache.read::<Vec<u32>>("x.bin"), None);
        assert_eq!(cache.read::<String>("missing.bin"), None);
    }
}
