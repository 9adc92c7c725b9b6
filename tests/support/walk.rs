//! The repository's files under some roots, for the tests that read them all
//! (`tests/privacy.rs`, `tests/standalone.rs`).

use std::fs;
use std::path::{Path, PathBuf};

/// Installed packages, build outputs and virtual environments: never the repository's own.
const NOT_OURS: &[&str] = &["node_modules", "target", "pkg", "artifacts", "__pycache__"];

/// Every file at or under `root`, but for hidden entries, [`NOT_OURS`], and what `skip`
/// refuses (given the path and its file name).
pub fn files(root: &Path, skip: &dyn Fn(&Path, &str) -> bool, out: &mut Vec<PathBuf>) {
    if root.is_file() {
        out.push(root.to_path_buf());
        return;
    }
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| !n.starts_with('.') && !NOT_OURS.contains(&n) && !skip(&path, n));
        if ours {
            files(&path, skip, out);
        }
    }
}
