//! Helpers for integration tests: the real binary, a temporary directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The gazmap binary built by cargo.
pub fn gazmap() -> Command {
    Command::cargo_bin("gazmap").expect("gazmap binary")
}

/// The gazmap binary with `--gazetteer GAZETTEER`.
pub fn gazmap_on(gazetteer: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = gazmap();
    cmd.arg("--gazetteer").arg(gazetteer);
    cmd
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

/// Checks on a run of gazmap, chained after its arguments.
pub trait RunExt {
    /// Runs the command and checks that it exits with `code` and says `message` on standard
    /// error.
    fn fails_with(&mut self, code: i32, message: &str);

    /// Runs the command and checks that it succeeds and says each of `messages` on standard
    /// error.
    fn succeeds_saying(&mut self, messages: &[&str]);
}

impl RunExt for Command {
    fn fails_with(&mut self, code: i32, message: &str) {
        self.assert()
            .code(code)
            .stderr(predicates::str::contains(message));
    }

    fn succeeds_saying(&mut self, messages: &[&str]) {
        let out = self.assert().success().get_output().stderr.clone();
        let err = String::from_utf8_lossy(&out);
        for m in messages {
            assert!(err.contains(m), "{m:?} not in {err}");
        }
    }
}

/// A new temporary directory and the path of a file `name` in it (not created).
pub fn temp_path(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(name);
    (dir, path)
}

/// A new temporary directory holding one file, `name`, with `contents`; and the file's path.
pub fn temp_file(name: &str, contents: impl AsRef<[u8]>) -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = temp_path(name);
    std::fs::write(&path, contents).expect("writing the temporary file");
    (dir, path)
}
