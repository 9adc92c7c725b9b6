//! The repository stands alone: no file sends a contributor to a document that is not in
//! it (the design notes, provider research and reviews this project started from live
//! outside the repository; what a contributor needs was written into README, `docs/` and
//! the code) or to an issue tracker's numbers. The CHANGELOG and the provider fixtures
//! (bytes as the providers sent them) are not read.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;
use std::path::{Path, PathBuf};

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

/// Documents outside the repository, by the names they were cited with.
const OUTSIDE: &[&str] = &[
    "DESIGN.md",
    "STYLE.md",
    "PROVIDERS.md",
    "PROVIDERS-MORE.md",
    "PROVIDERS-NEXT.md",
    "SECURITY-REVIEW",
    "DURABLE.md",
    "TOOLCHAIN.md",
    "TOOLCHAIN pitfall",
    "PLATFORM-NOTES",
    "../shared",
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

/// What in `text` cites something outside the repository.
fn citations(text: &str) -> Vec<String> {
    let mut found: Vec<String> = OUTSIDE
        .iter()
        .filter(|name| text.contains(*name))
        .map(|name| (*name).to_owned())
        .collect();
    // A tracker's number: "issue #12", "#12's", "in #12", "of #12".
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for (at, _) in lower.match_indices('#') {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
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
        for c in citations(&text) {
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
    assert_eq!(citations("see PROVIDERS-NEXT.md"), ["PROVIDERS-NEXT.md"]);
    assert_eq!(citations("(TOOLCHAIN pitfall 4)"), ["TOOLCHAIN pitfall"]);
    assert_eq!(citations("as issue #23 asked").len(), 1);
    assert_eq!(citations("#12's targets").len(), 1);
    assert!(citations("matched secret #2; color: #8884; #[derive]").is_empty());
}
