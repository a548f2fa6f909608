//! The fixture responses and bodies, embedded: for the tour, doctests, and bindings' tests.
//!
//! Why embedded: a host (or the Python, Node and Kotlin test suites) can start a desk from
//! realistic Huawei responses without reading files, and every language tests against the same
//! bytes. The files live in `tests/fixtures/`; the first ones were serialized by the official
//! Huawei SDK models, the others were written for every code, tri-state and edge case this
//! crate supports. Ids, names and amounts are invented.

/// `tests/fixtures/bills.fee_records.page1.json`.
pub const BILLS_FEE_RECORDS_PAGE1: &str =
    include_str!("../tests/fixtures/bills.fee_records.page1.json");

/// `tests/fixtures/bills.fee_records.page2.json`.
pub const BILLS_FEE_RECORDS_PAGE2: &str =
    include_str!("../tests/fixtures/bills.fee_records.page2.json");

/// `tests/fixtures/bills.monthly.json`.
pub const BILLS_MONTHLY: &str = include_str!("../tests/fixtures/bills.monthly.json");

/// `tests/fixtures/budget.list.json`.
pub const BUDGET_LIST: &str = include_str!("../tests/fixtures/budget.list.json");

/// `tests/fixtures/budget.records.delete.json`.
pub const BUDGET_RECORDS_DELETE: &str =
    include_str!("../tests/fixtures/budget.records.delete.json");

/// `tests/fixtures/budget.records.json`.
pub const BUDGET_RECORDS: &str = include_str!("../tests/fixtures/budget.records.json");

/// `tests/fixtures/budget.request.json`.
pub const BUDGET_REQUEST: &str = include_str!("../tests/fixtures/budget.request.json");

/// `tests/fixtures/budget.request.package.json`.
pub const BUDGET_REQUEST_PACKAGE: &str =
    include_str!("../tests/fixtures/budget.request.package.json");

/// `tests/fixtures/budget.show.cny.json`.
pub const BUDGET_SHOW_CNY: &str = include_str!("../tests/fixtures/budget.show.cny.json");

/// `tests/fixtures/budget.show.json`.
pub const BUDGET_SHOW: &str = include_str!("../tests/fixtures/budget.show.json");

/// `tests/fixtures/budget.show.none.json`.
pub const BUDGET_SHOW_NONE: &str = include_str!("../tests/fixtures/budget.show.none.json");

/// `tests/fixtures/budget.show.too_large.json`.
pub const BUDGET_SHOW_TOO_LARGE: &str =
    include_str!("../tests/fixtures/budget.show.too_large.json");

/// `tests/fixtures/error.denied.json`.
pub const ERROR_DENIED: &str = include_str!("../tests/fixtures/error.denied.json");

/// `tests/fixtures/error.invalid_parameter.json`.
pub const ERROR_INVALID_PARAMETER: &str =
    include_str!("../tests/fixtures/error.invalid_parameter.json");

/// `tests/fixtures/error.throttled.json`.
pub const ERROR_THROTTLED: &str = include_str!("../tests/fixtures/error.throttled.json");

/// `tests/fixtures/error.unknown_code.json`.
pub const ERROR_UNKNOWN_CODE: &str = include_str!("../tests/fixtures/error.unknown_code.json");

/// `tests/fixtures/error.wrong_association.json`.
pub const ERROR_WRONG_ASSOCIATION: &str =
    include_str!("../tests/fixtures/error.wrong_association.json");

/// `tests/fixtures/freeze.partial_failure.json`.
pub const FREEZE_PARTIAL_FAILURE: &str =
    include_str!("../tests/fixtures/freeze.partial_failure.json");

/// `tests/fixtures/freeze.partial_failure.mixed.json`.
pub const FREEZE_PARTIAL_FAILURE_MIXED: &str =
    include_str!("../tests/fixtures/freeze.partial_failure.mixed.json");

/// `tests/fixtures/freeze.request.json`.
pub const FREEZE_REQUEST: &str = include_str!("../tests/fixtures/freeze.request.json");

/// `tests/fixtures/freeze.success.json`.
pub const FREEZE_SUCCESS: &str = include_str!("../tests/fixtures/freeze.success.json");

/// `tests/fixtures/list_sub_customers.bad_time.json`.
pub const LIST_SUB_CUSTOMERS_BAD_TIME: &str =
    include_str!("../tests/fixtures/list_sub_customers.bad_time.json");

/// `tests/fixtures/list_sub_customers.cn.all_codes.json`.
pub const LIST_SUB_CUSTOMERS_CN_ALL_CODES: &str =
    include_str!("../tests/fixtures/list_sub_customers.cn.all_codes.json");

/// `tests/fixtures/list_sub_customers.cn.json`.
pub const LIST_SUB_CUSTOMERS_CN: &str =
    include_str!("../tests/fixtures/list_sub_customers.cn.json");

/// `tests/fixtures/list_sub_customers.cn.large.json`.
pub const LIST_SUB_CUSTOMERS_CN_LARGE: &str =
    include_str!("../tests/fixtures/list_sub_customers.cn.large.json");

/// `tests/fixtures/list_sub_customers.empty.json`.
pub const LIST_SUB_CUSTOMERS_EMPTY: &str =
    include_str!("../tests/fixtures/list_sub_customers.empty.json");

/// `tests/fixtures/list_sub_customers.intl.all_codes.json`.
pub const LIST_SUB_CUSTOMERS_INTL_ALL_CODES: &str =
    include_str!("../tests/fixtures/list_sub_customers.intl.all_codes.json");

/// `tests/fixtures/list_sub_customers.intl.json`.
pub const LIST_SUB_CUSTOMERS_INTL: &str =
    include_str!("../tests/fixtures/list_sub_customers.intl.json");

/// `tests/fixtures/list_sub_customers.intl.page1.json`.
pub const LIST_SUB_CUSTOMERS_INTL_PAGE1: &str =
    include_str!("../tests/fixtures/list_sub_customers.intl.page1.json");

/// `tests/fixtures/list_sub_customers.intl.page2.json`.
pub const LIST_SUB_CUSTOMERS_INTL_PAGE2: &str =
    include_str!("../tests/fixtures/list_sub_customers.intl.page2.json");

/// `tests/fixtures/list_sub_customers.missing_id.json`.
pub const LIST_SUB_CUSTOMERS_MISSING_ID: &str =
    include_str!("../tests/fixtures/list_sub_customers.missing_id.json");

/// `tests/fixtures/orders.json`.
pub const ORDERS: &str = include_str!("../tests/fixtures/orders.json");

/// `tests/fixtures/resources.on_demand.json`.
pub const RESOURCES_ON_DEMAND: &str = include_str!("../tests/fixtures/resources.on_demand.json");

/// `tests/fixtures/resources.subscription.json`.
pub const RESOURCES_SUBSCRIPTION: &str =
    include_str!("../tests/fixtures/resources.subscription.json");

/// `tests/fixtures/unfreeze.request.json`.
pub const UNFREEZE_REQUEST: &str = include_str!("../tests/fixtures/unfreeze.request.json");

/// Every fixture: (file name, text).
pub const ALL: &[(&str, &str)] = &[
    ("bills.fee_records.page1.json", BILLS_FEE_RECORDS_PAGE1),
    ("bills.fee_records.page2.json", BILLS_FEE_RECORDS_PAGE2),
    ("bills.monthly.json", BILLS_MONTHLY),
    ("budget.list.json", BUDGET_LIST),
    ("budget.records.delete.json", BUDGET_RECORDS_DELETE),
    ("budget.records.json", BUDGET_RECORDS),
    ("budget.request.json", BUDGET_REQUEST),
    ("budget.request.package.json", BUDGET_REQUEST_PACKAGE),
    ("budget.show.cny.json", BUDGET_SHOW_CNY),
    ("budget.show.json", BUDGET_SHOW),
    ("budget.show.none.json", BUDGET_SHOW_NONE),
    ("budget.show.too_large.json", BUDGET_SHOW_TOO_LARGE),
    ("error.denied.json", ERROR_DENIED),
    ("error.invalid_parameter.json", ERROR_INVALID_PARAMETER),
    ("error.throttled.json", ERROR_THROTTLED),
    ("error.unknown_code.json", ERROR_UNKNOWN_CODE),
    ("error.wrong_association.json", ERROR_WRONG_ASSOCIATION),
    ("freeze.partial_failure.json", FREEZE_PARTIAL_FAILURE),
    (
        "freeze.partial_failure.mixed.json",
        FREEZE_PARTIAL_FAILURE_MIXED,
    ),
    ("freeze.request.json", FREEZE_REQUEST),
    ("freeze.success.json", FREEZE_SUCCESS),
    (
        "list_sub_customers.bad_time.json",
        LIST_SUB_CUSTOMERS_BAD_TIME,
    ),
    (
        "list_sub_customers.cn.all_codes.json",
        LIST_SUB_CUSTOMERS_CN_ALL_CODES,
    ),
    ("list_sub_customers.cn.json", LIST_SUB_CUSTOMERS_CN),
    (
        "list_sub_customers.cn.large.json",
        LIST_SUB_CUSTOMERS_CN_LARGE,
    ),
    ("list_sub_customers.empty.json", LIST_SUB_CUSTOMERS_EMPTY),
    (
        "list_sub_customers.intl.all_codes.json",
        LIST_SUB_CUSTOMERS_INTL_ALL_CODES,
    ),
    ("list_sub_customers.intl.json", LIST_SUB_CUSTOMERS_INTL),
    (
        "list_sub_customers.intl.page1.json",
        LIST_SUB_CUSTOMERS_INTL_PAGE1,
    ),
    (
        "list_sub_customers.intl.page2.json",
        LIST_SUB_CUSTOMERS_INTL_PAGE2,
    ),
    (
        "list_sub_customers.missing_id.json",
        LIST_SUB_CUSTOMERS_MISSING_ID,
    ),
    ("orders.json", ORDERS),
    ("resources.on_demand.json", RESOURCES_ON_DEMAND),
    ("resources.subscription.json", RESOURCES_SUBSCRIPTION),
    ("unfreeze.request.json", UNFREEZE_REQUEST),
];

use crate::error::Result;
use crate::import::{self, ImportOptions, ImportReport};
use chrono::{DateTime, Utc};
use partnerdesk::{CustomerId, Desk, Partner, PartnerId, Site, Tier, YearMonth};

/// A desk started from the fixture responses of a site, as a host would build it from real
/// responses: the customer lists (merged), then budgets (international), resources, orders and
/// bills (China). Returns the desk and the reports of each import, in order.
///
/// ```
/// use partnerdesk::Site;
/// use partnerdesk_huawei::fixtures;
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2025, 3, 20, 9, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
/// let (desk, reports) = fixtures::desk(Site::China, now)?;
/// assert!(desk.len() >= 100);
/// assert!(reports.iter().all(|r| r.items > 0));
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn desk(site: Site, now: DateTime<Utc>) -> Result<(Desk, Vec<ImportReport>)> {
    let partner = Partner::new(
        PartnerId::new("fixture-partner")?,
        "Example Partner Ltd",
        site.clone(),
        Tier::Distributor,
    );
    let mut desk = Desk::new(partner, now);
    let opts = ImportOptions::at(now);
    let mut reports = Vec::new();
    match site {
        Site::China => {
            reports.push(import::import_list_sub_customers(
                &mut desk,
                &opts,
                &[
                    LIST_SUB_CUSTOMERS_CN,
                    LIST_SUB_CUSTOMERS_CN_ALL_CODES,
                    LIST_SUB_CUSTOMERS_CN_LARGE,
                ],
            )?);
            let rs = CustomerId::new("9f8e7d6c5b4a39281706f5e4d3c2b1a0")?;
            reports.push(import::import_on_demand_resources(
                &mut desk,
                &opts,
                &[RESOURCES_ON_DEMAND],
            )?);
            reports.push(import::import_subscription_resources(
                &mut desk,
                &opts,
                &rs,
                &[RESOURCES_SUBSCRIPTION],
            )?);
            reports.push(import::import_orders(&mut desk, &[ORDERS])?);
            let cycle = YearMonth::new(2025, 3)?;
            reports.push(import::import_fee_records(
                &mut desk,
                cycle,
                &[BILLS_FEE_RECORDS_PAGE1, BILLS_FEE_RECORDS_PAGE2],
            )?);
        }
        _ => {
            reports.push(import::import_list_sub_customers(
                &mut desk,
                &opts,
                &[
                    LIST_SUB_CUSTOMERS_INTL,
                    LIST_SUB_CUSTOMERS_INTL_ALL_CODES,
                    LIST_SUB_CUSTOMERS_INTL_PAGE1,
                    LIST_SUB_CUSTOMERS_INTL_PAGE2,
                ],
            )?);
            reports.push(import::import_budgets(&mut desk, &opts, &[BUDGET_LIST])?);
            let id = CustomerId::new("06ffbcd46880d3f30f62c001a49be460")?;
            reports.push(import::import_budget(&mut desk, &opts, &id, BUDGET_SHOW)?);
            reports.push(import::import_budget_records(
                &mut desk,
                &opts,
                &id,
                &[BUDGET_RECORDS],
            )?);
        }
    }
    Ok((desk, reports))
}
