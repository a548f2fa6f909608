//! Reading a checkpoint's pieces out of SQLite into one buffer, on two connections at once
//! when the checkpoint is large (see the `sqlite` module's documentation).

use super::{DEFAULT_BUSY_TIMEOUT, corrupt, db};
use crate::error::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use std::sync::{Mutex, PoisonError};

/// Reads the pieces of the checkpoint of `mark` (partner, event and audit sequence numbers),
/// listed as rowid and length in order, into `bytes`, exactly as long as they are together:
/// from [`PARALLEL_READ_BYTES`] on, on two connections at once.
pub(super) fn read_all(
    conn: &Connection,
    mark: (&str, i64, i64),
    pieces: &[(i64, usize)],
    bytes: &mut [u8],
) -> Result<()> {
    // A large checkpoint is read by two connections at once, each its half of the pieces
    // into its half of the buffer: the read is the kernel's copies out of the page cache
    // and the buffer's first touch, about 0.45 s on one core for a million customers.
    // The second connection reads only pieces it finds to be the same rows (partner, mark,
    // number and length); anything else it leaves to this transaction, whose view is the
    // one the pieces were listed in.
    let half = if bytes.len() >= PARALLEL_READ_BYTES {
        pieces.len() / 2
    } else {
        0
    };
    let (front, back) = pieces.split_at(half);
    let front_len: usize = front.iter().map(|&(_, len)| len).sum();
    let (front_bytes, back_bytes) = bytes.split_at_mut(front_len);
    let path = conn.path().filter(|p| !p.is_empty()).map(str::to_owned);
    let back_slot = Mutex::new(Some(back_bytes));
    std::thread::scope(|scope| {
        let helper = path.as_deref().filter(|_| half > 0).and_then(|path| {
            let back_slot = &back_slot;
            std::thread::Builder::new()
                .name("partnerdesk-read".into())
                .spawn_scoped(scope, move || {
                    let taken = back_slot.lock().ok().and_then(|mut s| s.take());
                    let Some(into) = taken else { return false };
                    let read = read_pieces_beside(path, mark, back, into);
                    if !read && let Ok(mut s) = back_slot.lock() {
                        *s = Some(into);
                    }
                    read
                })
                .ok()
        });
        read_pieces(conn, front, front_bytes)?;
        if helper.is_some_and(|h| h.join().unwrap_or(false)) {
            return Ok(());
        }
        // Not read beside (no file name, no second thread, a row that differs, an error
        // there): read here, unless the buffer went with a helper that panicked.
        let left = back_slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| StoreError::Unavailable {
                reason: "reading the checkpoint failed".to_owned(),
            })?;
        read_pieces(conn, back, left)
    })
}

/// The smallest checkpoint read by two connections at once ([`read_all`]): below it a second
/// connection costs more than it saves.
const PARALLEL_READ_BYTES: usize = 4 * super::CHUNK_BYTES;

/// Reads checkpoint pieces (rowid and length, in order) into `into`, which is exactly as long
/// as they are together.
fn read_pieces(conn: &Connection, pieces: &[(i64, usize)], into: &mut [u8]) -> Result<()> {
    let mut rest = into;
    for &(rowid, piece) in pieces {
        let blob = conn
            .blob_open(rusqlite::MAIN_DB, "checkpoint_chunks", "data", rowid, true)
            .map_err(db)?;
        let (Some((into, after)), true) = (
            std::mem::take(&mut rest).split_at_mut_checked(piece),
            blob.len() == piece,
        ) else {
            return Err(corrupt("checkpoint chunk: its length changed while read"));
        };
        blob.read_at_exact(into, 0).map_err(db)?;
        rest = after;
    }
    Ok(())
}

/// [`read_pieces`] on a second, read-only connection to the database file at `path`, for the
/// checkpoint of `mark` (partner, event and audit sequence numbers): true when every piece
/// was read, each found first to be a piece of that checkpoint with the length listed (so a
/// piece pruned and its rowid taken again since the listing is never read as it). False for
/// anything else, and the caller reads them.
fn read_pieces_beside(
    path: &str,
    mark: (&str, i64, i64),
    pieces: &[(i64, usize)],
    into: &mut [u8],
) -> bool {
    use rusqlite::OpenFlags;
    let mut read = || -> rusqlite::Result<bool> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(DEFAULT_BUSY_TIMEOUT)?;
        let tx = conn.transaction()?;
        {
            let mut same = tx.prepare(
                "SELECT partner_id = ?1 AND event_seq = ?2 AND audit_seq = ?3
                        AND length(data) = ?4 AND typeof(data) = 'blob'
                 FROM checkpoint_chunks WHERE rowid = ?5",
            )?;
            for &(rowid, len) in pieces {
                let found: Option<bool> = same
                    .query_row(params![mark.0, mark.1, mark.2, len as i64, rowid], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if found != Some(true) {
                    return Ok(false);
                }
            }
        }
        let read = read_pieces(&tx, pieces, into).is_ok();
        tx.finish()?;
        Ok(read)
    };
    read().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The second connection reads only the pieces of the checkpoint it is asked for, as
    /// listed: another mark, another length, a rowid that is not there or a file that is not
    /// a database leave the buffer to the caller (false).
    #[test]
    fn pieces_are_read_beside_only_when_they_are_the_ones_listed() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| corrupt(e.to_string()))?;
        let path = dir.path().join("desk.db");
        let path = path.to_str().ok_or_else(|| corrupt("path"))?;
        let conn = Connection::open(path).map_err(db)?;
        conn.execute_batch(
            "CREATE TABLE checkpoint_chunks (partner_id TEXT, event_seq INTEGER,
                 audit_seq INTEGER, n INTEGER, data BLOB);
             INSERT INTO checkpoint_chunks VALUES ('p1', 3, 2, 0, x'0102030405');
             INSERT INTO checkpoint_chunks VALUES ('p1', 3, 2, 1, x'060708');",
        )
        .map_err(db)?;
        let rowids: Vec<i64> = conn
            .prepare("SELECT rowid FROM checkpoint_chunks ORDER BY n")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(db)?;
        let pieces = [(rowids[0], 5), (rowids[1], 3)];
        let mut into = [0u8; 8];
        assert!(read_pieces_beside(path, ("p1", 3, 2), &pieces, &mut into));
        assert_eq!(into, [1, 2, 3, 4, 5, 6, 7, 8]);
        for (mark, pieces) in [
            (("p2", 3, 2), pieces),
            (("p1", 4, 2), pieces),
            (("p1", 3, 1), pieces),
            (("p1", 3, 2), [(rowids[0], 4), (rowids[1], 4)]),
            (("p1", 3, 2), [(rowids[0], 5), (rowids[1] + 7, 3)]),
        ] {
            let mut into = [0u8; 8];
            assert!(
                !read_pieces_beside(path, mark, &pieces, &mut into),
                "{mark:?} {pieces:?}"
            );
        }
        let not_a_db = dir.path().join("not.db");
        std::fs::write(&not_a_db, b"not a database file, only text")
            .map_err(|e| corrupt(e.to_string()))?;
        let not_a_db = not_a_db.to_str().ok_or_else(|| corrupt("path"))?;
        assert!(!read_pieces_beside(
            not_a_db,
            ("p1", 3, 2),
            &pieces,
            &mut into
        ));
        Ok(())
    }
}
