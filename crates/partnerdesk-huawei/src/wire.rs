//! Wire structs: the JSON bodies of the Huawei partner APIs, field for field.
//!
//! Why separate structs: the core speaks of [`partnerdesk::AssociationType`] and [`Decimal`]; the
//! wire speaks of `"1"`/`"2"`/`"3"`, integers that are sometimes strings and amounts that are JSON
//! numbers. These structs mirror the official SDK models (`huaweicloudsdkbss`,
//! `huaweicloudsdkbssintl`, release 3.1.211) with the exact JSON member names, so a body we build
//! loads into the SDK's model and a response the SDK serializes loads here. Translation to the
//! domain happens in [`crate::import`], [`crate::request`] and [`crate::response`], never here.
//!
//! Conventions:
//! - every member is a [`Field`] (absent, `null` or a value), so nothing the API distinguishes is
//!   lost, and unknown members are ignored;
//! - codes are [`Code`]: the SDK types some as integers (`customer_type`, `is_frozen`, `status`)
//!   and some as strings (`association_type`, `verified_status`); `Code` accepts both and keeps the
//!   text, so an unknown code survives;
//! - amounts are [`Amount`]: parsed from the JSON number's own text (serde_json's
//!   `arbitrary_precision`), never through a float, so `0.1` is exactly `0.1`.

use crate::field::Field;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An exact decimal amount on the wire: a JSON number (or a numeric string), kept exactly.
///
/// ```
/// use partnerdesk_huawei::wire::Amount;
/// let a: Amount = serde_json::from_str("12345678901234.56")?;
/// assert_eq!(a.0.to_string(), "12345678901234.56");
/// assert_eq!(serde_json::to_string(&a)?, "12345678901234.56");
/// let tenth: Amount = serde_json::from_str("0.1")?;
/// assert_eq!(tenth.0, rust_decimal::Decimal::new(1, 1));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount(pub Decimal);

fn decimal_from_text(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()
    } else {
        Decimal::from_str_exact(t).ok()
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => decimal_from_text(n.as_str())
                .map(Amount)
                .ok_or_else(|| D::Error::custom("amount out of decimal range")),
            serde_json::Value::String(s) => decimal_from_text(&s)
                .map(Amount)
                .ok_or_else(|| D::Error::custom("amount is not a decimal number")),
            _ => Err(D::Error::custom("expected an amount")),
        }
    }
}

impl Serialize for Amount {
    /// Writes a JSON number with the decimal's exact digits.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_json::Number::from_string_unchecked(self.0.to_string()).serialize(s)
    }
}

/// An enumeration code on the wire, as text: `"1"`, `"V2"`, `-1`, `"ACCOUNT"`.
///
/// Accepts a JSON string or number; serializes back as the type it came as (an integer code
/// stays an integer), so a round trip is faithful.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A code that travelled as a JSON string.
    Text(String),
    /// A code that travelled as a JSON integer.
    Int(i64),
}

impl Code {
    /// The code as text (`-1`, `"2"`, `"V0"`).
    pub fn text(&self) -> String {
        match self {
            Code::Text(s) => s.clone(),
            Code::Int(i) => i.to_string(),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Text(s) => f.write_str(s),
            Code::Int(i) => write!(f, "{i}"),
        }
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Code::Text(s)),
            serde_json::Value::Number(n) => match n.as_str().parse::<i64>() {
                Ok(i) => Ok(Code::Int(i)),
                // A fractional or huge code: keep its text.
                Err(_) => Ok(Code::Text(n.as_str().to_owned())),
            },
            serde_json::Value::Bool(b) => Ok(Code::Text(b.to_string())),
            _ => Err(D::Error::custom("expected a code (string or number)")),
        }
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Code::Text(t) => s.serialize_str(t),
            Code::Int(i) => s.serialize_i64(*i),
        }
    }
}

macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Field::is_absent")]
                pub $field: Field<$ty>,
            )*
        }
    };
}

// ---- errors shared by every API ---------------------------------------------------------------

wire_struct! {
    /// The error envelope every partner API may answer with: `{"error_code", "error_msg"}`.
    pub struct ErrorEnvelope {
        /// `CBC.xxxx`.
        error_code: String,
        /// Huawei's text.
        error_msg: String,
    }
}

wire_struct! {
    /// One failed item of a batch operation (SDK `CustomerErrorDetail`).
    pub struct CustomerErrorDetail {
        /// `CBC.xxxx`.
        error_code: String,
        /// Huawei's text.
        error_msg: String,
        /// The customer id that failed.
        id: String,
    }
}

wire_struct! {
    /// Response of `FreezeSubCustomers` and `UnfreezeSubCustomers`: empty on success, an error on
    /// total failure, `error_details` on partial failure (HTTP 200).
    pub struct BatchOperationResponse {
        /// Present on total failure.
        error_code: String,
        /// Present on total failure.
        error_msg: String,
        /// Present on partial failure.
        error_details: Vec<CustomerErrorDetail>,
    }
}

// ---- ListSubCustomers ---------------------------------------------------------------------------

wire_struct! {
    /// Request body of `ListSubCustomers` (SDK `QuerySubCustomerListReq`).
    pub struct QuerySubCustomerListReq {
        /// Login name, fuzzy.
        account_name: String,
        /// Real-name verified name, fuzzy.
        customer: String,
        /// Record offset, 0..=40,000,000.
        offset: i64,
        /// Page size, at most 100.
        limit: i64,
        /// Customer tag, fuzzy, case-sensitive.
        label: String,
        /// Site code of the association type.
        association_type: String,
        /// Association time window start (UTC, `YYYY-MM-DDThh:mm:ssZ`).
        associated_on_begin: String,
        /// Association time window end.
        associated_on_end: String,
        /// Exact customer id.
        customer_id: String,
        /// Reseller whose customers a distributor lists.
        indirect_partner_id: String,
    }
}

wire_struct! {
    /// An account manager of a customer (login name only).
    pub struct AccountManager {
        /// The manager's login name.
        account_name: String,
    }
}

wire_struct! {
    /// One customer of `ListSubCustomers` (SDK `CustomerInformation`).
    pub struct CustomerInformation {
        /// Real-name verified name.
        customer: String,
        /// Login name.
        account_name: String,
        /// Domain id.
        customer_id: String,
        /// Association time (UTC).
        associated_on: String,
        /// Site code of the association type.
        association_type: Code,
        /// The single free-text tag.
        label: String,
        /// Phone number.
        telephone: String,
        /// Real-name status `-1`/`0`/`1`/`2`/`3`.
        verified_status: Code,
        /// Phone country prefix, e.g. `0086`.
        country_code: String,
        /// `-1`/`0`/`1` (an integer).
        customer_type: Code,
        /// China `0`/`1`/`2`, international `0`/`1` (an integer).
        is_frozen: Code,
        /// At most one manager.
        account_managers: Vec<AccountManager>,
        /// The partner's own id for the customer.
        xaccount_id: String,
        /// The partner's platform identifier.
        xaccount_type: String,
        /// `V0`..`V5`.
        customer_level: String,
        /// E-mail.
        email: String,
    }
}

wire_struct! {
    /// Response of `ListSubCustomers`.
    pub struct ListSubCustomersResponse {
        /// Total matches.
        count: i64,
        /// This page.
        customer_infos: Vec<CustomerInformation>,
    }
}

// ---- freeze, unfreeze ----------------------------------------------------------------------------

wire_struct! {
    /// Request body of `FreezeSubCustomers` (SDK `FreezeSubCustomersReq`).
    pub struct FreezeSubCustomersReq {
        /// At most 10 customer ids.
        customer_ids: Vec<String>,
        /// 1..=256 characters.
        reason: String,
        /// Reseller whose customers a distributor acts on.
        indirect_partner_id: String,
        /// `ACCOUNT` or `ACCOUNT_AND_RESOURCE`.
        freeze_type: String,
    }
}

wire_struct! {
    /// Request body of `UnfreezeSubCustomers` (SDK `UnfreezeSubCustomersReq`).
    pub struct UnfreezeSubCustomersReq {
        /// At most 10 customer ids.
        customer_ids: Vec<String>,
        /// 1..=256 characters.
        reason: String,
        /// Reseller whose customers a distributor acts on.
        indirect_partner_id: String,
        /// `ACCOUNT` or `ACCOUNT_AND_RESOURCE`; must equal the freeze type.
        unfreeze_type: String,
    }
}

// ---- budgets ---------------------------------------------------------------------------------------

wire_struct! {
    /// Request body of `UpdateSubCustomerBudget` (SDK `ModSubCustomerBudgetReq`).
    pub struct ModSubCustomerBudgetReq {
        /// The customer.
        customer_id: String,
        /// Target amount in (0, 2147483647], 2 decimals.
        budget_amount: Amount,
        /// `"0"` or `"1"` (also unfreeze).
        cancel_partner_frozen: String,
        /// `MONTHLY` or `PACKAGE`.
        budget_type: String,
        /// `0` manual freeze, `1` automatic freeze on overrun.
        frozen_operate_type: i64,
        /// Reseller whose customer a distributor acts on.
        indirect_partner_id: String,
    }
}

wire_struct! {
    /// Response of `ShowSubCustomerBudget`.
    pub struct ShowSubCustomerBudgetResponse {
        /// The budget.
        budget_amount: Amount,
        /// Used so far (delayed, approximate).
        used_amount: Amount,
        /// `1` = unit.
        measure_id: Code,
        /// `USD` on the international site.
        currency: String,
        /// `MONTHLY` or `PACKAGE`.
        budget_type: String,
    }
}

wire_struct! {
    /// One customer's budget in `ListSubCustomerBudget`.
    pub struct BudgetInfo {
        /// The customer.
        customer_id: String,
        /// The budget.
        budget_amount: Amount,
        /// Used so far (delayed, approximate).
        used_amount: Amount,
        /// `MONTHLY` or `PACKAGE`.
        budget_type: String,
    }
}

wire_struct! {
    /// Response of `ListSubCustomerBudget`.
    pub struct ListSubCustomerBudgetResponse {
        /// `1` = unit.
        measure_id: Code,
        /// Currency.
        currency: String,
        /// Budgets.
        budget_infos: Vec<BudgetInfo>,
    }
}

wire_struct! {
    /// One budget record (SDK `BudgetRecordInfo`).
    pub struct BudgetRecordInfo {
        /// The amount set.
        budget_amount: Amount,
        /// `SETTING` or `DELETE`.
        operation_type: String,
        /// When (UTC).
        operation_time: String,
        /// Operator login, or `system`.
        operator: String,
        /// `MONTHLY` or `PACKAGE`.
        budget_type: String,
        /// Partner company name.
        partner_corp_name: String,
        /// Partner account name.
        partner_account_name: String,
    }
}

wire_struct! {
    /// Response of `ListSubCustomerBudgetRecords`.
    pub struct ListSubCustomerBudgetRecordsResponse {
        /// Total records.
        total_count: i64,
        /// `1` = unit.
        measure_id: Code,
        /// Currency.
        currency: String,
        /// Records.
        record_list: Vec<BudgetRecordInfo>,
    }
}

// ---- resources ---------------------------------------------------------------------------------------

wire_struct! {
    /// A pay-per-use resource (SDK `CustomerOnDemandResource`).
    pub struct CustomerOnDemandResource {
        /// The customer.
        customer_id: String,
        /// Region.
        region_code: String,
        /// Availability zone.
        availability_zone_code: String,
        /// Cloud service type code.
        service_type_code: String,
        /// Cloud service type name.
        service_type_name: String,
        /// Resource type code.
        resource_type_code: String,
        /// Resource type name.
        resource_type_name: String,
        /// Resource id.
        resource_id: String,
        /// Resource name.
        resource_name: String,
        /// Effective from (UTC).
        effective_time: String,
        /// Expires at (UTC).
        expire_time: String,
        /// `1` normal .. `6` closed.
        status: Code,
        /// Spec code.
        resource_spec_code: String,
        /// JSON text.
        resource_info: String,
        /// Spec description.
        product_spec_desc: String,
    }
}

wire_struct! {
    /// Response of `ListCustomerOnDemandResources`.
    pub struct ListCustomerOnDemandResourcesResponse {
        /// Total.
        total_count: i64,
        /// Resources.
        resources: Vec<CustomerOnDemandResource>,
    }
}

wire_struct! {
    /// A yearly/monthly resource (SDK `OrderInstanceV2`).
    pub struct OrderInstanceV2 {
        /// Internal id.
        id: String,
        /// Resource id.
        resource_id: String,
        /// Resource name.
        resource_name: String,
        /// Region.
        region_code: String,
        /// Cloud service type code.
        service_type_code: String,
        /// Cloud service type name.
        service_type_name: String,
        /// Resource type code.
        resource_type_code: String,
        /// Resource type name.
        resource_type_name: String,
        /// Spec code.
        resource_spec_code: String,
        /// Project.
        project_id: String,
        /// Product.
        product_id: String,
        /// Parent resource.
        parent_resource_id: String,
        /// `0`/`1`.
        is_main_resource: Code,
        /// `2` in use, `3` closed, `4` frozen, `5` expired.
        status: Code,
        /// Effective from (UTC).
        effective_time: String,
        /// Expires at (UTC).
        expire_time: String,
        /// `0`..`5`.
        expire_policy: Code,
        /// Spec description.
        product_spec_desc: String,
        /// Size.
        spec_size: Amount,
        /// Size unit.
        spec_size_measure_id: Code,
        /// Last update (UTC).
        update_time: String,
    }
}

wire_struct! {
    /// Response of `ListPayPerUseCustomerResources` (yearly/monthly resources).
    pub struct ListPayPerUseCustomerResourcesResponse {
        /// Total.
        total_count: i64,
        /// Resources.
        data: Vec<OrderInstanceV2>,
    }
}

// ---- orders ---------------------------------------------------------------------------------------------

wire_struct! {
    /// An order (SDK `CustomerOrderV2`).
    pub struct CustomerOrderV2 {
        /// Order id.
        order_id: String,
        /// The customer.
        customer_id: String,
        /// Cloud service type code.
        service_type_code: String,
        /// Cloud service type name.
        service_type_name: String,
        /// `1` customer, `2` agent, ...
        source_type: Code,
        /// Order status.
        status: Code,
        /// Order type.
        order_type: Code,
        /// Amount after discount.
        amount_after_discount: Amount,
        /// List price.
        official_amount: Amount,
        /// `1` unit, `2` tenth, `3` hundredth.
        measure_id: Code,
        /// Currency.
        currency: String,
        /// Created (UTC).
        create_time: String,
        /// Paid (UTC).
        payment_time: String,
        /// Contract.
        contract_id: String,
    }
}

wire_struct! {
    /// Response of `ListCustomerOrders`.
    pub struct ListCustomerOrdersResponse {
        /// Total.
        total_count: i64,
        /// Orders.
        order_infos: Vec<CustomerOrderV2>,
    }
}

// ---- bills ---------------------------------------------------------------------------------------------

wire_struct! {
    /// A monthly sum per service of a customer (SDK `BillSumInfoV2`).
    pub struct BillSumInfoV2 {
        /// The customer.
        customer_id: String,
        /// Cloud service type code.
        cloud_service_type: String,
        /// Cloud service type name.
        cloud_service_type_name: String,
        /// Resource type code.
        resource_type_code: String,
        /// Resource type name.
        resource_type_name: String,
        /// `0` consumption, `1` unsubscription, `2` write-off.
        bill_type: Code,
        /// `1`, `3`, `10`, `11`.
        charge_mode: Code,
        /// Amount (negative for bill types 1 and 2).
        amount: Amount,
        /// Debt.
        debt_amount: Amount,
        /// Adjustment.
        adjustment_amount: Amount,
        /// Discount.
        discount_amount: Amount,
        /// `1` unit, `2` tenth, `3` hundredth.
        measure_id: Code,
    }
}

wire_struct! {
    /// Response of `ListSubcustomerMonthlyBills`.
    pub struct ListSubcustomerMonthlyBillsResponse {
        /// Total.
        count: i64,
        /// Currency.
        currency: String,
        /// Sums.
        bill_sums: Vec<BillSumInfoV2>,
    }
}

wire_struct! {
    /// A fee record (SDK `SubCustomerMonthlyBillDetail`).
    pub struct SubCustomerMonthlyBillDetail {
        /// Unique record id.
        id: String,
        /// `YYYY-MM`.
        bill_cycle: String,
        /// The customer.
        customer_id: String,
        /// Association type at the time (site code).
        association_type: Code,
        /// Cloud service type code.
        service_type_code: String,
        /// Cloud service type name.
        service_type_name: String,
        /// Resource type code.
        resource_type_code: String,
        /// `1`, `3`, `10`, `11`.
        charging_mode: Code,
        /// Deduction time (UTC).
        trade_time: String,
        /// Order or transaction id.
        trade_id: String,
        /// Bill detail type.
        bill_detail_type: Code,
        /// Resource id.
        resource_id: String,
        /// Resource name.
        resource_name: String,
        /// Region.
        region_code: String,
        /// Consumption time (UTC).
        consume_time: String,
        /// List price.
        official_amount: Amount,
        /// Discount off the list price.
        official_discount_amount: Amount,
        /// Amount payable: the spend.
        payment_amount: Amount,
        /// Paid in cash.
        cash_amount: Amount,
        /// Paid on credit.
        credit_amount: Amount,
        /// Paid with coupons.
        coupon_amount: Amount,
        /// Debt.
        debt_amount: Amount,
        /// Period type.
        period_type: Code,
        /// Account manager at the time (login).
        account_manager_id: String,
        /// Reseller at the time.
        partner_id: String,
        /// `ALL_UPFRONT`, `PARTIAL_UPFRONT`, `NO_UPFRONT`.
        payment_type: String,
    }
}

wire_struct! {
    /// Response of `ListSubCustomerBillDetail`.
    pub struct ListSubCustomerBillDetailResponse {
        /// Total.
        total_count: i64,
        /// Currency.
        currency: String,
        /// Not in the SDK model; read when a response carries it (`1` unit when absent).
        measure_id: Code,
        /// Records.
        fee_records: Vec<SubCustomerMonthlyBillDetail>,
    }
}
