//! What a host builds and reads: requests, selections, formats, columns, jobs, history and
//! progress.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, ExportId};
use crate::model::access::Actor;
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
        #[non_exhaustive]
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
            pub(super) fn is_text(self) -> bool {
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
#[non_exhaustive]
pub enum RecordedSelection {
    /// These customers, in this order.
    Ids(Vec<CustomerId>),
    /// One of a customer's detail lists ([`crate::Desk::export_detail`]).
    Detail(crate::search::detail::DetailList),
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
    pub(super) fn of(selection: &ExportSelection) -> Self {
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

    /// The customer-list selection to run again (`INVALID_ARGUMENT` for a detail list, which
    /// [`crate::Desk::download_export`] regenerates itself).
    pub fn to_selection(&self) -> Result<ExportSelection> {
        Ok(match self {
            RecordedSelection::Ids(ids) => ExportSelection::Ids(ids.clone()),
            RecordedSelection::Detail(_) => {
                return Err(Error::invalid_arg(
                    "selection",
                    "a customer's detail list, not a customer-list selection",
                ));
            }
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
pub(super) fn dedup(ids: &[CustomerId]) -> Vec<CustomerId> {
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct ExportProgress {
    /// Rows written so far.
    pub done: u64,
    /// Rows selected.
    pub total: u64,
}

/// The export history of a desk (saved in snapshots; each job recorded is an
/// `export_recorded` event).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ExportHistory {
    /// The jobs, oldest first.
    #[cfg_attr(feature = "serde", serde(default))]
    pub jobs: Vec<ExportJob>,
    /// The highest job number recorded.
    #[cfg_attr(feature = "serde", serde(default))]
    pub seq: u64,
    /// The highest job number given to a prepared export (recorded or not): numbers are not
    /// given twice by this desk. Not saved, not compared: an export prepared and never
    /// recorded leaves nothing in the history or the log.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(crate) reserved: u64,
}

impl PartialEq for ExportHistory {
    /// The recorded history: jobs and the highest number recorded (not reservations).
    fn eq(&self, o: &Self) -> bool {
        self.jobs == o.jobs && self.seq == o.seq
    }
}

impl Eq for ExportHistory {}

#[cfg_attr(not(feature = "export"), allow(dead_code))]
impl ExportHistory {
    /// Reserves a job number, so that an export prepared meanwhile gets another.
    pub(super) fn reserve(&mut self, number: u64) {
        self.reserved = number;
    }
}

#[cfg_attr(not(feature = "export"), allow(dead_code))]
impl Desk {
    /// Records a finished job under its reserved number (an `export_recorded` event).
    pub(super) fn record_job(&mut self, number: u64, job: ExportJob) -> Result<()> {
        self.data_record_export(number, job)
    }
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
    /// mobile or e-mail in clear; nothing changes then
    /// ([`MaskedList::check`](crate::privacy::MaskedList::check)).
    ///
    /// A change is a data change like the others: a `mask_policy_set` event by the system, at
    /// the desk's newest instant ([`Desk::newest_instant`]), so a durable desk keeps it and a
    /// replay of the log restores it. Setting the policy the desk has writes no event.
    ///
    /// ```
    /// use partnerdesk::{demo, privacy::{MaskPolicy, MaskRule}};
    /// let (mut desk, _now) = demo::portfolio(10, 1)?;
    /// let before = desk.events().len();
    /// desk.set_export_policy(MaskPolicy { account_name: MaskRule::Hidden, ..MaskPolicy::console() })?;
    /// assert_eq!(desk.events().len(), before + 1);
    /// assert_eq!(desk.events()[before].kind.code(), "mask_policy_set");
    /// desk.set_export_policy(desk.export_policy().clone())?; // the same: no event
    /// assert_eq!(desk.events().len(), before + 1);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn set_export_policy(&mut self, policy: MaskPolicy) -> Result<()> {
        self.data_set_mask_policy(crate::privacy::MaskedList::Exports, policy)
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
    /// Checks a loaded history: unique job ids, rows written never above rows selected, a job
    /// number the desk can count on from.
    #[cfg(feature = "serde")]
    pub(crate) fn check(&self) -> Result<()> {
        if self.seq > crate::log::ledger::MAX_SEQ {
            return Err(Error::snapshot(
                "exports.seq",
                format!("over {}", crate::log::ledger::MAX_SEQ),
            ));
        }
        let repeat = crate::validate::first_repeat(self.jobs.iter().map(|j| &j.id));
        for (i, job) in self.jobs.iter().enumerate() {
            if repeat == Some(i) {
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
