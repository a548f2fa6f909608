//! Budgets: show, batch list, records; exact amounts; refusals.

use crate::common::{TestResult, desk, id, nid, now};
use partnerdesk::budget::BudgetOperation;
use partnerdesk::{BudgetKind, Currency, Decimal, Desk, Site};
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::import::{
    ImportOptions, import_budget, import_budget_records, import_budgets, import_list_sub_customers,
};
use std::str::FromStr;

fn intl_desk() -> Result<Desk, Box<dyn std::error::Error>> {
    let mut d = desk(Site::International)?;
    import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[
            fixtures::LIST_SUB_CUSTOMERS_INTL,
            fixtures::LIST_SUB_CUSTOMERS_INTL_ALL_CODES,
        ],
    )?;
    Ok(d)
}

fn dec(s: &str) -> Result<Decimal, rust_decimal::Error> {
    Decimal::from_str(s)
}

#[test]
fn show_budget_is_exact() -> TestResult {
    let mut d = intl_desk()?;
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    let r = import_budget(
        &mut d,
        &ImportOptions::at(now()),
        &cid,
        fixtures::BUDGET_SHOW,
    )?;
    assert_eq!(r.budgets_set, 1);
    assert_eq!(r.huawei_budget_used.len(), 1);
    assert_eq!(r.huawei_budget_used[0].1.amount, dec("230.12")?);
    let b = d.customer(&cid)?.budget.clone().ok_or("budget")?;
    assert_eq!(b.amount.amount, dec("1500.5")?);
    assert_eq!(b.amount.amount.to_string(), "1500.5");
    assert_eq!(b.amount.currency, Currency::USD);
    assert_eq!(b.kind, BudgetKind::Monthly);
    assert_eq!(
        (b.set_at, b.set_by.as_str(), b.auto_freeze),
        (now(), "system", false)
    );
    // A second import of the same budget keeps when it was set.
    import_budget(
        &mut d,
        &ImportOptions::at(now() + chrono::Duration::days(3)),
        &cid,
        fixtures::BUDGET_SHOW,
    )?;
    assert_eq!(
        d.customer(&cid)?.budget.as_ref().map(|b| b.set_at),
        Some(now())
    );
    // null amount: no budget any more.
    let r = import_budget(
        &mut d,
        &ImportOptions::at(now()),
        &cid,
        fixtures::BUDGET_SHOW_NONE,
    )?;
    assert_eq!(r.budgets_removed, 1);
    assert!(d.customer(&cid)?.budget.is_none());
    Ok(())
}

#[test]
fn batch_budgets_every_type_and_unknown_customers() -> TestResult {
    let mut d = intl_desk()?;
    let r = import_budgets(&mut d, &ImportOptions::at(now()), &[fixtures::BUDGET_LIST])?;
    assert_eq!(r.items, 5);
    let b = |n: &partnerdesk::CustomerId| d.customer(n).ok().and_then(|c| c.budget.clone());
    let main = b(&id("06ffbcd46880d3f30f62c001a49be460")?).ok_or("budget")?;
    assert_eq!(
        (main.amount.amount, main.kind),
        (dec("2000")?, BudgetKind::Monthly)
    );
    let package = b(&nid(0x1002)?).ok_or("budget")?;
    assert_eq!(
        (package.amount.amount, package.kind),
        (dec("0.1")?, BudgetKind::OneOff)
    );
    // 0x1003 is held as association "2" (unknown on intl), so not reseller-model: left out.
    assert!(b(&nid(0x1003)?).is_none());
    // 0x1001 is a referral customer: left out with a warning.
    assert!(b(&nid(0x1001)?).is_none());
    assert_eq!(r.budgets_set, 2);
    let fields: Vec<&str> = r.warnings.iter().map(|w| w.reason.as_str()).collect();
    assert_eq!(fields.len(), 3, "{fields:?}");
    let ghost = id("deadbeefdeadbeefdeadbeefdeadbeef")?;
    assert!(
        r.warnings
            .iter()
            .any(|w| w.customer.as_ref() == Some(&ghost))
    );
    Ok(())
}

#[test]
fn unknown_budget_type_is_kept() -> TestResult {
    let mut d = intl_desk()?;
    let cid = nid(0x1002)?;
    let json = r#"{"measure_id":1,"currency":"USD","budget_infos":[{"customer_id":"00000000000000000000000000001002","budget_amount":5,"budget_type":"QUARTERLY"}]}"#;
    import_budgets(&mut d, &ImportOptions::at(now()), &[json])?;
    assert_eq!(
        d.customer(&cid)?.budget.as_ref().map(|b| b.kind.clone()),
        Some(BudgetKind::Other("QUARTERLY".into()))
    );
    Ok(())
}

#[test]
fn records_set_who_and_when_and_delete_removes() -> TestResult {
    let mut d = intl_desk()?;
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    let r = import_budget_records(
        &mut d,
        &ImportOptions::at(now()),
        &cid,
        &[fixtures::BUDGET_RECORDS],
    )?;
    assert_eq!(r.reported_total, Some(2));
    assert_eq!(r.budget_records.len(), 2);
    assert_eq!(r.budget_records[0].amount.amount, dec("1000")?);
    assert_eq!(r.budget_records[1].amount.amount, dec("1500.5")?);
    assert_eq!(r.budget_records[1].operator, "ops_wang");
    assert_eq!(r.budget_records[1].operation, BudgetOperation::Setting);
    let b = d.customer(&cid)?.budget.clone().ok_or("budget")?;
    assert_eq!(b.amount.amount, dec("1500.5")?);
    assert_eq!(b.set_by, "ops_wang");
    assert_eq!(b.set_at.to_rfc3339(), "2025-03-01T03:00:00+00:00");

    let r = import_budget_records(
        &mut d,
        &ImportOptions::at(now()),
        &cid,
        &[fixtures::BUDGET_RECORDS_DELETE],
    )?;
    assert_eq!(
        r.budget_records.last().map(|x| x.operation.clone()),
        Some(BudgetOperation::Delete)
    );
    assert_eq!(r.budgets_removed, 1);
    assert!(d.customer(&cid)?.budget.is_none());
    Ok(())
}

#[test]
fn refusals_change_nothing() -> TestResult {
    let mut d = intl_desk()?;
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    import_budget(
        &mut d,
        &ImportOptions::at(now()),
        &cid,
        fixtures::BUDGET_SHOW,
    )?;
    let before = d.customer(&cid)?.clone();
    let opts = ImportOptions::at(now());
    let e = import_budget(&mut d, &opts, &cid, fixtures::BUDGET_SHOW_TOO_LARGE)
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_INVALID_DATA");
    let e = import_budget(&mut d, &opts, &cid, fixtures::BUDGET_SHOW_CNY)
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "CURRENCY_MISMATCH");
    let e = import_budget(&mut d, &opts, &cid, fixtures::ERROR_THROTTLED)
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_API_ERROR");
    let e = import_budget(&mut d, &opts, &nid(0xabc)?, fixtures::BUDGET_SHOW)?;
    assert_eq!(e.budgets_set, 0);
    assert_eq!(e.warnings.len(), 1, "unknown customer warned about");
    assert_eq!(d.customer(&cid)?, &before);
    Ok(())
}
