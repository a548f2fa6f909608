//! The records every host receives, declared once (ADR 0006 step 2).
//!
//! Each record gets its host shapes behind cargo features from one attribute,
//! `#[partnerdesk_panic_guard::host_record(..)]`: `uniffi` (a `uniffi::Record`, Kotlin data
//! class and Swift struct in the `com.partnerdesk.host` package / `PartnerDeskHost` module),
//! `node` (a `napi(object)`, a plain JS object typed in `index.d.ts`) and, with `python(..)`,
//! `python` (a frozen class of the `partnerdesk` module). Amounts are
//! [`HostDecimal`] and instants [`HostInstant`], so each host sees its own idiom
//! (`docs/conventions.md`). Open enumerations travel as their stable text, so a value a newer
//! version writes survives the trip. Counts are `u32`, saturated (a JS number holds it exactly).

use crate::{HostDecimal, HostInstant};

/// Saturates a count or a sequence number (`usize`, `u64`) at `u32::MAX`.
pub fn count32<N: TryInto<u32>>(n: N) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// Texts a host receives as a list of strings (ids, codes), in order.
pub fn texts<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|i| i.as_ref().to_owned()).collect()
}

/// An exact amount with its ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record]
pub struct Money {
    /// The amount (negative for refunds): a decimal string in JS (`"1234.50"`), never a float.
    #[cfg_attr(feature = "node", napi(ts_type = "string"))]
    pub amount: HostDecimal,
    /// Three-letter currency code, e.g. `"CNY"`.
    pub currency: String,
}

impl From<partnerdesk::Money> for Money {
    fn from(m: partnerdesk::Money) -> Self {
        Money {
            amount: HostDecimal(m.amount),
            currency: m.currency.as_str().to_owned(),
        }
    }
}

#[cfg(feature = "python")]
mod python {
    //! Python has its own `partnerdesk.Money` class (the binding's, with arithmetic), so a
    //! shared record's amount becomes one of those: built through the class itself, looked
    //! up once in the native module.
    use super::Money;
    use pyo3::prelude::*;
    use pyo3::sync::PyOnceLock;
    use pyo3::types::PyType;

    static MONEY: PyOnceLock<Py<PyType>> = PyOnceLock::new();

    impl<'py> IntoPyObject<'py> for &Money {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            MONEY
                .import(py, "partnerdesk._partnerdesk", "Money")?
                .call1((self.amount.0, self.currency.as_str()))
        }
    }

    crate::values::into_py_by_ref!(Money);

    // In Python an `IdPage` is not a sequence of its ids: a batch command given the whole
    // page instead of `page.ids` refuses it with `InvalidArgumentError` naming the argument
    // (the binding's argument conversion).
    #[pymethods]
    impl super::IdPage {
        /// How many ids this page holds.
        fn __len__(&self) -> usize {
            self.ids.len()
        }

        fn __repr__(&self) -> String {
            format!(
                "IdPage(ids={}, total={}, next_cursor={})",
                self.ids.len(),
                self.total,
                if self.next_cursor.is_some() {
                    "'...'"
                } else {
                    "None"
                }
            )
        }
    }
}

/// Budget columns of a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record]
pub struct BudgetSummary {
    /// `monthly` or `one_off` (or a newer kind, verbatim).
    #[cfg_attr(feature = "node", napi(ts_type = "BudgetKind | (string & {})"))]
    pub kind: String,
    /// The budget.
    pub amount: Money,
    /// Spend counted against it.
    pub used: Money,
    /// Percentage used, with at most 2 decimals (`87.25`).
    #[cfg_attr(feature = "node", napi(ts_type = "string"))]
    pub percent: HostDecimal,
    /// Whether reaching 100% freezes the account.
    pub auto_freeze: bool,
}

impl From<partnerdesk::row::BudgetSummary> for BudgetSummary {
    fn from(b: partnerdesk::row::BudgetSummary) -> Self {
        BudgetSummary {
            kind: b.kind.as_str().to_owned(),
            amount: b.amount.into(),
            used: b.used.into(),
            percent: HostDecimal(b.percent),
            auto_freeze: b.auto_freeze,
        }
    }
}

/// One customer as the console's list shows it: personal fields are already masked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record]
pub struct CustomerRow {
    /// Customer id.
    pub id: String,
    /// Account name (masked when the partner's policy says so).
    pub account_name: String,
    /// Customer name, masked (`Z***`).
    pub name: String,
    /// Mobile number, masked (`+86 138****5678`).
    pub mobile: Option<String>,
    /// E-mail, masked (`a***@example.com`).
    pub email: Option<String>,
    /// `unset`, `individual` or `enterprise`.
    #[cfg_attr(feature = "node", napi(ts_type = "CustomerType | (string & {})"))]
    pub customer_type: String,
    /// Real-name verification status.
    #[cfg_attr(feature = "node", napi(ts_type = "VerificationStatus | (string & {})"))]
    pub verification: String,
    /// Customer level, `V0`..`V5`.
    #[cfg_attr(feature = "node", napi(ts_type = "CustomerLevel | (string & {})"))]
    pub level: String,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// `referral` or `reseller`.
    #[cfg_attr(feature = "node", napi(ts_type = "AssociationType | (string & {})"))]
    pub association_type: String,
    /// When associated (UTC).
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub associated_at: HostInstant,
    /// When the association ended, for disassociated customers.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub disassociated_at: Option<HostInstant>,
    /// The reseller the customer belongs to.
    pub reseller: Option<String>,
    /// Account manager login.
    pub account_manager: Option<String>,
    /// Account manager display name (masked when the partner's policy says so).
    pub account_manager_name: Option<String>,
    /// Freeze scope, when frozen.
    #[cfg_attr(feature = "node", napi(ts_type = "FreezeScope | (string & {})"))]
    pub freeze_scope: Option<String>,
    /// Freeze origin, when frozen.
    #[cfg_attr(feature = "node", napi(ts_type = "FreezeOrigin | (string & {})"))]
    pub freeze_origin: Option<String>,
    /// Budget, when set.
    pub budget: Option<BudgetSummary>,
    /// Month-to-date spend.
    pub month_to_date: Money,
    /// Last month's spend.
    pub last_month: Money,
    /// Earliest upcoming resource expiry.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub next_expiry: Option<HostInstant>,
    /// Unpaid orders.
    pub unpaid_orders: u32,
}

impl From<partnerdesk::row::CustomerRow> for CustomerRow {
    fn from(r: partnerdesk::row::CustomerRow) -> Self {
        let text = |s: Option<&str>| s.map(str::to_owned);
        CustomerRow {
            id: r.id.as_str().to_owned(),
            account_name: r.account_name.into(),
            name: r.name.into(),
            mobile: r.mobile.map(String::from),
            email: r.email.map(String::from),
            customer_type: r.customer_type.as_str().to_owned(),
            verification: r.verification.as_str().to_owned(),
            level: r.level.as_str().to_owned(),
            tags: r.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            association_type: r.association_type.as_str().to_owned(),
            associated_at: HostInstant(r.associated_at),
            disassociated_at: r.disassociated_at.map(HostInstant),
            reseller: text(r.reseller.as_ref().map(|x| x.as_str())),
            account_manager: text(r.account_manager.as_ref().map(|x| x.as_str())),
            account_manager_name: r.account_manager_name.map(String::from),
            freeze_scope: text(r.freeze_scope.as_ref().map(|x| x.as_str())),
            freeze_origin: text(r.freeze_origin.as_ref().map(|x| x.as_str())),
            budget: r.budget.map(BudgetSummary::from),
            month_to_date: r.month_to_date.into(),
            last_month: r.last_month.into(),
            next_expiry: r.next_expiry.map(HostInstant),
            unpaid_orders: count32(r.unpaid_orders),
        }
    }
}

/// One page of masked rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record]
pub struct Page {
    /// The rows, masked.
    pub rows: Vec<CustomerRow>,
    /// How many customers match the query in all.
    pub total: u32,
    /// The cursor for the next page (absent on the last page).
    pub next_cursor: Option<String>,
}

impl From<partnerdesk::search::Page> for Page {
    fn from(p: partnerdesk::search::Page) -> Self {
        Page {
            rows: p.rows.into_iter().map(CustomerRow::from).collect(),
            total: count32(p.total),
            next_cursor: p.next_cursor,
        }
    }
}

/// One page of customer ids (no rows built).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct IdPage {
    /// The ids, in sort order.
    pub ids: Vec<String>,
    /// How many customers match the query in all.
    pub total: u32,
    /// The cursor for the next page (absent on the last page).
    pub next_cursor: Option<String>,
}

impl From<partnerdesk::search::IdPage> for IdPage {
    fn from(p: partnerdesk::search::IdPage) -> Self {
        IdPage {
            ids: p.ids.iter().map(|i| i.as_str().to_owned()).collect(),
            total: count32(p.total),
            next_cursor: p.next_cursor,
        }
    }
}

/// A customer's budget usage at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct BudgetUsage {
    /// `monthly` or `one_off`.
    #[cfg_attr(feature = "node", napi(ts_type = "BudgetKind | (string & {})"))]
    pub kind: String,
    /// The budget.
    pub amount: Money,
    /// Spend counted against it.
    pub used: Money,
    /// Unpaid orders placed on the customer's behalf in the budget period.
    pub committed: Money,
    /// `amount - used - committed` (may be negative).
    pub remaining: Money,
    /// `used / amount * 100`, 2 decimals.
    #[cfg_attr(feature = "node", napi(ts_type = "string"))]
    pub percent: HostDecimal,
    /// Whether reaching 100% freezes the account.
    pub auto_freeze: bool,
    /// When the budget was set.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub set_at: HostInstant,
    /// Who set it (an operator login or `system`).
    pub set_by: String,
}

impl From<partnerdesk::budget::BudgetUsage> for BudgetUsage {
    fn from(u: partnerdesk::budget::BudgetUsage) -> Self {
        BudgetUsage {
            kind: u.budget.kind.as_str().to_owned(),
            amount: u.budget.amount.into(),
            used: u.used.into(),
            committed: u.committed.into(),
            remaining: u.remaining.into(),
            percent: HostDecimal(u.percent),
            auto_freeze: u.budget.auto_freeze,
            set_at: HostInstant(u.budget.set_at),
            set_by: u.budget.set_by,
        }
    }
}

/// Spend figures of one customer, or of every customer, at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct SpendSummary {
    /// Spend of the current billing month so far.
    pub month_to_date: Money,
    /// Spend of the whole last billing month.
    pub last_month: Money,
    /// Spend of last month over the same days.
    pub last_month_same_days: Money,
    /// `month_to_date - last_month_same_days`.
    pub change: Money,
    /// The change in percent, 2 decimals (absent when last month's same days are zero).
    #[cfg_attr(feature = "node", napi(ts_type = "string"))]
    pub change_percent: Option<HostDecimal>,
}

impl From<partnerdesk::analysis::SpendSummary> for SpendSummary {
    fn from(s: partnerdesk::analysis::SpendSummary) -> Self {
        SpendSummary {
            month_to_date: s.month_to_date.into(),
            last_month: s.last_month.into(),
            last_month_same_days: s.last_month_same_days.into(),
            change: s.change.into(),
            change_percent: s.change_percent.map(HostDecimal),
        }
    }
}

/// An amount with a label: a cloud service (product ranking) or a billing day (daily spend).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct LabeledAmount {
    /// The service code or the day (`2026-11-29`).
    pub label: String,
    /// The amount.
    pub amount: Money,
}

/// An export job as the desk recorded it (what was selected, by whom, how many rows, how it
/// ended). The filter text of a query selection is not shown: it may quote a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct ExportJob {
    /// The job id (`exp_000001`).
    pub id: String,
    /// Who exported.
    pub actor: crate::Actor,
    /// When; a query selection was evaluated at this instant.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub at: HostInstant,
    /// `ids` (selected customers), `query`, or `detail` (one of a customer's detail lists).
    #[cfg_attr(feature = "node", napi(ts_type = "'ids' | 'query' | 'detail'"))]
    pub selection: String,
    /// The selected ids, for an `ids` selection.
    pub ids: Option<Vec<String>>,
    /// `csv` or `xlsx`.
    #[cfg_attr(feature = "node", napi(ts_type = "'csv' | 'xlsx'"))]
    pub format: String,
    /// The column keys, in order.
    pub columns: Vec<String>,
    /// Rows selected.
    pub total: u32,
    /// Rows written.
    pub rows: u32,
    /// `completed`, `cancelled` or `failed`.
    #[cfg_attr(
        feature = "node",
        napi(ts_type = "'completed' | 'cancelled' | 'failed'")
    )]
    pub status: String,
    /// The error code of a failed export (`EXPORT_WRITE_FAILED`).
    pub failure_code: Option<String>,
    /// The file name offered for download (`customers-exp_000001.csv`).
    pub file_name: String,
}

impl From<&partnerdesk::export::ExportJob> for ExportJob {
    fn from(j: &partnerdesk::export::ExportJob) -> Self {
        use partnerdesk::export::{ExportStatus, RecordedSelection};
        let (selection, ids) = match &j.selection {
            RecordedSelection::Ids(ids) => (
                "ids",
                Some(ids.iter().map(|i| i.as_str().to_owned()).collect()),
            ),
            RecordedSelection::Detail(_) => ("detail", None),
            // A query's filter text is left out; so are the ids of a selection of a later core
            // (the enum is non-exhaustive).
            _ => ("query", None),
        };
        let (status, failure_code) = match &j.status {
            ExportStatus::Completed => ("completed", None),
            ExportStatus::Cancelled => ("cancelled", None),
            ExportStatus::Failed { code } => ("failed", Some(code.clone())),
            // A status of a later core (the enum is non-exhaustive): never taken for a
            // complete file.
            _ => ("failed", None),
        };
        ExportJob {
            id: j.id.as_str().to_owned(),
            actor: (&j.actor).into(),
            at: HostInstant(j.at),
            selection: selection.to_owned(),
            ids,
            format: j.format.extension().to_owned(),
            columns: j.columns.iter().map(|c| c.as_str().to_owned()).collect(),
            total: count32(j.total),
            rows: count32(j.rows),
            status: status.to_owned(),
            failure_code,
            file_name: j.file_name.clone(),
        }
    }
}

#[cfg(feature = "python")]
#[pyo3::pymethods]
impl ExportJob {
    fn __repr__(&self) -> String {
        format!(
            "ExportJob(id='{}', status='{}', rows={}, total={})",
            self.id, self.status, self.rows, self.total
        )
    }
}
