//! Atomic file output: write to a temporary file beside the target, then rename, so a run
//! that fails leaves the previous file as it was and never a partial one.
//!
//! Several files that belong together (the layers of one export) go through an
//! [`OutputSet`]: they are written into a fresh hidden directory beside the output folder,
//! which then takes the folder's place in one rename, so a reader sees the old set or the new
//! one, never a mix. Special files (a FIFO, `/dev/null`, a terminal) are written directly: they
//! cannot be replaced and must not be.
//!
//! Temporary files and folders are named `.gazmap-*.tmp` and locked while in use; one left by
//! a killed run is removed by the next run writing into the same folder, a minute after it was
//! last changed.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustix::fs::{flock, FlockOperation};

use crate::error::{Error, Result};

/// Prefix and suffix of temporary files and folders.
const TMP_PREFIX: &str = ".gazmap-";
const TMP_SUFFIX: &str = ".tmp";
/// A temporary file or folder unchanged for this long whose lock is free is left over.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// A file being written; it replaces `path` only when [`AtomicFile::commit`] is called.
/// Dropped without commit, it leaves nothing behind. A `path` that is a special file (FIFO,
/// device) is written directly instead.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    writer: Target,
}

#[derive(Debug)]
enum Target {
    Temporary(BufWriter<tempfile::NamedTempFile>),
    Direct(BufWriter<File>),
}

/// Whether `path` exists and is neither a regular file nor a directory (a FIFO, a device).
pub fn is_special_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The folder a file at `path` lives in (`.` for a bare name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl AtomicFile {
    /// Starts writing `path` (its directory must exist).
    pub fn create(path: impl AsRef<Path>) -> Result<AtomicFile> {
        let path = path.as_ref().to_path_buf();
        if is_special_file(&path) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            return Ok(AtomicFile {
                path,
                writer: Target::Direct(BufWriter::new(file)),
            });
        }
        let dir = parent_of(&path);
        remove_stale(&dir);
        let tmp = tempfile::Builder::new()
            .prefix(TMP_PREFIX)
            .suffix(TMP_SUFFIX)
            .tempfile_in(&dir)
            .map_err(|e| Error::io(&path, e))?;
        // held until the file is renamed: a run that finds it free knows its writer is gone
        flock(tmp.as_file(), FlockOperation::NonBlockingLockExclusive)
            .map_err(|e| Error::io(&path, e.into()))?;
        // temporary files are created private (0600); a result keeps the mode of the file it
        // replaces, or gets the usual 0644, so other users and web servers can read layers
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(0o644);
            tmp.as_file()
                .set_permissions(fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io(&path, e))?;
        }
        Ok(AtomicFile {
            path,
            writer: Target::Temporary(BufWriter::new(tmp)),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the temporary file onto the final path (a special file:
    /// flushes).
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        match self.writer {
            Target::Direct(w) => {
                w.into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                Ok(())
            }
            Target::Temporary(w) => {
                let tmp = w
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
                tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Target::Temporary(w) => w.write(buf),
            Target::Direct(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Target::Temporary(w) => w.flush(),
            Target::Direct(w) => w.flush(),
        }
    }
}

/// Writes `path` atomically with `write`: the file is replaced only when `write` succeeds.
pub fn write_file(path: &Path, write: impl FnOnce(&mut AtomicFile) -> Result<()>) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write(&mut file)?;
    file.commit()
}

/// Creates a directory and its parents, naming it in the error.
pub fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// Removes the `.gazmap-*.tmp` files and folders in `dir` that a killed run left: unlocked
/// and unchanged for a minute. Best effort: what cannot be removed stays.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TMP_PREFIX) && name.ends_with(TMP_SUFFIX)) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !old || !(meta.is_file() || meta.is_dir()) {
            continue;
        }
        let Ok(handle) = File::open(&path) else {
            continue;
        };
        if flock(&handle, FlockOperation::NonBlockingLockExclusive).is_err() {
            continue; // in use
        }
        let _ = if meta.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
    }
}

/// Files of one output folder that are replaced together: each is written into a fresh
/// hidden folder beside it, which [`OutputSet::commit`] swaps with the folder in one rename
/// (Linux `RENAME_EXCHANGE`). Files of the folder that are not in the set are kept. Dropped
/// without commit, it leaves the folder as it was.
///
/// ```
/// use std::io::Write;
/// use gazmap::io::atomic::OutputSet;
/// let parent = tempfile::tempdir()?;
/// let dir = parent.path().join("layers");
/// let mut set = OutputSet::create(&dir)?;
/// let mut f = set.create_file("a.geojson")?;
/// f.write_all(b"{}\n")?;
/// f.finish()?;
/// set.commit()?;
/// assert_eq!(std::fs::read(dir.join("a.geojson"))?, b"{}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OutputSet {
    /// The folder as given (for paths shown to people).
    given: PathBuf,
    /// The folder with symbolic links resolved (for the renames).
    dir: PathBuf,
    staging: Option<tempfile::TempDir>,
    /// Locks the staging folder against [`remove_stale`] of other runs.
    _lock: File,
    names: Vec<String>,
    unfinished: Vec<(String, Arc<AtomicBool>)>,
}

/// A file of an [`OutputSet`]; call [`SetFile::finish`] when it is written.
#[derive(Debug)]
pub struct SetFile {
    path: PathBuf,
    writer: BufWriter<File>,
    finished: Arc<AtomicBool>,
}

impl SetFile {
    /// Flushes and syncs the file; its errors (a full disk) are reported here.
    pub fn finish(mut self) -> Result<()> {
        self.writer.flush().map_err(|e| Error::io(&self.path, e))?;
        self.writer
            .get_ref()
            .sync_all()
            .map_err(|e| Error::io(&self.path, e))?;
        self.finished.store(true, Ordering::Release);
        Ok(())
    }
}

impl Write for SetFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl OutputSet {
    /// Starts a set of files that will replace their namesakes in `dir` (created, with its
    /// parents, if missing).
    pub fn create(dir: impl AsRef<Path>) -> Result<OutputSet> {
        let given = dir.as_ref();
        let dir = if given.exists() {
            fs::canonicalize(given).map_err(|e| Error::io(given, e))?
        } else {
            given.to_path_buf()
        };
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Invalid(format!(
                "{}: not a folder, expected the output folder",
                given.display()
            )));
        }
        let parent = parent_of(&dir);
        create_dir(&parent)?;
        remove_stale(&parent);
        let base = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let staging = tempfile::Builder::new()
            .prefix(&format!("{TMP_PREFIX}{base}-"))
            .suffix(TMP_SUFFIX)
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&dir, e))?;
        let lock = File::open(staging.path()).map_err(|e| Error::io(staging.path(), e))?;
        flock(&lock, FlockOperation::NonBlockingLockExclusive)
            .map_err(|e| Error::io(staging.path(), e.into()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&dir)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(0o755);
            fs::set_permissions(staging.path(), fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io(staging.path(), e))?;
        }
        Ok(OutputSet {
            given: given.to_path_buf(),
            dir,
            staging: Some(staging),
            _lock: lock,
            names: Vec::new(),
            unfinished: Vec::new(),
        })
    }

    /// The folder the set replaces files in, as given.
    pub fn given_dir(&self) -> &Path {
        &self.given
    }

    /// The final path of the file `name` of the set (in the folder as given).
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.given.join(name)
    }

    fn staging(&self) -> &Path {
        self.staging.as_ref().expect("staging until commit").path()
    }

    /// Adds the file `name` (a bare file name) to the set and gives the path to write it at,
    /// for writers that open files themselves (a database).
    pub fn add_path(&mut self, name: &str) -> Result<PathBuf> {
        let ok = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.contains(['/', '\\'])
            && !self.names.iter().any(|n| n == name);
        if !ok {
            return Err(Error::Invalid(format!(
                "{name:?}: not a new file name of the output set in {}",
                self.given.display()
            )));
        }
        self.names.push(name.to_string());
        Ok(self.staging().join(name))
    }

    /// Adds the file `name` to the set and opens it for writing.
    pub fn create_file(&mut self, name: &str) -> Result<SetFile> {
        let path = self.add_path(name)?;
        let file = File::create(&path).map_err(|e| Error::io(self.final_path(name), e))?;
        let finished = Arc::new(AtomicBool::new(false));
        self.unfinished.push((name.to_string(), finished.clone()));
        Ok(SetFile {
            path: self.final_path(name),
            writer: BufWriter::new(file),
            finished,
        })
    }

    /// Puts the set in place: the folder then holds the new files and every other file it
    /// had. On an error before the swap the folder is as it was.
    pub fn commit(mut self) -> Result<()> {
        if let Some((name, _)) = self
            .unfinished
            .iter()
            .find(|(_, f)| !f.load(Ordering::Acquire))
        {
            return Err(Error::Invalid(format!(
                "{}: written but not finished",
                self.final_path(name).display()
            )));
        }
        let staging = self.staging().to_path_buf();
        for name in &self.names {
            let path = staging.join(name);
            let file = File::open(&path).map_err(|e| Error::io(self.final_path(name), e))?;
            file.sync_all()
                .map_err(|e| Error::io(self.final_path(name), e))?;
        }
        sync_dir(&staging)?;
        let dir = self.dir.clone();
        if !dir.exists() {
            let staging = self.staging.take().expect("staging").keep();
            fs::rename(&staging, &dir).map_err(|e| Error::io(&dir, e))?;
            return sync_dir(&parent_of(&dir));
        }
        // a folder holding this process's working directory is filled file by file: swapping
        // it would leave the process (and a shell in it) in the old, removed folder
        let cwd = std::env::current_dir().ok();
        if cwd.is_some_and(|c| c.starts_with(&dir)) {
            return self.commit_file_by_file();
        }
        // what the folder holds beside the set comes along: files linked, then folders moved
        // (and moved back on any error, so the staging folder never takes them away)
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut folders = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name();
            // the set's own files are replaced; another writer's temporary file is moved back
            // after the swap (it is renamed by path)
            if name.to_str().is_some_and(|n| {
                self.names.iter().any(|m| m == n)
                    || (n.starts_with(TMP_PREFIX) && n.ends_with(TMP_SUFFIX))
            }) {
                continue;
            }
            let (from, to) = (entry.path(), staging.join(&name));
            let kind = entry.file_type().map_err(|e| Error::io(&from, e))?;
            let carried = if kind.is_dir() {
                folders.push((from, to));
                continue;
            } else if kind.is_symlink() {
                fs::read_link(&from).and_then(|t| std::os::unix::fs::symlink(t, &to))
            } else {
                fs::hard_link(&from, &to).or_else(|_| fs::copy(&from, &to).map(|_| ()))
            };
            carried.map_err(|e| Error::io(&from, e))?;
        }
        for (from, to) in &folders {
            if let Err(e) = fs::rename(from, to) {
                self.bring_back_folders(&staging, &dir);
                return Err(Error::io(from, e));
            }
        }
        let swapped = rustix::fs::renameat_with(
            rustix::fs::CWD,
            &dir,
            rustix::fs::CWD,
            &staging,
            rustix::fs::RenameFlags::EXCHANGE,
        );
        if let Err(e) = swapped {
            // no RENAME_EXCHANGE on this file system: bring the moved folders back, then
            // replace file by file
            self.bring_back_folders(&staging, &dir);
            if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS {
                return self.commit_file_by_file();
            }
            return Err(Error::io(&dir, e.into()));
        }
        // the old folder is now at the staging path: keep what appeared in it meanwhile
        let old = self.staging.take().expect("staging").keep();
        if let Ok(handle) = File::open(&old) {
            let _ = flock(&handle, FlockOperation::NonBlockingLockExclusive);
            if let Ok(entries) = fs::read_dir(&old) {
                for entry in entries.flatten() {
                    let to = dir.join(entry.file_name());
                    if fs::symlink_metadata(&to).is_err() {
                        let _ = fs::rename(entry.path(), to);
                    }
                }
            }
        }
        let _ = fs::remove_dir_all(&old);
        sync_dir(&parent_of(&dir))
    }

    fn bring_back_folders(&self, staging: &Path, dir: &Path) {
        let Ok(entries) = fs::read_dir(staging) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = fs::rename(entry.path(), dir.join(entry.file_name()));
            }
        }
    }

    /// Renames each file of the set into the folder: the fallback where a swap cannot be done.
    fn commit_file_by_file(mut self) -> Result<()> {
        let staging = self.staging.take().expect("staging");
        for name in &self.names {
            let to = self.dir.join(name);
            fs::rename(staging.path().join(name), &to).map_err(|e| Error::io(&to, e))?;
        }
        sync_dir(&self.dir)
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_drop_leaves_old() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, "old").unwrap();
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"partial").unwrap();
            // dropped without commit
        }
        assert_eq!(fs::read_to_string(&p).unwrap(), "old");
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files left");
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_special_file_is_written_in_place() {
        let mut f = AtomicFile::create("/dev/null").unwrap();
        f.write_all(b"gone").unwrap();
        f.commit().unwrap();
        assert!(is_special_file(Path::new("/dev/null")));
    }

    #[test]
    fn an_output_set_swaps_in_whole_and_keeps_other_files() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a.geojson"), "old a").unwrap();
        fs::write(dir.join("b.geojson"), "old b").unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/x"), "x").unwrap();
        {
            // dropped before commit: nothing changes, nothing is left
            let mut set = OutputSet::create(&dir).unwrap();
            let mut f = set.create_file("a.geojson").unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(fs::read_to_string(dir.join("a.geojson")).unwrap(), "old a");
        assert_eq!(names(parent.path()), ["out"]);
        let mut set = OutputSet::create(&dir).unwrap();
        for (name, text) in [("a.geojson", "new a"), ("b.geojson", "new b")] {
            let mut f = set.create_file(name).unwrap();
            f.write_all(text.as_bytes()).unwrap();
            f.finish().unwrap();
        }
        assert!(set.create_file("a.geojson").is_err(), "one name once");
        assert!(set.create_file("../x").is_err());
        // a reader holding the old folder sees the old set whole
        let old = fs::File::open(&dir).unwrap();
        set.commit().unwrap();
        drop(old);
        assert_eq!(fs::read_to_string(dir.join("a.geojson")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(dir.join("b.geojson")).unwrap(), "new b");
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(dir.join("sub/x")).unwrap(), "x");
        assert_eq!(names(parent.path()), ["out"]);
    }

    #[test]
    fn an_unfinished_file_stops_the_commit() {
        let parent = tempfile::tempdir().unwrap();
        let mut set = OutputSet::create(parent.path().join("out")).unwrap();
        let mut f = set.create_file("a.csv").unwrap();
        f.write_all(b"x").unwrap();
        drop(f);
        assert!(set.commit().is_err());
        assert_eq!(names(parent.path()), Vec::<String>::new());
    }

    #[test]
    fn leftovers_of_a_killed_run_are_removed_but_not_live_ones() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".gazmap-old.tmp");
        fs::write(&stale, "partial").unwrap();
        let stale_dir = dir.path().join(".gazmap-out-old.tmp");
        fs::create_dir(&stale_dir).unwrap();
        fs::write(stale_dir.join("a.geojson"), "partial").unwrap();
        let live = AtomicFile::create(dir.path().join("live.csv")).unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        for p in [&stale, &stale_dir] {
            fs::File::open(p).unwrap().set_modified(old).unwrap();
        }
        let live_tmp: Vec<_> = names(dir.path())
            .into_iter()
            .filter(|n| {
                n.starts_with(".gazmap-") && n != ".gazmap-old.tmp" && n != ".gazmap-out-old.tmp"
            })
            .collect();
        assert_eq!(live_tmp.len(), 1);
        fs::File::open(dir.path().join(&live_tmp[0]))
            .unwrap()
            .set_modified(old)
            .unwrap();
        remove_stale(dir.path());
        assert_eq!(names(dir.path()), live_tmp);
        live.commit().unwrap();
        assert_eq!(names(dir.path()), ["live.csv"]);
    }
}
