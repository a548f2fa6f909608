//! Exports of a customer's detail lists (orders, resources, spend details) to CSV and XLSX,
//! through the same writers, job history, progress, cancellation and audit as the customer
//! list.
//!
//! Why not administrator-only: the console restricts the export of the *customer list* (the
//! whole portfolio's personal data) to the administrator. A detail list holds one customer's
//! orders, resources or spend, no name, mobile or e-mail, and is what the operator already sees
//! on the detail page; so exporting it needs exactly the item that shows it (view customers for
//! orders and resources, view spend for spend, the reseller-scoped twin for a customer held
//! through a reseller). Every attempt is audited as `export_detail`; every export that started
//! is a job in the history, and [`Desk::download_export`] regenerates it at the job's instant.
//!
//! Cells are written as in the customer list: amounts exact decimal text, times UTC
//! `YYYY-MM-DDTHH:MM:SSZ`, days `YYYY-MM-DD`, counts numbers in XLSX; free text (resource
//! names, services, regions, product codes) is neutralised against formula injection.

use super::cells::{decimal, formula_start, time};
use super::csv::{csv_record, io_reason};
use super::plan::{RunEnd, check_file_name, check_rows};
use super::xlsx::{Sheet, xlsx_reason};
use super::{ExportFormat, ExportJob, ExportProgress, PROGRESS_EVERY, RecordedSelection};
use crate::audit::AuditOutcome;
use crate::desk::Desk;
use crate::error::Result;
use crate::ids::ExportId;
use crate::invocation::Invocation;
use crate::model::access::Actor;
use crate::query::{MAX_PAGE_LIMIT, PageRequest};
use crate::search::detail::DetailList;
use chrono::{DateTime, Utc};
use std::io::Write;
use std::ops::ControlFlow;

/// A request to export one of a customer's detail lists.
///
/// ```
/// use partnerdesk::detail::{DetailList, ResourceFilter, ResourceSort};
/// use partnerdesk::export::DetailExportRequest;
/// use partnerdesk::CustomerId;
/// let list = DetailList::Resources {
///     customer: CustomerId::new("c-1")?,
///     filter: ResourceFilter::default().expiring_within(30),
///     sort: ResourceSort::Expiry,
/// };
/// let req = DetailExportRequest::xlsx(list).named("resources.xlsx");
/// assert_eq!(req.file_name.as_deref(), Some("resources.xlsx"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DetailExportRequest {
    /// The list, with its customer and parameters.
    pub list: DetailList,
    /// CSV (optionally with a byte-order mark) or XLSX.
    pub format: ExportFormat,
    /// The file name offered for download (default `<list>-<job id>.<ext>`).
    pub file_name: Option<String>,
}

impl DetailExportRequest {
    /// A CSV export of `list` (no byte-order mark).
    pub fn csv(list: DetailList) -> Self {
        DetailExportRequest {
            list,
            format: ExportFormat::Csv { bom: false },
            file_name: None,
        }
    }

    /// An XLSX export of `list`.
    pub fn xlsx(list: DetailList) -> Self {
        DetailExportRequest {
            list,
            format: ExportFormat::Xlsx,
            file_name: None,
        }
    }

    /// For CSV: start with a UTF-8 byte-order mark (for Excel).
    pub fn with_bom(mut self, bom: bool) -> Self {
        if let ExportFormat::Csv { .. } = self.format {
            self.format = ExportFormat::Csv { bom };
        }
        self
    }

    /// The file name offered for download (1 to 128 characters, no path separators).
    pub fn named(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }
}

/// One cell of a detail row.
enum Cell {
    /// Free text: neutralised when it could start a formula.
    Text(String),
    /// Text we formatted ourselves (amounts, times, days, codes): written as it is.
    Plain(String),
    /// A count: a number in XLSX.
    Count(u64),
}

/// The rows of a list, with its header, sheet name and column widths.
struct Table {
    sheet: &'static str,
    headers: &'static [&'static str],
    widths: &'static [f64],
    rows: Vec<Vec<Cell>>,
}

fn plain_time(t: Option<DateTime<Utc>>) -> Cell {
    let mut s = String::new();
    if let Some(t) = t {
        time(&mut s, t);
    }
    Cell::Plain(s)
}

fn plain_amount(a: rust_decimal::Decimal) -> Cell {
    let mut s = String::new();
    decimal(&mut s, a);
    Cell::Plain(s)
}

impl Desk {
    /// Every item of a list as [`Desk::customer_orders`], [`Desk::customer_resources`] or
    /// [`Desk::spend_details`] pages it, checked and authorized as they are, at `now`.
    fn detail_table(&self, actor: &Actor, list: &DetailList, now: DateTime<Utc>) -> Result<Table> {
        let cur = self.partner.currency.to_string();
        // Read page by page through the list's own paging, so that the export holds exactly
        // what the pages show.
        let mut rows = Vec::new();
        let mut page = PageRequest::first(MAX_PAGE_LIMIT);
        let mut table = loop {
            let (next, table) = match list {
                DetailList::Orders { customer, scope } => {
                    let p = self.customer_orders(actor, customer, *scope, &page)?;
                    rows.extend(p.items.into_iter().map(|o| {
                        vec![
                            Cell::Text(o.id.to_string()),
                            Cell::Plain(o.kind.to_string()),
                            Cell::Plain(o.status.to_string()),
                            plain_amount(o.amount.amount),
                            Cell::Plain(cur.clone()),
                            plain_time(Some(o.created_at)),
                            plain_time(o.paid_at),
                            Cell::Text(o.placed_by.map(|p| p.to_string()).unwrap_or_default()),
                        ]
                    }));
                    let table = Table {
                        sheet: "Orders",
                        headers: &[
                            "Order ID",
                            "Type",
                            "Status",
                            "Amount",
                            "Currency",
                            "Created At",
                            "Paid At",
                            "Placed By",
                        ],
                        widths: &[24.0, 18.0, 22.0, 18.0, 10.0, 22.0, 22.0, 18.0],
                        rows: Vec::new(),
                    };
                    (p.next_cursor, table)
                }
                DetailList::Resources {
                    customer,
                    filter,
                    sort,
                } => {
                    let p = self.customer_resources(actor, customer, filter, *sort, &page, now)?;
                    rows.extend(p.items.into_iter().map(|r| {
                        vec![
                            Cell::Text(r.id.to_string()),
                            Cell::Text(r.name),
                            Cell::Plain(r.kind.to_string()),
                            Cell::Text(r.service.into()),
                            Cell::Text(r.region.into()),
                            Cell::Plain(r.status.to_string()),
                            plain_time(Some(r.starts_at)),
                            plain_time(r.expires_at),
                            Cell::Plain(r.expiry_policy.to_string()),
                        ]
                    }));
                    let table = Table {
                        sheet: "Resources",
                        headers: &[
                            "Resource ID",
                            "Name",
                            "Kind",
                            "Service",
                            "Region",
                            "Status",
                            "Starts At",
                            "Expires At",
                            "At Expiry",
                        ],
                        widths: &[30.0, 24.0, 18.0, 24.0, 16.0, 14.0, 22.0, 22.0, 18.0],
                        rows: Vec::new(),
                    };
                    (p.next_cursor, table)
                }
                DetailList::Spend {
                    customer,
                    month,
                    group,
                } => {
                    let p = self.spend_details(actor, customer, *month, *group, &page)?;
                    rows.extend(p.items.into_iter().map(|l| {
                        vec![
                            Cell::Plain(l.day.map(|d| d.to_string()).unwrap_or_default()),
                            Cell::Text(l.product.unwrap_or_default()),
                            Cell::Plain(l.mode.map(|m| m.to_string()).unwrap_or_default()),
                            plain_amount(l.amount.amount),
                            Cell::Plain(cur.clone()),
                            Cell::Count(l.records as u64),
                        ]
                    }));
                    let table = Table {
                        sheet: "Spend",
                        headers: &[
                            "Day",
                            "Product",
                            "Charging Mode",
                            "Amount",
                            "Currency",
                            "Records",
                        ],
                        widths: &[14.0, 24.0, 18.0, 18.0, 10.0, 10.0],
                        rows: Vec::new(),
                    };
                    (p.next_cursor, table)
                }
            };
            match next {
                Some(cursor) => page = PageRequest::after(cursor, MAX_PAGE_LIMIT),
                None => break table,
            }
        };
        table.rows = rows;
        Ok(table)
    }

    /// Exports one of a customer's detail lists (its orders, its resources, its spend
    /// details) to `out`, as CSV or XLSX, and records the job in the export history.
    ///
    /// Needs the item that shows the list: view customers for orders and resources, view spend
    /// for spend, the reseller-scoped twin for a customer held through a reseller. Unlike the
    /// customer list it is not administrator-only: a detail list holds no name, mobile or
    /// e-mail, only what the detail page already shows its viewer. A refusal or a bad
    /// request (unknown customer, bad file name, a filter's bad value) is audited
    /// (`export_detail`, denied with its code), returned, and not recorded as a job. Once rows
    /// flow, the job is recorded whatever happens: completed (the job is returned), cancelled
    /// by `progress` (`EXPORT_CANCELLED`) or failed writing (`EXPORT_WRITE_FAILED`); as with
    /// the customer list, what a cancelled or failed export wrote is incomplete and must be
    /// discarded. The invocation's idempotency key is not used (each export is a job).
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId};
    /// use partnerdesk::detail::{DetailList, ResourceFilter, ResourceSort};
    /// use partnerdesk::export::{DetailExportRequest, ExportStatus};
    /// let (mut desk, now) = demo::portfolio(100, 7)?;
    /// let ops = Invocation::new(Actor::Operator(OperatorId::new("ops_billing")?), now);
    /// let c = desk.customers().find(|c| c.association.reseller.is_none() && !c.resources.is_empty())
    ///     .map(|c| c.id.clone()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let list = DetailList::Resources { customer: c, filter: ResourceFilter::default(), sort: ResourceSort::Expiry };
    /// let mut out = Vec::new();
    /// let job = desk.export_detail(&ops, &DetailExportRequest::csv(list), &mut out, |_| std::ops::ControlFlow::Continue(()))?;
    /// assert_eq!(job.status, ExportStatus::Completed);
    /// assert!(String::from_utf8_lossy(&out).starts_with("Resource ID,Name,Kind"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn export_detail<W: Write>(
        &mut self,
        inv: &Invocation,
        request: &DetailExportRequest,
        out: W,
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
    ) -> Result<ExportJob> {
        let (actor, now) = (inv.actor(), inv.now());
        // Refused before anything, audit included (an audit record at such an instant would
        // not load again).
        crate::validate::instant("now", now)?;
        let customer = request.list.customer().clone();
        let planned = match &request.file_name {
            Some(name) => check_file_name(name),
            None => Ok(()),
        }
        .and_then(|()| self.detail_table(actor, &request.list, now))
        .and_then(|table| {
            check_rows(request.format, table.rows.len() as u64)?;
            Ok(table)
        });
        let table = match planned {
            Ok(t) => t,
            Err(e) => {
                let detail = format!("{} format={}", request.list.kind(), request.format);
                self.record_audit(
                    actor,
                    Some(&customer),
                    "export_detail",
                    AuditOutcome::denied(&e),
                    detail,
                    now,
                );
                return Err(e);
            }
        };
        let (number, id) = self.exports.next_id()?;
        self.exports.reserve(number);
        let (rows, end) = write_table(&table, request.format, out, progress);
        let file_name = request.file_name.clone().unwrap_or_else(|| {
            format!(
                "{}-{id}.{}",
                request.list.kind(),
                request.format.extension()
            )
        });
        let job = ExportJob {
            id: id.clone(),
            actor: actor.clone(),
            at: now,
            selection: RecordedSelection::Detail(request.list.clone()),
            format: request.format,
            columns: Vec::new(),
            masks: self.export_policy.clone(),
            total: table.rows.len() as u64,
            rows,
            status: super::phases::status_of(end),
            file_name,
        };
        self.record_job(number, job.clone())?;
        let detail = format!(
            "{id} {} {} rows={rows}/{} status={}",
            request.list.kind(),
            job.format,
            job.total,
            super::phases::status_text(&job.status)
        );
        self.record_audit(
            actor,
            Some(&customer),
            "export_detail",
            AuditOutcome::Allowed,
            detail,
            now,
        );
        super::phases::finish(job, end)
    }

    /// Downloads a recorded detail export again: the list regenerated at the job's instant,
    /// checked and authorized for the actor now; audited as `export_download`. Returns the
    /// rows written.
    pub(super) fn download_detail<W: Write>(
        &mut self,
        inv: &Invocation,
        job: &ExportJob,
        list: &DetailList,
        out: W,
        progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
    ) -> Result<u64> {
        let (actor, now) = (inv.actor(), inv.now());
        // Refused before anything, audit included (an audit record at such an instant would
        // not load again).
        crate::validate::instant("now", now)?;
        let id: &ExportId = &job.id;
        let table = match self.detail_table(actor, list, job.at) {
            Ok(t) => t,
            Err(e) => {
                self.record_audit(
                    actor,
                    Some(list.customer()),
                    "export_download",
                    AuditOutcome::denied(&e),
                    format!("{id}"),
                    now,
                );
                return Err(e);
            }
        };
        let (rows, end) = write_table(&table, job.format, out, progress);
        let status = super::phases::status_of(end);
        self.record_audit(
            actor,
            Some(list.customer()),
            "export_download",
            AuditOutcome::Allowed,
            format!(
                "{id} rows={rows}/{} status={}",
                table.rows.len(),
                super::phases::status_text(&status)
            ),
            now,
        );
        super::phases::finish(job.clone(), end).map(|_| rows)
    }
}

/// Writes a table as CSV or XLSX, calling `progress` at the start, every
/// [`PROGRESS_EVERY`] rows and at the end; returns the rows written and how it ended.
fn write_table<W: Write>(
    table: &Table,
    format: ExportFormat,
    mut out: W,
    mut progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
) -> (u64, RunEnd) {
    let total = table.rows.len() as u64;
    if progress(ExportProgress { done: 0, total }).is_break() {
        return (0, RunEnd::Cancelled);
    }
    let mut tick = |done: u64| {
        if done.is_multiple_of(PROGRESS_EVERY) || done == total {
            progress(ExportProgress { done, total })
        } else {
            ControlFlow::Continue(())
        }
    };
    let mut done = 0u64;
    match format {
        ExportFormat::Csv { bom } => {
            let mut text = String::with_capacity(64 * (table.rows.len() + 1));
            if bom {
                text.push('\u{FEFF}');
            }
            csv_record(&mut text, table.headers.iter().copied());
            let mut cells: Vec<String> = Vec::new();
            for row in &table.rows {
                cells.clear();
                cells.extend(row.iter().map(|c| match c {
                    Cell::Text(s) if formula_start(s) => format!("'{s}"),
                    Cell::Text(s) | Cell::Plain(s) => s.clone(),
                    Cell::Count(n) => n.to_string(),
                }));
                csv_record(&mut text, cells.iter().map(String::as_str));
                done += 1;
                if tick(done).is_break() {
                    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
                    return (done, RunEnd::Cancelled);
                }
            }
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => (done, RunEnd::Completed),
                Err(e) => (done, RunEnd::Failed(io_reason(&e))),
            }
        }
        ExportFormat::Xlsx => {
            let fail = |e: super::xlsx::XlsxError| RunEnd::Failed(xlsx_reason(&e));
            let mut sheet = match Sheet::start(out, table.sheet, table.widths).and_then(|mut s| {
                s.header(table.headers.iter().copied())?;
                Ok(s)
            }) {
                Ok(s) => s,
                Err(e) => return (0, fail(e)),
            };
            for row in &table.rows {
                sheet.begin_row();
                for c in row {
                    let written = match c {
                        Cell::Text(s) if formula_start(s) => sheet.quoted_text(s),
                        Cell::Text(s) | Cell::Plain(s) => sheet.text(s),
                        Cell::Count(n) => {
                            sheet.number(*n);
                            Ok(())
                        }
                    };
                    if let Err(e) = written {
                        return (done, fail(e));
                    }
                }
                if let Err(e) = sheet.end_row() {
                    return (done, fail(e));
                }
                done += 1;
                if tick(done).is_break() {
                    return (done, RunEnd::Cancelled);
                }
            }
            match sheet.finish() {
                Ok(_) => (done, RunEnd::Completed),
                Err(e) => (done, fail(e)),
            }
        }
    }
}
