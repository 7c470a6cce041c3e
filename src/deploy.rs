//! Publishing a built site: to a local directory (a mounted share, a folder a
//! sync client uploads) or to a branch of a git repository (GitHub Pages'
//! `gh-pages` style).
//!
//! Both targets work the same way: compare what the build produced with what
//! the target holds, by content, and touch only the difference. Unchanged
//! files keep their timestamps (so rsync-like uploaders and CDNs see no
//! change), stale files are removed, and a deploy with nothing to do says so
//! and writes nothing — no empty commit either.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::site::OutFile;

/// Where a deploy goes, as parsed from `--to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A local directory.
    Dir(PathBuf),
    /// A branch of a git repository (bare or not), e.g. `git:../site.git#gh-pages`.
    Git { repo: PathBuf, branch: String },
}

impl Target {
    /// `DIR`, or `git:REPO` with an optional `#BRANCH` (default `gh-pages`).
    pub fn parse(to: &str) -> Result<Target> {
        let Some(rest) = to.strip_prefix("git:") else {
            if to.is_empty() {
                bail!("--to needs a directory or git:REPO[#BRANCH]");
            }
            return Ok(Target::Dir(PathBuf::from(to)));
        };
        let (repo, branch) = rest.rsplit_once('#').unwrap_or((rest, "gh-pages"));
        if repo.is_empty() {
            bail!("`{to}` names no repository: write git:PATH or git:PATH#BRANCH");
        }
        if branch.is_empty() || branch.starts_with('-') || branch.contains([' ', '~', '^', ':', '?', '*', '[', '\\']) {
            bail!("`{branch}` is not a usable branch name");
        }
        Ok(Target::Git { repo: PathBuf::from(repo), branch: branch.to_string() })
    }
}

/// What a deploy changed (or would change), by output path.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// One line an editor reads at a glance.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} changed, {} removed, {} unchanged",
            self.added.len(),
            self.changed.len(),
            self.removed.len(),
            self.unchanged
        )
    }

    /// Every path with `+`, `~` or `-`, like `git status --short`.
    pub fn listing(&self) -> String {
        let mut out = String::new();
        for (mark, paths) in [("+", &self.added), ("~", &self.changed), ("-", &self.removed)] {
            for p in paths {
                out.push_str(&format!("  {mark} {p}\n"));
            }
        }
        out
    }
}

/// The bytes of one built file.
fn bytes_of(file: &OutFile) -> Result<std::borrow::Cow<'_, [u8]>> {
    Ok(match file {
        OutFile::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
        OutFile::Copy(src) => std::borrow::Cow::Owned(crate::fs::read(src)?),
    })
}

/// Deploy `files` to `target`; with `dry_run`, only say what would change.
pub fn deploy(files: &BTreeMap<String, OutFile>, target: &Target, dry_run: bool, message: &str) -> Result<Plan> {
    match target {
        Target::Dir(dir) => to_dir(files, dir, dry_run),
        Target::Git { repo, branch } => to_git(files, repo, branch, dry_run, message),
    }
}

// ---------------------------------------------------------------------------
// A directory
// ---------------------------------------------------------------------------

/// Files under `dir`, relative and `/`-separated. A `.git` directory at the
/// top (the folder is a checkout someone pushes by hand) is not ours to touch.
fn existing_files(dir: &Path) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return Ok(out);
    }
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == ".git"));
    for entry in walk {
        let entry = entry.with_context(|| format!("could not read {}", dir.display()))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        out.insert(rel.join("/"));
    }
    Ok(out)
}

fn to_dir(files: &BTreeMap<String, OutFile>, dir: &Path, dry_run: bool) -> Result<Plan> {
    let existing = existing_files(dir)?;
    let mut plan = Plan::default();
    let mut writes: Vec<(&String, std::borrow::Cow<'_, [u8]>)> = Vec::new();
    for (path, file) in files {
        let bytes = bytes_of(file)?;
        let dest = dir.join(path);
        if existing.contains(path) {
            // Same length first: most changed files differ in size.
            let same = std::fs::metadata(&dest).is_ok_and(|m| m.len() == bytes.len() as u64)
                && std::fs::read(&dest).is_ok_and(|old| old == *bytes);
            if same {
                plan.unchanged += 1;
                continue;
            }
            plan.changed.push(path.clone());
        } else {
            plan.added.push(path.clone());
        }
        writes.push((path, bytes));
    }
    plan.removed = existing.iter().filter(|p| !files.contains_key(*p)).cloned().collect();
    if dry_run || plan.is_empty() {
        return Ok(plan);
    }
    // New and changed files first (each written beside its place and renamed,
    // so a reader never sees half a file), stale ones last.
    for (path, bytes) in writes {
        let dest = dir.join(path);
        if dest.is_dir() {
            crate::fs::remove_dir_all(&dest)?;
        }
        let tmp = dest.with_file_name(format!(
            ".{}.attache-tmp",
            dest.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        crate::fs::write(&tmp, &bytes)?;
        crate::fs::rename(&tmp, &dest)?;
    }
    for path in &plan.removed {
        let p = dir.join(path);
        std::fs::remove_file(&p).with_context(|| format!("could not remove {}", p.display()))?;
        // Directories left empty go too, up to the deploy root.
        let mut parent = p.parent();
        while let Some(d) = parent {
            if d == dir || std::fs::remove_dir(d).is_err() {
                break;
            }
            parent = d.parent();
        }
    }
    Ok(plan)
}

// ---------------------------------------------------------------------------
// A git branch
// ---------------------------------------------------------------------------

fn git(repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(repo).env("GIT_TERMINAL_PROMPT", "0");
    c
}

/// Run git and return stdout, or an error quoting what git said.
fn git_output(repo: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = git(repo).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!("deploying to a git branch needs `git`, which is not installed (or not on PATH)")
        } else {
            anyhow::anyhow!("could not run git: {e}")
        }
    })?;
    if !out.status.success() {
        bail!("git {} failed in {}: {}", args.join(" "), repo.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out.stdout)
}

/// Git's object id of a blob with these bytes (SHA-1 of `blob <len>\0<bytes>`),
/// so unchanged files are recognised without handing them to git.
pub fn blob_id(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A path as git fast-import reads it: C-style quoted when it must be.
fn fast_import_path(path: &str) -> String {
    if !path.starts_with('"') && !path.contains(['\n', '\\']) && !path.contains('"') {
        return path.to_string();
    }
    let mut q = String::from("\"");
    for c in path.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn to_git(files: &BTreeMap<String, OutFile>, repo: &Path, branch: &str, dry_run: bool, message: &str) -> Result<Plan> {
    if !repo.exists() {
        bail!("{} does not exist; create it with `git init --bare {}`", repo.display(), repo.display());
    }
    let bare = git_output(repo, &["rev-parse", "--is-bare-repository"])
        .with_context(|| format!("{} is not a git repository", repo.display()))?;
    let bare = String::from_utf8_lossy(&bare).trim() == "true";
    let reference = format!("refs/heads/{branch}");
    if !bare {
        // Moving the branch under a checkout would leave its files stale.
        let head = git(repo).args(["symbolic-ref", "-q", "HEAD"]).output().ok();
        if head.is_some_and(|h| String::from_utf8_lossy(&h.stdout).trim() == reference) {
            bail!("{branch} is checked out in {}; deploy to a bare repository or to another branch", repo.display());
        }
    }
    let parent = git(repo)
        .args(["rev-parse", "--verify", "-q", &format!("{reference}^{{commit}}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    // What the branch holds now: path → blob id.
    let mut old: BTreeMap<String, String> = BTreeMap::new();
    if let Some(commit) = &parent {
        let listing = git_output(repo, &["ls-tree", "-r", "-z", "--full-tree", commit])?;
        for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, path)) = entry.split_once('\t') else { continue };
            let id = meta.split(' ').nth(2).unwrap_or("");
            old.insert(path.to_string(), id.to_string());
        }
    }
    let mut plan = Plan::default();
    let mut writes: Vec<(&String, std::borrow::Cow<'_, [u8]>)> = Vec::new();
    for (path, file) in files {
        let bytes = bytes_of(file)?;
        match old.get(path) {
            Some(id) if *id == blob_id(&bytes) => {
                plan.unchanged += 1;
                continue;
            }
            Some(_) => plan.changed.push(path.clone()),
            None => plan.added.push(path.clone()),
        }
        writes.push((path, bytes));
    }
    plan.removed = old.keys().filter(|p| !files.contains_key(*p)).cloned().collect();
    if dry_run || plan.is_empty() {
        return Ok(plan);
    }
    // One commit on top of the branch with just the difference, streamed to
    // fast-import: no working tree, no index, one process for any site size.
    let ident = git_output(repo, &["var", "GIT_COMMITTER_IDENT"])
        .map(|v| String::from_utf8_lossy(&v).trim().to_string())
        .unwrap_or_else(|_| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            format!("Attaché <attache@localhost> {now} +0000")
        });
    let mut child = git(repo)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("could not run git fast-import")?;
    {
        let mut stdin = std::io::BufWriter::new(child.stdin.take().context("git fast-import has no stdin")?);
        writeln!(stdin, "commit {reference}")?;
        writeln!(stdin, "committer {ident}")?;
        writeln!(stdin, "data {}\n{message}", message.len())?;
        if let Some(p) = &parent {
            writeln!(stdin, "from {p}")?;
        }
        for path in &plan.removed {
            writeln!(stdin, "D {}", fast_import_path(path))?;
        }
        for (path, bytes) in &writes {
            writeln!(stdin, "M 100644 inline {}", fast_import_path(path))?;
            writeln!(stdin, "data {}", bytes.len())?;
            stdin.write_all(bytes)?;
            writeln!(stdin)?;
        }
        writeln!(stdin, "done")?;
        stdin.flush()?;
    }
    let out = child.wait_with_output().context("git fast-import did not finish")?;
    if !out.status.success() {
        bail!("git fast-import failed in {}: {}", repo.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(Target::parse("out").unwrap(), Target::Dir("out".into()));
        assert_eq!(
            Target::parse("git:../site.git").unwrap(),
            Target::Git { repo: "../site.git".into(), branch: "gh-pages".into() }
        );
        assert_eq!(
            Target::parse("git:/srv/site#main").unwrap(),
            Target::Git { repo: "/srv/site".into(), branch: "main".into() }
        );
        assert!(Target::parse("git:#x").is_err());
        assert!(Target::parse("git:repo#bad name").is_err());
    }

    #[test]
    fn blob_ids_match_git() {
        // What `git hash-object --stdin` prints for the same bytes.
        assert_eq!(blob_id(b"hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
