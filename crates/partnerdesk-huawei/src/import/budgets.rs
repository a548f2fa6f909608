//! Budgets: `ShowSubCustomerBudget`, `ListSubCustomerBudget` and the budget records.

use super::commit::Working;
use super::read::{customer_id, each_item, money, need, parse_response, read, required_time, text};
use super::{ImportOptions, ImportReport, SYSTEM};
use crate::codes;
use crate::error::{HuaweiError, Result};
use crate::field::Field;
use crate::wire::{self, Amount};
use partnerdesk::budget::{BudgetOperation, BudgetRecord};
use partnerdesk::{Budget, BudgetKind, Customer, CustomerId, Desk, Money};
use rust_decimal::Decimal;

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
        report.warn(
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
        Some(b) => Box::new(Budget {
            kind,
            amount,
            set_at: options.now,
            ..*b
        }),
        None => Box::new(Budget {
            kind,
            amount,
            set_at: options.now,
            set_by: SYSTEM.to_owned(),
            auto_freeze: false,
            thresholds: partnerdesk::budget::default_thresholds(),
        }),
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
    let scale = |a: &Amount, path: &str| money(a.0, &r.measure_id, &r.currency, currency, path);
    let amount = r.budget_amount.value().map(|a| scale(a, "budget_amount"));
    let amount = amount.transpose()?;
    if let Some(u) = r.used_amount.value() {
        report
            .huawei_budget_used
            .push((customer.clone(), scale(u, "used_amount")?));
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
    let (parsed, mut report) = read::<wire::ListSubCustomerBudgetResponse>(json_pages)?;
    let currency = desk.partner().currency;
    let mut work = Working::new();
    each_item(&parsed, &mut report, |page, b, path, report| {
        let id = customer_id(&b.customer_id, path)?;
        let scale = |a: &Amount| money(a.0, &page.measure_id, &page.currency, currency, path);
        let amount = b.budget_amount.value().map(&scale).transpose()?;
        if let Some(u) = b.used_amount.value() {
            report.huawei_budget_used.push((id.clone(), scale(u)?));
        }
        if let Some(c) = work.get(desk, &id, path, report) {
            apply_budget(c, amount, &b.budget_type, options, path, report)?;
        }
        Ok(())
    })?;
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
    let (parsed, mut report) = read::<wire::ListSubCustomerBudgetRecordsResponse>(json_pages)?;
    let currency = desk.partner().currency;
    let mut records = Vec::new();
    each_item(&parsed, &mut report, |page, r, path, _| {
        let amount = need(&r.budget_amount, path, "budget_amount")?.0;
        records.push(BudgetRecord::new(
            customer.clone(),
            match text(&r.operation_type) {
                Some("SETTING") => BudgetOperation::Setting,
                Some("DELETE") => BudgetOperation::Delete,
                other => BudgetOperation::Other(other.unwrap_or("").to_owned()),
            },
            money(amount, &page.measure_id, &page.currency, currency, path)?,
            codes::budget_kind(text(&r.budget_type).unwrap_or("MONTHLY")),
            required_time(&r.operation_time, path, "operation_time")?,
            text(&r.operator).unwrap_or(SYSTEM),
        ));
        Ok(())
    })?;
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
