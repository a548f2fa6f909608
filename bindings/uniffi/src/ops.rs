//! What an account manager does from a phone (assignments, freezes and budgets are declared
//! once in `partnerdesk_host::ops`): request authorization, read a customer's overview, reveal a masked field, read the audit log.
//!
//! Why thin: every rule (permission items, reseller model, scopes, reasons, quotas, auditing,
//! idempotency) is the core's and is tested there; these methods parse the strings a host
//! sends (ids, amounts, times), call the core once under the desk's write lock, and mirror the
//! result. The acting operator is named on every call (`operator`, a login): a phone acts for
//! the signed-in operator, and the core denies whatever that operator was not granted. Every
//! changing call takes an optional idempotency key, so a retry after a dropped connection
//! returns the first outcome instead of acting twice.

use crate::desk::{Desk, customer_id};
use crate::error::Result;
use crate::types::{BudgetUsage, CustomerRow, SpendSummary, format_time, to_u64};
use partnerdesk::audit::AuditFilter;
use partnerdesk::authorization::AuthorizationRequest;
use partnerdesk::privacy::SensitiveField as CoreField;
use partnerdesk::{CustomerId, IdempotencyKey, Invocation};
use partnerdesk_host::{Actor as HostActor, HostInstant};

pub use partnerdesk_host::ops::authorizations::AuthorizationScope;

/// A sensitive field that lists mask and `reveal` shows in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SensitiveField {
    /// The customer's name.
    Name,
    /// The mobile number, with its country code.
    Mobile,
    /// The e-mail address.
    Email,
    /// The account (login) name.
    AccountName,
    /// The account manager's display name.
    ManagerName,
}

impl From<SensitiveField> for CoreField {
    fn from(f: SensitiveField) -> Self {
        match f {
            SensitiveField::Name => CoreField::Name,
            SensitiveField::Mobile => CoreField::Mobile,
            SensitiveField::Email => CoreField::Email,
            SensitiveField::AccountName => CoreField::AccountName,
            SensitiveField::ManagerName => CoreField::ManagerName,
        }
    }
}

/// Order counts of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct OrderCounts {
    /// Orders pending payment.
    pub unpaid: u64,
    /// All orders.
    pub all: u64,
}

/// A resource that expires soon and does not renew by itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RenewalItem {
    /// Instance id.
    pub resource_id: String,
    /// `yearly_monthly`, `pay_per_use`, `reserved_instance` or `savings_plan`.
    pub kind: String,
    /// Cloud service code.
    pub service: String,
    /// Region code.
    pub region: String,
    /// Resource name.
    pub name: String,
    /// `active`, `grace_period`, `retention`, `frozen` or `released`.
    pub status: String,
    /// When it expires (RFC 3339, UTC).
    pub expires_at: Option<String>,
    /// What happens at expiry (`release_at_expiry`, `manual`, ...).
    pub expiry_policy: String,
}

impl From<&partnerdesk::Resource> for RenewalItem {
    fn from(r: &partnerdesk::Resource) -> Self {
        RenewalItem {
            resource_id: r.id.as_str().to_owned(),
            kind: r.kind.as_str().to_owned(),
            service: r.service.clone(),
            region: r.region.clone(),
            name: r.name.clone(),
            status: r.status.as_str().to_owned(),
            expires_at: r.expires_at.map(format_time),
            expiry_policy: r.expiry_policy.as_str().to_owned(),
        }
    }
}

/// One customer's overview: the masked row, budget usage, order counts, resources to renew
/// and spend.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerOverview {
    /// The masked row.
    pub row: CustomerRow,
    /// Budget usage, when the customer has a budget.
    pub budget: Option<BudgetUsage>,
    /// Order counts.
    pub orders: OrderCounts,
    /// Resources to renew within the days asked for, soonest first.
    pub resources_to_renew: Vec<RenewalItem>,
    /// Spend figures.
    pub spend: SpendSummary,
}

/// An authorization request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthorizationInfo {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// `place_orders`, `operate_resources`.
    pub scopes: Vec<String>,
    /// How long it lasts once approved, in days.
    pub duration_days: u32,
    /// Who requested it.
    pub requested_by: String,
    /// When (RFC 3339, UTC).
    pub requested_at: String,
    /// The state at the `now` asked for: `awaiting_distributor`, `pending`, `active`,
    /// `rejected`, `lapsed`, `expired`, `revoked`, `terminated` or `ended`.
    pub state: String,
    /// When it expires, once approved (RFC 3339, UTC).
    pub expires_at: Option<String>,
}

impl AuthorizationInfo {
    /// An authorization and its state at `now`.
    pub(crate) fn at(
        a: &partnerdesk::authorization::Authorization,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        AuthorizationInfo {
            id: a.id.as_str().to_owned(),
            customer_id: a.customer.as_str().to_owned(),
            scopes: a.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            duration_days: a.duration_days,
            requested_by: a.requested_by.as_str().to_owned(),
            requested_at: format_time(a.requested_at),
            state: a.state_at(now).as_str().to_owned(),
            expires_at: a.expires_at.map(format_time),
        }
    }
}

/// One audit record (no personal data: ids, codes, field names).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEntry {
    /// Sequence number, increasing.
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (`operator:<login>`, `customer:<id>` or `system`).
    pub actor: String,
    /// On which customer, if one.
    pub customer_id: Option<String>,
    /// What was attempted (`freeze`, `set_budget`, `reveal`, ...).
    pub kind: String,
    /// Whether it was allowed.
    pub allowed: bool,
    /// The error code when it was refused.
    pub denied_code: Option<String>,
    /// Detail without personal data (ids, scopes, amounts, field names).
    pub detail: String,
}

impl From<&partnerdesk::audit::AuditRecord> for AuditEntry {
    fn from(r: &partnerdesk::audit::AuditRecord) -> Self {
        let (allowed, denied_code) = (
            r.outcome.is_allowed(),
            r.outcome.denied_code().map(str::to_owned),
        );
        AuditEntry {
            seq: r.seq,
            at: format_time(r.at),
            actor: r.actor.to_string(),
            customer_id: r.customer.as_ref().map(|c| c.as_str().to_owned()),
            kind: r.kind.as_str().to_owned(),
            allowed,
            denied_code,
            detail: r.detail.clone(),
        }
    }
}

// ---- argument parsing ------------------------------------------------------------------------

pub(crate) fn parse_key(k: Option<String>) -> Result<Option<IdempotencyKey>> {
    Ok(k.map(IdempotencyKey::new).transpose()?)
}

/// The invocation of a governed command: who acts, `now` (default: the wall clock) and the
/// optional idempotency key, parsed in that order.
pub(crate) fn parse_invocation(
    actor: &HostActor,
    now: Option<HostInstant>,
    key: Option<String>,
) -> Result<Invocation> {
    let (actor, key) = (actor.to_core()?, parse_key(key)?);
    Ok(Invocation::new(actor, partnerdesk_host::at(now)).with_key(key))
}

pub(crate) fn parse_customer_ids(ids: &[String]) -> Result<Vec<CustomerId>> {
    ids.iter().map(|i| customer_id(i)).collect()
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// Sets (not adds) a reseller-model customer's budget. `amount` is exact (a `BigDecimal` in
    /// Kotlin, at most 2 decimals, up to 2147483647) in `currency` (the partner's when
    /// `null`). `unfreeze` also unfreezes the account in the same call. `thresholds`: alert
    /// thresholds in percent (decimal strings such as `"80"`), ascending.
    #[uniffi::method(default(
        now = None,
        auto_freeze = false,
        unfreeze = false,
        currency = None,
        idempotency_key = None,
        thresholds = []
    ))]
    /// Requests authorization to act on a customer's behalf for `duration_days` (1..=731) once
    /// approved; returns the authorization id. The partner's first request needs
    /// `accept_commitment_letter`.
    #[uniffi::method(default(now = None, accept_commitment_letter = false, idempotency_key = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn request_authorization(
        &self,
        actor: HostActor,
        customer_id: String,
        scopes: Vec<AuthorizationScope>,
        duration_days: u32,
        now: Option<HostInstant>,
        accept_commitment_letter: bool,
        idempotency_key: Option<String>,
    ) -> Result<String> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = crate::desk::customer_id(&customer_id)?;
        let request = AuthorizationRequest::new(
            id,
            scopes.into_iter().map(Into::into),
            duration_days,
            accept_commitment_letter,
        )?;
        let auth = self.change(|d| d.request_authorization(&inv, &request))?;
        Ok(auth.as_str().to_owned())
    }

    /// A customer's authorizations (requests and their states at `now`), oldest first.
    #[uniffi::method(default(now = None))]
    pub fn authorizations_of(
        &self,
        customer_id: String,
        now: Option<HostInstant>,
    ) -> Result<Vec<AuthorizationInfo>> {
        let now = partnerdesk_host::at(now);
        let id = crate::desk::customer_id(&customer_id)?;
        let desk = self.read();
        desk.customer(&id)?;
        Ok(desk
            .authorizations_of(&id)
            .into_iter()
            .map(|a| AuthorizationInfo::at(a, now))
            .collect())
    }

    /// A customer's overview at `now`, as `operator` may see it (needs the view-customers and
    /// view-spend items): masked row, budget usage, order counts, resources to renew within
    /// `renew_within_days` (30 by default) and spend.
    #[uniffi::method(default(now = None, renew_within_days = 30))]
    pub fn overview(
        &self,
        actor: HostActor,
        customer_id: String,
        now: Option<HostInstant>,
        renew_within_days: u32,
    ) -> Result<CustomerOverview> {
        let (actor, now) = (actor.to_core()?, partnerdesk_host::at(now));
        let id = crate::desk::customer_id(&customer_id)?;
        let desk = self.read();
        let orders = desk.order_overview(&actor, Some(&id))?;
        let resources_to_renew = desk
            .resources_to_renew(&actor, Some(&id), renew_within_days, now)?
            .into_iter()
            .map(|r| RenewalItem::from(r.resource))
            .collect();
        let spend = desk.spend_summary(&actor, Some(&id), now)?.into();
        Ok(CustomerOverview {
            row: desk.customer_row(&id, now)?.into(),
            budget: desk.budget_usage(&id, now)?.map(Into::into),
            orders: OrderCounts {
                unpaid: to_u64(orders.unpaid),
                all: to_u64(orders.all),
            },
            resources_to_renew,
            spend,
        })
    }

    /// Reveals one masked field of a customer in clear (the console's eye icon). Needs
    /// `PD_REVEAL_SENSITIVE`; every attempt, allowed or refused, is written to the audit log.
    /// A customer without the field reveals an empty string.
    #[uniffi::method(default(now = None))]
    pub fn reveal(
        &self,
        actor: HostActor,
        customer_id: String,
        field: SensitiveField,
        now: Option<HostInstant>,
    ) -> Result<String> {
        let inv = Invocation::new(actor.to_core()?, partnerdesk_host::at(now));
        let id = crate::desk::customer_id(&customer_id)?;
        let field = field.into();
        self.change(|d| d.reveal(&inv, &id, field))
    }

    /// The audit log, oldest first: of one customer and/or one kind (`reveal`, `freeze`, ...)
    /// when given.
    #[uniffi::method(default(customer_id = None, kind = None))]
    pub fn audit_log(
        &self,
        customer_id: Option<String>,
        kind: Option<String>,
    ) -> Result<Vec<AuditEntry>> {
        let mut filter = AuditFilter::default();
        if let Some(id) = customer_id {
            filter = filter.customer(crate::desk::customer_id(&id)?);
        }
        if let Some(k) = kind {
            filter = filter.kind(k.as_str());
        }
        Ok(self
            .read()
            .audit_log(&filter)
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
