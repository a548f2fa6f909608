//! Every Huawei import kind: any response page gives an import report or a typed error; an
//! accepted import leaves a desk that runs its queries, saves and loads back equal (an import
//! cannot put into a desk what a snapshot refuses).

use super::{Fuzz, Target, exercise, round_trips};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::query::Query;
use partnerdesk::{CustomerId, Desk, Site, YearMonth};
use partnerdesk_huawei::fixtures as fx;
use partnerdesk_huawei::import::{self, ImportOptions};
use serde_json::Value;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "huawei",
    about: "every Huawei import kind on mutated fixture pages: typed error or a desk that round-trips",
    setup: || Box::new(Huawei::new()),
};

/// The import kinds, each with its fixture pages (the first input byte picks the kind).
const KINDS: &[(&str, &[&str])] = &[
    (
        "list_sub_customers",
        &[
            fx::LIST_SUB_CUSTOMERS_CN,
            fx::LIST_SUB_CUSTOMERS_INTL,
            fx::LIST_SUB_CUSTOMERS_CN_ALL_CODES,
            fx::LIST_SUB_CUSTOMERS_BAD_TIME,
            fx::LIST_SUB_CUSTOMERS_MISSING_ID,
        ],
    ),
    (
        "budget",
        &[
            fx::BUDGET_SHOW,
            fx::BUDGET_SHOW_CNY,
            fx::BUDGET_SHOW_NONE,
            fx::BUDGET_SHOW_TOO_LARGE,
        ],
    ),
    ("budgets", &[fx::BUDGET_LIST]),
    (
        "budget_records",
        &[fx::BUDGET_RECORDS, fx::BUDGET_RECORDS_DELETE],
    ),
    ("on_demand_resources", &[fx::RESOURCES_ON_DEMAND]),
    ("subscription_resources", &[fx::RESOURCES_SUBSCRIPTION]),
    ("orders", &[fx::ORDERS]),
    (
        "fee_records",
        &[fx::BILLS_FEE_RECORDS_PAGE1, fx::BILLS_FEE_RECORDS_PAGE2],
    ),
    ("monthly_bills", &[fx::BILLS_MONTHLY]),
    (
        "errors",
        &[
            fx::ERROR_DENIED,
            fx::ERROR_INVALID_PARAMETER,
            fx::ERROR_THROTTLED,
            fx::ERROR_UNKNOWN_CODE,
        ],
    ),
];

struct Huawei {
    desk: Desk,
    now: DateTime<Utc>,
    corpus: Vec<Vec<Value>>,
}

impl Huawei {
    fn new() -> Self {
        let now = partnerdesk::demo::demo_now();
        let desk = match fx::desk(Site::China, now) {
            Ok((d, _)) => d,
            Err(e) => {
                eprintln!("setup: the Huawei fixture desk failed: {e}");
                std::process::exit(2);
            }
        };
        let corpus = KINDS
            .iter()
            .map(|(_, pages)| {
                pages
                    .iter()
                    .filter_map(|p| serde_json::from_str(p).ok())
                    .collect()
            })
            .collect();
        Huawei { desk, now, corpus }
    }

    /// The customer the per-customer imports name: one of the fixture desk's.
    fn customer(&self) -> Option<CustomerId> {
        CustomerId::new("9f8e7d6c5b4a39281706f5e4d3c2b1a0").ok()
    }
}

impl Fuzz for Huawei {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let kind = rng.below(KINDS.len());
        let mut out = vec![kind as u8];
        let Some(page) = self.corpus.get(kind).and_then(|pages| rng.pick(pages)) else {
            return out;
        };
        if rng.chance(10) {
            let text = serde_json::to_vec(page).unwrap_or_default();
            out.extend(mutate::bytes(
                rng,
                &text,
                &["{", "}", "\"", ":", ",", "null", "-1"],
                &[],
            ));
        } else {
            out.extend(serde_json::to_vec(&mutate::json(rng, page, 4)).unwrap_or_default());
        }
        out
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let Some((&kind, body)) = input.split_first() else {
            return Ok(());
        };
        let page = String::from_utf8_lossy(body);
        let pages = [page.as_ref()];
        let mut desk = self.desk.clone();
        let opts = ImportOptions::at(self.now);
        let cycle = YearMonth::new(2025, 3).map_err(|e| e.to_string())?;
        let customer = self.customer().ok_or("fixture customer id")?;
        let result = match usize::from(kind) % KINDS.len() {
            0 => import::import_list_sub_customers(&mut desk, &opts, &pages),
            1 => import::import_budget(&mut desk, &opts, &customer, &page),
            2 => import::import_budgets(&mut desk, &opts, &pages),
            3 => import::import_budget_records(&mut desk, &opts, &customer, &pages),
            4 => import::import_on_demand_resources(&mut desk, &opts, &pages),
            5 => import::import_subscription_resources(&mut desk, &opts, &customer, &pages),
            6 => import::import_orders(&mut desk, &pages),
            7 => import::import_fee_records(&mut desk, cycle, &pages),
            8 => import::import_monthly_bills(&mut desk, cycle, &pages),
            _ => import::error_of(&page).map(|_| import::ImportReport::default()),
        };
        if result.is_err() {
            // Bad input changes nothing.
            return if desk == self.desk {
                Ok(())
            } else {
                Err("a refused import changed the desk".to_owned())
            };
        }
        exercise(&desk, &Query::all(), self.now)?;
        round_trips(&desk)
    }
}
