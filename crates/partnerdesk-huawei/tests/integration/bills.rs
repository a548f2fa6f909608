//! Bills into spend: fee records and monthly sums, charging modes 1/3/10/11, exact sums.

use crate::common::{TestResult, desk, id, now};
use partnerdesk::{ChargingMode, Decimal, Desk, Site, YearMonth};
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::import::{
    ImportOptions, import_fee_records, import_list_sub_customers, import_monthly_bills,
};
use std::str::FromStr;

const RS: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const REF: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn cn_desk() -> Result<Desk, Box<dyn std::error::Error>> {
    let mut d = desk(Site::China)?;
    import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::LIST_SUB_CUSTOMERS_CN],
    )?;
    Ok(d)
}

fn dec(s: &str) -> Result<Decimal, rust_decimal::Error> {
    Decimal::from_str(s)
}

#[test]
fn fee_records_merge_pages_once_and_sum_exactly() -> TestResult {
    let mut d = cn_desk()?;
    let march = YearMonth::new(2025, 3)?;
    let r = import_fee_records(
        &mut d,
        march,
        &[
            fixtures::BILLS_FEE_RECORDS_PAGE1,
            fixtures::BILLS_FEE_RECORDS_PAGE2,
        ],
    )?;
    assert_eq!(r.reported_total, Some(7));
    assert_eq!(r.items, 8, "fee-4 is on both pages");
    let c = d.customer(&id(RS)?)?;
    // 1500.5 + 0.1 + 0.2 + 12345678901234.56 + 7.25 - 0.3, exactly (no float on the way).
    assert_eq!(c.month_spend(march), dec("12345678902742.31")?);
    // 0.1 + 0.2 and a refund of 0.3 without a time (dated the cycle's first day) sum to
    // exactly zero on the same day, service and mode (in binary floating point they would not).
    let day1: Vec<_> = c
        .spend
        .iter()
        .filter(|s| s.day.to_string() == "2025-03-01")
        .collect();
    assert!(
        day1.iter()
            .any(|s| s.mode == ChargingMode::PayPerUse && s.amount.amount.is_zero())
    );
    assert!(day1.iter().any(|s| s.mode == ChargingMode::YearlyMonthly
        && s.amount.amount == dec("1500.5").unwrap_or_default()));
    let modes: std::collections::BTreeSet<_> = c.spend.iter().map(|s| s.mode.clone()).collect();
    assert_eq!(modes.len(), 4, "1, 3, 10 and 11: {modes:?}");
    // 2025-03-31T20:00Z is April 1st in UTC+8 billing time, kept inside the March cycle.
    assert!(
        c.spend
            .iter()
            .any(|s| s.mode == ChargingMode::SavingsPlan && s.day.to_string() == "2025-03-31")
    );
    // No payment_amount (null): official 10 - discount 2.5.
    assert_eq!(d.customer(&id(REF)?)?.month_spend(march), dec("7.5")?);

    // The same import again replaces, never doubles.
    import_fee_records(
        &mut d,
        march,
        &[
            fixtures::BILLS_FEE_RECORDS_PAGE1,
            fixtures::BILLS_FEE_RECORDS_PAGE2,
        ],
    )?;
    assert_eq!(
        d.customer(&id(RS)?)?.month_spend(march),
        dec("12345678902742.31")?
    );
    // Month-to-date (the desk's index) agrees.
    let q = partnerdesk::query::Query::parse("mtd>=12345678902742.31")?;
    assert_eq!(d.count(&q, now()), 1);
    Ok(())
}

#[test]
fn monthly_sums_every_mode_and_measure() -> TestResult {
    let mut d = cn_desk()?;
    let march = YearMonth::new(2025, 3)?;
    let r = import_monthly_bills(&mut d, march, &[fixtures::BILLS_MONTHLY])?;
    assert_eq!(r.items, 14);
    let c = d.customer(&id(RS)?)?;
    let by_mode = |m: ChargingMode, product: &str| -> Decimal {
        c.spend
            .iter()
            .filter(|s| s.mode == m && s.product == product)
            .map(|s| s.amount.amount)
            .sum()
    };
    let ec2 = "hws.service.type.ec2";
    assert_eq!(
        by_mode(ChargingMode::YearlyMonthly, ec2),
        dec("1400.5")?,
        "1500.5 - 100 unsubscribed"
    );
    assert_eq!(
        by_mode(ChargingMode::PayPerUse, ec2),
        dec("0.05")?,
        "0.1 - 0.05 written off"
    );
    assert_eq!(by_mode(ChargingMode::ReservedInstance, ec2), dec("200")?);
    assert_eq!(by_mode(ChargingMode::SavingsPlan, ec2), dec("300.25")?);
    assert_eq!(
        by_mode(ChargingMode::PayPerUse, "hws.service.type.obs"),
        dec("123.45")?,
        "measure 3: fen"
    );
    assert_eq!(
        by_mode(ChargingMode::Other("99".into()), "hws.service.type.new"),
        dec("1")?,
        "unknown mode kept"
    );
    assert!(c.spend.iter().all(|s| s.day == march.first_day()));
    // Monthly sums replace fee records of the same cycle.
    import_fee_records(&mut d, march, &[fixtures::BILLS_FEE_RECORDS_PAGE1])?;
    import_monthly_bills(&mut d, march, &[fixtures::BILLS_MONTHLY])?;
    assert_eq!(d.customer(&id(RS)?)?.month_spend(march), dec("2025.25")?);
    Ok(())
}

#[test]
fn bills_for_unknown_customers_are_warned_about() -> TestResult {
    let mut d = cn_desk()?;
    let json = r#"{"count":1,"currency":"CNY","bill_sums":[{"customer_id":"deadbeefdeadbeefdeadbeefdeadbeef","cloud_service_type":"x","charge_mode":"1","amount":1,"measure_id":1}]}"#;
    let r = import_monthly_bills(&mut d, YearMonth::new(2025, 3)?, &[json])?;
    assert_eq!((r.spend_records, r.warnings.len()), (0, 1));
    let bad_cycle = r#"{"total_count":1,"fee_records":[{"id":"f","bill_cycle":"March","customer_id":"9f8e7d6c5b4a39281706f5e4d3c2b1a0","charging_mode":1,"payment_amount":1}]}"#;
    let e = import_fee_records(&mut d, YearMonth::new(2025, 3)?, &[bad_cycle])
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_INVALID_DATA");
    Ok(())
}

/// A list price less its discount that no decimal holds (the largest list price and a
/// negative discount, no payment amount) is bad data, refused as such with nothing imported;
/// it used to panic on the subtraction.
#[test]
fn a_list_price_less_discount_out_of_range_is_invalid_data_not_a_panic() -> TestResult {
    let mut d = cn_desk()?;
    let before = d.to_snapshot_json()?;
    let record = |official: &str, discount: &str| {
        format!(
            r#"{{"total_count":1,"currency":"CNY","fee_records":[{{"id":"f","bill_cycle":"2025-03","customer_id":"{RS}","charging_mode":1,"official_amount":{official},"official_discount_amount":{discount}}}]}}"#
        )
    };
    let largest = "79228162514264337593543950335";
    let e = import_fee_records(&mut d, YearMonth::new(2025, 3)?, &[&record(largest, "-1")])
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_INVALID_DATA");
    assert!(e.to_string().contains("official_amount"), "{e}");
    assert_eq!(d.to_snapshot_json()?, before);
    // A list price less its discount in range is imported.
    let r = import_fee_records(&mut d, YearMonth::new(2025, 3)?, &[&record("100.5", "0.5")])?;
    assert_eq!(r.items, 1);
    Ok(())
}
