//! Site wire codes <-> domain values.
//!
//! Why one module: the two Huawei sites use different codes for the same thing (association
//! type: China `1`/`2`, international `1`/`3`; `is_frozen`: China `0`/`1`/`2`, international
//! `0`/`1`), and several APIs share enumerations (charging modes, statuses). Every translation
//! lives here, in both directions where we send the value, and an unknown code is kept verbatim
//! in the core's `Other(String)` rather than refused or guessed. The fallback goes through the
//! core type's `parse`: a code that spells a known value's text form (`referral`) is that value,
//! never an `Other` holding it, which would print the same but match differently and load back
//! from a snapshot as the known value.

use crate::wire::Code;
use partnerdesk::{
    AssociationType, BudgetKind, ChargingMode, CustomerLevel, CustomerType, ExpiryPolicy,
    FreezeScope, OrderStatus, OrderType, ResourceStatus, Site, VerificationStatus,
};

/// The association type of a site code (China `1` referral, `2` resale; international `1`
/// referral, `3` reseller). Another code is kept as `Other(code)`.
///
/// ```
/// use partnerdesk::{AssociationType, Site};
/// use partnerdesk_huawei::codes::{association_type, association_code};
/// assert_eq!(association_type(Site::China, "2"), AssociationType::Reseller);
/// assert_eq!(association_type(Site::International, "3"), AssociationType::Reseller);
/// assert_eq!(association_type(Site::International, "2"), AssociationType::Other("2".into()));
/// assert_eq!(association_code(Site::International, &AssociationType::Reseller), "3");
/// ```
pub fn association_type(site: Site, code: &str) -> AssociationType {
    match (code, reseller_code(&site)) {
        ("1", _) => AssociationType::Referral,
        (c, Some(r)) if c == r => AssociationType::Reseller,
        (c, _) => AssociationType::parse(c),
    }
}

fn reseller_code(site: &Site) -> Option<&'static str> {
    match site {
        Site::China => Some("2"),
        Site::International => Some("3"),
        _ => None,
    }
}

/// The site code of an association type; an `Other` value is sent as it is.
pub fn association_code(site: Site, kind: &AssociationType) -> String {
    match kind {
        AssociationType::Referral => "1".to_owned(),
        AssociationType::Reseller => reseller_code(&site).unwrap_or("3").to_owned(),
        other => other.as_str().to_owned(),
    }
}

/// The freeze scope of an `is_frozen` code, or `None` when not frozen.
///
/// China: `0` no, `1` account, `2` account and resources. International: `0` no, `1` frozen with
/// an unknown scope ([`FreezeScope::Unknown`]). Any other non-zero code is frozen with scope
/// `Other(code)`.
pub fn freeze_scope(site: Site, code: &Code) -> Option<FreezeScope> {
    match (code.text().as_str(), site) {
        ("0", _) => None,
        ("1", Site::China) => Some(FreezeScope::Account),
        ("2", Site::China) => Some(FreezeScope::AccountAndResources),
        ("1", _) => Some(FreezeScope::Unknown),
        (c, _) => Some(FreezeScope::parse(c)),
    }
}

/// `customer_type`: `-1` unset, `0` individual, `1` enterprise.
pub fn customer_type(code: &Code) -> CustomerType {
    match code.text().as_str() {
        "-1" => CustomerType::Unset,
        "0" => CustomerType::Individual,
        "1" => CustomerType::Enterprise,
        c => CustomerType::parse(c),
    }
}

/// `verified_status`: `-1` not verified, `0` under review, `1` rejected, `2` verified, `3`
/// failed (international).
pub fn verification(code: &Code) -> VerificationStatus {
    match code.text().as_str() {
        "-1" => VerificationStatus::NotVerified,
        "0" => VerificationStatus::UnderReview,
        "1" => VerificationStatus::Rejected,
        "2" => VerificationStatus::Verified,
        "3" => VerificationStatus::Failed,
        c => VerificationStatus::parse(c),
    }
}

/// `customer_level`: `V0`..`V5`; another value is kept.
pub fn level(text: &str) -> CustomerLevel {
    CustomerLevel::parse(text)
}

/// The `freeze_type`/`unfreeze_type` of a scope: `ACCOUNT` or `ACCOUNT_AND_RESOURCE`; `None`
/// for a scope that cannot be requested (unknown or other).
pub fn freeze_type(scope: &FreezeScope) -> Option<&'static str> {
    match scope {
        FreezeScope::Account => Some("ACCOUNT"),
        FreezeScope::AccountAndResources => Some("ACCOUNT_AND_RESOURCE"),
        _ => None,
    }
}

/// The scope of a `freeze_type` text.
pub fn scope_of_freeze_type(text: &str) -> FreezeScope {
    match text {
        "ACCOUNT" => FreezeScope::Account,
        "ACCOUNT_AND_RESOURCE" => FreezeScope::AccountAndResources,
        other => FreezeScope::parse(other),
    }
}

/// `budget_type`: `MONTHLY` or `PACKAGE` (one-off); another value is kept.
pub fn budget_kind(text: &str) -> BudgetKind {
    match text {
        "MONTHLY" => BudgetKind::Monthly,
        "PACKAGE" => BudgetKind::OneOff,
        other => BudgetKind::parse(other),
    }
}

/// The `budget_type` of a kind; `None` for a kind this version cannot send.
pub fn budget_type(kind: &BudgetKind) -> Option<&'static str> {
    match kind {
        BudgetKind::Monthly => Some("MONTHLY"),
        BudgetKind::OneOff => Some("PACKAGE"),
        _ => None,
    }
}

/// `charging_mode`/`charge_mode`: `1` yearly/monthly, `3` pay-per-use, `10` reserved instance,
/// `11` savings plan.
pub fn charging_mode(code: &Code) -> ChargingMode {
    match code.text().as_str() {
        "1" => ChargingMode::YearlyMonthly,
        "3" => ChargingMode::PayPerUse,
        "10" => ChargingMode::ReservedInstance,
        "11" => ChargingMode::SavingsPlan,
        c => ChargingMode::parse(c),
    }
}

/// Order `status`: `1` pending review, `2` pending refund, `3` processing, `4` cancelled, `5`
/// completed, `6` pending payment ("unpaid"), `9` pending confirmation; others (e.g. the
/// logistics states `10`..`13`) kept as `Other(code)`.
pub fn order_status(code: &Code) -> OrderStatus {
    match code.text().as_str() {
        "1" => OrderStatus::PendingReview,
        "2" => OrderStatus::PendingRefund,
        "3" => OrderStatus::Processing,
        "4" => OrderStatus::Cancelled,
        "5" => OrderStatus::Completed,
        "6" => OrderStatus::PendingPayment,
        "9" => OrderStatus::PendingConfirmation,
        c => OrderStatus::parse(c),
    }
}

/// Order `order_type`: `1` new, `2` renewal, `3` change, `4` unsubscription, `11`
/// pay-per-use → yearly/monthly; others (`10`, `13`, `14`, `15`, ...) kept as `Other(code)`.
pub fn order_type(code: &Code) -> OrderType {
    match code.text().as_str() {
        "1" => OrderType::New,
        "2" => OrderType::Renewal,
        "3" => OrderType::Change,
        "4" => OrderType::Unsubscription,
        "11" => OrderType::ToYearlyMonthly,
        c => OrderType::parse(c),
    }
}

/// Pay-per-use resource `status`: `1` normal, `2` grace period, `3` frozen, `6` closed
/// (released); `4` changing and `5` closing have no core value and are kept as `Other(code)`.
pub fn on_demand_status(code: &Code) -> ResourceStatus {
    match code.text().as_str() {
        "1" => ResourceStatus::Active,
        "2" => ResourceStatus::GracePeriod,
        "3" => ResourceStatus::Frozen,
        "6" => ResourceStatus::Released,
        c => ResourceStatus::parse(c),
    }
}

/// Yearly/monthly resource `status`: `2` in use, `3` closed (released), `4` frozen, `5` expired
/// (grace period: Huawei does not say whether grace or retention); others kept.
pub fn subscription_status(code: &Code) -> ResourceStatus {
    match code.text().as_str() {
        "2" => ResourceStatus::Active,
        "3" => ResourceStatus::Released,
        "4" => ResourceStatus::Frozen,
        "5" => ResourceStatus::GracePeriod,
        c => ResourceStatus::parse(c),
    }
}

/// `expire_policy`: `0` grace period (manual), `1` to pay-per-use, `2` delete (release at
/// expiry), `3` auto-renew; `4` freeze and `5` delete from retention are kept as `Other(code)`.
pub fn expiry_policy(code: &Code) -> ExpiryPolicy {
    match code.text().as_str() {
        "0" => ExpiryPolicy::Manual,
        "1" => ExpiryPolicy::ToPayPerUse,
        "2" => ExpiryPolicy::ReleaseAtExpiry,
        "3" => ExpiryPolicy::AutoRenew,
        c => ExpiryPolicy::parse(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `huawei` fuzz target (docs/fuzzing.md F8): `association_type` "referral"
    /// became `Other("referral")`, which prints as `referral` but is not `Referral`, so the
    /// desk loaded back from its snapshot differed (and `assoc=referral` missed the customer
    /// until then). Every fallback keeps a value whose text form parses back to itself.
    #[test]
    fn unknown_codes_spelling_a_known_value_are_that_value() {
        fn same<T: PartialEq + std::fmt::Debug>(got: T, want: T) {
            assert_eq!(got, want);
        }
        fn code(text: &str) -> Code {
            Code::Text(text.to_owned())
        }
        for k in AssociationType::KNOWN {
            same(association_type(Site::China, k.as_str()), k.clone());
            same(association_type(Site::International, k.as_str()), k.clone());
        }
        for k in FreezeScope::KNOWN {
            same(
                freeze_scope(Site::International, &code(k.as_str())),
                Some(k.clone()),
            );
            same(scope_of_freeze_type(k.as_str()), k.clone());
        }
        for k in BudgetKind::KNOWN {
            same(budget_kind(k.as_str()), k.clone());
        }
        // Every value of each type read back through each of its code readers.
        macro_rules! read_back {
            ($($ty:ident => $($read:ident),+;)*) => {$(
                for k in $ty::KNOWN {
                    $(same($read(&code(k.as_str())), k.clone());)+
                }
            )*};
        }
        read_back! {
            CustomerType => customer_type;
            VerificationStatus => verification;
            ChargingMode => charging_mode;
            OrderStatus => order_status;
            OrderType => order_type;
            ResourceStatus => on_demand_status, subscription_status;
            ExpiryPolicy => expiry_policy;
        }
        // Codes no value spells are still kept verbatim.
        same(
            association_type(Site::International, "2"),
            AssociationType::Other("2".into()),
        );
        same(order_status(&code("12")), OrderStatus::Other("12".into()));
    }

    #[test]
    fn association_codes_round_trip_per_site() {
        for site in [Site::China, Site::International] {
            for kind in [AssociationType::Referral, AssociationType::Reseller] {
                assert_eq!(
                    association_type(site.clone(), &association_code(site.clone(), &kind)),
                    kind
                );
            }
        }
        assert_eq!(
            association_type(Site::China, "3"),
            AssociationType::Other("3".into())
        );
    }

    #[test]
    fn freeze_codes() {
        let c = |i| Code::Int(i);
        assert_eq!(freeze_scope(Site::China, &c(0)), None);
        assert_eq!(freeze_scope(Site::China, &c(1)), Some(FreezeScope::Account));
        assert_eq!(
            freeze_scope(Site::China, &c(2)),
            Some(FreezeScope::AccountAndResources)
        );
        assert_eq!(
            freeze_scope(Site::International, &c(1)),
            Some(FreezeScope::Unknown)
        );
        assert_eq!(
            freeze_scope(Site::International, &c(2)),
            Some(FreezeScope::Other("2".into()))
        );
        for s in [FreezeScope::Account, FreezeScope::AccountAndResources] {
            assert_eq!(freeze_type(&s).map(scope_of_freeze_type), Some(s));
        }
        assert_eq!(freeze_type(&FreezeScope::Unknown), None);
    }
}
