//! A compact n-gram language model of clean foreign-policy English: the
//! "P(original in context)" half of the corrector's noisy channel.
//!
//! The model is built offline by `attache-lm` (see `data/correct/LM.md`) into
//! `data/correct/lm.bin`, which is embedded in the binary and read in place:
//! [`LanguageModel::get`] reads a 256-byte header and nothing else.
//!
//! # Tokens
//!
//! [`tokens`] is the one tokeniser used both to count the training text and
//! at run time. Words are runs of letters and digits, with apostrophes
//! (`'`, `’`, `ʼ`) and hyphens (`-`, `‐`, `‑`) kept when they sit between two
//! letters or digits (`Russia’s`, `Cold-War`). Everything else is skipped.
//! Sentences are wrapped in [`BOS`] / [`EOS`]; a sentence ends at `;`, at a
//! paragraph break (a blank line), at `!` / `?` unless the next word starts
//! lower-case, and at `.` / `…` unless the period is inside a word (`3.5`),
//! follows a single letter (`U.S.`, `John F. Kennedy`) or a known abbreviation
//! (`Mr.`, `Gen.`, `Sept.`, `No. 5`), or the next word starts lower-case.
//!
//! # Lookups
//!
//! Words are matched case-insensitively: an n-gram's key is a 64-bit hash of
//! its words, each lower-cased (Unicode `to_lowercase`) with `’`/`ʼ` read as
//! `'` and `‐`/`‑` read as `-`, joined by a single space (0x20). The hash is
//! FNV-1a 64 over those UTF-8 bytes, then MurmurHash3's 64-bit finaliser
//! (`fmix64`) so the bits are uniform. A table stores the top `b + 32` bits of
//! each key (`b` bucket bits, implied by the bucket; 32 stored): 49 bits for
//! the bigram table. Collisions are accepted: two n-grams of the same order
//! sharing a stored key are merged at build time (expected pairs in the
//! shipped model: well under 0.01; the builder reports the number, so far 0),
//! and a lookup of an n-gram the model lacks hits a stored key with
//! probability about 8 / 2^32.
//!
//! # Probabilities
//!
//! Interpolated absolute discounting, with Kneser–Ney continuation counts
//! mixed into the unigram base; all logs natural:
//!
//! ```text
//! P3(w|u v) = (max(c(u v w) - D3, 0) + B3(u v) · P2(w|v)) / c(u v)
//! P2(w|v)   = (max(c'(v w) - D2, 0) + B2(v) · Pb(w)) / C2(v)
//! Pb(w)     = (1 - λ) · P1(w) + λ · (n(• w) + γ) / (T + γ·V)
//! P1(w)     = (c'(w) + γ) / (N' + γ·V)
//! ```
//!
//! `c` are domain counts; `c'` add the optional general-English counts scaled
//! by a small weight (see [`BuildOptions::extra_weight`]). `B` is the mass the
//! discounts and the pruned n-grams freed, computed at build time so each
//! distribution sums to at most one. `Pb`, the base under a context, mixes in
//! Kneser–Ney's continuation distribution (`n(• w)`: how many different words
//! precede `w`; `T` their total). `γ` and `V` give unseen words a floor of
//! `γ / (N' + γ·V)`. [`LanguageModel::logprob`] with no previous word is
//! `ln P1`; a context the model has never seen falls through to the next
//! lower order.
//!
//! # File format (version 1, little-endian)
//!
//! ```text
//! 0    magic "ATTACHLM"            8    version u32     12  header length u32 (256)
//! 16   file length u64             24   training tokens u64 (words + </s>)
//! 32   sentences u64               40   N' f64     48 γ f64     56 V f64
//! 64   D2 f64   72 D3 f64          80   extra weight f64   88 β unigrams f64   96 β bigrams f64
//! 104  three table descriptors (unigrams, bigrams, trigrams), 40 bytes each:
//!        entries u64, bucket bits u32, record size u32,
//!        keys offset u64, records offset u64, buckets offset u64
//! 224  body checksum u64           232 continuation total f64   240 continuation weight f64
//! 248  header checksum u64 (FNV-1a 64 of bytes 0..248)
//! ```
//!
//! Each table has its keys sorted ascending, a record per key, and
//! `2^bits + 1` u32 bucket starts: the keys whose top `bits` bits are `b` are
//! entries `bucket[b]..bucket[b + 1]`, searched by bisection on the stored
//! u32 (the 32 key bits below the bucket bits). Records: unigrams
//! `count u32, extra f32, C2 f32, B2 f32, n(• w) f32` (20 bytes); bigrams
//! `count u32, extra bf16, B3 bf16` (8 bytes; bf16 is the top half of an f32,
//! three significant digits); trigrams `count u32`. `count` is the exact
//! domain count, `c' = count + extra`. Every integer is read with
//! `from_le_bytes`, so the 1-aligned `include_bytes!` data needs no copy, and
//! every read is bounds-checked: a corrupt body gives wrong numbers, never a
//! panic. [`LanguageModel::verify`] checks the body checksum (a full scan).

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// Sentence start marker, as yielded by [`tokens`].
pub const BOS: &str = "<s>";
/// Sentence end marker, as yielded by [`tokens`].
pub const EOS: &str = "</s>";

// ---------------------------------------------------------------------------
// Tokenisation
// ---------------------------------------------------------------------------

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '-' | '\u{2010}' | '\u{2011}')
}

/// Words after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "mme", "mlle", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt",
    "cpl", "pvt", "gov", "sen", "rep", "reps", "hon", "rev", "st", "mt", "ft", "pres", "amb", "jan", "feb", "mar",
    "apr", "aug", "sept", "sep", "oct", "nov", "dec", "vs", "viz", "cf", "approx", "dept", "govt", "esq",
];

/// Words after which a period does not end a sentence when a number follows.
const NUMBER_ABBREVIATIONS: &[&str] = &["no", "nos", "vol", "vols", "pp", "art", "arts", "sec", "ch", "fig"];

/// Length in bytes of the word starting `rest` (whose first char is alphanumeric).
fn word_len(rest: &str) -> usize {
    let mut end = 0;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // A joiner counts only between two letters or digits.
        let joins = is_joiner(c) && end == i && chars.peek().is_some_and(|&(_, d)| d.is_alphanumeric());
        if !(c.is_alphanumeric() || joins) {
            break;
        }
        end = i + c.len_utf8();
    }
    end
}

/// Whether `rest` (the text just after a newline) starts with a blank line.
fn paragraph_break(rest: &str) -> bool {
    for c in rest.chars() {
        match c {
            '\n' => return true,
            ' ' | '\t' | '\r' => {}
            _ => return false,
        }
    }
    false
}

/// The next letter or digit in `rest`, within a short window and not past a
/// paragraph break.
fn next_alnum(rest: &str) -> Option<char> {
    for (i, c) in rest.char_indices().take(48) {
        if c.is_alphanumeric() {
            return Some(c);
        }
        if c == '\n' && paragraph_break(&rest[i + 1..]) {
            return None;
        }
    }
    None
}

fn next_is_lowercase(rest: &str) -> bool {
    next_alnum(rest).is_some_and(char::is_lowercase)
}

/// Iterator returned by [`tokens`].
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    text: &'a str,
    pos: usize,
    in_sentence: bool,
    pending: Option<(usize, &'a str)>,
    prev_word: &'a str,
    prev_word_end: usize,
}

/// Tokens of `text`: `(byte offset, token)` for each word, with [`BOS`] before
/// the first word of every sentence and [`EOS`] after its last. Words are
/// slices of `text` (case and apostrophes as written); the model's lookups
/// normalise them. See the module docs for the rules.
pub fn tokens(text: &str) -> Tokens<'_> {
    Tokens { text, pos: 0, in_sentence: false, pending: None, prev_word: "", prev_word_end: usize::MAX }
}

impl Tokens<'_> {
    fn period_ends_sentence(&self, at: usize, after: &str) -> bool {
        if after.chars().next().is_some_and(char::is_alphanumeric) {
            return false;
        }
        if self.prev_word_end == at {
            let w = self.prev_word;
            let mut chars = w.chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && c.is_alphabetic()
            {
                return false;
            }
            if ABBREVIATIONS.iter().any(|a| w.eq_ignore_ascii_case(a)) {
                return false;
            }
            if NUMBER_ABBREVIATIONS.iter().any(|a| w.eq_ignore_ascii_case(a))
                && next_alnum(after).is_some_and(|c| c.is_ascii_digit())
            {
                return false;
            }
        }
        !next_is_lowercase(after)
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(p) = self.pending.take() {
            return Some(p);
        }
        let text = self.text;
        while let Some(c) = text.get(self.pos..).and_then(|r| r.chars().next()) {
            let at = self.pos;
            if c.is_alphanumeric() {
                let end = at + word_len(&text[at..]);
                self.pos = end;
                let w = &text[at..end];
                self.prev_word = w;
                self.prev_word_end = end;
                if !self.in_sentence {
                    self.in_sentence = true;
                    self.pending = Some((at, w));
                    return Some((at, BOS));
                }
                return Some((at, w));
            }
            self.pos += c.len_utf8();
            if !self.in_sentence {
                continue;
            }
            let after = &text[self.pos..];
            let ends = match c {
                ';' => true,
                '.' | '\u{2026}' => self.period_ends_sentence(at, after),
                '!' | '?' => !next_is_lowercase(after),
                '\n' => paragraph_break(after),
                _ => false,
            };
            if ends {
                self.in_sentence = false;
                return Some((at, EOS));
            }
        }
        if self.in_sentence {
            self.in_sentence = false;
            return Some((text.len(), EOS));
        }
        None
    }
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fold_char(c: char) -> char {
    match c {
        '\u{2019}' | '\u{02BC}' => '\'',
        '\u{2010}' | '\u{2011}' => '-',
        c => c,
    }
}

/// The characters of `word` as the model compares them: lower-case, with
/// curly apostrophes and Unicode hyphens made ASCII.
fn normalized_chars(word: &str) -> impl Iterator<Item = char> + '_ {
    word.chars().flat_map(|c| fold_char(c).to_lowercase())
}

/// `word` as the model compares it (see [`normalized_chars`]).
pub fn normalize(word: &str) -> String {
    normalized_chars(word).collect()
}

/// Incremental n-gram key: [`start`] with the first word, [`KeyHasher::then`]
/// for each next one, [`KeyHasher::finish`] for the key [`ngram_key`] gives.
#[derive(Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl KeyHasher {
    fn new() -> Self {
        KeyHasher(FNV_OFFSET)
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
    fn word(&mut self, word: &str) {
        if word.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            self.bytes(word.as_bytes());
            return;
        }
        let mut buf = [0u8; 4];
        for c in normalized_chars(word) {
            self.bytes(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    pub(crate) fn then(mut self, word: &str) -> Self {
        self.bytes(b" ");
        self.word(word);
        self
    }
    pub(crate) fn finish(self) -> u64 {
        fmix64(self.0)
    }
}

/// The hasher after the first word of an n-gram.
pub(crate) fn start(word: &str) -> KeyHasher {
    let mut h = KeyHasher::new();
    h.word(word);
    h
}

/// MurmurHash3's 64-bit finaliser.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// The key of an n-gram (see the module docs). Case-insensitive.
pub fn ngram_key(words: &[&str]) -> u64 {
    let mut iter = words.iter();
    let mut h = KeyHasher::new();
    if let Some(first) = iter.next() {
        h.word(first);
    }
    for w in iter {
        h = h.then(w);
    }
    h.finish()
}

pub(crate) fn fnv64(bytes: &[u8]) -> u64 {
    let mut h = KeyHasher::new();
    h.bytes(bytes);
    h.0
}

/// Checksum of the file body: 8 bytes at a time (zero-padded), each step
/// `h = rotl((h ^ word) · 0x9E3779B97F4A7C15, 29)`, then `fmix64`.
pub(crate) fn body_checksum(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
    fmix64(h)
}

// ---------------------------------------------------------------------------
// Reading the model
// ---------------------------------------------------------------------------

const MAGIC: [u8; 8] = *b"ATTACHLM";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 256;
const TABLES_AT: usize = 104;
const TABLE_DESC_LEN: usize = 40;
const BODY_SUM_AT: usize = 224;
const HEADER_SUM_AT: usize = 248;
const RECORD_LEN: [usize; 3] = [20, 8, 4];
const MAX_BUCKET_BITS: u32 = 28;

/// Little-endian read that gives 0 past the end (the header checks bound every offset first).
pub(crate) fn rd_u32(b: &[u8], off: usize) -> u32 {
    b.get(off..off.saturating_add(4)).and_then(|s| s.try_into().ok()).map(u32::from_le_bytes).unwrap_or(0)
}
pub(crate) fn rd_u64(b: &[u8], off: usize) -> u64 {
    b.get(off..off.saturating_add(8)).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes).unwrap_or(0)
}
pub(crate) fn rd_f32(b: &[u8], off: usize) -> f32 {
    f32::from_bits(rd_u32(b, off))
}
fn rd_f64(b: &[u8], off: usize) -> f64 {
    f64::from_bits(rd_u64(b, off))
}
fn rd_bf16(b: &[u8], off: usize) -> f32 {
    let v = b.get(off..off.saturating_add(2)).and_then(|s| s.try_into().ok()).map(u16::from_le_bytes).unwrap_or(0);
    f32::from_bits(u32::from(v) << 16)
}

/// The stored 32-bit part of a key: the 32 bits below the bucket bits.
/// The header checks both embedded model formats share (this one and
/// `ngram`'s back-off format use one header layout and differ in magic):
/// length, magic, version, header length and checksum, file length. The body
/// is not scanned here, so loading stays O(1).
pub(crate) fn check_header(data: &[u8], magic: [u8; 8], version: u32) -> Result<(), LoadError> {
    if data.len() < HEADER_LEN {
        return Err(LoadError::TooShort(data.len()));
    }
    if data[..8] != magic {
        return Err(LoadError::BadMagic);
    }
    let found = rd_u32(data, 8);
    if found != version {
        return Err(LoadError::UnsupportedVersion(found));
    }
    let header_len = rd_u32(data, 12);
    if header_len as usize != HEADER_LEN {
        return Err(LoadError::BadHeaderLength(header_len));
    }
    if fnv64(&data[..HEADER_SUM_AT]) != rd_u64(data, HEADER_SUM_AT) {
        return Err(LoadError::HeaderChecksum);
    }
    let file_len = rd_u64(data, 16);
    if file_len != data.len() as u64 {
        return Err(LoadError::LengthMismatch { header: file_len, actual: data.len() });
    }
    Ok(())
}

fn fingerprint(key: u64, bits: u32) -> u32 {
    ((key << bits) >> 32) as u32
}

/// Why a model file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    TooShort(usize),
    BadMagic,
    UnsupportedVersion(u32),
    BadHeaderLength(u32),
    HeaderChecksum,
    LengthMismatch { header: u64, actual: usize },
    BadTable { table: usize, why: &'static str },
    BadParameter(&'static str),
    BodyChecksum,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::TooShort(n) => write!(f, "language model file too short ({n} bytes)"),
            LoadError::BadMagic => write!(f, "not an Attaché language model (bad magic)"),
            LoadError::UnsupportedVersion(v) => write!(f, "unsupported language model version {v}"),
            LoadError::BadHeaderLength(n) => write!(f, "bad header length {n}"),
            LoadError::HeaderChecksum => write!(f, "language model header checksum mismatch"),
            LoadError::LengthMismatch { header, actual } => {
                write!(f, "header says {header} bytes but the file has {actual}")
            }
            LoadError::BadTable { table, why } => write!(f, "bad {}-gram table: {why}", table + 1),
            LoadError::BadParameter(p) => write!(f, "bad model parameter {p}"),
            LoadError::BodyChecksum => write!(f, "language model body checksum mismatch"),
        }
    }
}

impl std::error::Error for LoadError {}

#[derive(Debug, Clone, Copy, Default)]
struct Table<'a> {
    keys: &'a [u8],
    recs: &'a [u8],
    buckets: &'a [u8],
    len: usize,
    bits: u32,
    rec: usize,
}

impl<'a> Table<'a> {
    fn parse(data: &'a [u8], index: usize) -> Result<Self, LoadError> {
        let d = TABLES_AT + index * TABLE_DESC_LEN;
        let bad = |why| LoadError::BadTable { table: index, why };
        let len = rd_u64(data, d);
        let bits = rd_u32(data, d + 8);
        let rec = rd_u32(data, d + 12) as usize;
        if rec != RECORD_LEN[index] {
            return Err(bad("record size"));
        }
        if bits > MAX_BUCKET_BITS {
            return Err(bad("bucket bits"));
        }
        if len > u64::from(u32::MAX) {
            return Err(bad("entry count"));
        }
        let len = len as usize;
        let section = |off_at: usize, size: Option<usize>, why| -> Result<&'a [u8], LoadError> {
            let off = usize::try_from(rd_u64(data, off_at)).map_err(|_| bad(why))?;
            let size = size.ok_or(bad(why))?;
            let end = off.checked_add(size).ok_or(bad(why))?;
            if off < HEADER_LEN || end > data.len() {
                return Err(bad(why));
            }
            Ok(&data[off..end])
        };
        let keys = section(d + 16, len.checked_mul(4), "keys section out of bounds")?;
        let recs = section(d + 24, len.checked_mul(rec), "records section out of bounds")?;
        let buckets = section(d + 32, ((1usize << bits) + 1).checked_mul(4), "buckets section out of bounds")?;
        Ok(Table { keys, recs, buckets, len, bits, rec })
    }

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
            let k = rd_u32(self.keys, mid * 4);
            match k.cmp(&fp) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The u32 at byte `at` of record `i`.
    fn u32_at(&self, i: usize, at: usize) -> u32 {
        rd_u32(self.recs, i * self.rec + at)
    }
    fn f32_at(&self, i: usize, at: usize) -> f64 {
        f64::from(rd_f32(self.recs, i * self.rec + at))
    }
    fn bf16_at(&self, i: usize, at: usize) -> f64 {
        f64::from(rd_bf16(self.recs, i * self.rec + at))
    }
}

/// Global numbers of a model, from its header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfo {
    /// Domain training tokens: words plus one `</s>` per sentence.
    pub total_tokens: u64,
    pub sentences: u64,
    /// Entries in the unigram, bigram and trigram tables.
    pub entries: [usize; 3],
    pub d2: f64,
    pub d3: f64,
    pub extra_weight: f64,
    pub file_len: usize,
}

/// An n-gram model read in place from its file bytes.
#[derive(Debug, Clone)]
pub struct LanguageModel<'a> {
    data: &'a [u8],
    tables: [Table<'a>; 3],
    total_tokens: u64,
    sentences: u64,
    n_merged: f64,
    gamma: f64,
    vocab_nominal: f64,
    d2: f64,
    d3: f64,
    extra_weight: f64,
    cont_total: f64,
    cont_weight: f64,
    /// `ln(N' + γ·V)`.
    log_denominator: f64,
}

#[repr(C, align(8))]
struct Aligned<T: ?Sized>(T);

static EMBEDDED: &Aligned<[u8]> = &Aligned(*include_bytes!("../../data/correct/lm.bin"));

static MODEL: LazyLock<Result<LanguageModel<'static>, LoadError>> =
    LazyLock::new(|| LanguageModel::from_bytes(&EMBEDDED.0));

impl LanguageModel<'static> {
    /// The model embedded from `data/correct/lm.bin`, read on first use, or
    /// `None` if that file is not a valid model (the corrector then falls back
    /// to its lexicon alone rather than failing).
    pub fn try_get() -> Option<&'static LanguageModel<'static>> {
        MODEL.as_ref().ok()
    }

    /// The embedded model; for tests and tools, which should fail loudly.
    pub fn get() -> &'static LanguageModel<'static> {
        match MODEL.as_ref() {
            Ok(m) => m,
            Err(e) => panic!("embedded data/correct/lm.bin is not a valid model (run attache-lm): {e:?}"),
        }
    }
}

impl<'a> LanguageModel<'a> {
    /// Read a model in place, checking the header (magic, version, header
    /// checksum, file length, section bounds, parameters). Does not scan the
    /// body: see [`LanguageModel::verify`].
    pub fn from_bytes(data: &'a [u8]) -> Result<Self, LoadError> {
        check_header(data, MAGIC, VERSION)?;
        let tables = [Table::parse(data, 0)?, Table::parse(data, 1)?, Table::parse(data, 2)?];
        let n_merged = rd_f64(data, 40);
        let gamma = rd_f64(data, 48);
        let vocab_nominal = rd_f64(data, 56);
        let d2 = rd_f64(data, 64);
        let d3 = rd_f64(data, 72);
        let extra_weight = rd_f64(data, 80);
        let cont_total = rd_f64(data, 232);
        let cont_weight = rd_f64(data, 240);
        if !(n_merged.is_finite() && n_merged > 0.0) {
            return Err(LoadError::BadParameter("N'"));
        }
        if !(gamma.is_finite() && gamma > 0.0) {
            return Err(LoadError::BadParameter("gamma"));
        }
        if !(vocab_nominal.is_finite() && vocab_nominal >= 1.0) {
            return Err(LoadError::BadParameter("V"));
        }
        if !((0.0..1.0).contains(&d2) && (0.0..1.0).contains(&d3)) {
            return Err(LoadError::BadParameter("discount"));
        }
        if !(cont_total.is_finite() && cont_total >= 0.0 && (0.0..=1.0).contains(&cont_weight)) {
            return Err(LoadError::BadParameter("continuation"));
        }
        Ok(LanguageModel {
            data,
            tables,
            total_tokens: rd_u64(data, 24),
            sentences: rd_u64(data, 32),
            n_merged,
            gamma,
            vocab_nominal,
            d2,
            d3,
            extra_weight,
            cont_total,
            cont_weight,
            log_denominator: (n_merged + gamma * vocab_nominal).ln(),
        })
    }

    /// Check the body checksum: a full scan of the file (milliseconds for the
    /// shipped model). The builder runs it on every file it writes.
    pub fn verify(&self) -> Result<(), LoadError> {
        if body_checksum(&self.data[HEADER_LEN..]) == rd_u64(self.data, BODY_SUM_AT) {
            Ok(())
        } else {
            Err(LoadError::BodyChecksum)
        }
    }

    /// Header numbers, for reports.
    pub fn info(&self) -> ModelInfo {
        ModelInfo {
            total_tokens: self.total_tokens,
            sentences: self.sentences,
            entries: [self.tables[0].len, self.tables[1].len, self.tables[2].len],
            d2: self.d2,
            d3: self.d3,
            extra_weight: self.extra_weight,
            file_len: self.data.len(),
        }
    }

    /// Domain training tokens: words plus one `</s>` per sentence.
    pub fn total_tokens(&self) -> u64 {
        self.total_tokens
    }

    /// How often the 1–3 words occurred in the domain corpus (case-insensitive;
    /// `<s>`/`</s>` allowed). Pruned n-grams (seen once) and anything longer
    /// than three words count 0; general-English extra counts are not included.
    pub fn count(&self, words: &[&str]) -> u32 {
        if words.is_empty() || words.len() > 3 {
            return 0;
        }
        let t = &self.tables[words.len() - 1];
        t.find(ngram_key(words)).map_or(0, |i| t.u32_at(i, 0))
    }

    /// Whether the unigram table has `word` (from the corpus or the extra list).
    pub fn is_known(&self, word: &str) -> bool {
        let t = &self.tables[0];
        t.find(start(word).finish()).is_some_and(|i| t.u32_at(i, 0) > 0 || t.f32_at(i, 4) > 0.0)
    }

    fn score(&self, w1: Option<&str>, w2: Option<&str>, w: &str) -> f64 {
        let [uni, bi, tri] = &self.tables;
        let (c1, cont) = uni
            .find(start(w).finish())
            .map_or((0.0, 0.0), |i| (f64::from(uni.u32_at(i, 0)) + uni.f32_at(i, 4), uni.f32_at(i, 16)));
        let p_raw = (c1 + self.gamma) / (self.n_merged + self.gamma * self.vocab_nominal);
        let Some(v) = w2 else { return p_raw.ln() };
        // Below a context, mix in the continuation distribution (how many
        // different words precede `w`), as Kneser–Ney does.
        let p_cont = (cont + self.gamma) / (self.cont_total + self.gamma * self.vocab_nominal);
        let mut p = (1.0 - self.cont_weight) * p_raw + self.cont_weight * p_cont;
        let hv = start(v);
        let Some(ci) = uni.find(hv.finish()) else { return p.ln() };
        let c2_total = uni.f32_at(ci, 8);
        if c2_total <= 0.0 {
            return p.ln();
        }
        let c2 = bi.find(hv.then(w).finish()).map_or(0.0, |i| f64::from(bi.u32_at(i, 0)) + bi.bf16_at(i, 4));
        p = ((c2 - self.d2).max(0.0) + uni.f32_at(ci, 12).max(0.0) * p) / c2_total;
        let Some(u) = w1 else { return p.ln() };
        let huv = start(u).then(v);
        let Some(bj) = bi.find(huv.finish()) else { return p.ln() };
        let c3_total = f64::from(bi.u32_at(bj, 0));
        if c3_total <= 0.0 {
            return p.ln();
        }
        let c3 = tri.find(huv.then(w).finish()).map_or(0.0, |i| f64::from(tri.u32_at(i, 0)));
        p = ((c3 - self.d3).max(0.0) + bi.bf16_at(bj, 6).max(0.0) * p) / c3_total;
        p.ln()
    }

    /// Natural log of P(`w` | `w1` `w2`), where `w2` is the word just before
    /// `w` and `w1` the one before that (`None` where there is none; pass
    /// [`BOS`] for a sentence start). Case-insensitive. Never positive, never
    /// NaN; an unknown word in an unknown context gets the unigram floor
    /// `ln(γ / (N' + γ·V))` (about −16).
    pub fn logprob(&self, w1: Option<&str>, w2: Option<&str>, w: &str) -> f32 {
        let w1 = if w2.is_some() { w1 } else { None };
        let lp = self.score(w1, w2, w);
        if lp.is_finite() { lp.min(0.0) as f32 } else { self.unknown_logprob() }
    }

    /// The log-probability floor for a word the model has never seen.
    pub fn unknown_logprob(&self) -> f32 {
        (self.gamma.ln() - self.log_denominator) as f32
    }

    /// Log-probability of `words` as one whole sentence: each word given the
    /// two before it, starting after [`BOS`], plus the final [`EOS`].
    pub fn sentence_logprob(&self, words: &[&str]) -> f32 {
        let mut sum = 0.0f64;
        let mut prev2: Option<&str> = None;
        let mut prev1: &str = BOS;
        for &w in words.iter().chain(std::iter::once(&EOS)) {
            sum += f64::from(self.logprob(prev2, Some(prev1), w));
            prev2 = Some(prev1);
            prev1 = w;
        }
        sum as f32
    }

    /// Log-probability of `words[from..]`, each given the up to two words
    /// before it in `words` (which may include [`BOS`]/[`EOS`] as [`tokens`]
    /// yields them). Handy for scoring a window around a candidate change.
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
// Building a model
// ---------------------------------------------------------------------------

/// Settings for [`Builder::build`].
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Keep a domain word seen at least this often (rarer ones are kept only
    /// if the extra list has them).
    pub min_unigram: u32,
    /// Keep a domain bigram seen at least this often.
    pub min_bigram: u32,
    /// Keep a trigram seen at least this often.
    pub min_trigram: u32,
    /// The extra (general-English) counts are scaled so that, on the words
    /// and bigrams both sources have, they add up to this fraction of the
    /// domain counts. 0 ignores them.
    pub extra_weight: f64,
    /// Add-γ pseudo-count for the unigram distribution.
    pub gamma: f64,
    /// Nominal vocabulary size the pseudo-counts spread over (raised to the
    /// number of unigrams kept plus one, so the unigram level sums to ≤ 1).
    pub vocab_nominal: f64,
    /// Share of the continuation distribution in the unigram level below a
    /// context (0 = plain frequencies, 1 = Kneser–Ney's).
    pub cont_weight: f64,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            min_unigram: 2,
            min_bigram: 1,
            min_trigram: 2,
            extra_weight: 0.25,
            gamma: 0.5,
            vocab_nominal: 200_000.0,
            cont_weight: 0.8,
        }
    }
}

/// What [`Builder::build`] did.
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    pub tokens: u64,
    pub sentences: u64,
    /// Distinct domain n-grams before pruning.
    pub types: [usize; 3],
    /// Entries written.
    pub kept: [usize; 3],
    pub d2: f64,
    pub d3: f64,
    pub beta_unigrams: f64,
    pub beta_bigrams: f64,
    /// Keys shared by two different n-grams (merged).
    pub collisions: [usize; 3],
    pub extra_unigrams: usize,
    pub extra_bigrams: usize,
    pub file_len: usize,
}

/// Counts text and writes a model file.
#[derive(Debug, Clone)]
pub struct Builder {
    ids: HashMap<String, u32>,
    words: Vec<String>,
    uni: Vec<u64>,
    bi: HashMap<(u32, u32), u32>,
    tri: HashMap<(u32, u32, u32), u32>,
    sentences: u64,
    extra_uni: HashMap<u32, f64>,
    extra_bi: HashMap<(u32, u32), f64>,
    scratch: String,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

const BOS_ID: u32 = 0;
const EOS_ID: u32 = 1;

fn discount(counts: impl Iterator<Item = u32>) -> f64 {
    let (mut n1, mut n2) = (0u64, 0u64);
    for c in counts {
        match c {
            1 => n1 += 1,
            2 => n2 += 1,
            _ => {}
        }
    }
    if n1 == 0 || n2 == 0 { 0.5 } else { (n1 as f64 / (n1 as f64 + 2.0 * n2 as f64)).clamp(0.05, 0.95) }
}

fn push_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn push_count(out: &mut Vec<u8>, v: f64) {
    push_u32(out, v.round().clamp(0.0, f64::from(u32::MAX)) as u32);
}
fn push_f32(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&(v as f32).to_le_bytes());
}
/// bfloat16: the top half of an f32, rounded to nearest even (for values
/// that need about three significant digits).
fn push_bf16(out: &mut Vec<u8>, v: f64) {
    let b = (v as f32).to_bits();
    let r = b.wrapping_add(0x7FFF + ((b >> 16) & 1)) >> 16;
    out.extend_from_slice(&(r as u16).to_le_bytes());
}
fn pad8(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
}

/// The numbers of one table row, before encoding.
type Row = (u64, [f64; 5]);

fn encode_unigram(v: &[f64; 5], out: &mut Vec<u8>) {
    push_count(out, v[0]);
    push_f32(out, v[1]);
    push_f32(out, v[2]);
    push_f32(out, v[3]);
    push_f32(out, v[4]);
}
fn encode_bigram(v: &[f64; 5], out: &mut Vec<u8>) {
    push_count(out, v[0]);
    push_bf16(out, v[1]);
    push_bf16(out, v[2]);
}
fn encode_trigram(v: &[f64; 5], out: &mut Vec<u8>) {
    push_count(out, v[0]);
}

/// Writes one table (keys, records, buckets) and fills its descriptor.
/// Returns (entries, rows merged because their stored keys collided).
fn write_table(out: &mut Vec<u8>, desc: &mut [u8], mut rows: Vec<Row>, index: usize) -> (usize, usize) {
    let encode = [encode_unigram, encode_bigram, encode_trigram][index];
    let rec = RECORD_LEN[index];
    let mut bits = 0u32;
    while bits < MAX_BUCKET_BITS && (rows.len() >> bits) > 8 {
        bits += 1;
    }
    // Stable sort: rows with equal keys stay in input order, so sums are reproducible.
    rows.sort_by_key(|r| r.0);
    let stored = |k: u64| k >> (32 - bits);
    let mut merged: Vec<Row> = Vec::with_capacity(rows.len());
    let mut collisions = 0;
    for (k, v) in rows {
        match merged.last_mut() {
            Some(last) if stored(last.0) == stored(k) => {
                collisions += 1;
                for (a, b) in last.1.iter_mut().zip(v) {
                    *a += b;
                }
            }
            _ => merged.push((k, v)),
        }
    }
    let len = merged.len();
    pad8(out);
    let keys_off = out.len();
    for (k, _) in &merged {
        push_u32(out, fingerprint(*k, bits));
    }
    pad8(out);
    let recs_off = out.len();
    for (_, v) in &merged {
        let before = out.len();
        encode(v, out);
        debug_assert_eq!(out.len() - before, rec);
    }
    pad8(out);
    let buckets_off = out.len();
    let mut i = 0usize;
    for b in 0..=(1u64 << bits) {
        if bits == 0 {
            i = if b == 0 { 0 } else { len };
        }
        while bits > 0 && i < len && (merged[i].0 >> (64 - bits)) < b {
            i += 1;
        }
        push_u32(out, i as u32);
    }
    desc[0..8].copy_from_slice(&(len as u64).to_le_bytes());
    desc[8..12].copy_from_slice(&bits.to_le_bytes());
    desc[12..16].copy_from_slice(&(rec as u32).to_le_bytes());
    desc[16..24].copy_from_slice(&(keys_off as u64).to_le_bytes());
    desc[24..32].copy_from_slice(&(recs_off as u64).to_le_bytes());
    desc[32..40].copy_from_slice(&(buckets_off as u64).to_le_bytes());
    (len, collisions)
}

impl Builder {
    pub fn new() -> Self {
        let mut b = Builder {
            ids: HashMap::new(),
            words: Vec::new(),
            uni: Vec::new(),
            bi: HashMap::new(),
            tri: HashMap::new(),
            sentences: 0,
            extra_uni: HashMap::new(),
            extra_bi: HashMap::new(),
            scratch: String::new(),
        };
        b.intern(BOS);
        b.intern(EOS);
        b
    }

    fn intern(&mut self, token: &str) -> u32 {
        self.scratch.clear();
        self.scratch.extend(normalized_chars(token));
        if let Some(&id) = self.ids.get(self.scratch.as_str()) {
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(self.scratch.clone(), id);
        self.words.push(self.scratch.clone());
        self.uni.push(0);
        id
    }

    /// Count the n-grams of `text` (one document).
    pub fn add_text(&mut self, text: &str) {
        let mut prev: [Option<u32>; 2] = [None, None];
        for (_, tok) in tokens(text) {
            let id = if tok == BOS {
                BOS_ID
            } else if tok == EOS {
                EOS_ID
            } else {
                self.intern(tok)
            };
            self.uni[id as usize] += 1;
            if id == BOS_ID {
                self.sentences += 1;
                prev = [None, Some(BOS_ID)];
                continue;
            }
            if let Some(v) = prev[1] {
                *self.bi.entry((v, id)).or_insert(0) += 1;
                if let Some(u) = prev[0] {
                    *self.tri.entry((u, v, id)).or_insert(0) += 1;
                }
            }
            prev = [prev[1], Some(id)];
        }
    }

    /// The id of `word` if it is a single token, for the extra lists.
    fn single_token(&mut self, word: &str) -> Option<u32> {
        let mut toks = tokens(word).filter(|t| t.1 != BOS && t.1 != EOS);
        match (toks.next(), toks.next()) {
            (Some((0, w)), None) if w.len() == word.len() => Some(self.intern(w)),
            _ => None,
        }
    }

    /// Add a general-English unigram count. Returns false (and ignores it)
    /// unless `word` is exactly one token.
    pub fn add_extra_unigram(&mut self, word: &str, count: f64) -> bool {
        match self.single_token(word) {
            Some(id) if count > 0.0 => {
                *self.extra_uni.entry(id).or_insert(0.0) += count;
                true
            }
            _ => false,
        }
    }

    /// Add a general-English bigram count (see [`Builder::add_extra_unigram`]).
    pub fn add_extra_bigram(&mut self, w1: &str, w2: &str, count: f64) -> bool {
        match (self.single_token(w1), self.single_token(w2)) {
            (Some(a), Some(b)) if count > 0.0 => {
                *self.extra_bi.entry((a, b)).or_insert(0.0) += count;
                true
            }
            _ => false,
        }
    }

    /// Write the model file. Deterministic: the same input in the same order
    /// gives the same bytes.
    pub fn build(&self, opts: &BuildOptions) -> (Vec<u8>, BuildStats) {
        let nw = self.words.len();
        let mut stats = BuildStats { sentences: self.sentences, ..BuildStats::default() };
        let c1: Vec<u64> = self.uni.clone();
        stats.tokens = c1.iter().enumerate().filter(|&(i, _)| i != BOS_ID as usize).map(|(_, c)| c).sum();
        stats.types[0] = c1.iter().enumerate().filter(|&(i, &c)| i > EOS_ID as usize && c > 0).count();
        stats.types[1] = self.bi.len();
        stats.types[2] = self.tri.len();

        // Sorted, so every sum below runs in the same order on every run.
        let mut bigrams: Vec<((u32, u32), u32, f64)> = self.bi.iter().map(|(&k, &c)| (k, c, 0.0)).collect();
        for k in self.extra_bi.keys() {
            if !self.bi.contains_key(k) {
                bigrams.push((*k, 0, 0.0));
            }
        }
        bigrams.sort_unstable_by_key(|b| b.0);
        for b in &mut bigrams {
            b.2 = self.extra_bi.get(&b.0).copied().unwrap_or(0.0);
        }
        let mut trigrams: Vec<((u32, u32, u32), u32)> = self.tri.iter().map(|(&k, &c)| (k, c)).collect();
        trigrams.sort_unstable_by_key(|t| t.0);
        let mut extra_uni = vec![0.0f64; nw];
        let mut extra_uni_ids: Vec<u32> = self.extra_uni.keys().copied().collect();
        extra_uni_ids.sort_unstable();
        for &id in &extra_uni_ids {
            extra_uni[id as usize] = self.extra_uni[&id];
        }
        stats.extra_unigrams = extra_uni_ids.len();
        stats.extra_bigrams = self.extra_bi.len();

        // Scale the extra counts against the domain on what both have.
        let beta = |pairs: &mut dyn Iterator<Item = (f64, f64)>| {
            let (mut d, mut e) = (0.0, 0.0);
            for (dc, ec) in pairs {
                if dc > 0.0 && ec > 0.0 {
                    d += dc;
                    e += ec;
                }
            }
            if e > 0.0 { opts.extra_weight * d / e } else { 0.0 }
        };
        let beta_uni = beta(&mut (2..nw).map(|i| (c1[i] as f64, extra_uni[i])));
        let beta_bi = beta(&mut bigrams.iter().map(|b| (f64::from(b.1), b.2)));
        stats.beta_unigrams = beta_uni;
        stats.beta_bigrams = beta_bi;
        let d2 = discount(self.bi.values().copied());
        let d3 = discount(self.tri.values().copied());
        stats.d2 = d2;
        stats.d3 = d3;

        let merged_uni: Vec<f64> =
            (0..nw).map(|i| if i == BOS_ID as usize { 0.0 } else { c1[i] as f64 + beta_uni * extra_uni[i] }).collect();
        let n_merged: f64 = merged_uni.iter().sum();

        // Bigram level: per context v, total C2 and freed mass B2.
        let keep_bi = |b: &((u32, u32), u32, f64)| b.1 >= opts.min_bigram || (beta_bi > 0.0 && b.2 > 0.0);
        let mut dom_follow = vec![0.0f64; nw];
        let mut extra_follow = vec![0.0f64; nw];
        let mut kept_mass = vec![0.0f64; nw];
        let mut is_context = vec![false; nw];
        for b in &bigrams {
            let v = b.0.0 as usize;
            dom_follow[v] += f64::from(b.1);
            extra_follow[v] += beta_bi * b.2;
            if keep_bi(b) {
                kept_mass[v] += (f64::from(b.1) + beta_bi * b.2 - d2).max(0.0);
                is_context[v] = true;
            }
        }
        let c2_total: Vec<f64> =
            (0..nw).map(|v| dom_follow[v] + (beta_uni * extra_uni[v]).max(extra_follow[v])).collect();

        // Trigram level: per context (u v), freed mass B3 (the total is c(u v)).
        let keep_tri = |t: &((u32, u32, u32), u32)| t.1 >= opts.min_trigram;
        let mut tri_kept_mass: HashMap<(u32, u32), f64> = HashMap::new();
        let mut tri_total: HashMap<(u32, u32), u64> = HashMap::new();
        for t in &trigrams {
            let ctx = (t.0.0, t.0.1);
            *tri_total.entry(ctx).or_insert(0) += u64::from(t.1);
            if keep_tri(t) {
                *tri_kept_mass.entry(ctx).or_insert(0.0) += f64::from(t.1) - d3;
            }
        }

        // Continuation counts: how many different words (or <s>) precede w.
        let mut cont = vec![0.0f64; nw];
        for b in bigrams.iter().filter(|b| b.1 > 0) {
            cont[b.0.1 as usize] += 1.0;
        }
        let cont_total: f64 = cont.iter().sum();

        let mut uni_rows: Vec<Row> = Vec::new();
        for i in 0..nw {
            let keep = i <= EOS_ID as usize
                || c1[i] >= u64::from(opts.min_unigram)
                || (beta_uni > 0.0 && extra_uni[i] > 0.0)
                || is_context[i];
            if !keep {
                continue;
            }
            let extra = if i == BOS_ID as usize { 0.0 } else { beta_uni * extra_uni[i] };
            let freed = (c2_total[i] - kept_mass[i]).max(0.0);
            uni_rows.push((ngram_key(&[&self.words[i]]), [c1[i] as f64, extra, c2_total[i], freed, cont[i]]));
        }
        let mut bi_rows: Vec<Row> = Vec::new();
        for b in bigrams.iter().filter(|b| keep_bi(b)) {
            let (u, v) = b.0;
            let total = tri_total.get(&(u, v)).copied().unwrap_or(0);
            // Every (u v) but (u </s>) is followed by a token, so the trigram
            // total is the bigram count the reader uses as the denominator.
            debug_assert!(v == EOS_ID || total == u64::from(b.1));
            let freed = f64::from(b.1) - tri_kept_mass.get(&(u, v)).copied().unwrap_or(0.0);
            let key = ngram_key(&[&self.words[u as usize], &self.words[v as usize]]);
            bi_rows.push((key, [f64::from(b.1), beta_bi * b.2, freed.max(0.0), 0.0, 0.0]));
        }
        let mut tri_rows: Vec<Row> = Vec::new();
        for t in trigrams.iter().filter(|t| keep_tri(t)) {
            let (u, v, w) = t.0;
            let words = [&*self.words[u as usize], &*self.words[v as usize], &*self.words[w as usize]];
            tri_rows.push((ngram_key(&words), [f64::from(t.1), 0.0, 0.0, 0.0, 0.0]));
        }

        let mut out = vec![0u8; HEADER_LEN];
        let mut descs = [[0u8; TABLE_DESC_LEN]; 3];
        for (i, rows) in [uni_rows, bi_rows, tri_rows].into_iter().enumerate() {
            let (len, coll) = write_table(&mut out, &mut descs[i], rows, i);
            stats.kept[i] = len;
            stats.collisions[i] = coll;
        }
        pad8(&mut out);
        let file_len = out.len();
        let h = &mut out[..HEADER_LEN];
        h[0..8].copy_from_slice(&MAGIC);
        h[8..12].copy_from_slice(&VERSION.to_le_bytes());
        h[12..16].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        h[16..24].copy_from_slice(&(file_len as u64).to_le_bytes());
        h[24..32].copy_from_slice(&stats.tokens.to_le_bytes());
        h[32..40].copy_from_slice(&self.sentences.to_le_bytes());
        for (at, v) in [
            (40, n_merged.max(1.0)),
            (48, opts.gamma),
            (56, opts.vocab_nominal.max(stats.kept[0] as f64 + 1.0)),
            (64, d2),
            (72, d3),
            (80, opts.extra_weight),
            (88, beta_uni),
            (96, beta_bi),
            (232, cont_total),
            (240, opts.cont_weight),
        ] {
            h[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        for (i, d) in descs.iter().enumerate() {
            let at = TABLES_AT + i * TABLE_DESC_LEN;
            h[at..at + TABLE_DESC_LEN].copy_from_slice(d);
        }
        let body = body_checksum(&out[HEADER_LEN..]);
        out[BODY_SUM_AT..BODY_SUM_AT + 8].copy_from_slice(&body.to_le_bytes());
        let head = fnv64(&out[..HEADER_SUM_AT]);
        out[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&head.to_le_bytes());
        stats.file_len = file_len;
        (out, stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn toks(text: &str) -> Vec<&str> {
        tokens(text).map(|t| t.1).collect()
    }

    fn words(text: &str) -> Vec<&str> {
        tokens(text).map(|t| t.1).filter(|&t| t != BOS && t != EOS).collect()
    }

    #[test]
    fn tokens_words_and_sentences() {
        assert_eq!(
            toks("The U.S. Embassy’s well-known staff met Mr. Smith at 3.30 p.m. on Sept. 5. They left; it rained!"),
            [
                "<s>",
                "The",
                "U",
                "S",
                "Embassy’s",
                "well-known",
                "staff",
                "met",
                "Mr",
                "Smith",
                "at",
                "3",
                "30",
                "p",
                "m",
                "on",
                "Sept",
                "5",
                "</s>",
                "<s>",
                "They",
                "left",
                "</s>",
                "<s>",
                "it",
                "rained",
                "</s>"
            ]
        );
        // Paragraph breaks end sentences; single newlines do not.
        assert_eq!(toks("a line\nwrapped\n\n  \nnext"), ["<s>", "a", "line", "wrapped", "</s>", "<s>", "next", "</s>"]);
        // A period before a lower-case word, ellipses, quotes, dashes.
        assert_eq!(
            toks("He said \"no.\" and then . . . stopped. \"Yes?\" she asked—Why? Cold War-era"),
            [
                "<s>", "He", "said", "no", "and", "then", "stopped", "</s>", "<s>", "Yes", "she", "asked", "Why",
                "</s>", "<s>", "Cold", "War-era", "</s>"
            ]
        );
        // Trailing joiners and doubled hyphens are not part of words.
        assert_eq!(
            toks("the States' rights--all 'quoted'"),
            ["<s>", "the", "States", "rights", "all", "quoted", "</s>"]
        );
        assert_eq!(toks("See No. 5. Then"), ["<s>", "See", "No", "5", "</s>", "<s>", "Then", "</s>"]);
        assert!(toks("").is_empty());
        assert!(toks(" ... ;\n\n!").is_empty());
    }

    #[test]
    fn token_offsets_point_into_the_text() {
        let text = "Les États-Unis’ «policy». Next";
        for (at, t) in tokens(text) {
            if t != BOS && t != EOS {
                assert_eq!(&text[at..at + t.len()], t);
            }
        }
        let last = tokens(text).last().unwrap();
        assert_eq!(last, (text.len(), EOS));
    }

    #[test]
    fn keys_ignore_case_and_apostrophe_style() {
        assert_eq!(ngram_key(&["Russia’s", "POLICY"]), ngram_key(&["russia's", "policy"]));
        assert_eq!(ngram_key(&["Cold\u{2010}War"]), ngram_key(&["cold-war"]));
        assert_ne!(ngram_key(&["cold", "war"]), ngram_key(&["cold war"[..4].trim(), "wars"]));
        assert_ne!(ngram_key(&["ab", "c"]), ngram_key(&["a", "bc"]));
        assert_eq!(normalize("ÉTATS"), "états");
    }

    const SMALL: &str = "The Cold War shaped foreign policy. The Cold War ended in 1991. \
        The Secretary said in a statement that foreign policy would change. \
        The Secretary said in a statement that the war had ended.\n\n\
        The treaty protected national security. National security mattered during the Cold War.";

    fn small_model_bytes() -> Vec<u8> {
        let mut b = Builder::new();
        b.add_text(SMALL);
        b.add_text(SMALL);
        b.build(&BuildOptions { extra_weight: 0.0, ..BuildOptions::default() }).0
    }

    #[test]
    fn small_model_prefers_seen_continuations() {
        let bytes = small_model_bytes();
        let lm = LanguageModel::from_bytes(&bytes).unwrap();
        lm.verify().unwrap();
        assert_eq!(lm.count(&["the", "cold", "war"]), 6);
        assert_eq!(lm.count(&["Cold", "War"]), 6);
        assert_eq!(lm.count(&["said"]), 4);
        assert_eq!(lm.count(&["<s>"]), 12);
        assert_eq!(lm.count(&["chilly"]), 0);
        assert_eq!(lm.count(&[]), 0);
        assert_eq!(lm.count(&["a", "b", "c", "d"]), 0);
        let tokens_in_small: u64 = 2 * toks(SMALL).iter().filter(|&&t| t != BOS).count() as u64;
        assert_eq!(lm.total_tokens(), tokens_in_small);

        let seen = lm.logprob(Some("the"), Some("cold"), "war");
        let unseen = lm.logprob(Some("the"), Some("cold"), "warfare");
        let unknown = lm.logprob(Some("the"), Some("cold"), "zebra");
        assert!(seen > unseen && unseen >= unknown, "{seen} {unseen} {unknown}");
        assert!(lm.logprob(None, Some("cold"), "war") > lm.logprob(None, Some("chilly"), "war"));
        assert!(lm.logprob(None, None, "the") > lm.logprob(None, None, "treaty"));
        assert_eq!(lm.logprob(None, None, "zebra"), lm.unknown_logprob());
        assert_eq!(lm.logprob(Some("THE"), Some("Cold"), "WAR"), seen);
        assert!(seen <= 0.0 && unknown.is_finite());

        let good = lm.sentence_logprob(&words("The Secretary said in a statement that the war had ended."));
        let spun = lm.sentence_logprob(&words("The Secretary mentioned in an announcement that the war had ended."));
        assert!(good > spun, "{good} {spun}");
        let window = toks("The Cold War ended");
        assert!(lm.window_logprob(&window, 1) < 0.0);
    }

    #[test]
    fn small_model_distributions_sum_to_at_most_one() {
        // A nominal vocabulary in proportion to this tiny corpus, so the
        // unseen-word mass does not swamp it.
        let mut b = Builder::new();
        b.add_text(SMALL);
        let bytes = b.build(&BuildOptions { extra_weight: 0.0, vocab_nominal: 20.0, ..BuildOptions::default() }).0;
        let lm = LanguageModel::from_bytes(&bytes).unwrap();
        let mut vocab: Vec<String> = toks(SMALL).iter().filter(|&&t| t != BOS).map(|t| normalize(t)).collect();
        vocab.sort();
        vocab.dedup();
        for ctx in [(None, None), (None, Some("the")), (Some("the"), Some("cold")), (Some("<s>"), Some("the"))] {
            let sum: f64 = vocab.iter().map(|w| f64::from(lm.logprob(ctx.0, ctx.1, w)).exp()).sum();
            assert!(sum <= 1.0 + 1e-3 && sum > 0.5, "{ctx:?}: {sum}");
        }
    }

    #[test]
    fn builds_are_deterministic() {
        assert_eq!(small_model_bytes(), small_model_bytes());
    }

    fn reseal(bytes: &mut [u8]) {
        let sum = fnv64(&bytes[..HEADER_SUM_AT]);
        bytes[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
    }

    #[test]
    fn corrupt_files_are_errors() {
        let good = small_model_bytes();
        assert!(LanguageModel::from_bytes(&good).is_ok());
        assert_eq!(LanguageModel::from_bytes(&[]).unwrap_err(), LoadError::TooShort(0));
        assert!(matches!(LanguageModel::from_bytes(&good[..HEADER_LEN - 1]), Err(LoadError::TooShort(_))));
        assert!(matches!(LanguageModel::from_bytes(&good[..good.len() - 8]), Err(LoadError::LengthMismatch { .. })));

        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(LanguageModel::from_bytes(&bad).unwrap_err(), LoadError::BadMagic);
        let mut bad = good.clone();
        bad[8] = 9;
        assert_eq!(LanguageModel::from_bytes(&bad).unwrap_err(), LoadError::UnsupportedVersion(9));
        // Any other header byte: caught by the header checksum.
        for at in [16, 30, 45, 70, 110, 130, 200, 236] {
            let mut bad = good.clone();
            bad[at] ^= 0x40;
            assert_eq!(LanguageModel::from_bytes(&bad).unwrap_err(), LoadError::HeaderChecksum, "byte {at}");
        }
        // Consistent checksum but impossible sections or parameters.
        let edits: [(usize, &[u8]); 5] = [
            (TABLES_AT + TABLE_DESC_LEN, &u64::MAX.to_le_bytes()),
            (TABLES_AT + 16, &(good.len() as u64).to_le_bytes()),
            (TABLES_AT + 2 * TABLE_DESC_LEN + 8, &40u32.to_le_bytes()),
            (TABLES_AT + 12, &12u32.to_le_bytes()),
            (64, &1.5f64.to_le_bytes()),
        ];
        for (at, v) in edits {
            let mut bad = good.clone();
            bad[at..at + v.len()].copy_from_slice(v);
            reseal(&mut bad);
            assert!(LanguageModel::from_bytes(&bad).is_err(), "edit at {at}");
        }
        let mut bad = good.clone();
        bad[16..24].copy_from_slice(&(good.len() as u64 + 8).to_le_bytes());
        bad.extend_from_slice(&[0; 8]);
        reseal(&mut bad);
        assert!(LanguageModel::from_bytes(&bad).is_ok(), "a longer, consistent file still loads");

        // A damaged body loads (no scan) but fails verify, and lookups never panic.
        let mut bad = good.clone();
        for b in bad[HEADER_LEN..].iter_mut().step_by(3) {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        let lm = LanguageModel::from_bytes(&bad).unwrap();
        assert_eq!(lm.verify().unwrap_err(), LoadError::BodyChecksum);
        for w in ["the", "cold", "war", "zebra", "<s>", "</s>"] {
            let lp = lm.logprob(Some("the"), Some("cold"), w);
            assert!(!lp.is_nan());
            let _ = lm.count(&["the", "cold", w]);
        }
    }

    fn prefers(lm: &LanguageModel<'_>, good: &str, spun: &str) -> (f32, f32) {
        let (g, s) = (lm.sentence_logprob(&words(good)), lm.sentence_logprob(&words(spun)));
        println!("{g:>9.2}  {good}\n{s:>9.2}  {spun}\n");
        assert!(g > s, "model prefers {spun:?} ({s}) to {good:?} ({g})");
        (g, s)
    }

    #[test]
    fn real_model_prefers_original_phrases() {
        let lm = LanguageModel::get();
        lm.verify().unwrap();
        assert!(lm.total_tokens() > 1_000_000);
        let pairs = [
            (
                "During the Cold War, the United States sought to contain the Soviet Union.",
                "During the Chilly Warfare, the United States sought to contain the Soviet Union.",
            ),
            (
                "The crisis forced a change in American foreign policy.",
                "The crisis forced a change in American overseas coverage.",
            ),
            (
                "The Secretary of State said in a statement that the talks had failed.",
                "The Secretary of State mentioned in an announcement that the talks had failed.",
            ),
            (
                "According to the report, the embassy was closed for two weeks.",
                "In line with the report, the embassy was closed for two weeks.",
            ),
            (
                "The President argued that the treaty would protect national security.",
                "The President argued that the treaty would protect nationwide safety.",
            ),
            (
                "It was the most important agreement of the decade.",
                "It was essentially the most important agreement of the decade.",
            ),
        ];
        for (good, spun) in pairs {
            prefers(lm, good, spun);
        }
        // The bare phrases too, and the words in context.
        for (good, spun) in [
            ("Cold War", "Chilly Warfare"),
            ("foreign policy", "overseas coverage"),
            ("said in a statement", "mentioned in an announcement"),
            ("according to the report", "in line with the report"),
            ("national security", "nationwide safety"),
            ("the most", "essentially the most"),
        ] {
            prefers(lm, good, spun);
        }
        assert!(lm.logprob(Some("the"), Some("cold"), "war") > lm.logprob(Some("the"), Some("cold"), "warfare"));
        assert!(lm.logprob(None, Some("foreign"), "policy") > lm.logprob(None, Some("overseas"), "coverage"));
        assert!(lm.count(&["cold", "war"]) > 100);
        assert_eq!(lm.count(&["chilly", "warfare"]), 0);
    }

    /// `cargo test --release --lib lm::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed() {
        let t = Instant::now();
        let lm = LanguageModel::get();
        let first = t.elapsed();
        let t = Instant::now();
        let again = LanguageModel::get();
        let second = t.elapsed();
        assert!(std::ptr::eq(lm, again));
        let text = "During the Cold War, the United States sought to contain the Soviet Union. The Secretary of \
            State said in a statement that the talks had failed, according to the report. Chilly warfare and \
            overseas coverage mentioned in an announcement zebra quixotic Ruritania.";
        let toks = toks(text);
        let n = 2_000_000usize;
        let t = Instant::now();
        let mut sum = 0.0f64;
        for i in 0..n {
            let j = 2 + i % (toks.len() - 2);
            sum += f64::from(lm.logprob(Some(toks[j - 2]), Some(toks[j - 1]), toks[j]));
        }
        let el = t.elapsed();
        println!(
            "LanguageModel::get() first access {first:?}, second {second:?}; {n} trigram logprob calls in {el:?}: \
             {:.2} M lookups/s ({:.0} ns each); checksum {sum:.1}",
            n as f64 / el.as_secs_f64() / 1e6,
            el.as_nanos() as f64 / n as f64
        );
        let t = Instant::now();
        lm.verify().unwrap();
        println!("verify() (full body checksum) {:?}", t.elapsed());
        assert!(first.as_millis() <= 50);
    }
}
