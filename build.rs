//! Embeds `themes/default/` in release binaries so `attache init` can scaffold
//! a site with no network and no files beside the executable.
//!
//! Only `init` reads the embedded copy: every build reads a site's own
//! `themes/<name>/` from disk. Embedding makes each theme edit recompile the
//! crate (rustc tracks `include_bytes!`), which costs minutes while working on
//! the theme. So development builds (any profile but `release`) embed nothing
//! and `init` copies the theme from this checkout at run time; release builds
//! (`cargo install`, `--release`) embed it and are rebuilt when it changes.

use std::fmt::Write as _;
use std::path::Path;

fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, base, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let theme = Path::new(&manifest).join("themes/default");
    let embed = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    println!("cargo:rerun-if-changed=build.rs");
    let mut code = String::from(
        "/// Files of the default theme: (path inside the theme, bytes); empty in\n/// development builds, which read them from the checkout (see build.rs).\npub static DEFAULT_THEME: &[(&str, &[u8])] = &[\n",
    );
    if embed {
        println!("cargo:rerun-if-changed=themes/default");
        let mut files = Vec::new();
        walk(&theme, &theme, &mut files);
        for f in &files {
            let abs = theme.join(f);
            println!("cargo:rerun-if-changed={}", abs.display());
            let _ = writeln!(code, "    ({f:?}, include_bytes!({:?})),", abs.display().to_string());
        }
    }
    code.push_str("];\n");
    let _ = writeln!(code, "/// Whether [`DEFAULT_THEME`] holds the theme.\npub const THEME_EMBEDDED: bool = {embed};");
    let _ = writeln!(
        code,
        "/// Where development builds read the default theme from.\npub const THEME_SOURCE: &str = {:?};",
        theme.display().to_string()
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_theme.rs");
    std::fs::write(out, code).expect("write generated theme list");
}
