//! `attache deploy`: publish a built site to a directory or to a branch of a
//! git repository, touching only what changed.
//!
//! A directory target is synchronised file by file: a file is rewritten only
//! when its content hash differs, files the build no longer produces are
//! removed, and `.git` is left alone so the directory may be a checkout.
//! A git target gets one new commit on the branch (gh-pages style) made with
//! `git fast-import`, which writes objects straight into the repository: no
//! working tree is touched, and a bare repository works as well as a clone.
//! Git stores content by hash, so unchanged files cost nothing; the summary
//! comes from `git diff-tree` between the old and new commit.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

use crate::hash::fnv1a;
use crate::outdir::OutputDir;
use crate::site::OutFile;

/// Where `--to` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Dir(PathBuf),
    /// A repository (bare or not) and the branch to commit to.
    Git {
        repo: PathBuf,
        branch: String,
    },
}

impl Target {
    /// `git:PATH` or `git:PATH#BRANCH` (default branch `gh-pages`), else a directory.
    pub fn parse(to: &str) -> Result<Target> {
        let Some(rest) = to.strip_prefix("git:") else { return Ok(Target::Dir(PathBuf::from(to))) };
        let (repo, branch) = rest.rsplit_once('#').unwrap_or((rest, "gh-pages"));
        if repo.is_empty() {
            bail!("`--to git:PATH[#BRANCH]` needs the repository's path after `git:`");
        }
        let bad = branch.is_empty()
            || branch.starts_with('-')
            || branch.contains("..")
            || branch.chars().any(|c| c.is_whitespace() || "~^:?*[\\".contains(c));
        if bad {
            bail!("`{branch}` is not a valid branch name");
        }
        Ok(Target::Git { repo: PathBuf::from(repo), branch: branch.to_string() })
    }
}

/// What a deploy did, path by path.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// One line per change (`+`, `~`, `-`), then the counts.
    pub fn report(&self, target: &str) -> String {
        let mut out = String::new();
        for (mark, list) in [('+', &self.added), ('~', &self.changed), ('-', &self.removed)] {
            for p in list {
                out.push_str(&format!("{mark} {p}\n"));
            }
        }
        out.push_str(&format!(
            "Deployed to {target}: {} added, {} changed, {} removed, {} unchanged",
            self.added.len(),
            self.changed.len(),
            self.removed.len(),
            self.unchanged
        ));
        out
    }
}

fn bytes_of(file: &OutFile) -> Result<std::borrow::Cow<'_, [u8]>> {
    match file {
        OutFile::Bytes(b) => Ok(b.as_slice().into()),
        OutFile::Copy(p) | OutFile::Written(p) => {
            Ok(std::fs::read(p).with_context(|| format!("could not read {}", p.display()))?.into())
        }
    }
}

/// Make `dir` hold exactly `files` (plus any `.git` and Attaché's marker),
/// writing only what differs. Symbolic links inside `dir` are removed, never
/// written through: a build produces none, and following one would write
/// outside `dir`.
pub fn to_dir(files: &BTreeMap<String, OutFile>, dir: &OutputDir) -> Result<Changes> {
    if let Some(rel) = files.keys().find(|r| r.starts_with('/') || r.split('/').any(|s| s == "..")) {
        bail!("refusing to write `{rel}` outside {}", dir.path().display());
    }
    if files.contains_key(crate::outdir::MARKER) {
        bail!("`{}` is the name of Attaché's output marker; rename that file", crate::outdir::MARKER);
    }
    dir.create()?;
    let mut existing: BTreeSet<String> = BTreeSet::new();
    let mut changes = Changes::default();
    // Stale files and every link go first, so no write below can pass
    // through a link or stumble on a file where a directory now belongs.
    for entry in dir.entries()? {
        if entry.is_link || !files.contains_key(&entry.rel) {
            dir.remove(&entry.rel)?;
            if !files.contains_key(&entry.rel) {
                changes.removed.push(entry.rel);
            } else {
                changes.changed.push(entry.rel);
            }
        } else {
            existing.insert(entry.rel);
        }
    }
    for (rel, file) in files {
        let new = bytes_of(file)?;
        if existing.contains(rel) {
            let path = dir.path().join(rel);
            let old = std::fs::read(&path).with_context(|| format!("could not read {}", path.display()))?;
            if old.len() == new.len() && fnv1a(&old) == fnv1a(&new) {
                changes.unchanged += 1;
                continue;
            }
            changes.changed.push(rel.clone());
        } else if !changes.changed.contains(rel) {
            changes.added.push(rel.clone());
        }
        dir.write(rel, &new)?;
    }
    dir.mark()?;
    Ok(changes)
}

/// Refuse a branch that `repo` (or one of its worktrees) has checked out:
/// moving it under a working tree would make every source look deleted.
pub fn refuse_checked_out(repo: &Path, branch: &str) -> Result<()> {
    let wanted = format!("refs/heads/{branch}");
    let listing = Command::new("git").arg("-C").arg(repo).args(["worktree", "list", "--porcelain"]).output();
    let mut checked_out: Option<String> = None;
    match listing {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut worktree = String::new();
            for line in text.lines() {
                if let Some(p) = line.strip_prefix("worktree ") {
                    worktree = p.to_string();
                } else if line.strip_prefix("branch ") == Some(wanted.as_str()) {
                    checked_out = Some(worktree.clone());
                }
            }
        }
        _ => {
            // An old git without `worktree`: the repository's own HEAD.
            let head = Command::new("git").arg("-C").arg(repo).args(["symbolic-ref", "-q", "HEAD"]).output();
            let bare = Command::new("git").arg("-C").arg(repo).args(["rev-parse", "--is-bare-repository"]).output();
            let is_bare = bare.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true");
            if !is_bare && head.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == wanted) {
                checked_out = Some(repo.display().to_string());
            }
        }
    }
    if let Some(worktree) = checked_out {
        bail!(
            "refusing to deploy to the branch `{branch}` of {}: it is checked out in {worktree}, and committing the site \
             onto it would make every file of that working tree look deleted; deploy to another branch \
             (`--to git:{}#gh-pages`)",
            repo.display(),
            repo.display()
        );
    }
    Ok(())
}

fn git(git_dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("--git-dir").arg(git_dir);
    c
}

/// Run a git command and return its standard output, or an error with its stderr.
fn output(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd.output().with_context(|| format!("could not run git to {what}"))?;
    if !out.status.success() {
        bail!("git could not {what}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Commit `files` as the whole tree of `branch` in `repo`; the branch is
/// created if missing. Nothing changed → no commit.
pub fn to_git(files: &BTreeMap<String, OutFile>, repo: &Path, branch: &str, message: &str) -> Result<Changes> {
    match Command::new("git").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => {}
        _ => bail!("`git` is not installed or not on PATH; deploying to a git branch needs it"),
    }
    let probe = Command::new("git").arg("-C").arg(repo).args(["rev-parse", "--absolute-git-dir"]).output();
    let git_dir = match probe {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => bail!("{} is not a git repository (create one with `git init --bare {}`)", repo.display(), repo.display()),
    };
    refuse_checked_out(repo, branch)?;
    let head = format!("refs/heads/{branch}");
    let mut probe = git(&git_dir);
    probe.args(["rev-parse", "--verify", "--quiet", &format!("{head}^{{commit}}")]);
    let parent = probe
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());

    let mut ident = git(&git_dir);
    ident.args(["var", "GIT_COMMITTER_IDENT"]);
    let ident = output(ident, "read the committer identity").unwrap_or_else(|_| {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        format!("Attaché <attache@localhost> {now} +0000")
    });

    // The new tree is written to a scratch ref first, so an unchanged site
    // leaves the branch (and its history) exactly as it was.
    let scratch = format!("refs/attache/deploy-{}", std::process::id());
    let mut stream: Vec<u8> = Vec::new();
    writeln!(stream, "commit {scratch}")?;
    writeln!(stream, "committer {ident}")?;
    writeln!(stream, "data {}\n{message}", message.len())?;
    if let Some(p) = &parent {
        writeln!(stream, "from {p}")?;
    }
    writeln!(stream, "deleteall")?;
    for (rel, file) in files {
        if rel.contains('\n') || rel.starts_with('"') || rel.starts_with('/') || rel.split('/').any(|s| s == "..") {
            bail!("cannot commit the file name `{}`", rel.escape_debug());
        }
        let bytes = bytes_of(file)?;
        writeln!(stream, "M 100644 inline {rel}")?;
        writeln!(stream, "data {}", bytes.len())?;
        stream.extend_from_slice(&bytes);
        stream.push(b'\n');
    }
    let mut import = git(&git_dir);
    import
        .args(["fast-import", "--quiet", "--force"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = import.spawn().context("could not run git fast-import")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&stream).context("could not send the site to git fast-import")?;
    }
    let done = child.wait_with_output().context("git fast-import failed")?;
    if !done.status.success() {
        bail!("git fast-import failed: {}", String::from_utf8_lossy(&done.stderr).trim());
    }
    let mut rev = git(&git_dir);
    rev.args(["rev-parse", &scratch]);
    let new = output(rev, "read the new commit")?;
    let mut drop_scratch = git(&git_dir);
    drop_scratch.args(["update-ref", "-d", &scratch]);
    output(drop_scratch, "remove its scratch ref")?;

    let mut changes = Changes::default();
    let Some(parent) = parent else {
        changes.added = files.keys().cloned().collect();
        let mut update = git(&git_dir);
        update.args(["update-ref", &head, &new, ""]);
        output(update, &format!("create the branch {branch}"))?;
        return Ok(changes);
    };
    let mut diff = git(&git_dir);
    diff.args(["diff-tree", "-r", "--no-renames", "--name-status", "-z", &parent, &new]);
    let listing = output(diff, "compare the trees")?;
    let mut parts = listing.split('\0').filter(|s| !s.is_empty());
    while let (Some(status), Some(path)) = (parts.next(), parts.next()) {
        match status {
            "A" => changes.added.push(path.to_string()),
            "D" => changes.removed.push(path.to_string()),
            _ => changes.changed.push(path.to_string()),
        }
    }
    changes.unchanged = files.len() - changes.added.len() - changes.changed.len();
    if !changes.is_empty() {
        let mut update = git(&git_dir);
        update.args(["update-ref", &head, &new, &parent]);
        output(update, &format!("move the branch {branch}"))?;
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(Target::parse("out").unwrap(), Target::Dir("out".into()));
        assert_eq!(
            Target::parse("git:/srv/site.git").unwrap(),
            Target::Git { repo: "/srv/site.git".into(), branch: "gh-pages".into() }
        );
        assert_eq!(
            Target::parse("git:../repo#pages").unwrap(),
            Target::Git { repo: "../repo".into(), branch: "pages".into() }
        );
        assert!(Target::parse("git:repo#bad..name").is_err());
        assert!(Target::parse("git:").is_err());
    }
}
