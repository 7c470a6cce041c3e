//! Every committed fuzz seed (`fuzz/seeds/<target>/*`) through the same check
//! its fuzz target runs (`attache::fuzzing`), so `cargo test` replays the
//! corpus everywhere, with or without a nightly toolchain.

use std::path::{Path, PathBuf};

/// A fuzz check: panics on a bug.
type Check = fn(&[u8]);

/// Fuzz targets and their checks. A seed directory without an entry here
/// fails the test: every corpus is replayed.
const TARGETS: &[(&str, Check)] = &[
    ("correct", attache::fuzzing::correct),
    ("front_matter", attache::fuzzing::front_matter),
    ("shortcodes", attache::fuzzing::shortcodes),
    ("request_path", attache::fuzzing::request_path),
];

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

fn seeds(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds_dir().join(target))
        .unwrap_or_else(|e| panic!("fuzz/seeds/{target}: {e}"))
        .map(|e| e.expect("seed entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Run one target's seeds, each in its own panic scope so a failure names
/// the seed that caused it.
fn replay(target: &str, check: Check) {
    let files = seeds(target);
    assert!(files.len() >= 5, "fuzz/seeds/{target} has only {} seeds", files.len());
    for path in files {
        let data = std::fs::read(&path).expect("read seed");
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz target `{target}` fails on seed {}", path.display());
        }
    }
}

/// Every seed of every target.
#[test]
fn every_seed_passes_its_check() {
    for (target, check) in TARGETS {
        replay(target, *check);
    }
}

/// Each seed directory is replayed above, and each fuzz target has seeds.
#[test]
fn every_corpus_is_replayed() {
    let known: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    for entry in std::fs::read_dir(seeds_dir()).expect("fuzz/seeds") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(
            known.contains(&name.as_str()),
            "fuzz/seeds/{name} is not replayed: add its check to src/fuzzing.rs and to TARGETS in tests/it/fuzz_replay.rs"
        );
    }
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for entry in std::fs::read_dir(targets).expect("fuzz/fuzz_targets") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
        assert!(seeds_dir().join(&name).is_dir(), "fuzz target {name} has no seeds in fuzz/seeds/{name}");
    }
}
