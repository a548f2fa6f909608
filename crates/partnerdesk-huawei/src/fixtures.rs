//! The fixture responses and bodies, embedded: for the tour, doctests, and bindings' tests.
//!
//! Why embedded: a host (or the Python, Node and Kotlin test suites) can start a desk from
//! realistic Huawei responses without reading files, and every language tests against the same
//! bytes. The files live in `tests/fixtures/`; the first ones were serialized by the official
//! Huawei SDK models, the others were written for every code, tri-state and edge case this
//! crate supports. Ids, names and amounts are invented.

/// `fixtures! { NAME = "file.json"; ... }`: one constant per file of `tests/fixtures/` (the file's
/// text, embedded) and [`ALL`], every one of them with its file name.
macro_rules! fixtures {
    ($($name:ident = $file:literal;)*) => {
        $(
            #[doc = concat!("`tests/fixtures/", $file, "`.")]
            pub const $name: &str = include_str!(concat!("../tests/fixtures/", $file));
        )*

        /// Every fixture: (file name, text).
        pub const ALL: &[(&str, &str)] = &[$(($file, $name)),*];
    };
}

fixtures! {
    BILLS_FEE_RECORDS_PAGE1 = "bills.fee_records.page1.json";
    BILLS_FEE_RECORDS_PAGE2 = "bills.fee_records.page2.json";
    BILLS_MONTHLY = "bills.monthly.json";
    BUDGET_LIST = "budget.list.json";
    BUDGET_RECORDS_DELETE = "budget.records.delete.json";
    BUDGET_RECORDS = "budget.records.json";
    BUDGET_REQUEST = "budget.request.json";
    BUDGET_REQUEST_PACKAGE = "budget.request.package.json";
    BUDGET_SHOW_CNY = "budget.show.cny.json";
    BUDGET_SHOW = "budget.show.json";
    BUDGET_SHOW_NONE = "budget.show.none.json";
    BUDGET_SHOW_TOO_LARGE = "budget.show.too_large.json";
    ERROR_DENIED = "error.denied.json";
    ERROR_INVALID_PARAMETER = "error.invalid_parameter.json";
    ERROR_THROTTLED = "error.throttled.json";
    ERROR_UNKNOWN_CODE = "error.unknown_code.json";
    ERROR_WRONG_ASSOCIATION = "error.wrong_association.json";
    FREEZE_PARTIAL_FAILURE = "freeze.partial_failure.json";
    FREEZE_PARTIAL_FAILURE_MIXED = "freeze.partial_failure.mixed.json";
    FREEZE_REQUEST = "freeze.request.json";
    FREEZE_SUCCESS = "freeze.success.json";
    LIST_SUB_CUSTOMERS_BAD_TIME = "list_sub_customers.bad_time.json";
    LIST_SUB_CUSTOMERS_CN_ALL_CODES = "list_sub_customers.cn.all_codes.json";
    LIST_SUB_CUSTOMERS_CN = "list_sub_customers.cn.json";
    LIST_SUB_CUSTOMERS_CN_LARGE = "list_sub_customers.cn.large.json";
    LIST_SUB_CUSTOMERS_EMPTY = "list_sub_customers.empty.json";
    LIST_SUB_CUSTOMERS_INTL_ALL_CODES = "list_sub_customers.intl.all_codes.json";
    LIST_SUB_CUSTOMERS_INTL = "list_sub_customers.intl.json";
    LIST_SUB_CUSTOMERS_INTL_PAGE1 = "list_sub_customers.intl.page1.json";
    LIST_SUB_CUSTOMERS_INTL_PAGE2 = "list_sub_customers.intl.page2.json";
    LIST_SUB_CUSTOMERS_MISSING_ID = "list_sub_customers.missing_id.json";
    ORDERS = "orders.json";
    RESOURCES_ON_DEMAND = "resources.on_demand.json";
    RESOURCES_SUBSCRIPTION = "resources.subscription.json";
    UNFREEZE_REQUEST = "unfreeze.request.json";
}

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
