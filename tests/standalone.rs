//! The repository stands alone: no file sends a contributor to a document a clone does
//! not hold: a Markdown file that is not in the repository, a path that climbs out of it,
//! a numbered item of an outside list ("pitfall 4"), or an issue tracker's number. What a
//! contributor needs is written into README, `docs/` and the code. The CHANGELOG and the
//! provider fixtures (bytes as the providers sent them) are not read.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Where the repository's own text lives.
const ROOTS: &[&str] = &[
    "README.md",
    "CONTRIBUTING.md",
    "Cargo.toml",
    "wrangler.toml",
    ".dev.vars.example",
    ".ci",
    "docs",
    "npm/README.md",
    "npm/src",
    "npm/index.d.ts",
    "examples",
    "www",
    "src",
    "tests",
    "bench",
    "benches",
    "scripts",
    "schema",
    "migrations",
    "fuzz/src",
    "fuzz/fuzz_targets",
    "fuzz/README.md",
];

#[path = "support/walk.rs"]
mod walk;

/// The libFuzzer corpora, the npm package's build, the providers' bytes as sent, and this
/// file (its own examples of what it refuses).
fn skip(path: &Path, name: &str) -> bool {
    ["corpus", "dist", "fixtures"].contains(&name) || path.ends_with("tests/standalone.rs")
}

fn files(root: &Path, out: &mut Vec<PathBuf>) {
    walk::files(root, &skip, out);
}

/// The Markdown file names the repository holds.
fn markdown_names(root: &Path) -> BTreeSet<String> {
    let mut all = Vec::new();
    walk::files(root, &|_, _| false, &mut all);
    all.iter()
        .filter_map(|p| p.file_name()?.to_str())
        .filter(|n| n.ends_with(".md"))
        .map(str::to_owned)
        .collect()
}

/// `path` (relative to `dir`) resolved lexically; `None` when it climbs above `root`.
fn inside(root: &Path, dir: &Path, path: &str) -> bool {
    let mut at: Vec<Component<'_>> = dir.components().collect();
    for c in Path::new(path).components() {
        match c {
            Component::ParentDir => {
                at.pop();
            }
            Component::Normal(_) => at.push(c),
            _ => {}
        }
    }
    at.iter().collect::<PathBuf>().starts_with(root)
}

/// What in `text` (the file `file`, under `root`) cites something outside the repository,
/// given the Markdown file names the repository holds.
fn citations(text: &str, file: &Path, root: &Path, held: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let is_path = |b: u8| b.is_ascii_alphanumeric() || b"_-./:".contains(&b);
    let bytes = text.as_bytes();
    // Path-like words: a Markdown file not held here, or a climb out of the repository.
    let mut at = 0;
    while at < bytes.len() {
        let end = at + bytes[at..].iter().take_while(|&&b| is_path(b)).count();
        if end == at {
            at += 1;
            continue;
        }
        let word = text[at..end].trim_end_matches(['.', ':']);
        // A web address opens from anywhere.
        if word.contains("://") {
            at = end;
            continue;
        }
        let name = word.rsplit('/').next().unwrap_or(word);
        if name.ends_with(".md") && name.len() > 3 && !held.contains(name) {
            found.push(word.to_owned());
        }
        if word.starts_with("../") && !inside(root, file.parent().unwrap_or(root), word) {
            found.push(word.to_owned());
        }
        at = end;
    }
    let lower = text.to_ascii_lowercase();
    let digits_at = |from: usize| {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    // A numbered item of a list kept elsewhere.
    for (at, w) in lower.match_indices("pitfall ") {
        if digits_at(at + w.len()) > 0 {
            found.push(lower[at..at + w.len() + digits_at(at + w.len())].to_owned());
        }
    }
    // A tracker's number: "issue #12", "#12's", "in #12", "of #12".
    for (at, _) in lower.match_indices('#') {
        let digits = digits_at(at + 1);
        if digits == 0 {
            continue;
        }
        let before = &lower[..at];
        let after = &lower[at + 1 + digits..];
        if ["issue ", "in ", "of ", "issues "]
            .iter()
            .any(|w| before.ends_with(w))
            || after.starts_with("'s")
        {
            found.push(lower[at.saturating_sub(8)..at + 1 + digits].to_owned());
        }
    }
    found
}

#[test]
fn nothing_cites_a_document_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let held = markdown_names(root);
    assert!(held.contains("README.md") && held.contains("worker.md"));
    let mut all = Vec::new();
    for r in ROOTS {
        files(&root.join(r), &mut all);
    }
    assert!(all.len() > 100, "the walk found the repository's files");
    let mut bad = Vec::new();
    for path in &all {
        let Ok(text) = fs::read_to_string(path) else {
            continue; // not text
        };
        for c in citations(&text, path, root, &held) {
            bad.push(format!(
                "{}: {c}",
                path.strip_prefix(root).unwrap_or(path).display()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "cites what a clone does not hold (say it in the repository's own words):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_looks_for() {
    let root = Path::new("/repo");
    let file = Path::new("/repo/docs/a.md");
    let held: BTreeSet<String> = ["README.md".to_owned()].into();
    let cites = |text: &str| citations(text, file, root, &held);
    assert_eq!(cites("see NOTES-ELSEWHERE.md."), ["NOTES-ELSEWHERE.md"]);
    assert_eq!(cites("as ../../outside/x says"), ["../../outside/x"]);
    assert_eq!(cites("(a tool's pitfall 4)"), ["pitfall 4"]);
    assert_eq!(cites("as issue #23 asked").len(), 1);
    assert_eq!(cites("#12's targets").len(), 1);
    assert!(cites("see ../README.md: secret #2; color: #8884; #[derive]").is_empty());
    assert!(cites("<https://example.com/spec/notes.md>").is_empty());
}
