//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `transnorm` binary, run from a neutral directory so nothing depends on the cwd.
pub fn transnorm(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("transnorm").expect("binary built");
    cmd.current_dir(cwd);
    cmd
}

/// The file names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
