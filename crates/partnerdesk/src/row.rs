//! Customer rows: what a list shows about a customer, masked.
//!
//! Why one place: every search result, every page of every binding and the export go through
//! [`Desk::row`](crate::Desk), so the masking rules of the console (domain §11) are applied in
//! exactly one spot and no list can leak a raw name, mobile number or e-mail.

use crate::association::AssociationType;
use crate::budget::BudgetKind;
use crate::customer::{CustomerLevel, CustomerType, VerificationStatus};
use crate::desk::Desk;
use crate::freeze::{FreezeOrigin, FreezeScope};
use crate::ids::{CustomerId, OperatorId, ResellerId, Tag};
use crate::money::Money;
use crate::privacy::{mask_email, mask_mobile, mask_name};
use crate::search::MatchContext;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// Budget columns of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
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
pub struct CustomerRow {
    /// Customer id.
    pub id: CustomerId,
    /// Account name (masked when the partner's policy says so).
    pub account_name: String,
    /// Customer name, masked (`Z***`).
    pub name: String,
    /// Mobile number, masked (`+86 138****5678`).
    pub mobile: Option<String>,
    /// E-mail, masked (`a***@example.com`).
    pub email: Option<String>,
    /// Individual, enterprise or unset.
    pub customer_type: CustomerType,
    /// Real-name verification status.
    pub verification: VerificationStatus,
    /// Customer level.
    pub level: CustomerLevel,
    /// Tags.
    pub tags: BTreeSet<Tag>,
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
    pub account_manager_name: Option<String>,
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

/// Which optional fields of a row are masked (name, mobile and e-mail always are in lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowPolicy {
    /// Mask account names too.
    pub mask_account_name: bool,
    /// Mask account manager names too.
    pub mask_manager_name: bool,
}

impl Desk {
    /// Builds the masked row of a live slot. The only place rows are made.
    pub(crate) fn row(&self, slot: u32, ctx: &MatchContext<'_>) -> CustomerRow {
        let c = self.at(slot);
        let policy = self.row_policy;
        let cur = self.partner.currency;
        let money = |d: Decimal| Money::new(d, cur);
        let manager_name = c
            .account_manager
            .as_ref()
            .and_then(|m| self.operators.get(m))
            .map(|o| {
                if policy.mask_manager_name {
                    mask_name(o.name.expose())
                } else {
                    o.name.expose().clone()
                }
            });
        let budget = c.budget.as_ref().map(|b| {
            let used = b.used(c, ctx.now, ctx.offset);
            BudgetSummary {
                kind: b.kind.clone(),
                amount: b.amount,
                used: money(used),
                percent: crate::budget::percent(used, b.amount.amount),
                auto_freeze: b.auto_freeze,
            }
        });
        CustomerRow {
            id: c.id.clone(),
            account_name: if policy.mask_account_name {
                mask_name(c.account_name.expose())
            } else {
                c.account_name.expose().clone()
            },
            name: mask_name(c.name.expose()),
            mobile: c.mobile.as_ref().map(|m| {
                let m = m.expose();
                let masked = mask_mobile(&m.number);
                if m.country_code.is_empty() {
                    masked
                } else {
                    format!("{} {masked}", m.country_code)
                }
            }),
            email: c.email.as_ref().map(|e| mask_email(e.expose())),
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
            next_expiry: c.next_expiry(ctx.now),
            unpaid_orders: c.orders.iter().filter(|o| o.is_unpaid()).count(),
        }
    }

    /// The masking policy for rows.
    pub fn row_policy(&self) -> RowPolicy {
        self.row_policy
    }

    /// Sets the masking policy for rows.
    pub fn set_row_policy(&mut self, policy: RowPolicy) {
        self.row_policy = policy;
    }
}
