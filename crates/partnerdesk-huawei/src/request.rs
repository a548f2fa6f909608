//! Request bodies for the operations a host sends: freeze, unfreeze, set budget.
//!
//! Why from domain commands: the body of `FreezeSubCustomers` is built from the core's validated
//! [`FreezeRequest`] (1..=10 distinct ids, a definite scope, a reason of 1..=256 characters) and
//! the body of `UpdateSubCustomerBudget` from the core's [`BudgetSetting`] (amount in
//! (0, 2147483647] with at most 2 decimals, monthly or one-off). A command the domain refuses
//! cannot be constructed, so it can never become a request. The body functions add only what
//! the wire needs on top: the customer id of a budget and the optional reseller
//! (`indirect_partner_id`).
//!
//! Field by field:
//! - `freeze_type` / `unfreeze_type` are always sent (`ACCOUNT` or `ACCOUNT_AND_RESOURCE`):
//!   Huawei's default for a missing type is `ACCOUNT`, and saying it keeps the body explicit;
//! - `cancel_partner_frozen` is the string `"0"` or `"1"`, `frozen_operate_type` the integer
//!   `0` (manual freeze) or `1` (automatic freeze when the budget is used up), `budget_type`
//!   `MONTHLY` or `PACKAGE`, `budget_amount` a JSON number with the decimal's exact digits;
//! - `indirect_partner_id` is left out (absent) unless a reseller is given.

use crate::codes;
use crate::error::{HuaweiError, Result};
use crate::field::Field;
use crate::wire::{
    Amount, FreezeSubCustomersReq, ModSubCustomerBudgetReq, UnfreezeSubCustomersReq,
};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{CustomerId, ResellerId};

fn invalid(field: &str, reason: &str) -> HuaweiError {
    HuaweiError::Core(partnerdesk::Error::InvalidArgument {
        field: field.to_owned(),
        reason: reason.to_owned(),
    })
}

fn freeze_type(req: &FreezeRequest) -> Result<String> {
    codes::freeze_type(req.scope())
        .map(str::to_owned)
        .ok_or_else(|| invalid("scope", "must be account or account_and_resources"))
}

/// The `FreezeSubCustomers` body of a validated freeze command.
///
/// ```
/// use partnerdesk::{CustomerId, FreezeScope, freeze::FreezeRequest};
/// use partnerdesk_huawei::request::freeze_body;
/// let req = FreezeRequest::new(
///     vec![CustomerId::new("06ffbcd46880d3f30f62c001a49be460")?],
///     FreezeScope::AccountAndResources,
///     "Budget overrun pending review",
/// )?;
/// let body = serde_json::to_value(freeze_body(&req, None)?).map_err(partnerdesk::Error::from)?;
/// assert_eq!(body["freeze_type"], "ACCOUNT_AND_RESOURCE");
/// assert!(body.get("indirect_partner_id").is_none());
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn freeze_body(
    req: &FreezeRequest,
    reseller: Option<&ResellerId>,
) -> Result<FreezeSubCustomersReq> {
    Ok(FreezeSubCustomersReq {
        customer_ids: Field::Value(req.ids().iter().map(|i| i.to_string()).collect()),
        reason: Field::Value(req.reason().to_owned()),
        indirect_partner_id: reseller.map(|r| r.to_string()).into(),
        freeze_type: Field::Value(freeze_type(req)?),
    })
}

/// The `UnfreezeSubCustomers` body of a validated unfreeze command (the scope must be the one
/// the customers were frozen with; the domain checks that when it runs the command).
pub fn unfreeze_body(
    req: &FreezeRequest,
    reseller: Option<&ResellerId>,
) -> Result<UnfreezeSubCustomersReq> {
    // The same members as the freeze body; only the type's member is named after the command.
    let body = freeze_body(req, reseller)?;
    Ok(UnfreezeSubCustomersReq {
        customer_ids: body.customer_ids,
        reason: body.reason,
        indirect_partner_id: body.indirect_partner_id,
        unfreeze_type: body.freeze_type,
    })
}

/// The `UpdateSubCustomerBudget` body of a validated budget setting for one customer.
///
/// ```
/// use partnerdesk::{BudgetKind, Currency, CustomerId, Decimal, Money, budget::BudgetSetting};
/// use partnerdesk_huawei::request::budget_body;
/// let setting = BudgetSetting::new(Money::new(Decimal::new(15005, 1), Currency::USD), BudgetKind::Monthly, true, true)?;
/// let body = budget_body(&CustomerId::new("06ffbcd46880d3f30f62c001a49be460")?, &setting, None)?;
/// assert_eq!(
///     serde_json::to_string(&body).map_err(partnerdesk::Error::from)?,
///     r#"{"customer_id":"06ffbcd46880d3f30f62c001a49be460","budget_amount":1500.5,"cancel_partner_frozen":"1","budget_type":"MONTHLY","frozen_operate_type":1}"#,
/// );
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn budget_body(
    customer: &CustomerId,
    setting: &BudgetSetting,
    reseller: Option<&ResellerId>,
) -> Result<ModSubCustomerBudgetReq> {
    let budget_type = codes::budget_type(setting.kind())
        .ok_or_else(|| invalid("budget_type", "must be monthly or one_off"))?;
    Ok(ModSubCustomerBudgetReq {
        customer_id: Field::Value(customer.to_string()),
        budget_amount: Field::Value(Amount(setting.amount().amount.normalize())),
        cancel_partner_frozen: Field::Value(if setting.unfreeze() { "1" } else { "0" }.to_owned()),
        budget_type: Field::Value(budget_type.to_owned()),
        frozen_operate_type: Field::Value(i64::from(setting.auto_freeze())),
        indirect_partner_id: reseller.map(|r| r.to_string()).into(),
    })
}

/// The part of a freeze or unfreeze command the domain accepted: after
/// [`partnerdesk::Desk::freeze`] (or `unfreeze`) ran it with an outcome per customer, the
/// customers it refused (wrong association type, no permission, not frozen, ...) are left out,
/// so they never reach Huawei. `None` when it accepted none.
///
/// ```
/// use partnerdesk::command::{BatchOutcome, ItemOutcome};
/// use partnerdesk::{CustomerId, FreezeScope, freeze::FreezeRequest};
/// use partnerdesk_huawei::request::{accepted, freeze_json};
/// let a = CustomerId::new("a1")?;
/// let b = CustomerId::new("b2")?;
/// let req = FreezeRequest::new(vec![a.clone(), b.clone()], FreezeScope::Account, "overdue")?;
/// let outcome = BatchOutcome::from_items(vec![
///     ItemOutcome::new(a.clone(), Ok(())),
///     ItemOutcome::new(b, Err(partnerdesk::Error::WrongAssociationType { id: "b2".into() })),
/// ]);
/// let sent = accepted(&req, &outcome)?.ok_or(partnerdesk::Error::InvalidCursor)?;
/// assert_eq!(freeze_json(&sent, None)?["customer_ids"], serde_json::json!(["a1"]));
/// # Ok::<(), partnerdesk_huawei::HuaweiError>(())
/// ```
pub fn accepted(
    req: &FreezeRequest,
    outcome: &partnerdesk::command::BatchOutcome,
) -> Result<Option<FreezeRequest>> {
    let ids: Vec<CustomerId> = req
        .ids()
        .iter()
        .filter(|id| matches!(outcome.get(id), Some(Ok(()))))
        .cloned()
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    Ok(Some(FreezeRequest::new(
        ids,
        req.scope().clone(),
        req.reason(),
    )?))
}

/// [`freeze_body`] as a JSON value (for bindings).
pub fn freeze_json(
    req: &FreezeRequest,
    reseller: Option<&ResellerId>,
) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(freeze_body(req, reseller)?)?)
}

/// [`unfreeze_body`] as a JSON value (for bindings).
pub fn unfreeze_json(
    req: &FreezeRequest,
    reseller: Option<&ResellerId>,
) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(unfreeze_body(req, reseller)?)?)
}

/// [`budget_body`] as a JSON value (for bindings).
pub fn budget_json(
    customer: &CustomerId,
    setting: &BudgetSetting,
    reseller: Option<&ResellerId>,
) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(budget_body(
        customer, setting, reseller,
    )?)?)
}

/// Reads a freeze body back into the domain command, through the same validation (for hosts
/// that receive bodies, and for round-trip tests). Refuses what the domain refuses.
pub fn freeze_request_of(body: &FreezeSubCustomersReq) -> Result<FreezeRequest> {
    let ids = body
        .customer_ids
        .value()
        .ok_or_else(|| invalid("customer_ids", "missing"))?
        .iter()
        .map(CustomerId::new)
        .collect::<partnerdesk::Result<Vec<_>>>()?;
    let scope = match &body.freeze_type {
        // Huawei's default when the type is absent or null.
        Field::Absent | Field::Null => partnerdesk::FreezeScope::Account,
        Field::Value(t) => codes::scope_of_freeze_type(t),
    };
    let reason = body.reason.value().cloned().unwrap_or_default();
    Ok(FreezeRequest::new(ids, scope, reason)?)
}

/// Reads a budget body back into the customer and the domain setting, through the same
/// validation. The amount's currency is the caller's (the body has none).
pub fn budget_setting_of(
    body: &ModSubCustomerBudgetReq,
    currency: partnerdesk::Currency,
) -> Result<(CustomerId, BudgetSetting)> {
    let customer = CustomerId::new(
        body.customer_id
            .value()
            .ok_or_else(|| invalid("customer_id", "missing"))?,
    )?;
    let amount = body
        .budget_amount
        .value()
        .ok_or_else(|| invalid("budget_amount", "missing"))?
        .0;
    let kind = match &body.budget_type {
        Field::Absent | Field::Null => partnerdesk::BudgetKind::Monthly,
        Field::Value(t) => codes::budget_kind(t),
    };
    let unfreeze = match body.cancel_partner_frozen.value().map(String::as_str) {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(invalid("cancel_partner_frozen", "must be \"0\" or \"1\"")),
    };
    let auto_freeze = match body.frozen_operate_type.value() {
        None | Some(0) => false,
        Some(1) => true,
        Some(_) => return Err(invalid("frozen_operate_type", "must be 0 or 1")),
    };
    let setting = BudgetSetting::new(
        partnerdesk::Money::new(amount, currency),
        kind,
        auto_freeze,
        unfreeze,
    )?;
    Ok((customer, setting))
}
