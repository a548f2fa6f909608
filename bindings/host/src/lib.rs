//! What every partnerdesk binding (Python, Node, Kotlin/Swift) shares that is not the core's.
//!
//! Why a crate of its own: the core is sans-I/O, yet each host writes exports to paths with the
//! same rules, and a rule written once per binding drifts. Host-specific code (GIL handling,
//! JS types, uniffi scaffolding) stays in each binding; what is host-neutral lives here.

use std::fs::File;
use std::path::{Path, PathBuf};

/// The file an export to a path writes to.
///
/// Why not the path itself: opening it for writing would truncate an existing file before the
/// desk even checks the request, so a refused, cancelled or failed export would destroy it. A
/// regular file (or a path with nothing yet) is written as a temporary file in the same folder,
/// flushed to disk and renamed over the target only once the export succeeded; otherwise the
/// temporary file is dropped, which removes it, and the target stays byte for byte as it was.
/// A symbolic link is followed (the file it points to is replaced, the link stays). Anything
/// else (a device such as `/dev/stdout`, a named pipe) cannot be replaced by a rename and is
/// written in place.
///
/// ```
/// use std::io::Write;
/// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
/// let path = dir.path().join("customers.csv");
/// std::fs::write(&path, b"old").map_err(|e| e.to_string())?;
///
/// // Dropped without commit (a refused or failed export): the old file stays.
/// let sink = partnerdesk_host::FileSink::open(&path).map_err(|e| e.to_string())?;
/// sink.file().write_all(b"half").map_err(|e| e.to_string())?;
/// drop(sink);
/// assert_eq!(std::fs::read(&path).map_err(|e| e.to_string())?, b"old");
///
/// // Committed: replaced as a whole.
/// let sink = partnerdesk_host::FileSink::open(&path).map_err(|e| e.to_string())?;
/// sink.file().write_all(b"new").map_err(|e| e.to_string())?;
/// sink.commit()?;
/// assert_eq!(std::fs::read(&path).map_err(|e| e.to_string())?, b"new");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug)]
pub enum FileSink {
    /// A temporary file beside the target, renamed over it on success.
    Atomic {
        /// The temporary file being written.
        tmp: tempfile::NamedTempFile,
        /// The file it replaces on success.
        target: PathBuf,
    },
    /// Not a regular file: written in place.
    Direct(File),
}

impl FileSink {
    /// Prepares the sink for `path` (nothing is written to the target yet).
    pub fn open(path: &Path) -> std::io::Result<Self> {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(FileSink::Direct),
            existing => {
                let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                let dir = match target.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let tmp = tempfile::NamedTempFile::new_in(dir)?;
                // A replaced file keeps its permissions (a new one is private to the user).
                if let Ok(meta) = existing {
                    tmp.as_file().set_permissions(meta.permissions())?;
                }
                Ok(FileSink::Atomic { tmp, target })
            }
        }
    }

    /// The file to write to.
    pub fn file(&self) -> &File {
        match self {
            FileSink::Atomic { tmp, .. } => tmp.as_file(),
            FileSink::Direct(f) => f,
        }
    }

    /// After a successful export (written and flushed): synced to disk and renamed over the
    /// target. The reason of a failure names no path.
    pub fn commit(self) -> Result<(), &'static str> {
        match self {
            FileSink::Atomic { tmp, target } => {
                tmp.as_file()
                    .sync_all()
                    .map_err(|_| "syncing the file failed")?;
                tmp.persist(&target)
                    .map(|_| ())
                    .map_err(|_| "renaming the file over the target failed")
            }
            FileSink::Direct(_) => Ok(()),
        }
    }
}
