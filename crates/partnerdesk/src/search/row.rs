//! Customer rows: what a list shows about a customer, masked.
//!
//! Why one place: every search result, every page of every binding and the export go through
//! [`Desk::row`](crate::Desk), so the masking rules of the console (domain §11) are applied in
//! exactly one spot and no list can leak a raw name, mobile number or e-mail.

use crate::customer::{CustomerLevel, CustomerType, VerificationStatus};
use crate::desk::Desk;
use crate::error::Result;
use crate::ids::{CustomerId, OperatorId, ResellerId};
use crate::model::association::AssociationType;
use crate::model::budget::BudgetKind;
use crate::model::freeze::{FreezeOrigin, FreezeScope};
use crate::model::text::CompactText;
use crate::money::Money;
use crate::privacy::{MaskPolicy, MaskedList, Masker, SensitiveField};
use crate::search::MatchContext;
use crate::tags::TagSet;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Budget columns of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetSummary {
    /// Monthly or one-off.
    pub kind: BudgetKind,
    /// The budget.
    pub amount: Money,
    /// Spend counted against it.
    pub used: Money,
    /// Percentage used (2 decimals).
    pub percent: Decimal,
    /// Whether reaching 100% freezes the account.
    pub auto_freeze: bool,
}

/// One customer as the console's list shows it. Personal fields are already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomerRow {
    /// Customer id.
    pub id: CustomerId,
    /// Account name (masked when the partner's policy says so).
    pub account_name: CompactText,
    /// Customer name, masked (`Z***`).
    pub name: CompactText,
    /// Mobile number, masked (`+86 138****5678`).
    pub mobile: Option<CompactText>,
    /// E-mail, masked (`a***@example.com`).
    pub email: Option<CompactText>,
    /// Individual, enterprise or unset.
    pub customer_type: CustomerType,
    /// Real-name verification status.
    pub verification: VerificationStatus,
    /// Customer level.
    pub level: CustomerLevel,
    /// Tags.
    pub tags: TagSet,
    /// Association type.
    pub association_type: AssociationType,
    /// When associated.
    pub associated_at: DateTime<Utc>,
    /// When the association ended, for disassociated customers.
    pub disassociated_at: Option<DateTime<Utc>>,
    /// The reseller the customer belongs to.
    pub reseller: Option<ResellerId>,
    /// Account manager login.
    pub account_manager: Option<OperatorId>,
    /// Account manager display name (masked when the partner's policy says so).
    pub account_manager_name: Option<CompactText>,
    /// Freeze scope, when frozen.
    pub freeze_scope: Option<FreezeScope>,
    /// Freeze origin, when frozen.
    pub freeze_origin: Option<FreezeOrigin>,
    /// Budget, when set.
    pub budget: Option<BudgetSummary>,
    /// Month-to-date spend.
    pub month_to_date: Money,
    /// Last month's spend.
    pub last_month: Money,
    /// Earliest upcoming resource expiry.
    pub next_expiry: Option<DateTime<Utc>>,
    /// Unpaid orders.
    pub unpaid_orders: usize,
}

/// How rows are masked: a [`MaskPolicy`]. Name, mobile and e-mail are always masked in lists
/// (a policy that shows them is refused); account name and account manager name follow the
/// partner's configuration (shown by default, as on the console). Keyed pseudonyms are for
/// exports and are refused in lists.
pub type RowPolicy = MaskPolicy;

impl Desk {
    /// Builds the masked row of a live slot. The only place rows are made.
    pub(crate) fn row(&self, slot: u32, ctx: &MatchContext<'_>) -> CustomerRow {
        let c = self.at(slot);
        let masker = Masker::checked(&self.row_policy, None);
        let mask = |field: SensitiveField, value: &str| masker.mask_text(field, value);
        let cur = self.partner.currency;
        let money = |d: Decimal| Money::new(d, cur);
        let manager_name = c
            .account_manager
            .as_ref()
            .and_then(|m| self.operators.get(m))
            .map(|o| mask(SensitiveField::ManagerName, o.name.expose()));
        let budget = c.budget.as_ref().map(|b| {
            let used = b.used(c, ctx.now, ctx.offset);
            BudgetSummary {
                kind: b.kind.clone(),
                amount: b.amount,
                used: money(used),
                percent: crate::model::budget::percent(used, b.amount.amount),
                auto_freeze: b.auto_freeze,
            }
        });
        CustomerRow {
            id: c.id.clone(),
            account_name: mask(SensitiveField::AccountName, c.account_name.expose()),
            name: mask(SensitiveField::Name, c.name.expose()),
            mobile: c
                .mobile
                .as_ref()
                .map(|personal| masker.mask_mobile_text(personal.expose())),
            email: c
                .email
                .as_ref()
                .map(|e| mask(SensitiveField::Email, e.expose())),
            customer_type: c.customer_type.clone(),
            verification: c.verification.clone(),
            level: c.level.clone(),
            tags: c.tags.clone(),
            association_type: c.association.kind.clone(),
            associated_at: c.association.since,
            disassociated_at: c.association.ended,
            reseller: c.association.reseller.clone(),
            account_manager: c.account_manager.clone(),
            account_manager_name: manager_name,
            freeze_scope: c.freeze.freeze().map(|f| f.scope.clone()),
            freeze_origin: c.freeze.freeze().map(|f| f.origin.clone()),
            budget,
            month_to_date: money(self.mtd_of(slot, ctx)),
            last_month: money(c.month_spend(ctx.month.previous())),
            next_expiry: self.index.next_expiry(slot, ctx.now),
            unpaid_orders: c.orders.unpaid(),
        }
    }

    /// The masking policy for rows.
    pub fn row_policy(&self) -> &RowPolicy {
        &self.row_policy
    }

    /// Sets the masking policy for rows. Refuses a policy that shows a customer's name, mobile
    /// or e-mail in clear, or that uses a keyed pseudonym (exports only); nothing changes then
    /// ([`MaskedList::check`]).
    ///
    /// A change is a data change like the others: a `mask_policy_set` event by the system, at
    /// the desk's newest instant ([`Desk::newest_instant`]), so a durable desk keeps it and a
    /// replay of the log restores it. Setting the policy the desk has writes no event.
    ///
    /// ```
    /// use partnerdesk::{demo, privacy::{MaskPolicy, MaskRule, SensitiveField}};
    /// let (mut desk, _now) = demo::portfolio(10, 1)?;
    /// let mut policy = desk.row_policy().clone();
    /// policy.set(SensitiveField::AccountName, MaskRule::Default)?;
    /// desk.set_row_policy(policy)?;
    /// assert_eq!(desk.row_policy().account_name, MaskRule::Default);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn set_row_policy(&mut self, policy: RowPolicy) -> Result<()> {
        self.data_set_mask_policy(MaskedList::Rows, policy)
    }
}
