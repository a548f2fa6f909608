//! What every partnerdesk binding (Python, Node, Kotlin/Swift) shares that is not the core's.
//!
//! Why a crate of its own: the core is sans-I/O, yet each host writes exports to paths with the
//! same rules, and a rule written once per binding drifts. Host-specific code (GIL handling,
//! JS types, uniffi scaffolding) stays in each binding; what is host-neutral lives here: the
//! list of operations every host offers ([`OPERATIONS_TOML`], read by each host's parity test),
//! the export steps ([`export`]: three phases over a `std` lock, to a path through
//! [`FileSink`], to host chunks, the request from host arguments), budget thresholds given as
//! text ([`thresholds`]), snapshots to and from files ([`snapshot_file`]), the shared cursor
//! key ([`set_cursor_key`]) and the host conventions
//! ([`values`]: `now`, actors, money and instants, each host's idiom behind a feature).

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("partnerdesk_host");

pub mod detail;
pub mod durable;
pub mod ops;
#[cfg(feature = "python")]
pub mod python;
pub mod records;
pub mod setup;
pub mod snapshot_file;
pub mod values;
pub use durable::{DeskLock, HostDesk, StoreKind, StoreOptions};
pub use values::{Actor, HostDecimal, HostInstant, at, now_or_clock, operator};

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

/// Host-neutral steps of an export, shared by the bindings whose desk sits behind a
/// [`DeskLock`] (every binding; Python writes its rows its own way).
pub mod export {
    use super::FileSink;
    use crate::{DeskLock, HostDesk};
    use parking_lot::{RwLockUpgradableReadGuard, RwLockWriteGuard};
    use partnerdesk::Desk;
    use partnerdesk::Error;
    use partnerdesk::access::Actor;
    use partnerdesk::export::{ExportProgress, ExportWritten, PreparedExport};
    use std::io::Write;
    use std::ops::ControlFlow;

    /// Runs an export (or a download) in the core's three phases: prepared under the desk's
    /// write lock ([`prepare`]), written under a read lock (downgraded from the write lock, so
    /// that no change comes between and the prepared export stays valid), recorded under the
    /// write lock again. Reads from other threads run while the order is built and while the
    /// rows stream; changes wait. On a durable desk the preparation (its audit records) and
    /// the record are committed like any change
    /// ([`HostDesk::change`](crate::HostDesk::change)); the record runs once: after another
    /// instance's change it is `CONCURRENT_CHANGE`, the rows written but no job recorded.
    pub fn phases<T>(
        desk: &DeskLock,
        actor: &Actor,
        prepare: impl FnMut(&mut Desk) -> Result<PreparedExport, Error>,
        out: &mut (dyn Write + Send),
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
        record: impl FnOnce(&mut Desk, PreparedExport, ExportWritten) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (guard, prepared) = self::prepare(desk, actor, prepare)?;
        let guard = RwLockWriteGuard::downgrade(guard);
        let written = guard.write_export(&prepared, &mut *out, progress);
        drop(guard);
        let written = written?;
        let mut guard = crate::durable::Changing::new(
            desk.write(),
            desk,
            crate::durable::checkpoint_after_change,
        );
        guard.change_once(|d| record(d, prepared, written))
    }

    /// The first phase of an export: what the preparation would build first (the customers
    /// in id order and the compact copy of the exported fields: seconds at a million
    /// customers, [`Desk::export_order_update`]) is built under an upgradable read lock, while
    /// other threads read, then the lock is upgraded to the write lock (no change comes
    /// between) for the moments that install it ([`Desk::install_export_order`]) and run
    /// `prepare` ([`HostDesk::change`](crate::HostDesk::change)). Returns the write lock
    /// still held (to downgrade for the rows) and the prepared export.
    ///
    /// One upgradable lock at a time: a second export waits for the first one's build and
    /// then finds the order up to date, so a desk builds it once, never under the write lock
    /// (unless the preparation runs again on a durable desk that caught up with another
    /// instance, and then only the little that changed).
    pub fn prepare<'a>(
        desk: &'a DeskLock,
        actor: &Actor,
        mut prepare: impl FnMut(&mut Desk) -> Result<PreparedExport, Error>,
    ) -> Result<(RwLockWriteGuard<'a, HostDesk>, PreparedExport), Error> {
        let shared = desk.upgradable_read();
        let mut update = shared.export_order_update(actor);
        let mut guard = RwLockUpgradableReadGuard::upgrade(shared);
        let prepared = guard.change(|d| {
            // Installed on the first run only: a run again finds the desk caught up with
            // another instance, where the update would be stale.
            if let Some(update) = update.take() {
                d.install_export_order(update);
            }
            prepare(d)
        })?;
        Ok((guard, prepared))
    }

    /// Downloads a recorded export again into `out` (its recorded selection over today's
    /// data): a customer list in the three [`phases`]; a customer's detail list in one change
    /// that runs once (the core writes one customer's lines in a moment, as it exported them).
    /// Returns the rows written.
    pub fn download(
        desk: &DeskLock,
        inv: &partnerdesk::Invocation,
        id: &partnerdesk::ExportId,
        out: &mut (dyn Write + Send),
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
    ) -> Result<u64, Error> {
        let detail = desk.read().export_job(id).is_ok_and(|j| {
            matches!(
                j.selection,
                partnerdesk::export::RecordedSelection::Detail(_)
            )
        });
        if detail {
            return desk
                .write()
                .change_once(|d| d.download_export(inv, id, out, progress));
        }
        phases(
            desk,
            inv.actor(),
            |d| d.prepare_download(inv, id),
            out,
            progress,
            Desk::record_download,
        )
    }

    /// A write failure after the export ran (`EXPORT_WRITE_FAILED`; the reason names no path).
    pub fn write_failed(reason: &str) -> Error {
        Error::ExportWriteFailed {
            id: String::new(),
            reason: reason.into(),
        }
    }

    /// Writes through `sink` (see [`FileSink`]): buffered, flushed, then committed only when
    /// `write` succeeded, so a refused, cancelled or failed export leaves the target as it was.
    pub fn to_sink<T>(
        sink: FileSink,
        write: impl FnOnce(&mut (dyn Write + Send)) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let value = {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, sink.file());
            let value = write(&mut out)?;
            out.flush()
                .map_err(|_| write_failed("flushing the file failed"))?;
            value
        };
        sink.commit().map_err(write_failed)?;
        Ok(value)
    }

    /// Opens a [`FileSink`] for `path`, a failure being `INVALID_ARGUMENT` on `path` (the
    /// reason names no path), then writes through it as [`to_sink`] does.
    pub fn to_path<T>(
        path: &std::path::Path,
        write: impl FnOnce(&mut (dyn Write + Send)) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let sink = FileSink::open(path)
            .map_err(|_| crate::invalid("path", "the file cannot be created"))?;
        to_sink(sink, write)
    }

    /// A writer handing each buffered chunk to a host callback; `chunk` answers `false` when
    /// the host could not take it (the export then fails with `EXPORT_WRITE_FAILED`).
    pub struct ChunkWriter<F: FnMut(&[u8]) -> bool + Send>(pub F);

    impl<F: FnMut(&[u8]) -> bool + Send> Write for ChunkWriter<F> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if (self.0)(buf) {
                Ok(buf.len())
            } else {
                Err(std::io::Error::other("the host refused the chunk"))
            }
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Streams through `chunk` in pieces of up to 64 KiB, flushed at the end.
    pub fn to_chunks<T>(
        chunk: impl FnMut(&[u8]) -> bool + Send,
        write: impl FnOnce(&mut (dyn Write + Send)) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, ChunkWriter(chunk));
        let value = write(&mut out)?;
        out.flush()
            .map_err(|_| write_failed("the host refused the last chunk"))?;
        Ok(value)
    }

    /// An export request from a host's arguments: `format` `csv` or `xlsx` (`INVALID_ARGUMENT`
    /// otherwise, and for a byte-order mark on XLSX), the columns by key (`columns`), the
    /// offered file name.
    pub fn request(
        selection: partnerdesk::export::ExportSelection,
        format: &str,
        bom: bool,
        columns: Option<&[String]>,
        file_name: Option<String>,
    ) -> Result<partnerdesk::export::ExportRequest, Error> {
        use partnerdesk::export::{ExportColumn, ExportRequest};
        let mut request = match format {
            "csv" => ExportRequest::csv(selection).with_bom(bom),
            "xlsx" if !bom => ExportRequest::xlsx(selection),
            "xlsx" => {
                return Err(crate::invalid(
                    "bom",
                    "only CSV exports have a byte-order mark",
                ));
            }
            _ => return Err(crate::invalid("format", "expected csv or xlsx")),
        };
        if let Some(columns) = columns {
            let columns = columns
                .iter()
                .map(|c| ExportColumn::parse(c))
                .collect::<Result<Vec<_>, _>>()?;
            request = request.with_columns(columns);
        }
        if let Some(name) = file_name {
            request = request.named(name);
        }
        Ok(request)
    }

    /// The progress closure the core takes, from a host callback answering whether to go on.
    pub fn progress(
        mut go_on: impl FnMut(u64, u64) -> bool,
    ) -> impl FnMut(ExportProgress) -> ControlFlow<()> {
        move |p| {
            if go_on(p.done, p.total) {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        }
    }
}

/// Budget alert thresholds given as decimal strings (percentages such as `"80"`, `"95.5"`):
/// each parsed, a bad one being `INVALID_ARGUMENT` on `thresholds`; the budget setting checks
/// their range and order.
pub fn thresholds(texts: &[String]) -> Result<Vec<rust_decimal::Decimal>, partnerdesk::Error> {
    texts
        .iter()
        .map(|t| {
            t.trim().parse::<rust_decimal::Decimal>().map_err(|_| {
                invalid(
                    "thresholds",
                    "each threshold is a decimal number of percent",
                )
            })
        })
        .collect()
}

/// The search-cursor key derived from a host's shared secret (at least 16 bytes,
/// `INVALID_ARGUMENT` otherwise), set on the desk.
pub fn set_cursor_key(
    desk: &mut partnerdesk::Desk,
    secret: &[u8],
) -> Result<(), partnerdesk::Error> {
    desk.set_cursor_key(partnerdesk::search::CursorKey::from_secret(secret)?);
    Ok(())
}

/// The operations every host offers (`operations.toml`, the source of truth of the parity
/// tests), as text.
pub const OPERATIONS_TOML: &str = include_str!("../operations.toml");

/// The JSON text of a core record in its snapshot form (for records that cross as JSON).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, partnerdesk::Error> {
    serde_json::to_string(value).map_err(partnerdesk::Error::from)
}

/// A core record from its snapshot-form JSON text (`MALFORMED_JSON` otherwise).
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, partnerdesk::Error> {
    serde_json::from_str(text).map_err(partnerdesk::Error::from)
}

/// A billing day given as text (`2026-11-29`); `INVALID_DATE` naming `field` otherwise.
pub fn day(field: &str, text: &str) -> Result<chrono::NaiveDate, partnerdesk::Error> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        partnerdesk::Error::InvalidDate {
            field: field.into(),
            reason: "expected a day such as 2026-11-29".into(),
        }
    })
}

/// `INVALID_ARGUMENT` naming `field`, for a host argument the core does not parse itself.
pub fn invalid(field: &str, reason: &str) -> partnerdesk::Error {
    partnerdesk::Error::InvalidArgument {
        field: field.into(),
        reason: reason.into(),
    }
}
