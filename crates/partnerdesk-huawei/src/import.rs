//! Importing Huawei responses into a [`Desk`].
//!
//! Why an importer and not `From` impls: a response is one page of a larger listing, its codes
//! depend on the site, it names account managers by login only, and its "absent", `null` and
//! `""` mean different things. The importer merges pages into what the desk already knows:
//!
//! - **Merging.** Every function takes all pages of one listing (`&[&str]`, each the JSON text of
//!   one response). A customer seen twice (pages drift while a listing changes) is imported
//!   once, the last sighting winning. A customer already on the desk is updated in place: its
//!   resources, orders, spend, budget and history stay unless the import is about them.
//! - **Absent, `null`, `""`.** An absent member means "this response does not report it": the
//!   desk keeps what it knows. `null` and `""` mean "reported, and empty": the value is cleared
//!   (`label` → no tags, `email` → none, `account_managers: []` → no manager). A required member
//!   (`customer_id`; `account_name`, `associated_on` and `association_type` for a customer the
//!   desk does not know yet) missing is an error.
//! - **All or nothing.** The whole import is converted and checked before the desk changes; if
//!   the desk refuses a customer, the customers already written are restored. An error leaves
//!   the desk as it was. An optional personal field that is malformed (an e-mail without `@`, a
//!   phone number with letters, as a masked one would be) does not fail the import: the field
//!   is left empty and an [`ImportWarning`] names the customer id and field, never the value.
//! - **Managers.** `account_managers[].account_name` is a login. An unknown login becomes an
//!   [`Operator`] (role operator, no permission items, account manager, name = the login).
//! - **Freeze.** `is_frozen` becomes the freeze scope (China `1` account, `2` account and
//!   resources; international `1` "scope unknown"), origin [`FreezeOrigin::Imported`], by
//!   `system`, at the import's `now`. A freeze the desk already holds with the same (or a more
//!   precise) scope is kept with its reason, origin and time.
//! - **Money.** Amounts are parsed from the JSON text ([`crate::wire::Amount`]); `measure_id`
//!   `2` (tenths) and `3` (hundredths) are scaled exactly; a currency other than the partner's is
//!   the core's `CURRENCY_MISMATCH`.
//! - **Spend.** Fee records (`ListSubCustomerBillDetail`) are summed per customer, billing day,
//!   service and charging mode; monthly sums (`ListSubcustomerMonthlyBills`) become one record
//!   per customer, service and charging mode on the first day of the cycle. Either import
//!   *replaces* the spend of the customers it names in the cycles it covers, so importing the
//!   same bills twice never counts them twice. Import a cycle from one of the two sources only.

use crate::codes;
use crate::error::{ApiError, HuaweiError, Result};
use crate::field::Field;
use crate::wire::{self, Amount, Code};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use partnerdesk::budget::{BudgetOperation, BudgetRecord};
use partnerdesk::{
    Association, Budget, BudgetKind, ChargingMode, Currency, Customer, CustomerId, CustomerLevel,
    CustomerType, Desk, ExpiryPolicy, ExternalAccount, Freeze, FreezeOrigin, FreezeScope,
    FreezeState, Mobile, Money, Operator, OperatorId, Order, OrderId, ResellerId, Resource,
    ResourceId, ResourceKind, Role, Site, SpendRecord, Tag, VerificationStatus, YearMonth,
};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Who froze or set something when the import does not say: Huawei's own records use `system`.
pub const SYSTEM: &str = "system";

/// How an import runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The moment of the import (times the responses do not give, e.g. when a freeze began).
    pub now: DateTime<Utc>,
    /// The reseller whose customers the responses list (the request's `indirect_partner_id`),
    /// recorded on each customer's association. `None` keeps what the desk knows.
    pub reseller: Option<ResellerId>,
}

impl ImportOptions {
    /// Options for an import at `now`, not through a reseller.
    pub fn at(now: DateTime<Utc>) -> Self {
        ImportOptions {
            now,
            reseller: None,
        }
    }

    /// The same options for the customers of a reseller.
    pub fn through_reseller(mut self, reseller: ResellerId) -> Self {
        self.reseller = Some(reseller);
        self
    }
}

/// Something an import left out or changed, per customer and field (never the value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportWarning {
    /// The customer, when the warning is about one.
    pub customer: Option<CustomerId>,
    /// The JSON path, e.g. `customer_infos[1].email`.
    pub field: String,
    /// What happened.
    pub reason: String,
}

/// What an import did (serializes to JSON for bindings).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ImportReport {
    /// Customers added to the desk (customer-list imports only; the other imports never add
    /// customers and warn about ones the desk does not hold).
    pub added: Vec<CustomerId>,
    /// Customers already on the desk that a customer-list import updated.
    pub updated: Vec<CustomerId>,
    /// Operators created for unknown account manager logins.
    pub operators_added: Vec<OperatorId>,
    /// The total the first page reported (`count` / `total_count`), if it did.
    pub reported_total: Option<u64>,
    /// Items (customers, budgets, resources, orders, bill lines) read from the pages.
    pub items: usize,
    /// Budgets set or refreshed.
    pub budgets_set: usize,
    /// Budgets removed.
    pub budgets_removed: usize,
    /// Resources added or refreshed.
    pub resources: usize,
    /// Orders added or refreshed.
    pub orders: usize,
    /// Spend records written.
    pub spend_records: usize,
    /// Budget records read (from `ListSubCustomerBudgetRecords`), oldest first.
    pub budget_records: Vec<BudgetRecord>,
    /// Budget use as Huawei reports it (`used_amount`, delayed and approximate), per customer:
    /// not stored on the desk, which derives use from spend, but here to reconcile the two.
    pub huawei_budget_used: Vec<(CustomerId, Money)>,
    /// What was left out or changed.
    pub warnings: Vec<ImportWarning>,
}

// ---- parsing helpers -------------------------------------------------------------------------

/// Parses one response page: an error envelope (a `CBC.*` code other than `CBC.0000`) becomes
/// [`HuaweiError::Api`]; malformed JSON the core's `MALFORMED_JSON`.
pub fn parse_response<T: DeserializeOwned>(json: &str) -> Result<T> {
    if let Some(err) = error_of(json)? {
        return Err(HuaweiError::Api(err));
    }
    Ok(serde_json::from_str(json)?)
}

/// The API error of a response body, if it is an error envelope.
pub fn error_of(json: &str) -> Result<Option<ApiError>> {
    let env: wire::ErrorEnvelope = serde_json::from_str(json)?;
    Ok(match env.error_code {
        Field::Value(code) if !code.trim().is_empty() && code.trim() != "CBC.0000" => Some(
            ApiError::new(code, env.error_msg.into_option().unwrap_or_default()),
        ),
        _ => None,
    })
}

/// Parses a Huawei time: `2024-03-18T02:15:40Z` (any RFC 3339), or `2024-03-18 02:15:40` /
/// `2024-03-18T02:15:40` read as UTC.
///
/// The time must lie in the years the desk accepts (1970 to 9999, the core's
/// [`partnerdesk::calendar::check_instant`]), else it is invalid data naming the field.
pub fn parse_time(field: &str, text: &str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    let parsed = DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M:%S%.fZ",
            ]
            .into_iter()
            .find_map(|fmt| NaiveDateTime::parse_from_str(t, fmt).ok())
            .map(|n| n.and_utc())
        });
    match parsed {
        Some(at) if partnerdesk::calendar::check_instant(field, at).is_ok() => Ok(at),
        Some(_) => Err(HuaweiError::data(
            field,
            "a time outside the years 1970 to 9999",
        )),
        None => Err(HuaweiError::data(
            field,
            "not a UTC time like 2024-03-18T02:15:40Z",
        )),
    }
}

fn text(f: &Field<String>) -> Option<&str> {
    f.value().map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn required<'a>(f: &'a Field<String>, path: &str) -> Result<&'a str> {
    text(f).ok_or_else(|| HuaweiError::data(path, "missing"))
}

fn customer_id(f: &Field<String>, path: &str) -> Result<CustomerId> {
    CustomerId::new(required(f, path)?)
        .map_err(|_| HuaweiError::data(path, "not a valid customer id"))
}

/// Scales an amount by `measure_id` (`1` unit, `2` tenth, `3` hundredth) and checks the currency.
fn money(
    amount: Decimal,
    measure: &Field<Code>,
    currency: &Field<String>,
    partner: Currency,
    path: &str,
) -> Result<Money> {
    let scaled = match measure.value().map(Code::text).as_deref() {
        None | Some("1") => Some(amount),
        Some("2") => amount.checked_div(Decimal::TEN),
        Some("3") => amount.checked_div(Decimal::ONE_HUNDRED),
        Some(_) => return Err(HuaweiError::data(path, "unknown measure_id")),
    }
    .ok_or_else(|| HuaweiError::data(path, "amount out of range"))?;
    let currency = match text(currency) {
        None => partner,
        Some(c) => Currency::new(c)?,
    };
    let m = Money::new(scaled, currency);
    m.require_currency(partner)?;
    Ok(m)
}

fn pages<T: DeserializeOwned>(pages: &[&str]) -> Result<Vec<T>> {
    pages.iter().map(|p| parse_response(p)).collect()
}

fn total(f: &Field<i64>) -> Option<u64> {
    f.value().and_then(|v| u64::try_from(*v).ok())
}

fn control_free(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(char::is_control)
}

// ---- committing ---------------------------------------------------------------------------------

/// Writes changed customers (and new operators) to the desk, all or nothing.
fn commit(
    desk: &mut Desk,
    customers: Vec<Customer>,
    operators: Vec<Operator>,
    report: &mut ImportReport,
) -> Result<()> {
    let new_logins: BTreeSet<OperatorId> = operators.iter().map(|o| o.id.clone()).collect();
    let mut deferred: Vec<(CustomerId, OperatorId)> = Vec::new();
    let mut undo: Vec<(CustomerId, Option<Customer>)> = Vec::new();
    for mut c in customers {
        if let Some(m) = c.account_manager.clone()
            && new_logins.contains(&m)
        {
            c.account_manager = None;
            deferred.push((c.id.clone(), m));
        }
        let previous = desk.customer(&c.id).ok().cloned();
        let id = c.id.clone();
        if let Err(e) = desk.upsert_customer(c) {
            rollback(desk, undo);
            return Err(HuaweiError::Core(e));
        }
        if previous.is_some() {
            report.updated.push(id.clone());
        } else {
            report.added.push(id.clone());
        }
        undo.push((id, previous));
    }
    for o in operators {
        let id = o.id.clone();
        if desk.operator(&id).is_err() {
            if let Err(e) = desk.add_operator(o) {
                rollback(desk, undo);
                return Err(HuaweiError::Core(e));
            }
            report.operators_added.push(id);
        }
    }
    for (id, manager) in deferred {
        // The operator exists now, so the desk accepts the assignment.
        desk.update_customer(&id, |c| c.account_manager = Some(manager))?;
    }
    Ok(())
}

fn rollback(desk: &mut Desk, undo: Vec<(CustomerId, Option<Customer>)>) {
    for (id, previous) in undo.into_iter().rev() {
        // Restoring values the desk held a moment ago cannot be refused; a failure here would
        // only leave the newer (also valid) value in place.
        let _ = match previous {
            Some(c) => desk.upsert_customer(c),
            None => desk.remove_customer(&id).map(|_| ()),
        };
    }
}

/// The customers of `ids` as they are on the desk, cloned for change; unknown ids are warned
/// about and left out.
struct Working {
    customers: BTreeMap<CustomerId, Customer>,
}

impl Working {
    fn new() -> Self {
        Working {
            customers: BTreeMap::new(),
        }
    }

    fn get<'a>(
        &'a mut self,
        desk: &Desk,
        id: &CustomerId,
        path: &str,
        report: &mut ImportReport,
    ) -> Option<&'a mut Customer> {
        if !self.customers.contains_key(id) {
            match desk.customer(id) {
                Ok(c) => {
                    self.customers.insert(id.clone(), c.clone());
                }
                Err(_) => {
                    report.warnings.push(ImportWarning {
                        customer: Some(id.clone()),
                        field: path.to_owned(),
                        reason: "customer is not on the desk; import the customer list first"
                            .to_owned(),
                    });
                    return None;
                }
            }
        }
        self.customers.get_mut(id)
    }

    fn commit(self, desk: &mut Desk, report: &mut ImportReport) -> Result<()> {
        let customers: Vec<Customer> = self.customers.into_values().collect();
        let before = (report.added.len(), report.updated.len());
        commit(desk, customers, Vec::new(), report)?;
        // Only customer-list imports report added/updated customers.
        report.added.truncate(before.0);
        report.updated.truncate(before.1);
        Ok(())
    }
}

// ---- ListSubCustomers ---------------------------------------------------------------------------

/// Imports `ListSubCustomers` pages (either site; the desk's partner decides the codes).
///
/// ```
/// use partnerdesk::{Desk, Partner, PartnerId, Site, Tier, CustomerId, FreezeScope};
/// use partnerdesk_huawei::{fixtures, import::{import_list_sub_customers, ImportOptions}};
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
/// let partner = Partner::new(PartnerId::new("p-1")?, "Example Partner", Site::China, Tier::SolutionProvider);
/// let mut desk = Desk::new(partner, now);
/// let report = import_list_sub_customers(&mut desk, &ImportOptions::at(now), &[fixtures::LIST_SUB_CUSTOMERS_CN])?;
/// assert_eq!(report.added.len(), 2);
/// let zs = desk.customer(&CustomerId::new("9f8e7d6c5b4a39281706f5e4d3c2b1a0")?)?;
/// assert_eq!(zs.freeze.scope(), Some(&FreezeScope::AccountAndResources));
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn import_list_sub_customers(
    desk: &mut Desk,
    options: &ImportOptions,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListSubCustomersResponse> = pages(json_pages)?;
    let site = desk.partner().site.clone();
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.count)),
        ..ImportReport::default()
    };
    let mut order: Vec<CustomerId> = Vec::new();
    let mut built: HashMap<CustomerId, Customer> = HashMap::new();
    let mut new_ops: BTreeMap<OperatorId, Operator> = BTreeMap::new();
    for (p, page) in parsed.iter().enumerate() {
        let Some(infos) = page.customer_infos.value() else {
            continue;
        };
        for (i, info) in infos.iter().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].customer_infos[{i}]");
            let id = customer_id(&info.customer_id, &format!("{path}.customer_id"))?;
            let existing = built.get(&id).or_else(|| desk.customer(&id).ok());
            let c = customer_from_info(&site, info, existing, options, &path, &mut report)?;
            if let Some(m) = &c.account_manager
                && desk.operator(m).is_err()
                && !new_ops.contains_key(m)
            {
                let op =
                    Operator::new(m.clone(), m.as_str(), Role::Operator).with_account_manager(true);
                new_ops.insert(m.clone(), op);
            }
            if built.insert(id.clone(), c).is_none() {
                order.push(id);
            }
        }
    }
    let customers = order.iter().filter_map(|id| built.remove(id)).collect();
    commit(
        desk,
        customers,
        new_ops.into_values().collect(),
        &mut report,
    )?;
    Ok(report)
}

fn warn(report: &mut ImportReport, id: &CustomerId, field: String, reason: &str) {
    report.warnings.push(ImportWarning {
        customer: Some(id.clone()),
        field,
        reason: reason.to_owned(),
    });
}

fn customer_from_info(
    site: &Site,
    info: &wire::CustomerInformation,
    existing: Option<&Customer>,
    options: &ImportOptions,
    path: &str,
    report: &mut ImportReport,
) -> Result<Customer> {
    let id = customer_id(&info.customer_id, &format!("{path}.customer_id"))?;
    let account = match (text(&info.account_name), existing) {
        (Some(a), _) => a.to_owned(),
        (None, Some(e)) => e.account_name.expose().clone(),
        (None, None) => return Err(HuaweiError::data(format!("{path}.account_name"), "missing")),
    };
    if !control_free(&account, 64) {
        return Err(HuaweiError::data(
            format!("{path}.account_name"),
            "longer than 64 characters or has control characters",
        ));
    }
    let kind = match (info.association_type.value(), existing) {
        (Some(code), _) => codes::association_type(site.clone(), &code.text()),
        (None, Some(e)) => e.association.kind.clone(),
        (None, None) => {
            return Err(HuaweiError::data(
                format!("{path}.association_type"),
                "missing",
            ));
        }
    };
    let since = match (text(&info.associated_on), existing) {
        (Some(t), _) => parse_time(&format!("{path}.associated_on"), t)?,
        (None, Some(e)) => e.association.since,
        (None, None) => {
            return Err(HuaweiError::data(
                format!("{path}.associated_on"),
                "missing",
            ));
        }
    };
    let name = match (&info.customer, existing) {
        (Field::Value(n), _) => n.trim().to_owned(),
        (Field::Null, _) | (Field::Absent, None) => String::new(),
        (Field::Absent, Some(e)) => e.name.expose().clone(),
    };
    if partnerdesk::validate::name(&name).is_err() {
        return Err(HuaweiError::data(
            format!("{path}.customer"),
            "longer than 256 characters or has control characters",
        ));
    }

    let mut association = Association::new(kind, since);
    if let Some(e) = existing {
        association.reseller = e.association.reseller.clone();
        association.invited_by = e.association.invited_by.clone();
    }
    if let Some(r) = &options.reseller {
        association.reseller = Some(r.clone());
    }

    let mut c = match existing {
        Some(e) => {
            let mut c = e.clone();
            c.account_name = account.into();
            c.name = name.into();
            c.association = association;
            c
        }
        None => Customer::new(id.clone(), account, name, association),
    };
    if c.budget.is_some() && !c.association.is_reseller_model() {
        // Huawei keeps budgets for reseller-model customers only.
        c.budget = None;
        warn(
            report,
            &id,
            format!("{path}.association_type"),
            "no longer reseller-model; its budget was removed",
        );
    }

    if let Some(code) = info.customer_type.value() {
        c.customer_type = codes::customer_type(code);
    } else if existing.is_none() {
        c.customer_type = CustomerType::Unset;
    }
    if let Some(code) = info.verified_status.value() {
        c.verification = codes::verification(code);
    } else if existing.is_none() {
        c.verification = VerificationStatus::NotVerified;
    }
    if let Some(l) = text(&info.customer_level) {
        c.level = codes::level(l);
    } else if existing.is_none() {
        c.level = CustomerLevel::V0;
    }

    // label -> tags
    match &info.label {
        Field::Absent => {}
        Field::Null => c.tags.clear(),
        Field::Value(l) => {
            c.tags.clear();
            let l = l.trim();
            if !l.is_empty() {
                match Tag::new(l) {
                    Ok(t) => {
                        c.tags.insert(t);
                    }
                    Err(_) => warn(
                        report,
                        &id,
                        format!("{path}.label"),
                        "not a valid tag (over 64 characters or control characters); left out",
                    ),
                }
            }
        }
    }

    // telephone + country_code -> mobile
    match &info.telephone {
        Field::Absent => {}
        Field::Null => c.mobile = None,
        Field::Value(t) if t.trim().is_empty() => c.mobile = None,
        Field::Value(t) => {
            let cc = text(&info.country_code).unwrap_or("");
            c.mobile = match Mobile::new(cc, t) {
                Ok(m) => Some(m.into()),
                Err(_) => {
                    warn(
                        report,
                        &id,
                        format!("{path}.telephone"),
                        "not a phone number of digits (masked?); left out",
                    );
                    None
                }
            };
        }
    }

    // email
    match &info.email {
        Field::Absent => {}
        Field::Null => c.email = None,
        Field::Value(e) if e.trim().is_empty() => c.email = None,
        Field::Value(e) => {
            let e = e.trim();
            c.email = if partnerdesk::validate::email(e).is_ok() {
                Some(e.to_owned().into())
            } else {
                warn(
                    report,
                    &id,
                    format!("{path}.email"),
                    "not an e-mail address; left out",
                );
                None
            };
        }
    }

    // xaccount_id / xaccount_type -> external account
    if !(info.xaccount_id.is_absent() && info.xaccount_type.is_absent()) {
        let xid = text(&info.xaccount_id).unwrap_or("");
        let xkind = text(&info.xaccount_type).unwrap_or("");
        c.external = (!xid.is_empty() || !xkind.is_empty()).then(|| ExternalAccount {
            id: xid.to_owned(),
            kind: xkind.to_owned(),
        });
    }

    // is_frozen -> freeze state
    if let Some(code) = info.is_frozen.value() {
        c.freeze = match codes::freeze_scope(site.clone(), code) {
            None => FreezeState::NotFrozen,
            Some(scope) => {
                let known = existing.and_then(|e| e.freeze.freeze()).filter(|f| {
                    f.scope == scope
                        || (scope == FreezeScope::Unknown
                            && matches!(
                                f.scope,
                                FreezeScope::Account | FreezeScope::AccountAndResources
                            ))
                });
                match known {
                    Some(f) => FreezeState::Frozen(f.clone()),
                    None => FreezeState::Frozen(Freeze {
                        scope,
                        origin: FreezeOrigin::Imported,
                        reason: String::new(),
                        by: SYSTEM.to_owned(),
                        at: options.now,
                    }),
                }
            }
        };
    }

    // account_managers -> account manager
    match &info.account_managers {
        Field::Absent => {}
        Field::Null => c.account_manager = None,
        Field::Value(list) => {
            if list.len() > 1 {
                warn(
                    report,
                    &id,
                    format!("{path}.account_managers"),
                    "more than one account manager; the first is kept",
                );
            }
            c.account_manager = match list.first().map(|m| text(&m.account_name)) {
                None | Some(None) => None,
                Some(Some(login)) => match OperatorId::new(login) {
                    Ok(op) => Some(op),
                    Err(_) => {
                        warn(
                            report,
                            &id,
                            format!("{path}.account_managers[0].account_name"),
                            "not a valid login; no manager assigned",
                        );
                        None
                    }
                },
            };
        }
    }
    Ok(c)
}

// ---- budgets ---------------------------------------------------------------------------------------

fn apply_budget(
    c: &mut Customer,
    amount: Option<Money>,
    kind: &Field<String>,
    options: &ImportOptions,
    path: &str,
    report: &mut ImportReport,
) -> Result<()> {
    let Some(amount) = amount.filter(|a| a.amount > Decimal::ZERO) else {
        if c.budget.take().is_some() {
            report.budgets_removed += 1;
        }
        return Ok(());
    };
    if amount.amount > Decimal::from(partnerdesk::budget::MAX_BUDGET)
        || amount.amount.normalize().scale() > 2
    {
        return Err(HuaweiError::data(
            format!("{path}.budget_amount"),
            "over 2147483647 or more than 2 decimals",
        ));
    }
    if !c.association.is_reseller_model() {
        warn(
            report,
            &c.id,
            format!("{path}.budget_amount"),
            "the desk holds this customer as not reseller-model; budget left out",
        );
        return Ok(());
    }
    let kind = match (text(kind), &c.budget) {
        (Some(k), _) => codes::budget_kind(k),
        (None, Some(b)) => b.kind.clone(),
        (None, None) => BudgetKind::Monthly,
    };
    c.budget = Some(match c.budget.take() {
        Some(b) if b.amount == amount && b.kind == kind => b,
        Some(b) => Budget {
            kind,
            amount,
            set_at: options.now,
            ..b
        },
        None => Budget {
            kind,
            amount,
            set_at: options.now,
            set_by: SYSTEM.to_owned(),
            auto_freeze: false,
            thresholds: partnerdesk::budget::default_thresholds(),
        },
    });
    report.budgets_set += 1;
    Ok(())
}

/// Imports a `ShowSubCustomerBudget` response for one customer. A missing or non-positive
/// `budget_amount` removes the budget. `used_amount` is not stored (the desk derives usage from
/// spend); it comes back in [`ImportReport::huawei_budget_used`].
pub fn import_budget(
    desk: &mut Desk,
    options: &ImportOptions,
    customer: &CustomerId,
    json: &str,
) -> Result<ImportReport> {
    let r: wire::ShowSubCustomerBudgetResponse = parse_response(json)?;
    let currency = desk.partner().currency;
    let mut report = ImportReport {
        items: 1,
        ..ImportReport::default()
    };
    let amount = r
        .budget_amount
        .value()
        .map(|a| money(a.0, &r.measure_id, &r.currency, currency, "budget_amount"))
        .transpose()?;
    if let Some(u) = r.used_amount.value() {
        let used = money(u.0, &r.measure_id, &r.currency, currency, "used_amount")?;
        report.huawei_budget_used.push((customer.clone(), used));
    }
    let mut work = Working::new();
    if let Some(c) = work.get(desk, customer, "customer_id", &mut report) {
        apply_budget(c, amount, &r.budget_type, options, "", &mut report)?;
    }
    work.commit(desk, &mut report)?;
    Ok(report)
}

/// Imports `ListSubCustomerBudget` pages. Customers the desk does not hold are warned about.
pub fn import_budgets(
    desk: &mut Desk,
    options: &ImportOptions,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListSubCustomerBudgetResponse> = pages(json_pages)?;
    let currency = desk.partner().currency;
    let mut report = ImportReport::default();
    let mut work = Working::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, b) in page.budget_infos.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].budget_infos[{i}]");
            let id = customer_id(&b.customer_id, &format!("{path}.customer_id"))?;
            let amount = b
                .budget_amount
                .value()
                .map(|a| money(a.0, &page.measure_id, &page.currency, currency, &path))
                .transpose()?;
            if let Some(u) = b.used_amount.value() {
                let used = money(u.0, &page.measure_id, &page.currency, currency, &path)?;
                report.huawei_budget_used.push((id.clone(), used));
            }
            if let Some(c) = work.get(desk, &id, &path, &mut report) {
                apply_budget(c, amount, &b.budget_type, options, &path, &mut report)?;
            }
        }
    }
    work.commit(desk, &mut report)?;
    Ok(report)
}

/// Imports `ListSubCustomerBudgetRecords` pages of one customer: the records come back in the
/// report (oldest first); the newest record decides who set the current budget and when, and a
/// newest `DELETE` removes it.
pub fn import_budget_records(
    desk: &mut Desk,
    options: &ImportOptions,
    customer: &CustomerId,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListSubCustomerBudgetRecordsResponse> = pages(json_pages)?;
    let currency = desk.partner().currency;
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.total_count)),
        ..ImportReport::default()
    };
    let mut records = Vec::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, r) in page.record_list.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].record_list[{i}]");
            let amount = r
                .budget_amount
                .value()
                .map(|a| a.0)
                .ok_or_else(|| HuaweiError::data(format!("{path}.budget_amount"), "missing"))?;
            records.push(BudgetRecord::new(
                customer.clone(),
                match text(&r.operation_type) {
                    Some("SETTING") => BudgetOperation::Setting,
                    Some("DELETE") => BudgetOperation::Delete,
                    other => BudgetOperation::Other(other.unwrap_or("").to_owned()),
                },
                money(amount, &page.measure_id, &page.currency, currency, &path)?,
                codes::budget_kind(text(&r.budget_type).unwrap_or("MONTHLY")),
                parse_time(
                    &format!("{path}.operation_time"),
                    required(&r.operation_time, &format!("{path}.operation_time"))?,
                )?,
                text(&r.operator).unwrap_or(SYSTEM),
            ));
        }
    }
    records.sort_by_key(|r| r.at);
    let mut work = Working::new();
    if let (Some(last), Some(c)) = (
        records.last(),
        work.get(desk, customer, "customer_id", &mut report),
    ) {
        match last.operation {
            BudgetOperation::Delete => {
                let removed = c.budget.take().is_some();
                report.budgets_removed += usize::from(removed);
            }
            BudgetOperation::Setting => {
                let kind = Field::Value(codes::budget_type(&last.kind).unwrap_or("").to_owned());
                let opts = ImportOptions {
                    now: last.at,
                    reseller: options.reseller.clone(),
                };
                c.budget = None;
                apply_budget(
                    c,
                    Some(last.amount),
                    &kind,
                    &opts,
                    "record_list",
                    &mut report,
                )?;
                if let Some(b) = c.budget.as_mut() {
                    b.set_at = last.at;
                    b.set_by = last.operator.clone();
                }
            }
            _ => {}
        }
    }
    work.commit(desk, &mut report)?;
    report.budget_records = records;
    Ok(report)
}

// ---- resources ---------------------------------------------------------------------------------------

fn upsert_resource(c: &mut Customer, r: Resource) {
    match c.resources.iter_mut().find(|x| x.id == r.id) {
        Some(x) => *x = r,
        None => c.resources.push(r),
    }
}

fn opt_time(f: &Field<String>, path: &str) -> Result<Option<DateTime<Utc>>> {
    text(f).map(|t| parse_time(path, t)).transpose()
}

fn resource_times(
    effective: &Field<String>,
    expire: &Field<String>,
    path: &str,
    options: &ImportOptions,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let starts = opt_time(effective, &format!("{path}.effective_time"))?.unwrap_or(options.now);
    let expires = opt_time(expire, &format!("{path}.expire_time"))?;
    if expires.is_some_and(|e| e < starts) {
        return Err(HuaweiError::data(
            format!("{path}.expire_time"),
            "before effective_time",
        ));
    }
    Ok((starts, expires))
}

/// Imports `ListCustomerOnDemandResources` pages (pay-per-use resources; each names its
/// customer). A resource the customer already has (same id) is replaced.
pub fn import_on_demand_resources(
    desk: &mut Desk,
    options: &ImportOptions,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListCustomerOnDemandResourcesResponse> = pages(json_pages)?;
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.total_count)),
        ..ImportReport::default()
    };
    let mut work = Working::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, r) in page.resources.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].resources[{i}]");
            let id = customer_id(&r.customer_id, &format!("{path}.customer_id"))?;
            let rid = ResourceId::new(required(&r.resource_id, &format!("{path}.resource_id"))?)
                .map_err(|_| HuaweiError::data(format!("{path}.resource_id"), "not a valid id"))?;
            let (starts_at, expires_at) =
                resource_times(&r.effective_time, &r.expire_time, &path, options)?;
            let res = Resource {
                id: rid,
                kind: ResourceKind::PayPerUse,
                service: text(&r.service_type_code).unwrap_or("").to_owned(),
                region: text(&r.region_code).unwrap_or("").to_owned(),
                name: text(&r.resource_name).unwrap_or("").to_owned(),
                status: r
                    .status
                    .value()
                    .map(codes::on_demand_status)
                    .unwrap_or(partnerdesk::ResourceStatus::Active),
                starts_at,
                expires_at,
                expiry_policy: ExpiryPolicy::Manual,
            };
            if let Some(c) = work.get(desk, &id, &path, &mut report) {
                upsert_resource(c, res);
                report.resources += 1;
            }
        }
    }
    work.commit(desk, &mut report)?;
    Ok(report)
}

/// Imports `ListPayPerUseCustomerResources` pages (yearly/monthly resources) of one customer
/// (the request's `customer_id`; the entries do not name it).
pub fn import_subscription_resources(
    desk: &mut Desk,
    options: &ImportOptions,
    customer: &CustomerId,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListPayPerUseCustomerResourcesResponse> = pages(json_pages)?;
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.total_count)),
        ..ImportReport::default()
    };
    let mut resources = Vec::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, r) in page.data.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].data[{i}]");
            let rid = ResourceId::new(required(&r.resource_id, &format!("{path}.resource_id"))?)
                .map_err(|_| HuaweiError::data(format!("{path}.resource_id"), "not a valid id"))?;
            let (starts_at, expires_at) =
                resource_times(&r.effective_time, &r.expire_time, &path, options)?;
            resources.push(Resource {
                id: rid,
                kind: ResourceKind::YearlyMonthly,
                service: text(&r.service_type_code).unwrap_or("").to_owned(),
                region: text(&r.region_code).unwrap_or("").to_owned(),
                name: text(&r.resource_name).unwrap_or("").to_owned(),
                status: r
                    .status
                    .value()
                    .map(codes::subscription_status)
                    .unwrap_or(partnerdesk::ResourceStatus::Active),
                starts_at,
                expires_at,
                expiry_policy: r
                    .expire_policy
                    .value()
                    .map(codes::expiry_policy)
                    .unwrap_or(ExpiryPolicy::Manual),
            });
        }
    }
    let mut work = Working::new();
    if let Some(c) = work.get(desk, customer, "customer_id", &mut report) {
        for r in resources {
            upsert_resource(c, r);
            report.resources += 1;
        }
    }
    work.commit(desk, &mut report)?;
    Ok(report)
}

// ---- orders ------------------------------------------------------------------------------------------

/// Imports `ListCustomerOrders` pages. An order the customer already has (same id) is replaced,
/// keeping who placed it.
pub fn import_orders(desk: &mut Desk, json_pages: &[&str]) -> Result<ImportReport> {
    let parsed: Vec<wire::ListCustomerOrdersResponse> = pages(json_pages)?;
    let currency = desk.partner().currency;
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.total_count)),
        ..ImportReport::default()
    };
    let mut work = Working::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, o) in page.order_infos.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].order_infos[{i}]");
            let id = customer_id(&o.customer_id, &format!("{path}.customer_id"))?;
            let oid = OrderId::new(required(&o.order_id, &format!("{path}.order_id"))?)
                .map_err(|_| HuaweiError::data(format!("{path}.order_id"), "not a valid id"))?;
            let amount = o
                .amount_after_discount
                .value()
                .or(o.official_amount.value())
                .map(|a: &Amount| a.0)
                .unwrap_or(Decimal::ZERO);
            let order =
                Order {
                    id: oid,
                    status: o
                        .status
                        .value()
                        .map(codes::order_status)
                        .ok_or_else(|| HuaweiError::data(format!("{path}.status"), "missing"))?,
                    kind: o.order_type.value().map(codes::order_type).ok_or_else(|| {
                        HuaweiError::data(format!("{path}.order_type"), "missing")
                    })?,
                    amount: money(amount, &o.measure_id, &o.currency, currency, &path)?,
                    created_at: parse_time(
                        &format!("{path}.create_time"),
                        required(&o.create_time, &format!("{path}.create_time"))?,
                    )?,
                    paid_at: opt_time(&o.payment_time, &format!("{path}.payment_time"))?,
                    placed_by: None,
                };
            if let Some(c) = work.get(desk, &id, &path, &mut report) {
                match c.orders.iter_mut().find(|x| x.id == order.id) {
                    Some(x) => {
                        let placed_by = x.placed_by.take();
                        *x = Order { placed_by, ..order };
                    }
                    None => c.orders.push(order),
                }
                report.orders += 1;
            }
        }
    }
    work.commit(desk, &mut report)?;
    Ok(report)
}

// ---- bills ---------------------------------------------------------------------------------------------

type SpendKey = (CustomerId, NaiveDate, String, ChargingMode);

fn write_spend(
    desk: &mut Desk,
    sums: BTreeMap<SpendKey, Decimal>,
    cycles: &BTreeSet<YearMonth>,
    report: &mut ImportReport,
) -> Result<()> {
    let currency = desk.partner().currency;
    let mut work = Working::new();
    let mut cleared: BTreeSet<CustomerId> = BTreeSet::new();
    for ((id, day, product, mode), amount) in sums {
        let Some(c) = work.get(desk, &id, "customer_id", report) else {
            continue;
        };
        if cleared.insert(id.clone()) {
            c.spend
                .retain(|r| !cycles.iter().any(|m| m.contains(r.day)));
        }
        c.add_spend(SpendRecord {
            day,
            product,
            amount: Money::new(amount, currency),
            mode,
        });
        report.spend_records += 1;
    }
    work.commit(desk, report)
}

fn add_sum(
    sums: &mut BTreeMap<SpendKey, Decimal>,
    key: SpendKey,
    amount: Decimal,
    path: &str,
) -> Result<()> {
    let slot = sums.entry(key).or_insert(Decimal::ZERO);
    *slot = slot
        .checked_add(amount)
        .ok_or_else(|| HuaweiError::data(path, "sum out of range"))?;
    Ok(())
}

/// Imports `ListSubCustomerBillDetail` pages (fee records) of a billing cycle into spend
/// records, replacing the named customers' spend in the cycle. The spend of a record is its
/// `payment_amount` (amount payable), else `official_amount - official_discount_amount`; its
/// day is the billing day of `consume_time` (else `trade_time`), kept inside its cycle.
/// Records with the same `id` (pages that overlap) count once.
pub fn import_fee_records(
    desk: &mut Desk,
    cycle: YearMonth,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListSubCustomerBillDetailResponse> = pages(json_pages)?;
    let currency = desk.partner().currency;
    let offset = desk.partner().billing_offset;
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.total_count)),
        ..ImportReport::default()
    };
    let mut cycles = BTreeSet::from([cycle]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut sums: BTreeMap<SpendKey, Decimal> = BTreeMap::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, r) in page.fee_records.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].fee_records[{i}]");
            if let Some(rid) = text(&r.id)
                && !seen.insert(rid.to_owned())
            {
                continue;
            }
            let id = customer_id(&r.customer_id, &format!("{path}.customer_id"))?;
            let month = match text(&r.bill_cycle) {
                Some(m) => m
                    .parse::<YearMonth>()
                    .map_err(|_| HuaweiError::data(format!("{path}.bill_cycle"), "not YYYY-MM"))?,
                None => cycle,
            };
            cycles.insert(month);
            let when = match opt_time(&r.consume_time, &format!("{path}.consume_time"))? {
                Some(t) => Some(t),
                None => opt_time(&r.trade_time, &format!("{path}.trade_time"))?,
            };
            let day = when
                .map(|t| offset.day_of(t))
                .unwrap_or_else(|| month.first_day())
                .clamp(month.first_day(), month.last_day());
            let amount = match (
                r.payment_amount.value(),
                r.official_amount.value(),
                r.official_discount_amount.value(),
            ) {
                (Some(a), _, _) => a.0,
                (None, Some(o), d) => o.0 - d.map_or(Decimal::ZERO, |d| d.0),
                (None, None, _) => {
                    return Err(HuaweiError::data(
                        format!("{path}.payment_amount"),
                        "missing",
                    ));
                }
            };
            let amount = money(amount, &page.measure_id, &page.currency, currency, &path)?.amount;
            let mode = r
                .charging_mode
                .value()
                .map(codes::charging_mode)
                .ok_or_else(|| HuaweiError::data(format!("{path}.charging_mode"), "missing"))?;
            let product = text(&r.service_type_code)
                .or(text(&r.resource_type_code))
                .unwrap_or("unknown")
                .to_owned();
            add_sum(&mut sums, (id, day, product, mode), amount, &path)?;
        }
    }
    write_spend(desk, sums, &cycles, &mut report)?;
    Ok(report)
}

/// Imports `ListSubcustomerMonthlyBills` pages (monthly sums per service) of a cycle: one spend
/// record per customer, service and charging mode, dated the first day of the cycle, replacing
/// the named customers' spend in the cycle. Unsubscriptions and write-offs arrive negative.
pub fn import_monthly_bills(
    desk: &mut Desk,
    cycle: YearMonth,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let parsed: Vec<wire::ListSubcustomerMonthlyBillsResponse> = pages(json_pages)?;
    let currency = desk.partner().currency;
    let mut report = ImportReport {
        reported_total: parsed.first().and_then(|p| total(&p.count)),
        ..ImportReport::default()
    };
    let cycles = BTreeSet::from([cycle]);
    let mut sums: BTreeMap<SpendKey, Decimal> = BTreeMap::new();
    for (p, page) in parsed.iter().enumerate() {
        for (i, b) in page.bill_sums.value().into_iter().flatten().enumerate() {
            report.items += 1;
            let path = format!("pages[{p}].bill_sums[{i}]");
            let id = customer_id(&b.customer_id, &format!("{path}.customer_id"))?;
            let amount = b
                .amount
                .value()
                .ok_or_else(|| HuaweiError::data(format!("{path}.amount"), "missing"))?
                .0;
            let amount = money(amount, &b.measure_id, &page.currency, currency, &path)?.amount;
            let mode = b
                .charge_mode
                .value()
                .map(codes::charging_mode)
                .ok_or_else(|| HuaweiError::data(format!("{path}.charge_mode"), "missing"))?;
            let product = text(&b.cloud_service_type).unwrap_or("unknown").to_owned();
            add_sum(
                &mut sums,
                (id, cycle.first_day(), product, mode),
                amount,
                &path,
            )?;
        }
    }
    write_spend(desk, sums, &cycles, &mut report)?;
    Ok(report)
}
