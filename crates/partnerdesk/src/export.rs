//! Exports of the customer list: anonymised CSV and XLSX, streamed, with a job history.
//!
//! Why here and why like this: the console lets only the administrator export, and anonymises
//! customer names, mobile numbers and e-mails in every export (domain §11, reference §14). The
//! Huawei API has no export, so the library applies both rules itself:
//!
//! - **Administrator only.** [`Desk::export`] checks [`Permission::Export`](crate::Permission::Export) (administrator-only,
//!   it cannot be granted); a refusal returns its code (`ADMINISTRATOR_ONLY`) and is audited.
//! - **Always anonymised.** Cells of personal fields go through the one [`Masker`](crate::privacy::Masker); the request
//!   may choose *how* (a [`MaskPolicy`], e.g. a keyed pseudonym so analysts can join rows), but
//!   a policy that shows a name, mobile or e-mail in clear is refused. There is no switch.
//! - **Streamed.** Rows are written one by one to any `std::io::Write`; a million rows never sit
//!   in memory as one file. Cells are formatted into one reused buffer, so the CSV writer does
//!   not allocate per cell.
//! - **Progress and cancellation.** The callback receives [`ExportProgress`] (rows done of
//!   total) at the start, every [`PROGRESS_EVERY`] rows and at the end; returning
//!   [`ControlFlow::Break`](std::ops::ControlFlow::Break) cancels. A cancelled export is recorded as
//!   [`ExportStatus::Cancelled`] and returns `EXPORT_CANCELLED`; what was already written to a
//!   CSV sink is incomplete and must be discarded (an XLSX sink receives nothing).
//! - **History.** Every export that started is an [`ExportJob`] (id, who, when, selection,
//!   format, columns, masks, rows, status, file name), kept on the desk and saved in snapshots.
//!
//! **Download again regenerates, it does not keep bytes.** The core does no storage of its own
//! and a desk that kept every exported file would grow without bound (and would hold
//! anonymised copies of personal data in its snapshot). [`Desk::download_export`] therefore
//! re-runs the recorded selection (the same ids, or the same query and sort evaluated at the
//! job's original instant) with the recorded columns and masks, over the data *as it is now*:
//! a customer changed since shows its new (masked) values, a customer removed since is left
//! out, and a query may match other customers than it did. Time-relative columns and criteria
//! (month-to-date, `expires<=7d`) use the job's original instant, so only changed data makes a
//! difference. The download is audited and reports how many rows it wrote. A host that must
//! serve the identical bytes keeps the file it received the first time.
//!
//! **XLSX needs a scratch directory from the host.** `rust_xlsxwriter` keeps memory constant
//! only in its constant-memory mode, which spools the sheet to a temporary file before zipping
//! it into the output. The core never picks a place on disk by itself, so an XLSX request must
//! name a scratch directory ([`ExportRequest::scratch_dir`]); the temporary file is removed
//! when the export ends. The CSV writer needs nothing but the sink. An XLSX sheet holds at most
//! [`XLSX_MAX_ROWS`] data rows; a larger selection is refused before anything is written.
//!
//! Cells: amounts are exact decimal text in the partner's currency (never a float, in CSV and
//! XLSX alike); times are UTC, `YYYY-MM-DDTHH:MM:SSZ`. In CSV (RFC 4180: `,`, `"` quoting,
//! CRLF line ends, UTF-8, optionally with a byte-order mark for Excel) a text cell that starts
//! with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so that a spreadsheet
//! does not run it as a formula (`'+86 138****5678`).

use crate::access::Actor;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, ExportId};
use crate::privacy::{MaskPolicy, Personal};
use crate::query::{Query, Sort, SortKey};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

/// The callback is called every this many rows (and at the start and the end).
pub const PROGRESS_EVERY: u64 = 4096;

/// The most data rows an XLSX export holds (Excel's 1,048,576 rows, less the header).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ExportFormat {
    /// RFC 4180 CSV in UTF-8.
    Csv {
        /// Start with a UTF-8 byte-order mark, so that Excel reads the file as UTF-8.
        bom: bool,
    },
    /// An Excel workbook with one sheet.
    Xlsx,
}

impl ExportFormat {
    /// The file extension (`csv` or `xlsx`).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv { .. } => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

macro_rules! columns {
    ($( $(#[$doc:meta])* $v:ident => $key:literal, $header:literal, $text:literal; )*) => {
        /// A column of an export. Each has a stable key and a human header.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
        pub enum ExportColumn {
            $( $(#[$doc])* $v, )*
        }

        impl ExportColumn {
            /// Every column, in the order of the console's list.
            pub const ALL: &'static [ExportColumn] = &[$(ExportColumn::$v,)*];

            /// The stable key (`customer_id`, `name`, `month_to_date`, ...).
            pub fn as_str(self) -> &'static str {
                match self { $(ExportColumn::$v => $key,)* }
            }

            /// The human header written in the first row (`Customer Name`).
            pub fn header(self) -> &'static str {
                match self { $(ExportColumn::$v => $header,)* }
            }

            /// Whether the cell is text a spreadsheet could mistake for a formula.
            #[cfg_attr(not(feature = "export"), allow(dead_code))]
            fn is_text(self) -> bool {
                match self { $(ExportColumn::$v => $text,)* }
            }

            /// Parses a stable key.
            pub fn parse(key: &str) -> Result<Self> {
                match key {
                    $($key => Ok(ExportColumn::$v),)*
                    _ => Err(Error::invalid_arg("columns", "unknown export column")),
                }
            }
        }
    };
}

columns! {
    /// Huawei customer (domain) id.
    CustomerId => "customer_id", "Customer ID", false;
    /// Account name (masked as the export's policy says).
    AccountName => "account_name", "Account Name", true;
    /// Customer name, anonymised.
    Name => "name", "Customer Name", true;
    /// Mobile number with country code, anonymised.
    Mobile => "mobile", "Mobile Number", true;
    /// E-mail, anonymised.
    Email => "email", "Email", true;
    /// Individual, enterprise or unset.
    CustomerType => "customer_type", "Customer Type", false;
    /// Real-name verification status.
    Verification => "verification", "Verification Status", false;
    /// Customer level (V0..V5).
    Level => "level", "Customer Level", false;
    /// Tags, separated by `; `.
    Tags => "tags", "Tags", true;
    /// Referral or reseller.
    AssociationType => "association_type", "Association Type", false;
    /// When associated.
    AssociatedAt => "associated_at", "Associated On", false;
    /// When disassociated.
    DisassociatedAt => "disassociated_at", "Disassociated On", false;
    /// The reseller the customer belongs to.
    Reseller => "reseller", "Reseller ID", false;
    /// Account manager login.
    AccountManager => "account_manager", "Account Manager ID", false;
    /// Account manager display name (masked as the export's policy says).
    AccountManagerName => "account_manager_name", "Account Manager", true;
    /// Freeze scope, or `not_frozen`.
    FreezeStatus => "freeze_status", "Freeze Status", false;
    /// Freeze origin, when frozen.
    FreezeOrigin => "freeze_origin", "Freeze Origin", false;
    /// Monthly or one-off, when a budget is set.
    BudgetType => "budget_type", "Budget Type", false;
    /// Budget amount.
    Budget => "budget", "Budget", false;
    /// Spend counted against the budget.
    BudgetUsed => "budget_used", "Budget Used", false;
    /// Budget used, in percent (2 decimals).
    BudgetUsage => "budget_usage", "Budget Usage (%)", false;
    /// Month-to-date spend.
    MonthToDate => "month_to_date", "Month-to-Date Expenditure", false;
    /// Last month's spend.
    LastMonth => "last_month", "Expenditure Last Month", false;
    /// The partner's currency.
    Currency => "currency", "Currency", false;
    /// Earliest upcoming resource expiry.
    NextExpiry => "next_expiry", "Next Resource Expiry", false;
    /// Unpaid orders.
    UnpaidOrders => "unpaid_orders", "Unpaid Orders", false;
}

impl ExportColumn {
    /// The columns exported when a request names none: what the console's list shows.
    pub const DEFAULT: &'static [ExportColumn] = &[
        ExportColumn::CustomerId,
        ExportColumn::AccountName,
        ExportColumn::Name,
        ExportColumn::Mobile,
        ExportColumn::Email,
        ExportColumn::AssociationType,
        ExportColumn::AssociatedAt,
        ExportColumn::AccountManagerName,
        ExportColumn::FreezeStatus,
        ExportColumn::MonthToDate,
        ExportColumn::LastMonth,
        ExportColumn::Currency,
        ExportColumn::NextExpiry,
        ExportColumn::Tags,
    ];
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportSelection {
    /// These customers, in this order ("Export Selected"); repeated ids are exported once.
    Ids(Vec<CustomerId>),
    /// Every customer matching a query at the export's instant, in sort order.
    Query {
        /// The query.
        query: Query,
        /// The order of the rows.
        sort: Sort,
    },
}

impl ExportSelection {
    /// Every associated customer, by id.
    pub fn all() -> Self {
        ExportSelection::Query {
            query: Query::all(),
            sort: Sort::asc(SortKey::Id),
        }
    }
}

/// The selection as the history records it: ids, or the query's canonical text (wrapped as
/// personal data, since a filter may quote a name or a number) and its sort.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RecordedSelection {
    /// These customers, in this order.
    Ids(Vec<CustomerId>),
    /// A query.
    Query {
        /// The canonical text filter ([`Query::parse`] reads it back).
        filter: Personal<String>,
        /// Whether disassociated customers were included.
        include_disassociated: bool,
        /// Sort key (stable text form).
        sort: String,
        /// Descending.
        descending: bool,
    },
}

impl RecordedSelection {
    #[cfg_attr(not(feature = "export"), allow(dead_code))]
    fn of(selection: &ExportSelection) -> Self {
        match selection {
            ExportSelection::Ids(ids) => RecordedSelection::Ids(dedup(ids)),
            ExportSelection::Query { query, sort } => RecordedSelection::Query {
                filter: Personal::new(query.filter.to_string()),
                include_disassociated: query.include_disassociated,
                sort: sort.key.as_str().to_owned(),
                descending: sort.descending,
            },
        }
    }

    /// The selection to run again.
    pub fn to_selection(&self) -> Result<ExportSelection> {
        Ok(match self {
            RecordedSelection::Ids(ids) => ExportSelection::Ids(ids.clone()),
            RecordedSelection::Query {
                filter,
                include_disassociated,
                sort,
                descending,
            } => ExportSelection::Query {
                query: Query::parse(filter.expose())?
                    .including_disassociated(*include_disassociated),
                sort: Sort {
                    key: SortKey::parse(sort)?,
                    descending: *descending,
                },
            },
        })
    }
}

#[cfg_attr(not(feature = "export"), allow(dead_code))]
fn dedup(ids: &[CustomerId]) -> Vec<CustomerId> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().filter(|id| seen.insert(*id)).cloned().collect()
}

/// An export request.
///
/// ```
/// use partnerdesk::export::{ExportColumn, ExportRequest, ExportSelection};
/// let req = ExportRequest::csv(ExportSelection::all())
///     .with_bom(true)
///     .with_columns(vec![ExportColumn::CustomerId, ExportColumn::Name, ExportColumn::Email]);
/// assert_eq!(req.columns.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// What to export.
    pub selection: ExportSelection,
    /// CSV or XLSX.
    pub format: ExportFormat,
    /// The columns, in order (empty: [`ExportColumn::DEFAULT`]).
    pub columns: Vec<ExportColumn>,
    /// How personal fields are anonymised (`None`: the desk's export policy,
    /// [`Desk::export_policy`]). A policy showing a name, mobile or e-mail is refused.
    pub masks: Option<MaskPolicy>,
    /// The file name recorded in the history (`None`: `customers-<id>.<ext>`). 1 to 128
    /// characters, no path separators or control characters.
    pub file_name: Option<String>,
    /// Where the XLSX writer may spool its temporary file (required for XLSX; not recorded).
    pub scratch_dir: Option<PathBuf>,
}

impl ExportRequest {
    /// A CSV export (no byte-order mark) of the default columns.
    pub fn csv(selection: ExportSelection) -> Self {
        ExportRequest {
            selection,
            format: ExportFormat::Csv { bom: false },
            columns: Vec::new(),
            masks: None,
            file_name: None,
            scratch_dir: None,
        }
    }

    /// An XLSX export of the default columns, spooling in `scratch_dir`.
    pub fn xlsx(selection: ExportSelection, scratch_dir: impl Into<PathBuf>) -> Self {
        ExportRequest {
            format: ExportFormat::Xlsx,
            scratch_dir: Some(scratch_dir.into()),
            ..ExportRequest::csv(selection)
        }
    }

    /// With a UTF-8 byte-order mark (CSV only).
    pub fn with_bom(mut self, bom: bool) -> Self {
        if let ExportFormat::Csv { bom: b } = &mut self.format {
            *b = bom;
        }
        self
    }

    /// With these columns.
    pub fn with_columns(mut self, columns: Vec<ExportColumn>) -> Self {
        self.columns = columns;
        self
    }

    /// With this anonymisation policy.
    pub fn with_masks(mut self, masks: MaskPolicy) -> Self {
        self.masks = Some(masks);
        self
    }

    /// With this file name.
    pub fn named(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }
}

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ExportStatus {
    /// Every row was written.
    Completed,
    /// The progress callback cancelled it.
    Cancelled,
    /// Writing failed (the sink or the scratch file), with the stable error code.
    Failed {
        /// The stable error code (`EXPORT_WRITE_FAILED`).
        code: String,
    },
}

/// One export in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExportJob {
    /// The job id (`exp_000001`).
    pub id: ExportId,
    /// Who exported.
    pub actor: Actor,
    /// When (UTC); a query selection is evaluated at this instant.
    pub at: DateTime<Utc>,
    /// What was exported.
    pub selection: RecordedSelection,
    /// CSV or XLSX.
    pub format: ExportFormat,
    /// The columns, in order.
    pub columns: Vec<ExportColumn>,
    /// How personal fields were anonymised.
    pub masks: MaskPolicy,
    /// Rows selected.
    pub total: u64,
    /// Rows written.
    pub rows: u64,
    /// How it ended.
    pub status: ExportStatus,
    /// The file name offered for download.
    pub file_name: String,
}

/// Rows done of total, as the progress callback receives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportProgress {
    /// Rows written so far.
    pub done: u64,
    /// Rows selected.
    pub total: u64,
}

/// The export history of a desk (saved in snapshots).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExportHistory {
    /// The jobs, oldest first.
    #[cfg_attr(feature = "serde", serde(default))]
    pub jobs: Vec<ExportJob>,
    /// The last job number given.
    #[cfg_attr(feature = "serde", serde(default))]
    pub seq: u64,
}

impl Desk {
    /// The export history, oldest first.
    pub fn exports(&self) -> &[ExportJob] {
        &self.exports.jobs
    }

    /// One export job.
    pub fn export_job(&self, id: &ExportId) -> Result<&ExportJob> {
        self.exports
            .jobs
            .iter()
            .find(|j| &j.id == id)
            .ok_or_else(|| Error::ExportNotFound { id: id.to_string() })
    }

    /// The anonymisation policy of exports that name none (default: the console's, which
    /// masks name, mobile and e-mail and shows account and manager names).
    pub fn export_policy(&self) -> &MaskPolicy {
        &self.export_policy
    }

    /// Sets the default anonymisation policy of exports. Refuses a policy that shows a name,
    /// mobile or e-mail in clear; nothing changes then.
    pub fn set_export_policy(&mut self, policy: MaskPolicy) -> Result<()> {
        policy.validate()?;
        self.export_policy = policy;
        Ok(())
    }

    /// Sets (or clears) the partner's secret for keyed pseudonyms. It is never saved in a
    /// snapshot: the host keeps it and sets it again after loading.
    pub fn set_pseudonym_key(&mut self, key: Option<crate::privacy::PseudonymKey>) {
        self.pseudonym_key = key;
    }
}

impl ExportHistory {
    /// Checks a loaded history: unique job ids, rows written never above rows selected.
    #[cfg(feature = "serde")]
    pub(crate) fn check(&self) -> Result<()> {
        let mut seen = HashSet::with_capacity(self.jobs.len());
        for (i, job) in self.jobs.iter().enumerate() {
            if !seen.insert(&job.id) {
                return Err(Error::snapshot(
                    format!("exports.jobs[{i}].id"),
                    "duplicate export id",
                ));
            }
            if job.rows > job.total {
                return Err(Error::snapshot(
                    format!("exports.jobs[{i}].rows"),
                    "more rows written than selected",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "export")]
mod run {
    //! The writers (feature `export`): planning, CSV and XLSX.

    use super::*;
    use crate::access::Permission;
    use crate::audit::AuditOutcome;
    use crate::customer::Customer;
    use crate::privacy::Masker;
    use crate::privacy::SensitiveField;
    use crate::search::MatchContext;
    use chrono::{Datelike, Timelike};
    use rust_decimal::Decimal;
    use std::fmt::Write as _;
    use std::io::Write;
    use std::ops::ControlFlow;
    use std::path::Path;

    impl ExportHistory {
        /// The next free job number and id.
        fn next_id(&self) -> Result<(u64, ExportId)> {
            let mut n = self.seq;
            loop {
                n += 1;
                let id = ExportId::new(format!("exp_{n:06}"))?;
                if self.jobs.iter().all(|j| j.id != id) {
                    return Ok((n, id));
                }
            }
        }
    }

    /// Everything a run needs, resolved and checked before a byte is written.
    struct Plan<'d> {
        customers: Vec<&'d Customer>,
        columns: Vec<ExportColumn>,
        masks: MaskPolicy,
        format: ExportFormat,
        file_name: Option<String>,
    }

    /// How a run ended.
    enum RunEnd {
        Completed,
        Cancelled,
        Failed(&'static str),
    }

    impl Desk {
        /// Exports customers, anonymised, to `out`, and records the job in the history.
        ///
        /// Needs [`Permission::Export`] (the administrator); a refusal is audited and returned
        /// (`ADMINISTRATOR_ONLY`, `PERMISSION_DENIED`). A bad request (unknown id or column,
        /// a policy that would show personal data, a missing scratch directory for XLSX) is
        /// refused before anything is written, audited, and not recorded as a job. Once rows flow,
        /// the job is recorded whatever happens: completed (the job is returned), cancelled by the
        /// callback (`EXPORT_CANCELLED`) or failed writing (`EXPORT_WRITE_FAILED`).
        ///
        /// ```
        /// use partnerdesk::{demo, access::Actor, OperatorId};
        /// use partnerdesk::export::{ExportRequest, ExportSelection, ExportStatus};
        /// let (mut desk, now) = demo::portfolio(100, 7)?;
        /// let admin = Actor::Operator(OperatorId::new("admin")?);
        /// let mut out = Vec::new();
        /// let job = desk.export(&admin, &ExportRequest::csv(ExportSelection::all()), &mut out, |_| std::ops::ControlFlow::Continue(()), now)?;
        /// assert_eq!(job.status, ExportStatus::Completed);
        /// assert_eq!(job.rows as usize, desk.count(&partnerdesk::query::Query::all(), now));
        /// assert!(String::from_utf8_lossy(&out).starts_with("Customer ID,Account Name,Customer Name"));
        /// # Ok::<(), partnerdesk::Error>(())
        /// ```
        pub fn export<W: Write + Send>(
            &mut self,
            actor: &Actor,
            request: &ExportRequest,
            out: W,
            progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
            now: DateTime<Utc>,
        ) -> Result<ExportJob> {
            let checked = self
                .authorize(actor, Permission::Export, None)
                .and_then(|()| self.plan_export(request, now));
            let plan = match checked {
                Ok(plan) => plan,
                Err(e) => {
                    let detail = format!("format={}", request.format);
                    self.record_audit(actor, None, "export", AuditOutcome::denied(&e), detail, now);
                    return Err(e);
                }
            };
            let (seq, id) = self.exports.next_id()?;
            let (rows, end) =
                self.run_export(&plan, request.scratch_dir.as_deref(), out, progress, now);
            let total = plan.customers.len() as u64;
            let file_name = plan
                .file_name
                .clone()
                .unwrap_or_else(|| format!("customers-{id}.{}", plan.format.extension()));
            let status = match end {
                RunEnd::Completed => ExportStatus::Completed,
                RunEnd::Cancelled => ExportStatus::Cancelled,
                RunEnd::Failed(_) => ExportStatus::Failed {
                    code: "EXPORT_WRITE_FAILED".to_owned(),
                },
            };
            let job = ExportJob {
                id: id.clone(),
                actor: actor.clone(),
                at: now,
                selection: RecordedSelection::of(&request.selection),
                format: plan.format,
                columns: plan.columns,
                masks: plan.masks,
                total,
                rows,
                status,
                file_name,
            };
            self.exports.seq = seq;
            self.exports.jobs.push(job.clone());
            let detail = format!(
                "{id} {} rows={rows}/{total} status={}",
                job.format,
                status_text(&job.status)
            );
            self.record_audit(actor, None, "export", AuditOutcome::Allowed, detail, now);
            finish(job, end)
        }

        /// Downloads a recorded export again: regenerates it from the recorded selection, columns
        /// and masks over the data as it is now (see the [module docs](crate::export) for what that means
        /// for changed data), writes it to `out` and returns how many rows were written.
        ///
        /// Needs [`Permission::Export`]; refusals and downloads are audited (`export_download`).
        /// An XLSX job needs a scratch directory. Customers removed since are left out.
        pub fn download_export<W: Write + Send>(
            &mut self,
            actor: &Actor,
            id: &ExportId,
            scratch_dir: Option<&Path>,
            out: W,
            progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
            now: DateTime<Utc>,
        ) -> Result<u64> {
            let checked = self
                .authorize(actor, Permission::Export, None)
                .and_then(|()| self.export_job(id).cloned())
                .and_then(|job| {
                    let selection = match job.selection.to_selection()? {
                        ExportSelection::Ids(ids) => ExportSelection::Ids(
                            ids.into_iter()
                                .filter(|i| self.by_id.contains_key(i))
                                .collect(),
                        ),
                        q => q,
                    };
                    let request = ExportRequest {
                        selection,
                        format: job.format,
                        columns: job.columns.clone(),
                        masks: Some(job.masks.clone()),
                        file_name: Some(job.file_name.clone()),
                        scratch_dir: scratch_dir.map(Path::to_path_buf),
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
            let (rows, end) = self.run_export(&plan, scratch_dir, out, progress, job.at);
            let detail = format!(
                "{id} rows={rows}/{} status={}",
                plan.customers.len(),
                match end {
                    RunEnd::Completed => "completed",
                    RunEnd::Cancelled => "cancelled",
                    RunEnd::Failed(_) => "failed",
                }
            );
            self.record_audit(
                actor,
                None,
                "export_download",
                AuditOutcome::Allowed,
                detail,
                now,
            );
            finish(job, end).map(|_| rows)
        }

        /// Resolves and checks a request (nothing is written).
        fn plan_export(&self, request: &ExportRequest, now: DateTime<Utc>) -> Result<Plan<'_>> {
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
            }
            if request.format == ExportFormat::Xlsx && request.scratch_dir.is_none() {
                return Err(Error::invalid_arg(
                    "scratch_dir",
                    "an XLSX export needs a scratch directory from the host",
                ));
            }
            let customers = match &request.selection {
                ExportSelection::Ids(ids) => dedup(ids)
                    .iter()
                    .map(|id| self.customer(id))
                    .collect::<Result<Vec<_>>>()?,
                ExportSelection::Query { query, sort } if sort.key == SortKey::Id => {
                    self.select_by_id(query, sort.descending, now)
                }
                ExportSelection::Query { query, sort } => self.select_all(query, *sort, now),
            };
            if request.format == ExportFormat::Xlsx && customers.len() as u64 > XLSX_MAX_ROWS {
                return Err(Error::invalid_arg(
                    "selection",
                    format!("an XLSX sheet holds at most {XLSX_MAX_ROWS} rows; export CSV"),
                ));
            }
            Ok(Plan {
                customers,
                columns,
                masks,
                format: request.format,
                file_name: request.file_name.clone(),
            })
        }

        /// The same rows and order as [`Desk::select_all`] sorted by id, for the export's default
        /// order: ids are compared through a 16-byte prefix held next to each row, so sorting a
        /// million rows does not chase a pointer per comparison.
        fn select_by_id(
            &self,
            query: &Query,
            descending: bool,
            now: DateTime<Utc>,
        ) -> Vec<&Customer> {
            let ctx = self.match_context(now);
            let mut keyed: Vec<([u8; 16], &Customer)> = self
                .select(query, &ctx)
                .into_iter()
                .map(|slot| {
                    let c = self.at(slot);
                    let mut key = [0u8; 16];
                    let id = c.id.as_str().as_bytes();
                    let n = id.len().min(16);
                    key[..n].copy_from_slice(&id[..n]);
                    (key, c)
                })
                .collect();
            // Ids hold no NUL byte, so the zero-padded prefix orders like the id itself.
            keyed.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| a.1.id.as_str().cmp(b.1.id.as_str()))
            });
            if descending {
                keyed.reverse();
            }
            keyed.into_iter().map(|(_, c)| c).collect()
        }

        /// Writes the rows of a plan; returns how many were written and how it ended.
        fn run_export<W: Write + Send>(
            &self,
            plan: &Plan<'_>,
            scratch_dir: Option<&Path>,
            out: W,
            mut progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
            now: DateTime<Utc>,
        ) -> (u64, RunEnd) {
            let masker = Masker::checked(&plan.masks, self.pseudonym_key.as_ref());
            let ctx = self.match_context(now);
            let cells = CellWriter {
                desk: self,
                masker,
                ctx,
                columns: &plan.columns,
            };
            let total = plan.customers.len() as u64;
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
            match plan.format {
                ExportFormat::Csv { bom } => {
                    write_csv(&cells, &plan.customers, bom, out, &mut tick)
                }
                ExportFormat::Xlsx => match scratch_dir {
                    Some(dir) => write_xlsx(&cells, &plan.customers, dir, out, &mut tick),
                    None => (0, RunEnd::Failed("no scratch directory")),
                },
            }
        }
    }

    fn status_text(s: &ExportStatus) -> &'static str {
        match s {
            ExportStatus::Completed => "completed",
            ExportStatus::Cancelled => "cancelled",
            ExportStatus::Failed { .. } => "failed",
        }
    }

    fn finish(job: ExportJob, end: RunEnd) -> Result<ExportJob> {
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

    /// Formats the cells of one customer into a reused buffer.
    struct CellWriter<'a> {
        desk: &'a Desk,
        masker: Masker<'a>,
        ctx: MatchContext<'a>,
        columns: &'a [ExportColumn],
    }

    impl CellWriter<'_> {
        /// Writes every cell of `c` into `buf`, recording where each ends in `ends`.
        fn cells(&self, c: &Customer, buf: &mut String, ends: &mut Vec<usize>, guard: bool) {
            buf.clear();
            ends.clear();
            let mut spends = None;
            for col in self.columns {
                let start = buf.len();
                self.cell(*col, c, buf, &mut spends);
                if guard
                    && col.is_text()
                    && buf[start..].starts_with(['=', '+', '-', '@', '\t', '\r'])
                {
                    buf.insert(start, '\'');
                }
                ends.push(buf.len());
            }
        }

        fn cell(
            &self,
            col: ExportColumn,
            c: &Customer,
            buf: &mut String,
            spends: &mut Option<(Decimal, Decimal)>,
        ) {
            let d = self.desk;
            let m = &self.masker;
            let money = |buf: &mut String, v: Decimal| {
                let _ = write!(buf, "{v}");
            };
            match col {
                ExportColumn::CustomerId => buf.push_str(c.id.as_str()),
                ExportColumn::AccountName => {
                    m.mask_into(SensitiveField::AccountName, c.account_name.expose(), buf)
                }
                ExportColumn::Name => m.mask_into(SensitiveField::Name, c.name.expose(), buf),
                ExportColumn::Mobile => {
                    if let Some(mobile) = &c.mobile {
                        m.mask_mobile_into(mobile.expose(), buf);
                    }
                }
                ExportColumn::Email => {
                    if let Some(e) = &c.email {
                        m.mask_into(SensitiveField::Email, e.expose(), buf);
                    }
                }
                ExportColumn::CustomerType => buf.push_str(c.customer_type.as_str()),
                ExportColumn::Verification => buf.push_str(c.verification.as_str()),
                ExportColumn::Level => buf.push_str(c.level.as_str()),
                ExportColumn::Tags => {
                    for (i, t) in c.tags.iter().enumerate() {
                        if i > 0 {
                            buf.push_str("; ");
                        }
                        buf.push_str(t.as_str());
                    }
                }
                ExportColumn::AssociationType => buf.push_str(c.association.kind.as_str()),
                ExportColumn::AssociatedAt => time(buf, c.association.since),
                ExportColumn::DisassociatedAt => {
                    if let Some(t) = c.association.ended {
                        time(buf, t);
                    }
                }
                ExportColumn::Reseller => {
                    if let Some(r) = &c.association.reseller {
                        buf.push_str(r.as_str());
                    }
                }
                ExportColumn::AccountManager => {
                    if let Some(o) = &c.account_manager {
                        buf.push_str(o.as_str());
                    }
                }
                ExportColumn::AccountManagerName => {
                    if let Some(o) = c.account_manager.as_ref().and_then(|o| d.operators.get(o)) {
                        m.mask_into(SensitiveField::ManagerName, o.name.expose(), buf);
                    }
                }
                ExportColumn::FreezeStatus => match c.freeze.freeze() {
                    Some(f) => buf.push_str(f.scope.as_str()),
                    None => buf.push_str("not_frozen"),
                },
                ExportColumn::FreezeOrigin => {
                    if let Some(f) = c.freeze.freeze() {
                        buf.push_str(f.origin.as_str());
                    }
                }
                ExportColumn::BudgetType => {
                    if let Some(b) = &c.budget {
                        buf.push_str(b.kind.as_str());
                    }
                }
                ExportColumn::Budget => {
                    if let Some(b) = &c.budget {
                        money(buf, b.amount.amount);
                    }
                }
                ExportColumn::BudgetUsed => {
                    if let Some(b) = &c.budget {
                        money(buf, b.used(c, self.ctx.now, self.ctx.offset));
                    }
                }
                ExportColumn::BudgetUsage => {
                    if let Some(b) = &c.budget {
                        let used = b.used(c, self.ctx.now, self.ctx.offset);
                        money(buf, crate::budget::percent(used, b.amount.amount));
                    }
                }
                ExportColumn::MonthToDate => money(
                    buf,
                    spends
                        .get_or_insert_with(|| two_months(c, self.ctx.month))
                        .1,
                ),
                ExportColumn::LastMonth => money(
                    buf,
                    spends
                        .get_or_insert_with(|| two_months(c, self.ctx.month))
                        .0,
                ),
                ExportColumn::Currency => buf.push_str(d.partner.currency.as_str()),
                ExportColumn::NextExpiry => {
                    if let Some(t) = c.next_expiry(self.ctx.now) {
                        time(buf, t);
                    }
                }
                ExportColumn::UnpaidOrders => {
                    let n = c.orders.iter().filter(|o| o.is_unpaid()).count();
                    let _ = write!(buf, "{n}");
                }
            }
        }
    }

    /// Last month's and this month's spend in one pass over the (day-sorted) records.
    fn two_months(c: &Customer, month: crate::calendar::YearMonth) -> (Decimal, Decimal) {
        let last = month.previous();
        let (from, split, to) = (last.first_day(), month.first_day(), month.last_day());
        let start = c.spend.partition_point(|r| r.day < from);
        let mut sums = (Decimal::ZERO, Decimal::ZERO);
        for r in c.spend[start..].iter().take_while(|r| r.day <= to) {
            if r.day < split {
                sums.0 += r.amount.amount;
            } else {
                sums.1 += r.amount.amount;
            }
        }
        sums
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, digit by digit (no formatting machinery per cell).
    fn time(buf: &mut String, t: DateTime<Utc>) {
        let year = t.year();
        if !(0..=9999).contains(&year) {
            let _ = write!(buf, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
            return;
        }
        let digits = |buf: &mut String, v: u32, n: u32| {
            for i in (0..n).rev() {
                let d = (v / 10u32.pow(i)) % 10;
                buf.push(char::from(b'0' + d as u8));
            }
        };
        digits(buf, year as u32, 4);
        buf.push('-');
        digits(buf, t.month(), 2);
        buf.push('-');
        digits(buf, t.day(), 2);
        buf.push('T');
        digits(buf, t.hour(), 2);
        buf.push(':');
        digits(buf, t.minute(), 2);
        buf.push(':');
        digits(buf, t.second(), 2);
        buf.push('Z');
    }

    fn io_reason(e: &std::io::Error) -> &'static str {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => "not found",
            K::PermissionDenied => "permission denied",
            K::BrokenPipe => "broken pipe",
            K::WriteZero => "write zero",
            K::StorageFull => "storage full",
            K::Interrupted => "interrupted",
            _ => "i/o error",
        }
    }

    fn csv_reason(e: &csv::Error) -> &'static str {
        match e.kind() {
            csv::ErrorKind::Io(io) => io_reason(io),
            _ => "csv error",
        }
    }

    fn write_csv<W: Write>(
        cells: &CellWriter<'_>,
        customers: &[&Customer],
        bom: bool,
        mut out: W,
        tick: &mut impl FnMut(u64) -> ControlFlow<()>,
    ) -> (u64, RunEnd) {
        if bom && let Err(e) = out.write_all("\u{FEFF}".as_bytes()) {
            return (0, RunEnd::Failed(io_reason(&e)));
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(1 << 16)
            .from_writer(out);
        if let Err(e) = w.write_record(cells.columns.iter().map(|c| c.header())) {
            return (0, RunEnd::Failed(csv_reason(&e)));
        }
        let mut buf = String::with_capacity(512);
        let mut ends = Vec::with_capacity(cells.columns.len());
        let mut done = 0u64;
        for c in customers {
            cells.cells(c, &mut buf, &mut ends, true);
            let mut start = 0;
            let fields = ends.iter().map(|&end| {
                let s = &buf[start..end];
                start = end;
                s
            });
            if let Err(e) = w.write_record(fields) {
                return (done, RunEnd::Failed(csv_reason(&e)));
            }
            done += 1;
            if tick(done).is_break() {
                let _ = w.flush();
                return (done, RunEnd::Cancelled);
            }
        }
        if let Err(e) = w.flush() {
            return (done, RunEnd::Failed(io_reason(&e)));
        }
        (done, RunEnd::Completed)
    }

    fn write_xlsx<W: Write + Send>(
        cells: &CellWriter<'_>,
        customers: &[&Customer],
        scratch_dir: &Path,
        out: W,
        tick: &mut impl FnMut(u64) -> ControlFlow<()>,
    ) -> (u64, RunEnd) {
        use rust_xlsxwriter::{Format, Workbook};
        let fail = |_: rust_xlsxwriter::XlsxError| RunEnd::Failed("xlsx writer error");
        let mut book = Workbook::new();
        if let Err(e) = book.set_tempdir(scratch_dir) {
            return (0, fail(e));
        }
        // The sheet is one long XML stream; the fastest deflate level keeps saving from
        // dominating the export (the file is somewhat larger than at the default level 6).
        book.set_zip_compression_level(1);
        let bold = Format::new().set_bold();
        let sheet = match book.add_worksheet_with_constant_memory() {
            Ok(s) => s,
            Err(e) => return (0, fail(e)),
        };
        let setup = (|| {
            sheet.set_name("Customers")?;
            for (i, col) in cells.columns.iter().enumerate() {
                let i = i as u16;
                sheet.set_column_width(i, column_width(*col))?;
                sheet.write_string_with_format(0, i, col.header(), &bold)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            Ok::<(), rust_xlsxwriter::XlsxError>(())
        })();
        if let Err(e) = setup {
            return (0, fail(e));
        }
        let mut buf = String::with_capacity(512);
        let mut ends = Vec::with_capacity(cells.columns.len());
        let mut done = 0u64;
        for c in customers {
            cells.cells(c, &mut buf, &mut ends, false);
            let row = (done + 1) as u32;
            let mut start = 0;
            for (i, &end) in ends.iter().enumerate() {
                let s = &buf[start..end];
                start = end;
                if s.is_empty() {
                    continue;
                }
                // Counts are numbers (exact in a spreadsheet); everything else, amounts
                // included, is text, so no amount passes through a float.
                let count = (cells.columns[i] == ExportColumn::UnpaidOrders)
                    .then(|| s.parse::<u32>().ok())
                    .flatten();
                let written = match count {
                    Some(n) => sheet.write_number(row, i as u16, f64::from(n)).map(|_| ()),
                    None => sheet.write_string(row, i as u16, s).map(|_| ()),
                };
                if let Err(e) = written {
                    return (done, fail(e));
                }
            }
            done += 1;
            if tick(done).is_break() {
                return (done, RunEnd::Cancelled);
            }
        }
        match book.save_to_writer(out) {
            Ok(()) => (done, RunEnd::Completed),
            Err(e) => (done, fail(e)),
        }
    }

    fn column_width(col: ExportColumn) -> f64 {
        match col {
            ExportColumn::CustomerId => 36.0,
            ExportColumn::Mobile | ExportColumn::Email | ExportColumn::Tags => 24.0,
            ExportColumn::AssociatedAt
            | ExportColumn::DisassociatedAt
            | ExportColumn::NextExpiry => 22.0,
            ExportColumn::MonthToDate | ExportColumn::LastMonth => 26.0,
            _ => 18.0,
        }
    }
}
