//! `attache new SECTION/NAME`: start an article with the front matter the site
//! requires, so the first build of a new article has nothing to complain about
//! but the placeholders the editor still has to replace.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::NewArgs;
use crate::config::Config;

pub fn run(args: &NewArgs) -> Result<ExitCode> {
    let config_path = crate::site::require_site(&args.root)?;
    let text = crate::fs::read_to_string(&config_path)?;
    let config = Config::parse(Path::new("config.toml"), &text)
        .map_err(|d| anyhow::anyhow!("config.toml: {} (run `attache check` for details)", d.message))?;
    let rel = article_path(&args.path)?;
    let path = args.root.join("content").join(&rel);
    let shown = Path::new("content").join(&rel);
    if path.exists() {
        bail!("{} already exists; it was left as it is (choose another name, or edit that file)", shown.display());
    }
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let stem = rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let article = scaffold(&title_from(&stem), &today, &config);
    write_new(&path, article.as_bytes(), &shown)?;
    println!(
        "Created {} (a draft: `attache serve --drafts` shows it; remove `draft = true` to publish).",
        shown.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Create `path` with `bytes`, refusing (not replacing) a file that appeared
/// since the check above: an editor's work is never overwritten.
fn write_new(path: &Path, bytes: &[u8], shown: &Path) -> Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        crate::fs::create_dir_all(dir)?;
    }
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} already exists; it was left as it is", shown.display())
        }
        Err(e) => bail!("could not create {}: {e}", shown.display()),
    };
    file.write_all(bytes).map_err(|e| anyhow::anyhow!("could not write {}: {e}", shown.display()))
}

/// `europe/my-article` (or `…/my-article.md`, or with a leading `content/`)
/// → `europe/my-article.md`, refusing anything that would leave `content/`.
fn article_path(arg: &Path) -> Result<PathBuf> {
    let arg = arg.strip_prefix("content").unwrap_or(arg);
    let mut rel = PathBuf::new();
    for c in arg.components() {
        match c {
            Component::Normal(part) => rel.push(part),
            Component::CurDir => {}
            _ => bail!("`{}` must be a path inside content/, like europe/my-article", arg.display()),
        }
    }
    if rel.as_os_str().is_empty() {
        bail!("name the article, like `attache new europe/my-article`");
    }
    if rel.extension().is_none_or(|e| e != "md") {
        let mut name = rel.file_name().unwrap_or_default().to_os_string();
        name.push(".md");
        rel.set_file_name(name);
    }
    if rel.file_name().is_some_and(|n| n == "_index.md" || n == "index.md") {
        bail!("`attache new` makes articles; a section's _index.md is written by hand");
    }
    Ok(rel)
}

/// `my-article` → `My article`: a title the editor will replace, but one that
/// builds and reads as a title meanwhile.
fn title_from(stem: &str) -> String {
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".into(),
    }
}

/// The article: front matter with `title`, today's `date`, `draft = true` and
/// a placeholder for every field `[editorial] required_fields` asks for, then
/// a body that shows where the summary ends.
fn scaffold(title: &str, today: &str, config: &Config) -> String {
    let mut top = vec![format!("title = {title:?}"), format!("date = {today}"), "draft = true".to_string()];
    let mut tables = Vec::new();
    for field in &config.editorial.required_fields {
        let line = match field.as_str() {
            "title" | "date" | "draft" => continue,
            "description" => "description = \"TODO: one sentence saying what the reader will learn\"".to_string(),
            "updated" => format!("updated = {today}"),
            "authors" => "authors = [\"TODO: your name\"]".to_string(),
            "weight" => "weight = 10".to_string(),
            "taxonomies" => {
                let mut t = vec!["[taxonomies]".to_string()];
                t.extend(config.taxonomies.keys().map(|k| format!("# {k} = [\"…\"]")));
                tables.push(t.join("\n"));
                continue;
            }
            "extra" => {
                tables.push("[extra]".to_string());
                continue;
            }
            other => format!("{other} = \"TODO\""),
        };
        top.push(line);
    }
    let mut out = format!("+++\n{}\n", top.join("\n"));
    for t in tables {
        out.push_str(&format!("\n{t}\n"));
    }
    out.push_str(
        "+++\n\nTODO: the answer, in one paragraph.\n\n<!-- more -->\n\n## Why\n\nTODO: the reasons, then the history.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_content() {
        assert_eq!(article_path(Path::new("europe/my-article")).unwrap(), PathBuf::from("europe/my-article.md"));
        assert_eq!(article_path(Path::new("content/europe/a.md")).unwrap(), PathBuf::from("europe/a.md"));
        assert!(article_path(Path::new("../x")).is_err());
        assert!(article_path(Path::new("/tmp/x")).is_err());
        assert_eq!(title_from("my-article"), "My article");
    }
}
