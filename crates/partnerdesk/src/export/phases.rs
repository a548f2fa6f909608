//! The three phases on the desk: prepare, write, record; and download again.

use super::cells::{CellWriter, CopyView, Reads, in_copy};
use super::csv::write_csv;
use super::plan::{Plan, Rows, RunEnd};
use super::types::{
    ExportColumn, ExportFormat, ExportJob, ExportProgress, ExportRequest, ExportSelection,
    ExportStatus, PROGRESS_EVERY, RecordedSelection,
};
use super::xlsx::write_xlsx;
use crate::audit::AuditOutcome;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{ExportId, IdMap};
use crate::invocation::Invocation;
use crate::model::access::{Actor, Permission};
use crate::privacy::{Masker, SensitiveField};
use chrono::{DateTime, Utc};
use std::fmt;
use std::io::Write;
use std::ops::ControlFlow;

/// An export that [`Desk::prepare_export`] authorized and planned, with its job id: the
/// first of the three phases. Write it with [`Desk::write_export`] (which borrows the desk
/// shared, so searches and other reads run beside it), then record it with
/// [`Desk::record_export`], which consumes it.
///
/// **What keeps it honest.** It holds the plan (the columns, the masks, the selected slots
/// or a bitmap of them), the desk's number and the desk's change count at prepare time:
///
/// - it is written only on the desk that prepared it, and only while that desk has not
///   changed what an export reads (a customer added, removed or changed, a month roll, an
///   operator added, a new pseudonym key); otherwise [`Desk::write_export`] returns
///   `INVALID_ARGUMENT` (field `prepared`) and writes nothing, so the rows written are
///   always those a one-shot export would have written at prepare time. Prepare again then.
/// - it is recorded at most once: [`Desk::record_export`] takes it by value, and only with
///   the [`ExportWritten`] that writing *it* returned, on the desk that prepared it
///   (`INVALID_ARGUMENT` otherwise). Changes after the write do not stop the record: the
///   job says what was written.
///
/// Its job id is reserved at prepare: a prepared export dropped without being recorded
/// leaves a gap in this desk's job numbers and nothing in the history, the log or the audit
/// trail (a desk rebuilt from the log may give the number again).
#[non_exhaustive]
pub struct PreparedExport {
    id: ExportId,
    /// The job number reserved (0 for a download).
    number: u64,
    actor: Actor,
    /// The instant the rows are evaluated at (a download: its job's).
    at: DateTime<Utc>,
    /// The instant of the call, for the audit trail.
    now: DateTime<Utc>,
    purpose: Purpose,
    plan: Plan,
    file_name: String,
    desk: u64,
    changes: u64,
}

/// What a prepared export is for.
enum Purpose {
    /// A new export, recorded as a job with this selection.
    Export(RecordedSelection),
    /// A recorded job downloaded again.
    Download(Box<ExportJob>),
}

impl PreparedExport {
    /// The job id the export will be recorded under (a download: the job downloaded).
    pub fn id(&self) -> &ExportId {
        &self.id
    }

    /// Rows selected.
    pub fn total(&self) -> u64 {
        self.plan.rows.len()
    }

    /// CSV or XLSX.
    pub fn format(&self) -> ExportFormat {
        self.plan.format
    }

    /// The file name offered for download.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }
}

impl fmt::Debug for PreparedExport {
    /// The job id, format and row count: never the selection (a query may quote
    /// personal data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedExport")
            .field("id", &self.id)
            .field("format", &self.plan.format)
            .field("total", &self.plan.rows.len())
            .finish_non_exhaustive()
    }
}

/// How [`Desk::write_export`] ended: rows written and whether it completed, was cancelled
/// by the callback or failed writing. Only a write makes one; [`Desk::record_export`]
/// takes it with the prepared export it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportWritten {
    id: ExportId,
    desk: u64,
    download: bool,
    rows: u64,
    end: RunEnd,
}

impl ExportWritten {
    /// The job id of the prepared export written.
    pub fn id(&self) -> &ExportId {
        &self.id
    }

    /// Rows written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// How the write ended, as the job will record it.
    pub fn status(&self) -> ExportStatus {
        status_of(self.end)
    }
}

pub(super) fn status_of(end: RunEnd) -> ExportStatus {
    match end {
        RunEnd::Completed => ExportStatus::Completed,
        RunEnd::Cancelled => ExportStatus::Cancelled,
        RunEnd::Failed(_) => ExportStatus::Failed {
            code: "EXPORT_WRITE_FAILED".to_owned(),
        },
    }
}

impl Desk {
    /// Exports customers, anonymised, to `out`, and records the job in the history: the
    /// three phases [`Desk::prepare_export`], [`Desk::write_export`] and
    /// [`Desk::record_export`] in one call, holding the desk exclusively throughout. A host
    /// that serves reads while an export streams runs the phases itself.
    ///
    /// Needs [`Permission::Export`] (the administrator); a refusal is audited and returned
    /// (`ADMINISTRATOR_ONLY`, `PERMISSION_DENIED`). A bad request (unknown id or column,
    /// a policy that would show personal data, more rows than an XLSX sheet holds) is
    /// refused before anything is written, audited, and not recorded as a job. Once rows flow,
    /// the job is recorded whatever happens: completed (the job is returned), cancelled by the
    /// callback (`EXPORT_CANCELLED`) or failed writing (`EXPORT_WRITE_FAILED`).
    ///
    /// The invocation's actor is checked, audited and recorded as the job's, at its `now` (the
    /// job's instant); its idempotency key, if any, is not used: an export is not a command a
    /// retry could repeat (a retried export is another job, as in the console).
    ///
    /// ```
    /// use partnerdesk::{demo, access::Actor, Invocation, OperatorId};
    /// use partnerdesk::export::{ExportRequest, ExportSelection, ExportStatus};
    /// let (mut desk, now) = demo::portfolio(100, 7)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let mut out = Vec::new();
    /// let job = desk.export(&admin, &ExportRequest::csv(ExportSelection::all()), &mut out, |_| std::ops::ControlFlow::Continue(()))?;
    /// assert_eq!(job.status, ExportStatus::Completed);
    /// assert_eq!(job.rows as usize, desk.count(&partnerdesk::query::Query::all(), now));
    /// assert!(String::from_utf8_lossy(&out).starts_with("Customer ID,Account Name,Customer Name"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn export<W: Write + Send>(
        &mut self,
        inv: &Invocation,
        request: &ExportRequest,
        out: W,
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
    ) -> Result<ExportJob> {
        let prepared = self.prepare_export(inv, request)?;
        let written = self.write_export(&prepared, out, progress)?;
        self.record_export(prepared, written)
    }

    /// Phase one of an export: checks [`Permission::Export`], brings the desk's id order
    /// and its copy of the exported fields up to date, resolves and checks the request and
    /// reserves the job id. Refusals are audited and returned as by [`Desk::export`]; nothing
    /// is recorded as a job then. Writes nothing. The invocation is used as by [`Desk::export`]
    /// (actor and `now`; an idempotency key is not used).
    ///
    /// ```
    /// use partnerdesk::{demo, access::Actor, Invocation, OperatorId};
    /// use partnerdesk::export::{ExportRequest, ExportSelection, ExportStatus};
    /// use partnerdesk::query::Query;
    /// use std::ops::ControlFlow;
    /// let (mut desk, now) = demo::portfolio(100, 7)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let prepared = desk.prepare_export(&admin, &ExportRequest::csv(ExportSelection::all()))?;
    /// let associated = desk.count(&Query::all(), now);
    /// let mut out = Vec::new();
    /// // `write_export` borrows the desk shared: reads run beside it.
    /// let written = desk.write_export(&prepared, &mut out, |_| {
    ///     assert_eq!(desk.count(&Query::all(), now), associated);
    ///     ControlFlow::Continue(())
    /// })?;
    /// let job = desk.record_export(prepared, written)?;
    /// assert_eq!(job.status, ExportStatus::Completed);
    /// assert_eq!(job.rows as usize, associated);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn prepare_export(
        &mut self,
        inv: &Invocation,
        request: &ExportRequest,
    ) -> Result<PreparedExport> {
        let (actor, now) = (inv.actor(), inv.now());
        crate::validate::instant("now", now)?;
        let authorized = self.authorize(actor, Permission::Export, None);
        self.refresh_export_order(&authorized);
        let checked = authorized.and_then(|()| self.plan_export(request, now));
        let plan = match checked {
            Ok(plan) => plan,
            Err(e) => {
                let detail = format!("format={}", request.format);
                self.record_audit(actor, None, "export", AuditOutcome::denied(&e), detail, now);
                return Err(e);
            }
        };
        let (seq, id) = self.exports.next_id()?;
        // Reserved now, so that an export prepared meanwhile gets another id.
        self.exports.reserved = seq;
        let file_name = plan
            .file_name
            .clone()
            .unwrap_or_else(|| format!("customers-{id}.{}", plan.format.extension()));
        let stamp = self.id_order.stamp();
        Ok(PreparedExport {
            id,
            number: seq,
            actor: actor.clone(),
            at: now,
            now,
            purpose: Purpose::Export(RecordedSelection::of(&request.selection)),
            plan,
            file_name,
            desk: stamp.desk,
            changes: stamp.changes,
        })
    }

    /// Phase two of an export: streams the rows of a prepared export, anonymised, to `out`,
    /// calling `progress` as [`Desk::export`] does, and returns how it ended. Borrows the
    /// desk shared: any number of searches and other reads may run meanwhile (from the
    /// callback, or from other threads).
    ///
    /// Refuses (`INVALID_ARGUMENT`, field `prepared`, nothing written) an export prepared on
    /// another desk, or one whose desk changed since it was prepared (see
    /// [`PreparedExport`]). A cancel or a failing sink is not an error here: it is in the
    /// returned [`ExportWritten`], and [`Desk::record_export`] returns it.
    pub fn write_export<W: Write + Send>(
        &self,
        prepared: &PreparedExport,
        out: W,
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
    ) -> Result<ExportWritten> {
        let stamp = self.id_order.stamp();
        if prepared.desk != stamp.desk {
            return Err(Error::invalid_arg(
                "prepared",
                "this export was prepared on another desk",
            ));
        }
        if prepared.changes != stamp.changes {
            return Err(Error::invalid_arg(
                "prepared",
                "the desk changed since this export was prepared; prepare it again",
            ));
        }
        let (rows, end) = self.run_export(&prepared.plan, out, progress, prepared.at)?;
        Ok(ExportWritten {
            id: prepared.id.clone(),
            desk: prepared.desk,
            download: matches!(prepared.purpose, Purpose::Download(_)),
            rows,
            end,
        })
    }

    /// Phase three of an export: records the job in the history and audits it; returns the
    /// job, or `EXPORT_CANCELLED` / `EXPORT_WRITE_FAILED` as [`Desk::export`] does (the job
    /// is recorded in every case).
    ///
    /// Refuses (`INVALID_ARGUMENT`, nothing recorded) a prepared export from another desk,
    /// or a `written` that did not come from writing this prepared export.
    pub fn record_export(
        &mut self,
        prepared: PreparedExport,
        written: ExportWritten,
    ) -> Result<ExportJob> {
        self.check_record(&prepared, &written)?;
        let PreparedExport {
            id,
            number,
            actor,
            at,
            purpose,
            plan,
            file_name,
            ..
        } = prepared;
        let Purpose::Export(selection) = purpose else {
            return Err(Error::invalid_arg(
                "prepared",
                "a prepared download is recorded by record_download",
            ));
        };
        let (rows, end) = (written.rows, written.end);
        let total = plan.rows.len();
        let job = ExportJob {
            id: id.clone(),
            actor,
            at,
            selection,
            format: plan.format,
            columns: plan.columns,
            masks: plan.masks,
            total,
            rows,
            status: status_of(end),
            file_name,
        };
        self.data_record_export(number, job.clone())?;
        let detail = format!(
            "{id} {} rows={rows}/{total} status={}",
            job.format,
            status_text(&job.status)
        );
        self.record_audit(
            &job.actor,
            None,
            "export",
            AuditOutcome::Allowed,
            detail,
            at,
        );
        finish(job, end)
    }

    /// Refuses to record a prepared export from another desk, or with the outcome of
    /// writing another one.
    fn check_record(&self, prepared: &PreparedExport, written: &ExportWritten) -> Result<()> {
        if prepared.desk != self.id_order.stamp().desk {
            return Err(Error::invalid_arg(
                "prepared",
                "this export was prepared on another desk",
            ));
        }
        if written.id != prepared.id
            || written.desk != prepared.desk
            || written.download != matches!(prepared.purpose, Purpose::Download(_))
        {
            return Err(Error::invalid_arg(
                "written",
                "not the outcome of writing this prepared export",
            ));
        }
        Ok(())
    }

    /// Downloads a recorded export again: regenerates it from the recorded selection, columns
    /// and masks over the data as it is now (see the [module docs](crate::export) for what that means
    /// for changed data), writes it to `out` and returns how many rows were written: the
    /// phases [`Desk::prepare_download`], [`Desk::write_export`] and
    /// [`Desk::record_download`] in one call.
    ///
    /// Needs [`Permission::Export`]; refusals and downloads are audited (`export_download`).
    /// Customers removed since are left out. The invocation's actor is checked and audited at
    /// its `now`; an idempotency key on it is not used.
    pub fn download_export<W: Write + Send>(
        &mut self,
        inv: &Invocation,
        id: &ExportId,
        out: W,
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
    ) -> Result<u64> {
        // A customer's detail list is regenerated by its own writer.
        if let Some((job, super::RecordedSelection::Detail(list))) = self
            .export_job(id)
            .ok()
            .map(|j| (j.clone(), j.selection.clone()))
        {
            return self.download_detail(inv, &job, &list, out, progress);
        }
        let prepared = self.prepare_download(inv, id)?;
        let written = self.write_export(&prepared, out, progress)?;
        self.record_download(prepared, written)
    }

    /// Phase one of a download again (see [`Desk::download_export`]): checks the permission,
    /// finds the job and plans its selection over the data as it is now. Refusals are
    /// audited (`export_download`). Write it with [`Desk::write_export`], then record it with
    /// [`Desk::record_download`]; the rules of [`PreparedExport`] apply.
    pub fn prepare_download(&mut self, inv: &Invocation, id: &ExportId) -> Result<PreparedExport> {
        let (actor, now) = (inv.actor(), inv.now());
        crate::validate::instant("now", now)?;
        let authorized = self.authorize(actor, Permission::Export, None);
        self.refresh_export_order(&authorized);
        let checked = authorized
            .and_then(|()| self.export_job(id).cloned())
            .and_then(|job| {
                let selection = match job.selection.to_selection()? {
                    ExportSelection::Ids(ids) => ExportSelection::Ids(
                        ids.into_iter().filter(|i| self.by_id.contains(i)).collect(),
                    ),
                    q => q,
                };
                let request = ExportRequest {
                    selection,
                    format: job.format,
                    columns: job.columns.clone(),
                    masks: Some(job.masks.clone()),
                    file_name: Some(job.file_name.clone()),
                };
                let plan = self.plan_export(&request, job.at)?;
                Ok((job, plan))
            });
        let (job, plan) = match checked {
            Ok(x) => x,
            Err(e) => {
                self.record_audit(
                    actor,
                    None,
                    "export_download",
                    AuditOutcome::denied(&e),
                    format!("{id}"),
                    now,
                );
                return Err(e);
            }
        };
        let stamp = self.id_order.stamp();
        Ok(PreparedExport {
            id: job.id.clone(),
            number: 0,
            actor: actor.clone(),
            at: job.at,
            now,
            file_name: job.file_name.clone(),
            purpose: Purpose::Download(Box::new(job)),
            plan,
            desk: stamp.desk,
            changes: stamp.changes,
        })
    }

    /// Phase three of a download again: audits it (`export_download`) and returns the rows
    /// written, or `EXPORT_CANCELLED` / `EXPORT_WRITE_FAILED` as [`Desk::download_export`]
    /// does. Refuses (`INVALID_ARGUMENT`) what [`Desk::record_export`] refuses, and a
    /// prepared new export (recorded by [`Desk::record_export`]).
    pub fn record_download(
        &mut self,
        prepared: PreparedExport,
        written: ExportWritten,
    ) -> Result<u64> {
        self.check_record(&prepared, &written)?;
        let Purpose::Download(job) = prepared.purpose else {
            return Err(Error::invalid_arg(
                "prepared",
                "a prepared export is recorded by record_export",
            ));
        };
        let (rows, end) = (written.rows, written.end);
        let detail = format!(
            "{} rows={rows}/{} status={}",
            job.id,
            prepared.plan.rows.len(),
            match end {
                RunEnd::Completed => "completed",
                RunEnd::Cancelled => "cancelled",
                RunEnd::Failed(_) => "failed",
            }
        );
        self.record_audit(
            &prepared.actor,
            None,
            "export_download",
            AuditOutcome::Allowed,
            detail,
            prepared.now,
        );
        finish(*job, end).map(|_| rows)
    }

    /// Writes the rows of a plan; returns how many were written and how it ended.
    ///
    /// A plan in id order reads the desk's id order, which is up to date from the plan's
    /// refresh until the desk changes (the callers check); `INTERNAL` if it is not.
    fn run_export<W: Write + Send>(
        &self,
        plan: &Plan,
        out: W,
        mut progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
        now: DateTime<Utc>,
    ) -> Result<(u64, RunEnd)> {
        let order = match &plan.rows {
            Rows::ById { .. } => self.id_order.get().ok_or_else(|| Error::Internal {
                operation: "export: id order not refreshed".to_owned(),
            })?,
            Rows::Listed(_) => &[],
        };
        let masker = Masker::checked(&plan.masks, self.pseudonym_key.as_ref());
        let ctx = self.match_context(now);
        let mut managers = IdMap::default();
        if plan.columns.contains(&ExportColumn::AccountManagerName) {
            for (id, o) in &self.operators {
                let mut name = String::new();
                masker.mask_into(SensitiveField::ManagerName, o.name.expose(), &mut name);
                managers.insert(id, name);
            }
        }
        // The desk's compact copy of the exported fields, when it holds every column and
        // the spend of this export's month, and the rows are in id order.
        let copy = match &plan.rows {
            Rows::ById { .. } => self.id_order.rows().filter(|rows| {
                rows.month == self.index.month
                    && rows.month == ctx.month
                    && rows.rows.len() == order.len()
                    && plan.columns.iter().all(|c| in_copy(*c))
            }),
            Rows::Listed(_) => None,
        };
        let positions = copy.and(plan.rows.positions(order));
        let copy = copy.filter(|_| positions.is_some()).map(|rows| {
            let mut names = vec![None; rows.table.len()];
            for (id, name) in &managers {
                if let Some(n) = rows.number_of(id.as_str()) {
                    names[n as usize] = Some(name.clone());
                }
            }
            CopyView {
                rows,
                manager_names: names,
            }
        });
        let cells = CellWriter {
            desk: self,
            masker,
            ctx,
            columns: &plan.columns,
            reads: Reads::of(&plan.columns),
            managers,
            copy,
        };
        let total = plan.rows.len();
        if progress(ExportProgress { done: 0, total }).is_break() {
            return Ok((0, RunEnd::Cancelled));
        }
        let mut tick = |done: u64| {
            if done.is_multiple_of(PROGRESS_EVERY) || done == total {
                progress(ExportProgress { done, total })
            } else {
                ControlFlow::Continue(())
            }
        };
        let slots = positions.unwrap_or_else(|| plan.rows.slots(order));
        Ok(match plan.format {
            ExportFormat::Csv { bom } => write_csv(&cells, slots, bom, out, &mut tick),
            ExportFormat::Xlsx => write_xlsx(&cells, slots, out, &mut tick),
        })
    }
}

pub(super) fn status_text(s: &ExportStatus) -> &'static str {
    match s {
        ExportStatus::Completed => "completed",
        ExportStatus::Cancelled => "cancelled",
        ExportStatus::Failed { .. } => "failed",
    }
}

pub(super) fn finish(job: ExportJob, end: RunEnd) -> Result<ExportJob> {
    match end {
        RunEnd::Completed => Ok(job),
        RunEnd::Cancelled => Err(Error::ExportCancelled {
            id: job.id.to_string(),
        }),
        RunEnd::Failed(reason) => Err(Error::ExportWriteFailed {
            id: job.id.to_string(),
            reason: reason.to_owned(),
        }),
    }
}
