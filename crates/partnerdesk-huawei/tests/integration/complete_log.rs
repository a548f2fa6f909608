//! Imports are events too: each import writes one `customers_upserted` event holding all its
//! customers (and the operators it made), and the complete log of random imports replays onto
//! the snapshot of the empty starting desk to the live desk.

use crate::common::{TestResult, desk, now};
use chrono::Duration;
use partnerdesk::Site;
use partnerdesk::event::EventKind;
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::import::{ImportOptions, import_list_sub_customers};
use proptest::prelude::*;

const PAGES: &[&str] = &[
    fixtures::LIST_SUB_CUSTOMERS_INTL,
    fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE1,
    fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE2,
    fixtures::LIST_SUB_CUSTOMERS_INTL_ALL_CODES,
];

#[test]
fn an_import_of_two_pages_is_one_event() -> TestResult {
    let mut d = desk(Site::International)?;
    let before = d.mark();
    let r = import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[
            fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE1,
            fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE2,
        ],
    )?;
    let added = d.events_since(before.events);
    assert_eq!(added.len(), 1);
    let EventKind::CustomersUpserted {
        operators,
        customers,
    } = &added[0].kind
    else {
        return Err(format!("not a batch: {}", added[0].kind.code()).into());
    };
    assert_eq!(customers.len(), r.added.len() + r.updated.len());
    assert_eq!(
        operators.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        r.operators_added
    );
    assert_eq!(
        added[0].to_string().split(' ').next_back(),
        Some(format!("operators:{}", r.operators_added.len()).as_str())
    );
    // A refused import writes nothing.
    let mark = d.mark();
    let bad = import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::LIST_SUB_CUSTOMERS_MISSING_ID],
    );
    assert!(bad.is_err());
    assert_eq!(d.mark(), mark);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn random_imports_replay_to_the_same_desk(
        imports in prop::collection::vec((prop::collection::vec(0usize..PAGES.len(), 1..4), 0u16..500), 1..8),
    ) {
        let fail = |e: String| TestCaseError::fail(e);
        let mut d = desk(Site::International).map_err(|e| fail(e.to_string()))?;
        let start = d.to_snapshot_json().map_err(|e| fail(e.to_string()))?;
        let mut at = now();
        for (pages, hours) in imports {
            at += Duration::hours(i64::from(hours));
            let pages: Vec<&str> = pages.iter().map(|i| PAGES[*i]).collect();
            let before = d.mark();
            let r = import_list_sub_customers(&mut d, &ImportOptions::at(at), &pages);
            let written = d.mark().events - before.events;
            match r {
                Ok(r) => prop_assert_eq!(written, u64::from(r.added.len() + r.updated.len() > 0)),
                Err(_) => prop_assert_eq!(written, 0),
            }
        }
        let again = partnerdesk::Desk::replay(&start, d.events().iter().cloned())
            .map_err(|e| fail(e.to_string()))?;
        prop_assert!(again == d, "the replayed desk differs");
        prop_assert_eq!(again.mark(), d.mark());
    }
}
