//! Checking a request and resolving its rows, before anything is written.

use super::id_order::IdOrder;
use super::types::{
    ExportColumn, ExportFormat, ExportHistory, ExportRequest, ExportSelection, XLSX_MAX_ROWS, dedup,
};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::ExportId;
use crate::model::access::{Actor, Permission};
use crate::privacy::{MaskPolicy, Masker};
use crate::query::{Query, SortKey};
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use std::collections::HashSet;

impl ExportHistory {
    /// The next free job number and id.
    pub(super) fn next_id(&self) -> Result<(u64, ExportId)> {
        // The ids taken, once: a history whose ids run on past its number (a snapshot's) is
        // stepped over in one pass per id, not one pass over the jobs per id.
        let taken: HashSet<&ExportId> = self.jobs.iter().map(|j| &j.id).collect();
        let mut n = self.seq.max(self.reserved);
        loop {
            n = n.checked_add(1).ok_or_else(|| {
                crate::error::Error::invalid_arg("exports.seq", "the job numbers are exhausted")
            })?;
            let id = ExportId::new(format!("exp_{n:06}"))?;
            if !taken.contains(&id) {
                return Ok((n, id));
            }
        }
    }
}

/// Everything a run needs, resolved and checked before a byte is written. It owns what it
/// holds (a prepared export keeps it between the phases); rows in id order are read from
/// the desk's id order when written.
pub(super) struct Plan {
    pub(super) rows: Rows,
    pub(super) columns: Vec<ExportColumn>,
    pub(super) masks: MaskPolicy,
    pub(super) format: ExportFormat,
    pub(super) file_name: Option<String>,
}

/// The rows of an export, as slots of the desk.
pub(super) enum Rows {
    /// These slots, in this order (selected ids, or a query in another order than by id).
    Listed(Vec<u32>),
    /// The slots in `selected`, in the desk's id order (a query by id): the order is the
    /// desk's own (passed in as `order` when written), so the export holds no more than a
    /// bitmap of the selection.
    ById {
        selected: RoaringBitmap,
        descending: bool,
    },
}

impl Rows {
    pub(super) fn len(&self) -> u64 {
        match self {
            Rows::Listed(slots) => slots.len() as u64,
            Rows::ById { selected, .. } => selected.len(),
        }
    }

    /// The positions in the desk's id order (and in its copy of the exported fields) of
    /// the rows, in export order; `None` for listed slots.
    pub(super) fn positions<'a>(
        &'a self,
        order: &'a [u32],
    ) -> Option<Box<dyn Iterator<Item = u32> + 'a>> {
        let Rows::ById {
            selected,
            descending,
        } = self
        else {
            return None;
        };
        let all = selected.len() == order.len() as u64;
        let keep = move |(_, s): &(usize, &u32)| all || selected.contains(**s);
        let at = |(i, _): (usize, &u32)| i as u32;
        Some(if *descending {
            Box::new(order.iter().enumerate().rev().filter(keep).map(at))
        } else {
            Box::new(order.iter().enumerate().filter(keep).map(at))
        })
    }

    /// The slots, in export order.
    pub(super) fn slots<'a>(&'a self, order: &'a [u32]) -> Box<dyn Iterator<Item = u32> + 'a> {
        match self {
            Rows::Listed(slots) => Box::new(slots.iter().copied()),
            Rows::ById {
                selected,
                descending,
            } => {
                // Every live customer selected (the whole portfolio): nothing to check.
                let all = selected.len() == order.len() as u64;
                let keep = move |s: &u32| all || selected.contains(*s);
                if *descending {
                    Box::new(order.iter().rev().copied().filter(keep))
                } else {
                    Box::new(order.iter().copied().filter(keep))
                }
            }
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunEnd {
    Completed,
    Cancelled,
    Failed(&'static str),
}

impl Desk {
    /// Resolves and checks a request (nothing is written).
    pub(super) fn plan_export(&self, request: &ExportRequest, now: DateTime<Utc>) -> Result<Plan> {
        let columns = if request.columns.is_empty() {
            ExportColumn::DEFAULT.to_vec()
        } else {
            let mut seen = HashSet::new();
            if let Some(dup) = request.columns.iter().find(|c| !seen.insert(**c)) {
                return Err(Error::invalid_arg(
                    "columns",
                    format!("column {} is named twice", dup.as_str()),
                ));
            }
            request.columns.clone()
        };
        let masks = request
            .masks
            .clone()
            .unwrap_or_else(|| self.export_policy.clone());
        Masker::new(&masks, self.pseudonym_key.as_ref())?;
        if let Some(name) = &request.file_name {
            check_file_name(name)?;
        }
        let rows = match &request.selection {
            ExportSelection::Ids(ids) => Rows::Listed(
                dedup(ids)
                    .iter()
                    .map(|id| self.slot_of(id))
                    .collect::<Result<Vec<_>>>()?,
            ),
            ExportSelection::Query { query, sort } => match self.id_order.get() {
                Some(_) if sort.key == SortKey::Id => Rows::ById {
                    selected: self.selected(query, now),
                    descending: sort.descending,
                },
                _ => Rows::Listed(
                    self.select_all(query, *sort, now)
                        .into_iter()
                        .map(|c| self.slot_of(&c.id))
                        .collect::<Result<Vec<_>>>()?,
                ),
            },
        };
        check_rows(request.format, rows.len())?;
        Ok(Plan {
            rows,
            columns,
            masks,
            format: request.format,
            file_name: request.file_name.clone(),
        })
    }

    /// Brings the id order and the compact copy of the exported fields up to date, for an
    /// authorized export only: a refused one must not cost the build of the copy (about a
    /// second at a million customers), and its pending changes stay for the next export to
    /// merge.
    pub(super) fn refresh_export_order(&mut self, authorized: &Result<()>) {
        if authorized.is_ok() {
            self.id_order.refresh_with_rows(&self.slots, &self.index);
        }
    }

    /// What the next export (or download again) would first bring up to date, built from a
    /// shared borrow: the customers in id order and the compact copy of the exported fields,
    /// with the changes since the last export merged in. `None` when both are up to date, or
    /// when `actor` may not export (a refused export costs no build).
    ///
    /// Why: the first export after loading builds the copy (about 2 s at a million
    /// customers), and the first after a change merges it (about 0.1 to 0.6 s). Inside
    /// [`Desk::prepare_export`] that runs on the desk borrowed exclusively, so a host that
    /// shares the desk behind a lock would hold every read for as long. A host builds the
    /// update under a read lock instead, while reads go on, and holds the write lock only for
    /// [`Desk::install_export_order`], a moment; the preparation then finds nothing to do.
    ///
    /// ```
    /// use partnerdesk::{demo, Invocation, OperatorId};
    /// use partnerdesk::access::Actor;
    /// use partnerdesk::export::{ExportRequest, ExportSelection};
    /// let (mut desk, now) = demo::portfolio(200, 7)?;
    /// let admin = Actor::Operator(OperatorId::new("admin")?);
    /// // Under a read lock, in a host:
    /// let update = desk.export_order_update(&admin);
    /// // Under the write lock, a moment:
    /// if let Some(update) = update {
    ///     assert!(desk.install_export_order(update));
    /// }
    /// assert!(desk.export_order_update(&admin).is_none()); // nothing left to do
    /// let prepared = desk.prepare_export(
    ///     &Invocation::new(admin, now),
    ///     &ExportRequest::csv(ExportSelection::all()),
    /// )?;
    /// assert!(prepared.total() > 0);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn export_order_update(&self, actor: &Actor) -> Option<ExportOrderUpdate> {
        if self.authorize(actor, Permission::Export, None).is_err()
            || !self.id_order.needs_refresh(&self.index)
        {
            return None;
        }
        Some(ExportOrderUpdate {
            order: self.id_order.refreshed(&self.slots, &self.index),
        })
    }

    /// Installs an update built by [`Desk::export_order_update`] and answers `true`, if it
    /// was built on this desk and nothing an export reads has changed since; otherwise
    /// changes nothing and answers `false` (the next export then brings the order up to date
    /// itself, as it would have without the update).
    pub fn install_export_order(&mut self, update: ExportOrderUpdate) -> bool {
        if update.order.stamp() != self.id_order.stamp() {
            return false;
        }
        self.id_order = update.order;
        true
    }

    /// The slots matching a query, as a bitmap (at most a bit per customer, compressed):
    /// the search's [`Desk::select_bitmap`], so no list of slots is held, whatever the
    /// filter.
    fn selected(&self, query: &Query, now: DateTime<Utc>) -> RoaringBitmap {
        self.select_bitmap(query, &self.match_context(now))
    }
}

/// Checks a file name offered for download: 1 to 128 characters, not blank, no path
/// separator or control character (`INVALID_ARGUMENT` naming `file_name`).
pub(super) fn check_file_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0
        || n > 128
        || name.trim().is_empty()
        || name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\'))
    {
        return Err(Error::invalid_arg(
            "file_name",
            "1 to 128 characters, no path separators or control characters",
        ));
    }
    Ok(())
}

/// Refuses a selection larger than an XLSX sheet holds ([`XLSX_MAX_ROWS`]).
pub(super) fn check_rows(format: ExportFormat, rows: u64) -> Result<()> {
    if format == ExportFormat::Xlsx && rows > XLSX_MAX_ROWS {
        return Err(Error::invalid_arg(
            "selection",
            format!("an XLSX sheet holds at most {XLSX_MAX_ROWS} rows; export CSV"),
        ));
    }
    Ok(())
}

/// The customers in id order and the compact copy of the exported fields, brought up to date
/// from a shared borrow of a desk ([`Desk::export_order_update`]), for
/// [`Desk::install_export_order`]. It holds personal data (the copy's texts); `Debug` shows
/// the number of customers only.
pub struct ExportOrderUpdate {
    order: IdOrder,
}

impl std::fmt::Debug for ExportOrderUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOrderUpdate")
            .field("customers", &self.order.len())
            .finish()
    }
}
