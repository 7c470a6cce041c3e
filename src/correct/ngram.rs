//! A compact, quantised back-off trigram model of general US English: the
//! corrector's context model, read in place like [`super::lm`].
//!
//! The shipped file, `data/correct/en-us.bin`, is converted by `attache-lm
//! --sphinx` from CMU Sphinx's US-English trigram (`en-us.lm.bin`, BSD-2-Clause;
//! see `data/correct/LM.md`). The model is an ARPA-style back-off model: each
//! n-gram has a log-probability and, if it can be a context, a back-off weight.
//!
//! ```text
//! ln P(w | u v) = p3(u v w)                 if the trigram is stored
//!               = bo(u v) + ln P(w | v)     otherwise (bo = 0 if "u v" is not stored)
//! ln P(w | v)   = p2(v w)                   if the bigram is stored
//!               = bo(v) + ln P(w)           otherwise
//! ln P(w)       = p1(w), or the unknown-word floor
//! ```
//!
//! All logs are natural. [`BOS`] as the predicted word scores 0: it only ever
//! follows a sentence end, with certainty.
//!
//! # Keys
//!
//! N-grams are keyed by [`super::lm::ngram_key`] (case-insensitive, curly
//! apostrophes and Unicode hyphens folded, FNV-1a + `fmix64`), so lookups
//! hash the words as they go and never allocate. A table of `n` entries has
//! `2^b` buckets (about four entries each) addressed by the key's top `b`
//! bits; each record stores the next 24 bits as its fingerprint, so an
//! n-gram the model lacks matches a stored one with probability about
//! 4 / 2^24 per lookup. Build-time collisions (two n-grams with the same
//! `b + 24` bits) keep the more probable one; the converter reports them.
//!
//! # Quantisation
//!
//! Unigram log-probabilities and back-offs are stored as `f32` (they also give
//! [`BackoffModel::frequency`]). Bigram and trigram values are 8-bit codes
//! into a per-table codebook of 256 `f32` centres, fitted by Lloyd's
//! algorithm (1-D k-means) so the mean squared error is small where the
//! values are dense; the converter prints the RMS error.
//!
//! # File format (version 1, little-endian)
//!
//! ```text
//! 0    magic "ATTACHBO"      8  version u32      12 header length u32 (256)
//! 16   file length u64       24 unknown-word ln P f32    28 reserved u32
//! 32   three table descriptors (unigrams, bigrams, trigrams), 48 bytes each:
//!        0 entries u32, 4 bucket bits u8, 5 prob width u8, 6 back-off width u8,
//!        7 reserved u8, 8 records offset u64, 16 buckets offset u64,
//!        24 prob codebook offset u64, 32 back-off codebook offset u64, 40 reserved u64
//! 232  body checksum u64 (of bytes 256..)     248 header checksum u64 (FNV-1a 64 of bytes 0..248)
//! ```
//!
//! A record is a 24-bit fingerprint, then the log-probability and back-off
//! fields: width 4 is an `f32`, width 1 a code into the codebook (256 `f32`),
//! width 0 absent. Records are sorted by (bucket, fingerprint); the buckets
//! are `2^b + 1` u32 record starts. Every read is bounds-checked, so a damaged
//! body gives wrong numbers, never a panic; [`BackoffModel::from_bytes`] reads
//! only the header (the load is O(1)), and [`BackoffModel::verify`] checks the
//! body checksum (a full scan the converter and the tests run).

use std::sync::LazyLock;

use super::lm::{BOS, KeyHasher, LoadError, body_checksum, check_header, fnv64, rd_f32, rd_u32, rd_u64, start};

const MAGIC: [u8; 8] = *b"ATTACHBO";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 256;
const UNKNOWN_AT: usize = 24;
const TABLES_AT: usize = 32;
const DESC_LEN: usize = 48;
const BODY_SUM_AT: usize = 232;
const HEADER_SUM_AT: usize = 248;
const FP_BYTES: usize = 3;
const FP_BITS: u32 = 24;
const CODES: usize = 256;
const MAX_BUCKET_BITS: u32 = 26;
/// Entries per bucket the builder aims at.
const BUCKET_LOAD: usize = 4;
/// Field widths (log-probability, back-off) per order, as the builder writes them.
const WIDTHS: [(u8, u8); 3] = [(4, 4), (1, 1), (1, 0)];

fn rd_u24(b: &[u8], off: usize) -> u32 {
    b.get(off..off.saturating_add(3)).map_or(0, |s| u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

/// The fingerprint a table of `bits` bucket bits stores for `key`.
fn fingerprint(key: u64, bits: u32) -> u32 {
    ((key << bits) >> (64 - FP_BITS)) as u32
}

/// One value column of a table.
#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Absent,
    /// An `f32` at this byte of the record.
    Float(usize),
    /// A code byte at this byte of the record, into the codebook.
    Code(usize, &'a [u8]),
}

#[derive(Debug, Clone, Copy)]
struct Table<'a> {
    recs: &'a [u8],
    buckets: &'a [u8],
    len: usize,
    bits: u32,
    rec: usize,
    prob: Field<'a>,
    bo: Field<'a>,
}

impl<'a> Table<'a> {
    /// The table described at descriptor `index`, with every section checked
    /// to lie inside `data`.
    fn parse(data: &'a [u8], index: usize) -> Result<Self, LoadError> {
        let d = TABLES_AT + index * DESC_LEN;
        let bad = |why| LoadError::BadTable { table: index, why };
        let len = rd_u32(data, d) as usize;
        let (bits, pw, bw) = (u32::from(data[d + 4]), data[d + 5], data[d + 6]);
        if bits > MAX_BUCKET_BITS {
            return Err(bad("bucket bits"));
        }
        if !matches!(pw, 1 | 4) || !matches!(bw, 0 | 1 | 4) {
            return Err(bad("field width"));
        }
        let rec = FP_BYTES + usize::from(pw) + usize::from(bw);
        let section = |off_at: usize, size: Option<usize>, why| -> Result<&'a [u8], LoadError> {
            let off = usize::try_from(rd_u64(data, off_at)).map_err(|_| bad(why))?;
            let end = size.and_then(|s| off.checked_add(s)).ok_or(bad(why))?;
            if off < HEADER_LEN || end > data.len() {
                return Err(bad(why));
            }
            Ok(&data[off..end])
        };
        let recs = section(d + 8, len.checked_mul(rec), "records out of bounds")?;
        let buckets = section(d + 16, ((1usize << bits) + 1).checked_mul(4), "buckets out of bounds")?;
        let field = |width: u8, at: usize, book_at: usize| -> Result<Field<'a>, LoadError> {
            Ok(match width {
                0 => Field::Absent,
                1 => Field::Code(at, section(book_at, Some(CODES * 4), "codebook out of bounds")?),
                _ => Field::Float(at),
            })
        };
        let prob = field(pw, FP_BYTES, d + 24)?;
        let bo = field(bw, FP_BYTES + usize::from(pw), d + 32)?;
        Ok(Table { recs, buckets, len, bits, rec, prob, bo })
    }

    /// The record index of `key`, by bisection inside its bucket.
    fn find(&self, key: u64) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let b = if self.bits == 0 { 0 } else { (key >> (64 - self.bits)) as usize };
        let mut lo = (rd_u32(self.buckets, b * 4) as usize).min(self.len);
        let mut hi = (rd_u32(self.buckets, b * 4 + 4) as usize).min(self.len);
        let fp = fingerprint(key, self.bits);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match rd_u24(self.recs, mid * self.rec).cmp(&fp) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn value(&self, field: Field<'_>, i: usize) -> f32 {
        let base = i * self.rec;
        match field {
            Field::Absent => 0.0,
            Field::Float(at) => rd_f32(self.recs, base + at),
            Field::Code(at, book) => {
                let code = self.recs.get(base + at).copied().unwrap_or(0);
                rd_f32(book, usize::from(code) * 4)
            }
        }
    }

    fn prob(&self, i: usize) -> f32 {
        self.value(self.prob, i)
    }
    fn backoff(&self, i: usize) -> f32 {
        self.value(self.bo, i)
    }
}

/// A back-off trigram model read in place from its file bytes.
#[derive(Debug, Clone)]
pub struct BackoffModel<'a> {
    data: &'a [u8],
    tables: [Table<'a>; 3],
    unknown: f32,
}

static EMBEDDED: &[u8] = include_bytes!("../../data/correct/en-us.bin");

static MODEL: LazyLock<Result<BackoffModel<'static>, LoadError>> = LazyLock::new(|| BackoffModel::from_bytes(EMBEDDED));

impl BackoffModel<'static> {
    /// The model embedded from `data/correct/en-us.bin`, or `None` if that
    /// file is not a valid model (the corrector then scores without context
    /// rather than failing).
    pub fn try_get() -> Option<&'static BackoffModel<'static>> {
        MODEL.as_ref().ok()
    }

    /// The embedded model; for tests and tools, which should fail loudly.
    pub fn get() -> &'static BackoffModel<'static> {
        match MODEL.as_ref() {
            Ok(m) => m,
            Err(e) => panic!("embedded data/correct/en-us.bin is not a valid model (run attache-lm --sphinx): {e}"),
        }
    }
}

impl<'a> BackoffModel<'a> {
    /// Read a model in place, checking the header (magic, version, header
    /// checksum, file length, section bounds, field widths). Does not scan
    /// the body: see [`BackoffModel::verify`].
    pub fn from_bytes(data: &'a [u8]) -> Result<Self, LoadError> {
        check_header(data, MAGIC, VERSION)?;
        let unknown = rd_f32(data, UNKNOWN_AT);
        if !(unknown.is_finite() && unknown < 0.0) {
            return Err(LoadError::BadParameter("unknown-word floor"));
        }
        let tables = [Table::parse(data, 0)?, Table::parse(data, 1)?, Table::parse(data, 2)?];
        Ok(BackoffModel { data, tables, unknown })
    }

    /// Check the body checksum: a full scan of the file (milliseconds).
    pub fn verify(&self) -> Result<(), LoadError> {
        if body_checksum(&self.data[HEADER_LEN..]) == rd_u64(self.data, BODY_SUM_AT) {
            Ok(())
        } else {
            Err(LoadError::BodyChecksum)
        }
    }

    /// Entries in the unigram, bigram and trigram tables.
    pub fn entries(&self) -> [usize; 3] {
        [self.tables[0].len, self.tables[1].len, self.tables[2].len]
    }

    /// Size of the file the model reads from.
    pub fn file_len(&self) -> usize {
        self.data.len()
    }

    /// The log-probability a word the model has never seen gets.
    pub fn unknown_logprob(&self) -> f32 {
        self.unknown
    }

    /// `ln P(word)` with no context, if the model knows the word.
    pub fn unigram_logprob(&self, word: &str) -> Option<f32> {
        let uni = &self.tables[0];
        uni.find(start(word).finish()).map(|i| uni.prob(i))
    }

    /// Whether the model knows `word` (case-insensitive).
    pub fn is_known(&self, word: &str) -> bool {
        self.unigram_logprob(word).is_some()
    }

    /// Share of running text that is `word`: its unigram probability, 0 when
    /// unknown. The sentence markers count 0.
    pub fn frequency(&self, word: &str) -> f32 {
        if word == BOS {
            return 0.0;
        }
        self.unigram_logprob(word).map_or(0.0, |lp| lp.min(0.0).exp())
    }

    /// `ln P(w | v)` given the hasher of `v` (see the module docs).
    fn bigram(&self, hv: KeyHasher, w: &str) -> f32 {
        let [uni, bi, _] = &self.tables;
        if let Some(i) = bi.find(hv.then(w).finish()) {
            return bi.prob(i);
        }
        let p1 = uni.find(start(w).finish()).map_or(self.unknown, |i| uni.prob(i));
        uni.find(hv.finish()).map_or(0.0, |i| uni.backoff(i)) + p1
    }

    /// Natural log of P(`w` | `w1` `w2`), where `w2` is the word just before
    /// `w` and `w1` the one before that (`None` where there is none; pass
    /// [`BOS`] for a sentence start). Case-insensitive; never positive, never
    /// NaN; allocation-free.
    pub fn logprob(&self, w1: Option<&str>, w2: Option<&str>, w: &str) -> f32 {
        if w == BOS {
            return 0.0;
        }
        let lp = match w2 {
            None => self.unigram_logprob(w).unwrap_or(self.unknown),
            Some(v) => {
                let hv = start(v);
                match w1 {
                    None => self.bigram(hv, w),
                    Some(u) => {
                        let [_, bi, tri] = &self.tables;
                        let huv = start(u).then(v);
                        match tri.find(huv.then(w).finish()) {
                            Some(i) => tri.prob(i),
                            None => bi.find(huv.finish()).map_or(0.0, |i| bi.backoff(i)) + self.bigram(hv, w),
                        }
                    }
                }
            }
        };
        if lp.is_finite() { lp.min(0.0) } else { self.unknown }
    }

    /// Log-probability of `words` as one whole sentence, after [`BOS`] and
    /// with the final [`super::lm::EOS`].
    pub fn sentence_logprob(&self, words: &[&str]) -> f32 {
        let mut sum = 0.0f64;
        let (mut prev2, mut prev1): (Option<&str>, &str) = (None, BOS);
        for &w in words.iter().chain(std::iter::once(&super::lm::EOS)) {
            sum += f64::from(self.logprob(prev2, Some(prev1), w));
            (prev2, prev1) = (Some(prev1), w);
        }
        sum as f32
    }

    /// Log-probability of `words[from..]`, each given the up to two words
    /// before it in `words` (the engine's `ContextModel::score`).
    pub fn window_logprob(&self, words: &[&str], from: usize) -> f32 {
        let mut sum = 0.0f64;
        for i in from..words.len() {
            let w2 = i.checked_sub(1).map(|j| words[j]);
            let w1 = i.checked_sub(2).map(|j| words[j]);
            sum += f64::from(self.logprob(w1, w2, words[i]));
        }
        sum as f32
    }
}

// ---------------------------------------------------------------------------
// Writing a model
// ---------------------------------------------------------------------------

/// What [`BackoffBuilder::build`] did, for the converter's report.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Entries written per order.
    pub entries: [usize; 3],
    /// N-grams dropped per order because another had the same stored key.
    pub merged: [usize; 3],
    /// RMS quantisation error (natural log) of log-probabilities and back-offs.
    pub rms_error: [(f64, f64); 3],
    pub file_len: usize,
}

/// Collects n-grams with their log-probabilities and back-offs and writes
/// the file format of the module docs.
#[derive(Debug, Clone)]
pub struct BackoffBuilder {
    grams: [Vec<(u64, f32, f32)>; 3],
    unknown: f32,
}

/// 256 centres for `values`, fitted by Lloyd's algorithm from quantile
/// starts, in ascending order.
fn codebook(values: &[f32]) -> Vec<f32> {
    let mut v: Vec<f64> = values.iter().map(|&x| f64::from(x)).filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return vec![0.0; CODES];
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for x in &v {
        prefix.push(prefix[prefix.len() - 1] + x);
    }
    let mut c: Vec<f64> = (0..CODES).map(|k| v[((2 * k + 1) * n) / (2 * CODES)]).collect();
    for _ in 0..40 {
        let mut from = 0;
        for k in 0..CODES {
            let to = if k + 1 == CODES {
                n
            } else {
                let mid = (c[k] + c[k + 1]) / 2.0;
                v.partition_point(|&x| x < mid).max(from)
            };
            if to > from {
                c[k] = (prefix[to] - prefix[from]) / (to - from) as f64;
            }
            from = to;
        }
        c.sort_by(f64::total_cmp);
    }
    c.into_iter().map(|x| x as f32).collect()
}

/// The code of the centre nearest `x` in the ascending `book`.
fn encode(book: &[f32], x: f32) -> u8 {
    let i = book.partition_point(|&c| c < x).min(book.len() - 1);
    let best = if i > 0 && (x - book[i - 1]).abs() <= (book[i] - x).abs() { i - 1 } else { i };
    best as u8
}

fn pad_to(out: &mut Vec<u8>, align: usize) {
    while !out.len().is_multiple_of(align) {
        out.push(0);
    }
}

impl BackoffBuilder {
    /// An empty model whose unknown words get `unknown_logprob` (natural log).
    pub fn new(unknown_logprob: f32) -> Self {
        BackoffBuilder { grams: Default::default(), unknown: unknown_logprob }
    }

    /// Add an n-gram of one to three words with its natural-log probability
    /// and back-off (ignored for trigrams). False (and nothing added) for any
    /// other length or a non-finite probability.
    pub fn add(&mut self, words: &[&str], logprob: f32, backoff: f32) -> bool {
        if words.is_empty() || words.len() > 3 || !logprob.is_finite() {
            return false;
        }
        let bo = if backoff.is_finite() { backoff } else { 0.0 };
        self.grams[words.len() - 1].push((super::lm::ngram_key(words), logprob, bo));
        true
    }

    /// The file bytes. Deterministic: the same n-grams give the same bytes
    /// in any order of adding (ties between colliding keys go to the more
    /// probable n-gram, then the smaller values).
    pub fn build(&self) -> (Vec<u8>, BuildReport) {
        let mut out = vec![0u8; HEADER_LEN];
        let mut report = BuildReport::default();
        for (n, grams) in self.grams.iter().enumerate() {
            self.write_table(&mut out, n, grams, &mut report);
        }
        let len = out.len() as u64;
        out[..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        out[16..24].copy_from_slice(&len.to_le_bytes());
        out[UNKNOWN_AT..UNKNOWN_AT + 4].copy_from_slice(&self.unknown.to_le_bytes());
        let body = body_checksum(&out[HEADER_LEN..]);
        out[BODY_SUM_AT..BODY_SUM_AT + 8].copy_from_slice(&body.to_le_bytes());
        let head = fnv64(&out[..HEADER_SUM_AT]);
        out[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&head.to_le_bytes());
        report.file_len = out.len();
        (out, report)
    }

    /// Append table `n` (records, buckets, codebooks) and fill its descriptor.
    fn write_table(&self, out: &mut Vec<u8>, n: usize, grams: &[(u64, f32, f32)], report: &mut BuildReport) {
        let (pw, bw) = WIDTHS[n];
        let mut bits = 0u32;
        while (grams.len() >> bits) > BUCKET_LOAD && bits < MAX_BUCKET_BITS {
            bits += 1;
        }
        let stored = |key: u64| key >> (64 - bits - FP_BITS);
        let mut rows = grams.to_vec();
        // Most probable first among equal stored keys, so dedup keeps it.
        rows.sort_by(|a, b| {
            stored(a.0).cmp(&stored(b.0)).then(b.1.total_cmp(&a.1)).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0))
        });
        let before = rows.len();
        rows.dedup_by_key(|r| stored(r.0));
        report.merged[n] = before - rows.len();
        report.entries[n] = rows.len();

        let probs: Vec<f32> = rows.iter().map(|r| r.1).collect();
        let bos: Vec<f32> = rows.iter().map(|r| r.2).collect();
        let pbook = (pw == 1).then(|| codebook(&probs));
        let bbook = (bw == 1).then(|| codebook(&bos));
        let mut err = [0.0f64; 2];

        pad_to(out, 8);
        let recs_at = out.len();
        let field = |out: &mut Vec<u8>, width: u8, book: &Option<Vec<f32>>, x: f32, err: &mut f64| match (width, book) {
            (4, _) => out.extend_from_slice(&x.to_le_bytes()),
            (1, Some(book)) => {
                let code = encode(book, x);
                *err += f64::from(book[usize::from(code)] - x).powi(2);
                out.push(code);
            }
            _ => {}
        };
        for r in &rows {
            let fp = fingerprint(r.0, bits);
            out.extend_from_slice(&fp.to_le_bytes()[..FP_BYTES]);
            field(out, pw, &pbook, r.1, &mut err[0]);
            field(out, bw, &bbook, r.2, &mut err[1]);
        }
        let rms = |e: f64| if rows.is_empty() { 0.0 } else { (e / rows.len() as f64).sqrt() };
        report.rms_error[n] = (rms(err[0]), rms(err[1]));

        pad_to(out, 8);
        let buckets_at = out.len();
        let mut next = 0usize;
        for b in 0..=(1u64 << bits) {
            while next < rows.len() && (if bits == 0 { 0 } else { rows[next].0 >> (64 - bits) }) < b {
                next += 1;
            }
            out.extend_from_slice(&(next as u32).to_le_bytes());
        }
        let book_at = |book: &Option<Vec<f32>>, out: &mut Vec<u8>| -> u64 {
            let Some(book) = book else { return 0 };
            let at = out.len() as u64;
            for c in book {
                out.extend_from_slice(&c.to_le_bytes());
            }
            at
        };
        let pbook_at = book_at(&pbook, out);
        let bbook_at = book_at(&bbook, out);

        let d = TABLES_AT + n * DESC_LEN;
        out[d..d + 4].copy_from_slice(&(rows.len() as u32).to_le_bytes());
        out[d + 4] = bits as u8;
        out[d + 5] = pw;
        out[d + 6] = bw;
        out[d + 8..d + 16].copy_from_slice(&(recs_at as u64).to_le_bytes());
        out[d + 16..d + 24].copy_from_slice(&(buckets_at as u64).to_le_bytes());
        out[d + 24..d + 32].copy_from_slice(&pbook_at.to_le_bytes());
        out[d + 32..d + 40].copy_from_slice(&bbook_at.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny hand-made back-off model (natural logs).
    fn small() -> Vec<u8> {
        let mut b = BackoffBuilder::new(-16.0);
        for (w, p, bo) in [
            ("<s>", -99.0, -0.5),
            ("</s>", -2.0, 0.0),
            ("the", -2.5, -0.7),
            ("cold", -7.0, -0.4),
            ("war", -6.5, -0.3),
            ("chilly", -9.0, -0.2),
            ("warfare", -9.5, -0.1),
        ] {
            assert!(b.add(&[w], p, bo));
        }
        for (v, w, p, bo) in [("the", "cold", -3.0, -0.6), ("cold", "war", -0.8, -0.9), ("<s>", "the", -1.5, -0.3)] {
            assert!(b.add(&[v, w], p, bo));
        }
        assert!(b.add(&["the", "cold", "war"], -0.2, 0.0));
        assert!(!b.add(&[], -1.0, 0.0));
        assert!(!b.add(&["a", "b", "c", "d"], -1.0, 0.0));
        assert!(!b.add(&["a"], f32::NAN, 0.0));
        b.build().0
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 0.02
    }

    #[test]
    fn round_trip_follows_katz_back_off() {
        let bytes = small();
        let m = BackoffModel::from_bytes(&bytes).unwrap();
        m.verify().unwrap();
        assert_eq!(m.entries(), [7, 3, 1]);
        assert_eq!(m.file_len(), bytes.len());
        // Stored n-grams, at each order.
        assert_eq!(m.logprob(None, None, "war"), -6.5);
        assert!(close(m.logprob(None, Some("cold"), "war"), -0.8));
        assert!(close(m.logprob(Some("the"), Some("cold"), "war"), -0.2));
        assert!(close(m.logprob(Some("THE"), Some("Cold"), "War"), -0.2), "case-insensitive");
        // Backing off: trigram absent → bo(u v) + P(w | v); bigram absent → bo(v) + P(w).
        assert!(close(m.logprob(None, Some("cold"), "warfare"), -0.4 - 9.5));
        assert!(close(m.logprob(Some("the"), Some("cold"), "warfare"), -0.6 - 0.4 - 9.5));
        assert!(close(m.logprob(Some("chilly"), Some("cold"), "war"), -0.8), "context not stored: no back-off");
        assert!(close(m.logprob(Some("zebra"), Some("okapi"), "war"), -6.5));
        assert_eq!(m.logprob(None, None, "zebra"), -16.0);
        assert_eq!(m.logprob(None, Some("cold"), "<s>"), 0.0);
        assert!(m.is_known("Cold") && !m.is_known("zebra"));
        assert!((m.frequency("the") - (-2.5f32).exp()).abs() < 1e-6);
        assert_eq!(m.frequency("zebra"), 0.0);
        assert_eq!(m.frequency("<s>"), 0.0);
        let good = m.sentence_logprob(&["the", "cold", "war"]);
        let spun = m.sentence_logprob(&["the", "chilly", "warfare"]);
        assert!(good > spun, "{good} {spun}");
        assert!(close(m.window_logprob(&["the", "cold", "war"], 2), -0.2));
        assert_eq!(BackoffModel::from_bytes(&small()).unwrap().data, &bytes[..], "deterministic");
    }

    #[test]
    fn codebook_quantises_closely() {
        let values: Vec<f32> = (0..10_000).map(|i| -((i as f32) * 0.0013).powf(1.5)).collect();
        let book = codebook(&values);
        assert!(book.windows(2).all(|w| w[0] <= w[1]));
        let errs: Vec<f32> = values.iter().map(|&x| (book[usize::from(encode(&book, x))] - x).abs()).collect();
        let worst = errs.iter().copied().fold(0.0, f32::max);
        let rms = (errs.iter().map(|e| e * e).sum::<f32>() / errs.len() as f32).sqrt();
        // Values span 47 units: uniform 8-bit steps would give RMS 0.05.
        assert!(rms < 0.06 && worst < 0.2, "rms {rms}, worst {worst}");
        assert_eq!(codebook(&[]).len(), CODES);
    }

    fn reseal(bytes: &mut [u8]) {
        let sum = fnv64(&bytes[..HEADER_SUM_AT]);
        bytes[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
    }

    #[test]
    fn corrupt_or_truncated_files_are_load_errors() {
        let good = small();
        assert_eq!(BackoffModel::from_bytes(&[]).unwrap_err(), LoadError::TooShort(0));
        for cut in (0..good.len()).step_by(7) {
            assert!(BackoffModel::from_bytes(&good[..cut]).is_err(), "truncated to {cut}");
        }
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(BackoffModel::from_bytes(&bad).unwrap_err(), LoadError::BadMagic);
        let mut bad = good.clone();
        bad[8] = 7;
        assert_eq!(BackoffModel::from_bytes(&bad).unwrap_err(), LoadError::UnsupportedVersion(7));
        for at in [16, 24, 33, 40, 90, 130, 180, 233] {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            assert_eq!(BackoffModel::from_bytes(&bad).unwrap_err(), LoadError::HeaderChecksum, "byte {at}");
        }
        // Consistent header checksum, impossible contents.
        let edits: [(usize, &[u8]); 6] = [
            (TABLES_AT + 8, &u64::MAX.to_le_bytes()),
            (TABLES_AT + DESC_LEN + 16, &(good.len() as u64).to_le_bytes()),
            (TABLES_AT + 4, &[40]),
            (TABLES_AT + 5, &[3]),
            (TABLES_AT + DESC_LEN + 24, &(good.len() as u64 - 10).to_le_bytes()),
            (UNKNOWN_AT, &f32::NAN.to_le_bytes()),
        ];
        for (at, v) in edits {
            let mut bad = good.clone();
            bad[at..at + v.len()].copy_from_slice(v);
            reseal(&mut bad);
            assert!(BackoffModel::from_bytes(&bad).is_err(), "edit at {at}");
        }
        // A damaged body loads (no scan) but fails verify; lookups never panic.
        let mut bad = good.clone();
        for b in bad[HEADER_LEN..].iter_mut().step_by(3) {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        let m = BackoffModel::from_bytes(&bad).unwrap();
        assert_eq!(m.verify().unwrap_err(), LoadError::BodyChecksum);
        for w in ["the", "cold", "war", "zebra", "<s>", "</s>"] {
            assert!(!m.logprob(Some("the"), Some("cold"), w).is_nan());
            let _ = m.frequency(w);
        }
    }

    #[test]
    fn embedded_model_prefers_common_trigrams() {
        let t = std::time::Instant::now();
        let m = BackoffModel::get();
        let load = t.elapsed();
        assert!(load.as_millis() < 50, "load took {load:?}");
        assert!(m.entries().iter().all(|&n| n > 1000), "{:?}", m.entries());
        for (good, scrambled) in [
            (["one", "of", "the"], ["the", "of", "one"]),
            (["according", "to", "the"], ["to", "the", "according"]),
            (["in", "order", "to"], ["order", "to", "in"]),
        ] {
            let (g, s) = (m.window_logprob(&good, 0), m.window_logprob(&scrambled, 0));
            assert!(g > s, "{good:?} {g} vs {scrambled:?} {s}");
        }
        assert!(m.frequency("the") > 0.01 && m.frequency("the") < 0.1);
        let g = m.sentence_logprob(&["the", "crisis", "forced", "a", "change", "in", "american", "foreign", "policy"]);
        let s =
            m.sentence_logprob(&["the", "crisis", "forced", "a", "change", "in", "american", "overseas", "coverage"]);
        assert!(g > s, "{g} {s}");
    }

    /// `cargo test --release --lib ngram::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed() {
        let t = std::time::Instant::now();
        let m = BackoffModel::get();
        println!("first get: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        m.verify().unwrap();
        println!("verify: {:?}", t.elapsed());
        let words = ["the", "secretary", "said", "in", "a", "statement", "that", "the", "talks", "had", "failed"];
        let n = 200_000;
        let t = std::time::Instant::now();
        let mut sum = 0.0;
        for k in 0..n {
            let i = 2 + k % (words.len() - 2);
            sum += m.logprob(Some(words[i - 2]), Some(words[i - 1]), words[i]);
        }
        let per = t.elapsed() / n as u32;
        println!("logprob: {per:?} per call ({sum})");
    }
}
