//! The corrector on arbitrary bytes: it must never panic, and what it
//! publishes must be the source with exactly the reported changes applied
//! (everything outside a change byte-identical).
#![no_main]

use std::sync::LazyLock;

use attache::correct::{self, Corrector};
use libfuzzer_sys::fuzz_target;

static CORRECTOR: LazyLock<Corrector> = LazyLock::new(|| match Corrector::builtin("en") {
    Ok(c) => c,
    Err(e) => panic!("built-in data must load: {e}"),
});

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 is refused before the corrector by the loader; the
    // corrector itself sees text, so fuzz it on the lossy decoding.
    let text = String::from_utf8_lossy(data);
    let opts = CORRECTOR.options(&[]);
    let report = CORRECTOR.check(&text, &opts);
    let mut applied: Vec<&correct::Change> = report.changes.iter().filter(|c| c.applied).collect();
    applied.sort_by_key(|c| c.span.start);
    let mut end = 0;
    let mut expected = String::new();
    for change in applied {
        assert!(change.span.start >= end, "applied changes overlap: {change:?}");
        assert!(change.span.end <= text.len() && text.is_char_boundary(change.span.start));
        assert!(text.is_char_boundary(change.span.end));
        assert_eq!(&text[change.span.clone()], change.before, "a change's `before` is not the source");
        expected.push_str(&text[end..change.span.start]);
        expected.push_str(&change.after);
        end = change.span.end;
    }
    expected.push_str(&text[end..]);
    assert_eq!(correct::apply(&text, &report.changes), expected);
});
