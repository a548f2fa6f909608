//! Snapshots to and from a file, for every host.
//!
//! Why: the JSON snapshot is the desk's export and import format, and at a million customers
//! it is about 1.7 GB, longer than a JavaScript string may be and a needless copy in any host.
//! Written here, it goes from the core straight to the file (through [`FileSink`]: a temporary
//! file renamed over the target once complete, so a failed save leaves the old file as it
//! was), and is read back without passing through a host string. The errors name no path.

use crate::FileSink;
use partnerdesk::{Desk, Error};
use std::path::Path;

/// Writes the desk's snapshot JSON ([`Desk::write_snapshot_json`]) to `path`, replacing the
/// file only once the whole snapshot is written and synced. `EXPORT_WRITE_FAILED` when the
/// file cannot be made or written; the old file, if any, is then untouched.
///
/// ```
/// use partnerdesk_host::snapshot_file::{load_snapshot_file, save_snapshot_file};
/// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
/// let path = dir.path().join("desk.json");
/// let (desk, _now) = partnerdesk::demo::portfolio(20, 1)?;
/// save_snapshot_file(&desk, &path)?;
/// assert_eq!(load_snapshot_file(&path)?, desk);
/// assert_eq!(
///     load_snapshot_file(&dir.path().join("missing.json")).err().map(|e| e.code()),
///     Some("INVALID_ARGUMENT")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save_snapshot_file(desk: &Desk, path: &Path) -> Result<(), Error> {
    let sink = FileSink::open(path)
        .map_err(|_| crate::export::write_failed("the snapshot file could not be created"))?;
    desk.write_snapshot_json(sink.file())?;
    sink.commit().map_err(crate::export::write_failed)
}

/// Loads a desk from a snapshot file ([`Desk::from_snapshot_json`], every invariant checked).
/// `INVALID_ARGUMENT` on `path` when the file cannot be read or is not UTF-8 text; the
/// snapshot's own errors otherwise.
pub fn load_snapshot_file(path: &Path) -> Result<Desk, Error> {
    let bytes = std::fs::read(path).map_err(|_| path_error("the file could not be read"))?;
    let text = String::from_utf8(bytes).map_err(|_| path_error("the file is not UTF-8 text"))?;
    Desk::from_snapshot_json(&text)
}

fn path_error(reason: &str) -> Error {
    Error::InvalidArgument {
        field: "path".to_owned(),
        reason: reason.to_owned(),
    }
}
