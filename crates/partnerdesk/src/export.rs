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
//! - **Streamed, in constant memory.** Rows are written one by one to any `std::io::Write`; a
//!   million rows never sit in memory as one file. Cells are formatted into one reused buffer
//!   (amounts and times digit by digit), and CSV records go out in 64 KiB chunks. The rows are
//!   not materialised either: a query in id order (the default) keeps a bitmap of the selected
//!   slots (at most a bit per customer, compressed) and walks the desk's own id order, kept as
//!   customers come and go (the private `id_order` module). The search yields the selection
//!   as a bitmap directly (a query of every customer takes the index's bitmap as it is), so a
//!   filtered query holds no list of slots either. Selected ids, and queries in another order,
//!   hold their ordered slots (4 bytes a row) for the whole export.
//! - **A compact copy, read in order.** Customers lie scattered in memory (704-byte records
//!   pointing to a dozen allocations), so a row read from them is mostly waiting for cache
//!   misses. The desk therefore keeps, beside its id order, a compact copy of what the default
//!   columns read, in id order (the private `export_rows` module: about 240 bytes a customer,
//!   built by the first export and merged from the desk's marks of added, removed and changed
//!   customers by the next ones). An export by id of columns the copy holds, in the copy's
//!   month, streams it from start to end; masks are still applied per cell, with the request's
//!   policy. Other exports read the customers, touching the fields of the next rows in batches
//!   first so that memory fetches them in parallel (see `CellWriter::each`).
//! - **Progress and cancellation.** The callback receives [`ExportProgress`] (rows done of
//!   total) at the start, every [`PROGRESS_EVERY`] rows and at the end; returning
//!   [`ControlFlow::Break`](std::ops::ControlFlow::Break) cancels. A cancelled export is recorded as
//!   [`ExportStatus::Cancelled`] and returns `EXPORT_CANCELLED`; what was already written to the
//!   sink is incomplete and must be discarded (for XLSX, the start of a ZIP archive without its
//!   central directory, which no reader opens).
//! - **Three phases, so that reads run beside the stream.** [`Desk::prepare_export`] (`&mut`)
//!   authorizes, brings the id order and the compact copy up to date, plans the request and
//!   reserves the job id; [`Desk::write_export`] (`&self`) streams the rows, so any number of
//!   searches and other reads run meanwhile (a host's read lock suffices); [`Desk::record_export`]
//!   (`&mut`) appends the job and audits it. [`Desk::export`] runs the three. The
//!   [`PreparedExport`] between them is written only on its own desk and only while that desk is
//!   unchanged, and recorded once (see its docs), so the rows are always those of the desk at
//!   prepare time. A download again has the same phases ([`Desk::prepare_download`],
//!   [`Desk::record_download`]).
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
//! **XLSX is streamed too, by a writer of the crate's own** (the private `xlsx` module): each
//! row is formatted as sheet XML into one reused buffer, which is deflated into the sink in
//! chunks, inside a ZIP archive written front to back (sizes in data descriptors, ZIP64 records
//! past 4 GiB). Like CSV it needs nothing but the sink: no `Seek`, no temporary file, no scratch
//! directory, and memory stays flat in the row count. The workbook has one sheet,
//! `Customers`, a bold header row that stays frozen when scrolling, and column widths fitted
//! to the columns. Text cells are inline strings (no shared-strings table, which would grow
//! with the rows), escaped as Excel does (control characters as `_xHHHH_`). An XLSX sheet holds
//! at most [`XLSX_MAX_ROWS`] data rows; a larger selection is refused before anything is
//! written. A cell holds at most 32,767 characters (Excel's limit): a longer cell (say, a
//! customer with thousands of tags) fails the export with `EXPORT_WRITE_FAILED`.
//!
//! Cells: amounts are exact decimal text in the partner's currency (never a float, in CSV and
//! XLSX alike; in XLSX only the count of unpaid orders is a number); times are UTC,
//! `YYYY-MM-DDTHH:MM:SSZ`. Against formula injection (OWASP), every text
//! cell (every column but amounts, times, counts and the currency code: ids, logins, tags,
//! codes and masked values included) that starts with `=`, `+`, `-`, `@`, tab, carriage
//! return, line feed or a full-width `＝ ＋ － ＠` is neutralised: in CSV (RFC 4180: `,`, `"`
//! quoting, CRLF line ends, UTF-8, optionally with a byte-order mark for Excel) it is prefixed
//! with `'` (`'+86 138****5678`); in XLSX, where text is an inline string that is never
//! evaluated, it keeps its text and is marked quote-prefixed, as Excel marks a cell typed with a
//! leading `'`, so that editing it does not make it a formula either. The CSV records are written here (a
//! field is quoted only when it holds a quote, comma, CR or LF, quotes doubled), byte for byte
//! as the `csv` crate writes them (the tests check it, and read them back with it), without
//! a call into its writer per field.

use crate::access::Actor;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, ExportId};
use crate::privacy::{MaskPolicy, Personal};
use crate::query::{Query, Sort, SortKey};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::fmt;

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

            /// Whether the cell holds text from data (ids, names, codes: every column but the
            /// amounts, times, counts and the currency code this module formats itself), which
            /// a spreadsheet could mistake for a formula.
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
    CustomerId => "customer_id", "Customer ID", true;
    /// Account name (masked as the export's policy says).
    AccountName => "account_name", "Account Name", true;
    /// Customer name, anonymised.
    Name => "name", "Customer Name", true;
    /// Mobile number with country code, anonymised.
    Mobile => "mobile", "Mobile Number", true;
    /// E-mail, anonymised.
    Email => "email", "Email", true;
    /// Individual, enterprise or unset.
    CustomerType => "customer_type", "Customer Type", true;
    /// Real-name verification status.
    Verification => "verification", "Verification Status", true;
    /// Customer level (V0..V5).
    Level => "level", "Customer Level", true;
    /// Tags, separated by `; `.
    Tags => "tags", "Tags", true;
    /// Referral or reseller.
    AssociationType => "association_type", "Association Type", true;
    /// When associated.
    AssociatedAt => "associated_at", "Associated On", false;
    /// When disassociated.
    DisassociatedAt => "disassociated_at", "Disassociated On", false;
    /// The reseller the customer belongs to.
    Reseller => "reseller", "Reseller ID", true;
    /// Account manager login.
    AccountManager => "account_manager", "Account Manager ID", true;
    /// Account manager display name (masked as the export's policy says).
    AccountManagerName => "account_manager_name", "Account Manager", true;
    /// Freeze scope, or `not_frozen`.
    FreezeStatus => "freeze_status", "Freeze Status", true;
    /// Freeze origin, when frozen.
    FreezeOrigin => "freeze_origin", "Freeze Origin", true;
    /// Monthly or one-off, when a budget is set.
    BudgetType => "budget_type", "Budget Type", true;
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
        }
    }

    /// An XLSX export of the default columns.
    ///
    /// ```
    /// use partnerdesk::export::{ExportFormat, ExportRequest, ExportSelection};
    /// let req = ExportRequest::xlsx(ExportSelection::all()).named("customers.xlsx");
    /// assert_eq!(req.format, ExportFormat::Xlsx);
    /// ```
    pub fn xlsx(selection: ExportSelection) -> Self {
        ExportRequest {
            format: ExportFormat::Xlsx,
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
    /// Writing failed (the sink, or an XLSX cell too long), with the stable error code.
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
        // Pseudonyms in a prepared export's rows depend on the key.
        self.id_order.touch();
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
pub use run::{ExportWritten, PreparedExport};

#[cfg(feature = "export")]
mod run {
    //! The writers (feature `export`): planning, CSV and XLSX.

    use super::*;
    use crate::access::Permission;
    use crate::audit::AuditOutcome;
    use crate::customer::Customer;
    use crate::export_rows::{ExportRows, Row};
    use crate::ids::{IdMap, OperatorId};
    use crate::privacy::Masker;
    use crate::privacy::SensitiveField;
    use crate::search::MatchContext;
    use crate::xlsx::{Sheet, XlsxError};
    use chrono::{Datelike, Timelike};
    use roaring::RoaringBitmap;
    use rust_decimal::Decimal;
    use std::fmt::Write as _;
    use std::io::Write;
    use std::ops::ControlFlow;

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

    /// Everything a run needs, resolved and checked before a byte is written. It owns what it
    /// holds (a prepared export keeps it between the phases); rows in id order are read from
    /// the desk's id order when written.
    struct Plan {
        rows: Rows,
        columns: Vec<ExportColumn>,
        masks: MaskPolicy,
        format: ExportFormat,
        file_name: Option<String>,
    }

    /// The rows of an export, as slots of the desk.
    enum Rows {
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
        fn len(&self) -> u64 {
            match self {
                Rows::Listed(slots) => slots.len() as u64,
                Rows::ById { selected, .. } => selected.len(),
            }
        }

        /// The positions in the desk's id order (and in its copy of the exported fields) of
        /// the rows, in export order; `None` for listed slots.
        fn positions<'a>(&'a self, order: &'a [u32]) -> Option<Box<dyn Iterator<Item = u32> + 'a>> {
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
        fn slots<'a>(&'a self, order: &'a [u32]) -> Box<dyn Iterator<Item = u32> + 'a> {
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
    enum RunEnd {
        Completed,
        Cancelled,
        Failed(&'static str),
    }

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
    /// leaves a gap in the job numbers and nothing in the history or the audit trail.
    pub struct PreparedExport {
        id: ExportId,
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

    fn status_of(end: RunEnd) -> ExportStatus {
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
            let prepared = self.prepare_export(actor, request, now)?;
            let written = self.write_export(&prepared, out, progress)?;
            self.record_export(prepared, written)
        }

        /// Phase one of an export: checks [`Permission::Export`], brings the desk's id order
        /// and its copy of the exported fields up to date, resolves and checks the request and
        /// reserves the job id. Refusals are audited and returned as by [`Desk::export`]; nothing
        /// is recorded as a job then. Writes nothing.
        ///
        /// ```
        /// use partnerdesk::{demo, access::Actor, OperatorId};
        /// use partnerdesk::export::{ExportRequest, ExportSelection, ExportStatus};
        /// use partnerdesk::query::Query;
        /// use std::ops::ControlFlow;
        /// let (mut desk, now) = demo::portfolio(100, 7)?;
        /// let admin = Actor::Operator(OperatorId::new("admin")?);
        /// let prepared = desk.prepare_export(&admin, &ExportRequest::csv(ExportSelection::all()), now)?;
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
            actor: &Actor,
            request: &ExportRequest,
            now: DateTime<Utc>,
        ) -> Result<PreparedExport> {
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
            self.exports.seq = seq;
            let file_name = plan
                .file_name
                .clone()
                .unwrap_or_else(|| format!("customers-{id}.{}", plan.format.extension()));
            let stamp = self.id_order.stamp();
            Ok(PreparedExport {
                id,
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
            self.exports.jobs.push(job.clone());
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
        /// Customers removed since are left out.
        pub fn download_export<W: Write + Send>(
            &mut self,
            actor: &Actor,
            id: &ExportId,
            out: W,
            progress: impl FnMut(ExportProgress) -> ControlFlow<()>,
            now: DateTime<Utc>,
        ) -> Result<u64> {
            let prepared = self.prepare_download(actor, id, now)?;
            let written = self.write_export(&prepared, out, progress)?;
            self.record_download(prepared, written)
        }

        /// Phase one of a download again (see [`Desk::download_export`]): checks the permission,
        /// finds the job and plans its selection over the data as it is now. Refusals are
        /// audited (`export_download`). Write it with [`Desk::write_export`], then record it with
        /// [`Desk::record_download`]; the rules of [`PreparedExport`] apply.
        pub fn prepare_download(
            &mut self,
            actor: &Actor,
            id: &ExportId,
            now: DateTime<Utc>,
        ) -> Result<PreparedExport> {
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

        /// Resolves and checks a request (nothing is written).
        fn plan_export(&self, request: &ExportRequest, now: DateTime<Utc>) -> Result<Plan> {
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
        fn refresh_export_order(&mut self, authorized: &Result<()>) {
            if authorized.is_ok() {
                self.id_order.refresh_with_rows(&self.slots, &self.index);
            }
        }

        /// The slots matching a query, as a bitmap (at most a bit per customer, compressed):
        /// the search's [`Desk::select_bitmap`], so no list of slots is held, whatever the
        /// filter.
        fn selected(&self, query: &Query, now: DateTime<Utc>) -> RoaringBitmap {
            self.select_bitmap(query, &self.match_context(now))
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

    /// Refuses a selection larger than an XLSX sheet holds ([`XLSX_MAX_ROWS`]).
    fn check_rows(format: ExportFormat, rows: u64) -> Result<()> {
        if format == ExportFormat::Xlsx && rows > XLSX_MAX_ROWS {
            return Err(Error::invalid_arg(
                "selection",
                format!("an XLSX sheet holds at most {XLSX_MAX_ROWS} rows; export CSV"),
            ));
        }
        Ok(())
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

    /// Formats the cells of one customer into a reused buffer: the one place where export rows
    /// are produced, so every personal cell goes through the [`Masker`].
    struct CellWriter<'a> {
        desk: &'a Desk,
        masker: Masker<'a>,
        ctx: MatchContext<'a>,
        columns: &'a [ExportColumn],
        reads: Reads,
        /// The masked name of each operator, masked once per export (when that column is
        /// exported): a hash lookup per row instead of a tree walk and a mask.
        managers: IdMap<&'a OperatorId, String>,
        /// The desk's compact copy of the exported fields, when the export reads it: rows are
        /// then positions in it, not slots.
        copy: Option<CopyView<'a>>,
    }

    /// The desk's compact copy of the exported fields, with what this export resolves once.
    struct CopyView<'a> {
        rows: &'a ExportRows,
        /// The masked account manager name for each number of the copy's table of texts that
        /// is an operator's id.
        manager_names: Vec<Option<String>>,
    }

    /// Whether the desk's compact copy holds what a column reads.
    fn in_copy(col: ExportColumn) -> bool {
        use ExportColumn as C;
        matches!(
            col,
            C::CustomerId
                | C::AccountName
                | C::Name
                | C::Mobile
                | C::Email
                | C::Tags
                | C::AssociationType
                | C::AssociatedAt
                | C::AccountManager
                | C::AccountManagerName
                | C::FreezeStatus
                | C::MonthToDate
                | C::LastMonth
                | C::Currency
                | C::NextExpiry
        )
    }

    /// Which parts of a customer the columns read (for reading ahead).
    #[derive(Default)]
    struct Reads {
        names: bool,
        contact: bool,
        header: bool,
        spend: bool,
        orders: bool,
        mtd: bool,
        expiry: bool,
    }

    impl Reads {
        fn of(columns: &[ExportColumn]) -> Self {
            let mut r = Reads::default();
            for col in columns {
                use ExportColumn as C;
                match col {
                    C::AccountName | C::Name => r.names = true,
                    C::Mobile | C::Email => r.contact = true,
                    C::LastMonth | C::BudgetUsed | C::BudgetUsage => r.spend = true,
                    C::MonthToDate => r.mtd = true,
                    C::NextExpiry => r.expiry = true,
                    C::UnpaidOrders => r.orders = true,
                    C::CustomerId | C::Currency => {}
                    _ => r.header = true,
                }
            }
            r
        }
    }

    /// Rows are read ahead in batches of this many (see [`CellWriter::each`]).
    const BATCH: usize = 16;

    impl CellWriter<'_> {
        /// Calls `row` with each slot, in order, reading the customers' fields ahead in batches.
        ///
        /// Why: customers sit at random places of the slot vector (in id order, a row's
        /// customer is nowhere near the previous one) and each row reads a dozen separately
        /// allocated strings and vectors. Read one after another, these are a dozen cache
        /// misses in a row, each waiting for the one before. Touching them for a whole batch
        /// first (the customers' own fields for the next batch, then what those fields point to
        /// for this one) asks memory for them all at once, so that the misses overlap; the
        /// formatting then finds them in the cache.
        fn each<B>(
            &self,
            mut slots: impl Iterator<Item = u32>,
            mut row: impl FnMut(u32) -> ControlFlow<B>,
        ) -> ControlFlow<B> {
            let mut fill = |batch: &mut [u32; BATCH]| {
                let mut n = 0;
                while n < BATCH {
                    let Some(s) = slots.next() else { break };
                    batch[n] = s;
                    n += 1;
                }
                n
            };
            // The compact copy is read in order: the prefetcher reads it ahead.
            if self.copy.is_some() || !crate::ab::read_ahead() {
                for at in slots {
                    row(at)?;
                }
                return ControlFlow::Continue(());
            }
            let (mut this, mut next) = ([0u32; BATCH], [0u32; BATCH]);
            let mut n = fill(&mut this);
            self.touch_fields(&this[..n]);
            while n > 0 {
                let m = fill(&mut next);
                self.touch_fields(&next[..m]);
                self.touch_data(&this[..n]);
                for &slot in &this[..n] {
                    row(slot)?;
                }
                (this, n) = (next, m);
            }
            ControlFlow::Continue(())
        }

        /// Reads the customers' own fields that the cells will read (and the month-to-date
        /// column): one load each, all independent, so that they are fetched in parallel.
        fn touch_fields(&self, slots: &[u32]) {
            let r = &self.reads;
            let mut sum = 0usize;
            for &slot in slots {
                let c = self.desk.at(slot);
                sum = sum.wrapping_add(c.id.as_str().len());
                if r.names {
                    sum = sum
                        .wrapping_add(c.account_name.expose().len())
                        .wrapping_add(c.name.expose().len());
                }
                if r.contact {
                    sum = sum
                        .wrapping_add(c.mobile.as_ref().map_or(0, |m| m.expose().number.len()))
                        .wrapping_add(c.email.as_ref().map_or(0, |e| e.expose().len()));
                }
                if r.header {
                    sum = sum
                        .wrapping_add(c.tags.len())
                        .wrapping_add(c.association.since.timestamp() as usize)
                        .wrapping_add(c.account_manager.as_ref().map_or(0, |o| o.as_str().len()))
                        .wrapping_add(usize::from(c.freeze.freeze().is_some()))
                        .wrapping_add(usize::from(c.budget.is_some()));
                }
                if r.spend {
                    sum = sum.wrapping_add(c.spend.len());
                }
                if r.orders {
                    sum = sum.wrapping_add(c.orders.len());
                }
                if r.mtd {
                    sum = sum.wrapping_add(self.desk.mtd_of(slot, &self.ctx).scale() as usize);
                }
            }
            std::hint::black_box(sum);
        }

        /// Reads what the fields point to (strings, tags, the latest spend records, orders, the
        /// expiry index), once [`CellWriter::touch_fields`] has brought the fields in.
        fn touch_data(&self, slots: &[u32]) {
            let r = &self.reads;
            let first = |s: &str| s.as_bytes().first().map_or(0, |b| usize::from(*b));
            let mut sum = 0usize;
            for &slot in slots {
                let c = self.desk.at(slot);
                sum = sum.wrapping_add(first(c.id.as_str()));
                if r.names {
                    sum = sum
                        .wrapping_add(first(c.account_name.expose()))
                        .wrapping_add(first(c.name.expose()));
                }
                if r.contact {
                    if let Some(m) = &c.mobile {
                        let m = m.expose();
                        sum = sum
                            .wrapping_add(first(&m.country_code))
                            .wrapping_add(first(&m.number));
                    }
                    sum = sum.wrapping_add(c.email.as_ref().map_or(0, |e| first(e.expose())));
                }
                if r.header {
                    for t in &c.tags {
                        sum = sum.wrapping_add(first(t.as_str()));
                    }
                    sum = sum
                        .wrapping_add(c.account_manager.as_ref().map_or(0, |o| first(o.as_str())));
                }
                if r.spend {
                    // The latest records (spend is sorted by day): where this month and the
                    // last one are, for a current export.
                    for rec in c.spend.iter().rev().take(16) {
                        sum = sum.wrapping_add(rec.day.day0() as usize);
                    }
                }
                if r.orders {
                    for o in &c.orders {
                        sum = sum.wrapping_add(usize::from(o.is_unpaid()));
                    }
                }
                if r.expiry {
                    let next = self.desk.index.next_expiry(slot, self.ctx.now);
                    sum = sum.wrapping_add(next.map_or(0, |t| t.timestamp() as usize));
                }
            }
            std::hint::black_box(sum);
        }

        /// Appends every cell of the customer in `slot` to `buf`, calling `end` after each
        /// with the cell's start. With `guard`, a text cell a spreadsheet could run as a
        /// formula gets a `'`.
        fn cells(
            &self,
            slot: u32,
            buf: &mut String,
            guard: bool,
            mut end: impl FnMut(&mut String, usize),
        ) {
            if let Some(copy) = &self.copy {
                // `slot` is a position in the copy.
                let Some(r) = copy.rows.rows.get(slot as usize) else {
                    return;
                };
                let texts = copy.rows.texts(r);
                for col in self.columns {
                    let start = buf.len();
                    self.copied_cell(*col, copy, r, &texts, buf);
                    guard_formula(*col, buf, start, guard);
                    end(buf, start);
                }
                return;
            }
            let c = self.desk.at(slot);
            for col in self.columns {
                let start = buf.len();
                self.cell(*col, slot, c, buf);
                guard_formula(*col, buf, start, guard);
                end(buf, start);
            }
        }

        /// A cell from the desk's compact copy: the same text as [`CellWriter::cell`] writes
        /// from the customer (the copy holds the same values; masks are applied here).
        fn copied_cell(
            &self,
            col: ExportColumn,
            copy: &CopyView<'_>,
            r: &Row,
            t: &[&str; 6],
            buf: &mut String,
        ) {
            use crate::export_rows as x;
            let m = &self.masker;
            let table = |n: u32| copy.rows.table.get(n as usize).map_or("", String::as_str);
            match col {
                ExportColumn::CustomerId => buf.push_str(t[x::ID]),
                ExportColumn::AccountName => {
                    m.mask_into(SensitiveField::AccountName, t[x::ACCOUNT], buf)
                }
                ExportColumn::Name => m.mask_into(SensitiveField::Name, t[x::NAME], buf),
                ExportColumn::Mobile if ExportRows::has_mobile(r) => {
                    m.mask_mobile_parts_into(t[x::COUNTRY_CODE], t[x::NUMBER], buf)
                }
                ExportColumn::Email if ExportRows::has_email(r) => {
                    m.mask_into(SensitiveField::Email, t[x::EMAIL], buf)
                }
                ExportColumn::Tags => buf.push_str(table(r.tags)),
                ExportColumn::AssociationType => buf.push_str(table(r.kind)),
                ExportColumn::AssociatedAt => time(buf, r.since),
                ExportColumn::AccountManager if r.manager != x::NONE => {
                    buf.push_str(table(r.manager))
                }
                ExportColumn::AccountManagerName => {
                    if let Some(Some(name)) = copy.manager_names.get(r.manager as usize) {
                        buf.push_str(name);
                    }
                }
                ExportColumn::FreezeStatus => buf.push_str(table(r.freeze)),
                ExportColumn::MonthToDate => decimal(buf, r.mtd),
                ExportColumn::LastMonth => decimal(buf, r.last_month),
                ExportColumn::Currency => buf.push_str(self.desk.partner.currency.as_str()),
                ExportColumn::NextExpiry => {
                    if let Some(e) = copy.rows.next_expiry(r, self.ctx.now) {
                        time(buf, e);
                    }
                }
                // Empty cells (no mobile, e-mail or manager), and columns not in the copy
                // (`in_copy`: such an export reads the customers).
                _ => {}
            }
        }

        fn cell(&self, col: ExportColumn, slot: u32, c: &Customer, buf: &mut String) {
            let d = self.desk;
            let m = &self.masker;
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
                    if let Some(name) = c
                        .account_manager
                        .as_ref()
                        .and_then(|o| self.managers.get(o))
                    {
                        buf.push_str(name);
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
                        decimal(buf, b.amount.amount);
                    }
                }
                ExportColumn::BudgetUsed => {
                    if let Some(b) = &c.budget {
                        decimal(buf, b.used(c, self.ctx.now, self.ctx.offset));
                    }
                }
                ExportColumn::BudgetUsage => {
                    if let Some(b) = &c.budget {
                        let used = b.used(c, self.ctx.now, self.ctx.offset);
                        decimal(buf, crate::budget::percent(used, b.amount.amount));
                    }
                }
                // From the index's column when the month is the indexed one.
                ExportColumn::MonthToDate => decimal(buf, d.mtd_of(slot, &self.ctx)),
                ExportColumn::LastMonth => {
                    let last = self.ctx.month.previous();
                    decimal(buf, c.spend_between(last.first_day(), last.last_day()));
                }
                ExportColumn::Currency => buf.push_str(d.partner.currency.as_str()),
                ExportColumn::NextExpiry => {
                    if let Some(t) = d.index.next_expiry(slot, self.ctx.now) {
                        time(buf, t);
                    }
                }
                ExportColumn::UnpaidOrders => {
                    let n = c.orders.iter().filter(|o| o.is_unpaid()).count();
                    unsigned(buf, n as u64);
                }
            }
        }
    }

    /// With `guard`, prefixes a text cell (starting at `start` of `buf`) that a spreadsheet
    /// could run as a formula with `'`.
    fn guard_formula(col: ExportColumn, buf: &mut String, start: usize, guard: bool) {
        if guard && col.is_text() && buf.get(start..).is_some_and(formula_start) {
            buf.insert(start, '\'');
        }
    }

    /// Whether a text cell starts with what a spreadsheet could take for the start of a
    /// formula: OWASP's list for CSV injection (`=`, `+`, `-`, `@`, tab, carriage return),
    /// line feed, and the full-width `＝`, `＋`, `－`, `＠` (which spreadsheets in East Asian
    /// locales convert on input). The ASCII ones tell by the first byte; the full-width ones
    /// all start with byte `0xEF`.
    pub(crate) fn formula_start(cell: &str) -> bool {
        match cell.as_bytes().first() {
            Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n') => true,
            Some(0xEF) => matches!(
                cell.chars().next(),
                Some('\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}')
            ),
            _ => false,
        }
    }

    /// ASCII digits as text (they are valid UTF-8).
    fn ascii(buf: &mut String, digits: &[u8]) {
        buf.push_str(std::str::from_utf8(digits).unwrap_or_default());
    }

    /// An unsigned integer in decimal.
    fn unsigned(buf: &mut String, v: u64) {
        buf.push_str(itoa::Buffer::new().format(v));
    }

    /// Zeros to pad a fraction with: a `Decimal`'s scale is at most 28.
    const ZEROS: &str = "00000000000000000000000000000000";

    /// A decimal amount, exactly as its `Display` writes it (`-`, the digits of the mantissa
    /// with the point `scale` digits from the end, `0` before a leading point, trailing zeros
    /// kept), without the formatting machinery.
    fn decimal(buf: &mut String, v: Decimal) {
        let mut b = itoa::Buffer::new();
        // A zero mantissa has no digits in `Display`: only the padding below.
        let digits = match v.mantissa() {
            0 => "",
            m => b.format(m.unsigned_abs()),
        };
        let scale = v.scale() as usize;
        if v.is_sign_negative() {
            buf.push('-');
        }
        match (scale + 1).checked_sub(digits.len()) {
            // Fewer digits than the scale and one: `0.`, zeros, the digits.
            Some(pad) if pad > 0 => {
                buf.push('0');
                if scale > 0 {
                    buf.push('.');
                    buf.push_str(ZEROS.get(..pad - 1).unwrap_or_default());
                    buf.push_str(digits);
                }
            }
            _ => {
                let point = digits.len() - scale;
                buf.push_str(digits.get(..point).unwrap_or_default());
                if scale > 0 {
                    buf.push('.');
                    buf.push_str(digits.get(point..).unwrap_or_default());
                }
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, digit by digit (no formatting machinery per cell).
    fn time(buf: &mut String, t: DateTime<Utc>) {
        let (day, clock) = (t.date_naive(), t.time());
        let year = day.year();
        if !(0..=9999).contains(&year) {
            let _ = write!(buf, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
            return;
        }
        let two = |v: u32| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
        let y = year as u32;
        let (m, d, h, mi, s) = (
            two(day.month()),
            two(day.day()),
            two(clock.hour()),
            two(clock.minute()),
            two(clock.second()),
        );
        let (y1, y2) = (two(y / 100), two(y % 100));
        let text = [
            y1[0], y1[1], y2[0], y2[1], b'-', m[0], m[1], b'-', d[0], d[1], b'T', h[0], h[1], b':',
            mi[0], mi[1], b':', s[0], s[1], b'Z',
        ];
        ascii(buf, &text);
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

    /// The CSV writer's output buffer is handed to the sink once it holds this many bytes.
    const CSV_CHUNK: usize = 1 << 16;

    /// Whether an RFC 4180 field must be quoted: it holds a quote, a comma, CR or LF.
    fn needs_quotes(field: &[u8]) -> bool {
        field
            .iter()
            .fold(false, |q, b| q | matches!(b, b'"' | b',' | b'\r' | b'\n'))
    }

    /// Ends the CSV field that starts at `start` of `out`, and the separator after it: the
    /// field is quoted only when it needs it, its quotes doubled.
    fn csv_field(out: &mut String, start: usize) {
        if needs_quotes(&out.as_bytes()[start..]) {
            let field = out.split_off(start);
            out.push('"');
            for part in field.split_inclusive('"') {
                out.push_str(part);
                if part.ends_with('"') {
                    out.push('"');
                }
            }
            out.push('"');
        }
        out.push(',');
    }

    /// Ends the CSV record that starts at `start` of `out` (its fields ended by [`csv_field`]):
    /// the last separator becomes CRLF, and a record of one empty field is written `""` so
    /// that it is not an empty line (as the `csv` crate does).
    fn csv_end(out: &mut String, start: usize, fields: usize) {
        out.pop();
        if fields == 1 && out.len() == start {
            out.push_str("\"\"");
        }
        out.push_str("\r\n");
    }

    /// Appends a CSV record of these fields.
    fn csv_record<'a>(out: &mut String, fields: impl ExactSizeIterator<Item = &'a str>) {
        let (start, n) = (out.len(), fields.len());
        for f in fields {
            let at = out.len();
            out.push_str(f);
            csv_field(out, at);
        }
        csv_end(out, start, n);
    }

    fn write_csv<W: Write>(
        cells: &CellWriter<'_>,
        slots: impl Iterator<Item = u32>,
        bom: bool,
        mut out: W,
        tick: &mut impl FnMut(u64) -> ControlFlow<()>,
    ) -> (u64, RunEnd) {
        // Records are written straight into the chunk, which goes to the sink when full.
        let mut chunk = String::with_capacity(CSV_CHUNK + 4096);
        if bom {
            chunk.push('\u{FEFF}');
        }
        csv_record(&mut chunk, cells.columns.iter().map(|c| c.header()));
        let n = cells.columns.len();
        let mut done = 0u64;
        let ended = cells.each(slots, |slot| {
            let start = chunk.len();
            cells.cells(slot, &mut chunk, true, csv_field);
            csv_end(&mut chunk, start, n);
            if chunk.len() >= CSV_CHUNK {
                if let Err(e) = out.write_all(chunk.as_bytes()) {
                    return ControlFlow::Break(RunEnd::Failed(io_reason(&e)));
                }
                chunk.clear();
            }
            done += 1;
            if tick(done).is_break() {
                let _ = out.write_all(chunk.as_bytes()).and_then(|()| out.flush());
                return ControlFlow::Break(RunEnd::Cancelled);
            }
            ControlFlow::Continue(())
        });
        if let ControlFlow::Break(end) = ended {
            return (done, end);
        }
        if let Err(e) = out.write_all(chunk.as_bytes()).and_then(|()| out.flush()) {
            return (done, RunEnd::Failed(io_reason(&e)));
        }
        (done, RunEnd::Completed)
    }

    /// Why an XLSX export failed, as the job's reason (never a value).
    fn xlsx_reason(e: &XlsxError) -> &'static str {
        match e {
            XlsxError::Io(e) => io_reason(e),
            XlsxError::Deflate => "deflate error",
            XlsxError::CellTooLong => "an xlsx cell over 32767 characters",
        }
    }

    fn write_xlsx<W: Write>(
        cells: &CellWriter<'_>,
        slots: impl Iterator<Item = u32>,
        out: W,
        tick: &mut impl FnMut(u64) -> ControlFlow<()>,
    ) -> (u64, RunEnd) {
        let fail = |e: XlsxError| RunEnd::Failed(xlsx_reason(&e));
        let widths: Vec<f64> = cells.columns.iter().map(|c| column_width(*c)).collect();
        let started = Sheet::start(out, "Customers", &widths).and_then(|mut sheet| {
            sheet.header(cells.columns.iter().map(|c| c.header()))?;
            Ok(sheet)
        });
        let mut sheet = match started {
            Ok(sheet) => sheet,
            Err(e) => return (0, fail(e)),
        };
        // Counts are numbers (exact in a spreadsheet); everything else, amounts included, is
        // text, so no amount passes through a float.
        let numeric: Vec<bool> = cells
            .columns
            .iter()
            .map(|c| *c == ExportColumn::UnpaidOrders)
            .collect();
        let mut buf = String::with_capacity(512);
        let mut ends = Vec::with_capacity(cells.columns.len());
        let mut done = 0u64;
        let ended = cells.each(slots, |slot| {
            buf.clear();
            ends.clear();
            cells.cells(slot, &mut buf, false, |buf, _| ends.push(buf.len()));
            sheet.begin_row();
            let mut start = 0;
            for ((&end, &numeric), col) in ends.iter().zip(&numeric).zip(cells.columns) {
                let s = &buf[start..end];
                start = end;
                let written = match numeric.then(|| s.parse::<u64>().ok()).flatten() {
                    Some(n) => {
                        sheet.number(n);
                        Ok(())
                    }
                    // An inline string is never evaluated; a text cell that looks like a
                    // formula is also marked quote-prefixed, as Excel marks a cell typed with a
                    // leading `'`, so that editing it does not turn it into one either.
                    None if col.is_text() && formula_start(s) => sheet.quoted_text(s),
                    None => sheet.text(s),
                };
                if let Err(e) = written {
                    return ControlFlow::Break(fail(e));
                }
            }
            if let Err(e) = sheet.end_row() {
                return ControlFlow::Break(fail(e));
            }
            done += 1;
            if tick(done).is_break() {
                return ControlFlow::Break(RunEnd::Cancelled);
            }
            ControlFlow::Continue(())
        });
        if let ControlFlow::Break(end) = ended {
            return (done, end);
        }
        match sheet.finish() {
            Ok(_) => (done, RunEnd::Completed),
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

    #[cfg(test)]
    mod tests {
        use super::*;
        use proptest::prelude::*;

        fn record(fields: &[&str]) -> String {
            let mut out = String::new();
            csv_record(&mut out, fields.iter().copied());
            out
        }

        #[test]
        fn csv_quotes_only_what_needs_it() {
            assert_eq!(record(&["a", "b c", ""]), "a,b c,\r\n");
            assert_eq!(
                record(&["say \"hi\"", "x,y", "l1\nl2", "cr\r", "张***"]),
                "\"say \"\"hi\"\"\",\"x,y\",\"l1\nl2\",\"cr\r\",张***\r\n"
            );
            assert_eq!(record(&[""]), "\"\"\r\n");
            assert_eq!(record(&["\"\""]), "\"\"\"\"\"\"\r\n");
        }

        proptest! {
            /// Any fields (quotes, commas, CR, LF, any script) come out as the `csv` crate
            /// writes them.
            #[test]
            fn csv_records_match_the_csv_crate(
                fields in proptest::collection::vec("[a-z\",\r\n \u{4e00}-\u{4e10}'=]{0,6}", 1..6)
            ) {
                let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                let mut want = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(Vec::new());
                want.write_record(&fields).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let want = want.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(record(&fields), String::from_utf8(want).unwrap_or_default());
            }
        }

        #[test]
        fn xlsx_refuses_more_rows_than_a_sheet_holds() {
            let xlsx = ExportFormat::Xlsx;
            assert!(check_rows(xlsx, XLSX_MAX_ROWS).is_ok());
            let err = check_rows(xlsx, XLSX_MAX_ROWS + 1).err();
            assert_eq!(err.map(|e| e.code()), Some("INVALID_ARGUMENT"));
            assert!(check_rows(ExportFormat::Csv { bom: false }, XLSX_MAX_ROWS + 1).is_ok());
        }

        #[test]
        fn times_are_digit_by_digit() {
            use chrono::TimeZone;
            let mut buf = String::new();
            if let Some(t) = Utc.with_ymd_and_hms(2026, 3, 7, 4, 5, 9).single() {
                time(&mut buf, t);
            }
            assert_eq!(buf, "2026-03-07T04:05:09Z");
        }

        proptest! {
            #[test]
            fn decimals_read_as_display_does(
                lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
                negative in any::<bool>(), scale in 0u32..=28, small in any::<bool>(),
            ) {
                // Small mantissas (the usual amounts) as well as the full 96-bit range.
                let (mid, hi) = if small { (mid % 4, 0) } else { (mid, hi) };
                let v = Decimal::from_parts(lo, mid, hi, negative, scale);
                let mut buf = String::new();
                decimal(&mut buf, v);
                prop_assert_eq!(buf, v.to_string());
            }

            #[test]
            fn zero_decimals_read_as_display_does(negative in any::<bool>(), scale in 0u32..=28) {
                let v = Decimal::from_parts(0, 0, 0, negative, scale);
                let mut buf = String::new();
                decimal(&mut buf, v);
                prop_assert_eq!(buf, v.to_string());
            }

            #[test]
            fn unsigned_reads_as_display_does(v in any::<u64>()) {
                let mut buf = String::new();
                unsigned(&mut buf, v);
                prop_assert_eq!(buf, v.to_string());
            }
        }
    }
}
