//! The customer: everything the console's list and detail pages show about one account.
//!
//! Why one struct holds resources, orders and spend: the console's list columns (month-to-date
//! spend, next expiry) are derived from them per customer, and a customer moves between desks
//! (snapshot, import) as one unit. Derived values are computed for a given `now`
//! ([`Customer::month_spend`], [`Customer::next_expiry`]); nothing reads a clock.

use crate::error::{Error, Result};
use crate::model::association::Association;
use crate::model::budget::Budget;
use crate::model::calendar::{BillingOffset, YearMonth};
use crate::model::freeze::FreezeState;
use crate::model::ids::{CustomerId, OperatorId};
use crate::model::open_enum::open_enum;
use crate::model::order::Order;
use crate::model::packed::Packed;
use crate::model::personal::Personal;
use crate::model::resource::Resource;
use crate::model::spend::SpendRecord;
use crate::model::tags::TagSet;
use crate::model::text::{CompactText, SharedText};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;

open_enum! {
    /// Individual or enterprise (Huawei `customer_type` -1/0/1).
    pub enum CustomerType {
        /// Not set yet (newly registered).
        Unset => "unset",
        /// A person.
        Individual => "individual",
        /// A company.
        Enterprise => "enterprise",
    }
}

open_enum! {
    /// Real-name verification status (Huawei `verified_status`).
    pub enum VerificationStatus {
        /// Not verified (`-1`).
        NotVerified => "not_verified",
        /// Under review (`0`).
        UnderReview => "under_review",
        /// Rejected (`1`).
        Rejected => "rejected",
        /// Verified (`2`).
        Verified => "verified",
        /// Verification failed (`3`, international site).
        Failed => "failed",
    }
}

open_enum! {
    /// Huawei customer level, V0 to V5.
    pub enum CustomerLevel {
        /// V0.
        V0 => "V0",
        /// V1.
        V1 => "V1",
        /// V2.
        V2 => "V2",
        /// V3.
        V3 => "V3",
        /// V4.
        V4 => "V4",
        /// V5.
        V5 => "V5",
    }
}

/// A mobile number with its country code (Huawei `country_code` + `telephone`).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mobile {
    /// Country calling code as Huawei gives it, e.g. `0086` or `+86` (may be empty): a few
    /// distinct codes across a portfolio, shared between the customers that hold the same.
    pub country_code: SharedText,
    /// The national number, digits only.
    pub number: CompactText,
}

impl Mobile {
    /// Validates a mobile number: the number has 1..=20 ASCII digits (spaces and dashes are
    /// dropped); the country code is `+` or `00` followed by 1..=4 digits, 1..=4 digits, or
    /// empty. The one constructor of a mobile: every door of the desk (insert, update,
    /// snapshot, event, import) refuses a stored mobile that is not exactly what this builds
    /// from its two parts (`INVALID_ARGUMENT`, or `INVALID_SNAPSHOT` in a snapshot).
    pub fn new(country_code: &str, number: &str) -> Result<Self> {
        let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_arg("mobile", "expected 1 to 20 digits"));
        }
        let cc = country_code.trim();
        let cc_digits = cc
            .strip_prefix('+')
            .or_else(|| cc.strip_prefix("00"))
            .unwrap_or(cc);
        if !cc.is_empty()
            && (cc_digits.is_empty()
                || cc_digits.len() > 4
                || !cc_digits.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::invalid_arg("country_code", "expected +NNN or 00NNN"));
        }
        Ok(Mobile {
            country_code: SharedText::new(cc),
            number: digits.into(),
        })
    }
}

impl std::fmt::Debug for Mobile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mobile([redacted])")
    }
}

/// The partner's own id for this customer on its sales platform (`xaccount_id`/`xaccount_type`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExternalAccount {
    /// The partner's user id.
    pub id: CompactText,
    /// The platform identifier Huawei assigned to the partner: one for all its customers,
    /// shared between them.
    pub kind: SharedText,
}

/// A customer of the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Customer {
    /// Huawei domain id.
    pub id: CustomerId,
    /// Login (account) name. Sensitive where the partner configures it.
    pub account_name: Personal<CompactText>,
    /// Real-name verified name (person or company).
    pub name: Personal<CompactText>,
    /// Individual, enterprise or unset.
    pub customer_type: CustomerType,
    /// Real-name verification status.
    pub verification: VerificationStatus,
    /// Customer level.
    pub level: CustomerLevel,
    /// Mobile number, if known.
    #[cfg_attr(feature = "serde", serde(default))]
    pub mobile: Option<Personal<Mobile>>,
    /// E-mail, if known.
    #[cfg_attr(feature = "serde", serde(default))]
    pub email: Option<Personal<CompactText>>,
    /// Tags (Huawei's single `label`, or several).
    #[cfg_attr(feature = "serde", serde(default))]
    pub tags: TagSet,
    /// The partner's own id for the customer.
    #[cfg_attr(feature = "serde", serde(default))]
    pub external: Option<ExternalAccount>,
    /// The association with the partner.
    pub association: Association,
    /// The current account manager.
    #[cfg_attr(feature = "serde", serde(default))]
    pub account_manager: Option<OperatorId>,
    /// Freeze state.
    #[cfg_attr(feature = "serde", serde(default))]
    pub freeze: FreezeState,
    /// Budget, if set (reseller model only). Boxed: most customers have none, and the record
    /// carries it inline (8 bytes instead of the budget's 112).
    #[cfg_attr(feature = "serde", serde(default))]
    pub budget: Option<Box<Budget>>,
    /// Resources (yearly/monthly, pay-per-use, reserved instances, savings plans), packed
    /// ([`Packed`]: read with `iter()`, change with `push` or `edit`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub resources: Packed<Resource>,
    /// Orders, packed.
    #[cfg_attr(feature = "serde", serde(default))]
    pub orders: Packed<Order>,
    /// Spend records, kept sorted by day, packed ([`Customer::add_spend`] keeps the order).
    #[cfg_attr(feature = "serde", serde(default))]
    pub spend: Packed<SpendRecord>,
}

impl Customer {
    /// A new customer with the required fields; everything else empty.
    ///
    /// ```
    /// use partnerdesk::{Customer, CustomerId, Association, AssociationType};
    /// use chrono::{TimeZone, Utc};
    /// let since = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let c = Customer::new(
    ///     CustomerId::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?,
    ///     "acme_cloud",
    ///     "Acme Ltd.",
    ///     Association::new(AssociationType::Reseller, since),
    /// );
    /// assert_eq!(format!("{:?}", c.name), "[redacted]");
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(
        id: CustomerId,
        account_name: impl Into<String>,
        name: impl Into<String>,
        association: Association,
    ) -> Self {
        Customer {
            id,
            account_name: Personal::from(account_name.into()),
            name: Personal::from(name.into()),
            customer_type: CustomerType::Unset,
            verification: VerificationStatus::NotVerified,
            level: CustomerLevel::V0,
            mobile: None,
            email: None,
            tags: TagSet::new(),
            external: None,
            association,
            account_manager: None,
            freeze: FreezeState::NotFrozen,
            budget: None,
            resources: Packed::new(),
            orders: Packed::new(),
            spend: Packed::new(),
        }
    }

    /// Whether the customer is currently associated (not disassociated).
    pub fn is_associated(&self) -> bool {
        self.association.ended.is_none()
    }

    /// Spend in a billing month: the sum of the spend records dated in it.
    pub fn month_spend(&self, month: YearMonth) -> Decimal {
        self.spend_between(month.first_day(), month.last_day())
    }

    /// Spend between two billing days, both included (saturating at the decimal range, which
    /// records validated by the desk can never reach).
    pub fn spend_between(&self, from: NaiveDate, to: NaiveDate) -> Decimal {
        self.spend
            .sum_between(from.num_days_from_ce(), to.num_days_from_ce())
    }

    /// The spend records dated between two billing days, both included, in day order.
    pub fn spend_records_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = SpendRecord> + '_ {
        self.spend
            .iter()
            .skip_while(move |r| r.day < from)
            .take_while(move |r| r.day <= to)
    }

    /// Month-to-date spend at `now`: the spend records of the billing month containing `now`.
    ///
    /// The desk holds billed spend, so no record is dated after today; the whole month's records
    /// are month-to-date.
    pub fn month_to_date(&self, now: DateTime<Utc>, offset: BillingOffset) -> Decimal {
        self.month_spend(offset.month_of(now))
    }

    /// Last month's spend at `now`.
    pub fn last_month(&self, now: DateTime<Utc>, offset: BillingOffset) -> Decimal {
        self.month_spend(offset.month_of(now).previous())
    }

    /// The earliest upcoming expiry: the soonest `expires_at >= now` among the customer's live
    /// resources that expire (pay-per-use resources never do; released ones no longer count).
    pub fn next_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.resources
            .facts()
            .filter(|r| r.counts)
            .filter_map(|r| r.expires_at)
            .filter(|e| *e >= now)
            .min()
    }

    /// Keeps the spend records sorted by day (stable: records of one day keep their order).
    pub fn sort_spend(&mut self) {
        if !self.spend.days().is_sorted() {
            self.spend.edit(|v| v.sort_by_key(|r| r.day));
        }
    }

    /// Adds a spend record in day order (after the records of its day).
    pub fn add_spend(&mut self, record: SpendRecord) {
        self.add_spend_records([record]);
    }

    /// Adds spend records in day order, each after the records of its day, in one change of
    /// the packed list.
    pub fn add_spend_records(&mut self, records: impl IntoIterator<Item = SpendRecord>) {
        self.spend.edit(|v| {
            for record in records {
                let at = v.partition_point(|r| r.day <= record.day);
                v.insert(at, record);
            }
        });
    }
}
