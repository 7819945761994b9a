//! Gazetteers as a user names them: gazetteer CSVs, GeoNames dumps and index files, each
//! recognised by its name or its first bytes.

use std::path::Path;

use super::{file, Index};
use crate::error::Result;
use crate::gazetteer::{geonames, read_csv_places, Gazetteer};

/// The places of every file in `paths`, in order, as one gazetteer: the embedded one when
/// `paths` is empty. A GeoNames dump is imported with no code or alternate-name files; its
/// malformed lines are skipped and each file's are reported once through `warn`.
///
/// # Errors
/// A file that cannot be read or is malformed, naming it (and its line where it has one).
pub fn load_gazetteer(
    paths: &[impl AsRef<Path>],
    warn: &mut dyn FnMut(String),
) -> Result<Gazetteer> {
    if paths.is_empty() {
        return Gazetteer::embedded();
    }
    let mut places = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if geonames::is_dump(path) {
            let imported = geonames::import(path, &Default::default(), &mut |_, _, _| {})?;
            if let Some(first) = imported.problems.first() {
                warn(format!(
                    "skipped {} malformed lines of {}, the first: {first}",
                    imported.problems.len(),
                    path.display()
                ));
            }
            places.extend(imported.places);
        } else if file::is_index_file(path) {
            let g = file::open(path)?.0;
            places.extend(g.places().map(|p| p.to_place()));
        } else {
            places.extend(read_csv_places(path)?);
        }
    }
    Gazetteer::from_places(places)
}

/// The gazetteer `paths` name and its index: one index file is opened as it is (memory-mapped,
/// nothing rebuilt); anything else is loaded with [`load_gazetteer`] and indexed.
///
/// # Errors
/// As [`load_gazetteer`], and an index file that is refused ([`crate::error::IndexError`]).
pub fn open(
    paths: &[impl AsRef<Path>],
    warn: &mut dyn FnMut(String),
) -> Result<(Gazetteer, Index)> {
    if let [path] = paths {
        if file::is_index_file(path.as_ref()) {
            return file::open(path.as_ref());
        }
    }
    let gazetteer = load_gazetteer(paths, warn)?;
    let index = Index::build(&gazetteer)?;
    Ok((gazetteer, index))
}

/// As [`open`], but one index file is memory-mapped ([`file::open_mapped`]) rather than read:
/// it opens in milliseconds whatever its size, and every process that opens the same file
/// shares its pages. This is how `gazmap` itself opens `--gazetteer`.
///
/// # Safety
/// As [`file::open_mapped`]: an index file must not be modified or truncated while the
/// returned gazetteer or index is alive (gazmap only ever replaces one by renaming).
///
/// # Errors
/// As [`open`].
pub unsafe fn open_shared(
    paths: &[impl AsRef<Path>],
    warn: &mut dyn FnMut(String),
) -> Result<(Gazetteer, Index)> {
    if let [path] = paths {
        if file::is_index_file(path.as_ref()) {
            // SAFETY: the caller's promise, passed on
            return unsafe { file::open_mapped(path.as_ref()) };
        }
    }
    open(paths, warn)
}
