//! Embeds `themes/default/` in release binaries so `attache init` can scaffold
//! a site with no network and no files beside the executable.
//!
//! Only `init` reads the embedded copy: every build reads a site's own
//! `themes/<name>/` from disk. Embedding makes each theme edit recompile the
//! crate (rustc tracks `include_bytes!`), which costs minutes while working on
//! the theme. So development builds (any profile but `release`) embed nothing
//! and `init` copies the theme from this checkout at run time; release builds
//! (`cargo install`, `--release`) embed it and are rebuilt when it changes.
//!
//! It also links the syntax set (syntect's defaults plus `data/syntaxes/`)
//! ready-made, so the first code block of a build does not rebuild it (see
//! `src/render/highlight.rs`).

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

/// syntect's default syntaxes plus ours, linked and dumped to `OUT_DIR/syntaxes.bin`.
/// A grammar of ours that does not load fails the build: it is our file.
fn syntaxes(manifest: &Path, out_dir: &Path) {
    let dir = manifest.join("data/syntaxes");
    println!("cargo:rerun-if-changed=data/syntaxes");
    let mut builder = syntect::parsing::SyntaxSet::load_defaults_newlines().into_builder();
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("read data/syntaxes").flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "sublime-syntax")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).expect("read a syntax file");
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let def = syntect::parsing::SyntaxDefinition::load_from_str(&text, true, name.as_deref())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        builder.add(def);
    }
    syntect::dumps::dump_to_uncompressed_file(&builder.build(), out_dir.join("syntaxes.bin"))
        .expect("write the syntax set dump");
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
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("default_theme.rs"), code).expect("write generated theme list");
    syntaxes(Path::new(&manifest), Path::new(&out_dir));
}
