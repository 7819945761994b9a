//! Helpers for integration tests: the real binary, a temporary directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The gazmap binary built by cargo.
pub fn gazmap() -> Command {
    Command::cargo_bin("gazmap").expect("gazmap binary")
}

/// A committed fixture under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Standard output of a successful run, as text.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("UTF-8 output")
}

/// Parses JSON Lines.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}
