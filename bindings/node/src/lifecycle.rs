//! The customer lifecycle from JS: disassociation requests and their decisions, authorizations
//! to act on a customer's behalf, orders placed on behalf, and the spend, order and renewal
//! views of the console.
//!
//! Why these are separate from `ops`: they are state machines with ids of their own (request
//! ids, authorization ids, order ids) rather than batch commands; each call names its actor,
//! takes `now` and an optional idempotency key like every governed command, and the core
//! decides every rule (quotas, blockers, the 90-day lapse, budgets, frozen customers).

use crate::desk::Desk;
use crate::error::{Code, invalid_argument, to_js};
use crate::ops::{Actor, ActorArg, CommandOptions, ToCoreActor};
use crate::types::{Money, count32};
use chrono::{DateTime, NaiveDate, Utc};
use napi_derive::napi;
use partnerdesk::association::{
    AssociationRecord as CoreRecord, DisassociationRequest as CoreRequest,
};
use partnerdesk::authorization::{
    Authorization as CoreAuthorization, AuthorizationRequest, AuthorizationScope,
};
use partnerdesk::order::OrderRequest;
use partnerdesk::{AuthorizationId, Currency, CustomerId, OrderType};
pub use partnerdesk_host::records::{LabeledAmount, SpendSummary};

pub(crate) fn customer(id: String) -> napi::Result<CustomerId, Code> {
    CustomerId::new(id).map_err(to_js)
}

fn money_of(m: &Money) -> napi::Result<partnerdesk::Money, Code> {
    Ok(partnerdesk::Money::new(
        m.amount.0,
        Currency::new(&m.currency).map_err(to_js)?,
    ))
}

pub(crate) fn date_of(field: &str, text: &str) -> napi::Result<NaiveDate, Code> {
    partnerdesk_host::day(field, text).map_err(to_js)
}

/// A mobile number: country code (`+86`, `0086` or empty) and the national digits.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct MobileInit {
    /// Country code.
    pub country_code: String,
    /// National number (digits; spaces and dashes are dropped).
    pub number: String,
}

/// A customer to add: identity, association and the console's descriptive fields. Names,
/// mobile and e-mail are personal data: the desk keeps them wrapped and lists mask them.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct NewCustomer {
    /// Customer (Huawei domain) id.
    pub id: String,
    /// Account (login) name.
    pub account_name: String,
    /// Real-name name.
    pub name: String,
    /// `referral` or `reseller`.
    pub association_type: crate::types::AssociationType,
    /// The reseller (indirect partner) the customer comes through.
    pub reseller: Option<String>,
    /// `unset`, `individual` or `enterprise`.
    pub customer_type: Option<crate::types::CustomerType>,
    /// `V0`..`V5`.
    pub level: Option<crate::types::CustomerLevel>,
    /// Mobile number.
    pub mobile: Option<MobileInit>,
    /// E-mail.
    pub email: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
}

impl NewCustomer {
    fn to_core(&self, since: DateTime<Utc>) -> napi::Result<partnerdesk::Customer, Code> {
        let mut association = partnerdesk::Association::new(self.association_type.into(), since);
        if let Some(r) = &self.reseller {
            association = association
                .through_reseller(partnerdesk::ResellerId::new(r.as_str()).map_err(to_js)?);
        }
        let mut c = partnerdesk::Customer::new(
            customer(self.id.clone())?,
            self.account_name.clone(),
            self.name.clone(),
            association,
        );
        if let Some(t) = self.customer_type {
            c.customer_type = t.into();
        }
        if let Some(l) = self.level {
            c.level = l.into();
        }
        if let Some(m) = &self.mobile {
            c.mobile = Some(partnerdesk::privacy::Personal::new(
                partnerdesk::Mobile::new(&m.country_code, &m.number).map_err(to_js)?,
            ));
        }
        c.email = self.email.clone().map(partnerdesk::privacy::Personal::new);
        for t in self.tags.iter().flatten() {
            c.tags
                .insert(partnerdesk::Tag::new(t.as_str()).map_err(to_js)?);
        }
        Ok(c)
    }
}

/// A disassociation request.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DisassociationRequest {
    /// Request id.
    pub id: u32,
    /// The customer.
    pub customer_id: String,
    /// `customer` or `partner`.
    #[napi(ts_type = "'customer' | 'partner' | 'system' | (string & {})")]
    pub initiator: String,
    /// Who asked.
    pub requested_by: Actor,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// `pending`, `approved`, `rejected` or `closed`.
    #[napi(ts_type = "'pending' | 'approved' | 'rejected' | 'closed' | (string & {})")]
    pub status: String,
    /// Who decided.
    pub decided_by: Option<Actor>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<&CoreRequest> for DisassociationRequest {
    fn from(r: &CoreRequest) -> Self {
        DisassociationRequest {
            id: u32::try_from(r.id).unwrap_or(u32::MAX),
            customer_id: r.customer.as_str().to_owned(),
            initiator: r.initiator.as_str().to_owned(),
            requested_by: (&r.requested_by).into(),
            requested_at: r.requested_at,
            status: r.status.as_str().to_owned(),
            decided_by: r.decided_by.as_ref().map(Actor::from),
            decided_at: r.decided_at,
        }
    }
}

/// One record of the association history.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct AssociationRecord {
    /// The customer.
    pub customer_id: String,
    /// `associated` or `disassociated`.
    #[napi(ts_type = "'associated' | 'disassociated' | (string & {})")]
    pub change: String,
    /// The association type at the time.
    #[napi(ts_type = "AssociationType | (string & {})")]
    pub association_type: String,
    /// When.
    pub at: DateTime<Utc>,
    /// `customer`, `partner` or `system`.
    #[napi(ts_type = "'customer' | 'partner' | 'system' | (string & {})")]
    pub initiator: String,
    /// Who performed it.
    pub by: Actor,
}

impl From<&CoreRecord> for AssociationRecord {
    fn from(r: &CoreRecord) -> Self {
        AssociationRecord {
            customer_id: r.customer.as_str().to_owned(),
            change: r.change.as_str().to_owned(),
            association_type: r.kind.as_str().to_owned(),
            at: r.at,
            initiator: r.initiator.as_str().to_owned(),
            by: (&r.by).into(),
        }
    }
}

/// An authorization request: scopes, a duration (1..=731 days) and, for the partner's first
/// request, acceptance of the commitment letter.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct AuthorizationCommand {
    /// The customer.
    pub customer_id: String,
    /// What the partner may do.
    pub scopes: Vec<partnerdesk_host::ops::authorizations::AuthorizationScope>,
    /// How long, once approved.
    pub duration_days: u32,
    /// Accept the partner commitment letter with this request.
    pub accept_commitment_letter: Option<bool>,
}

/// An authorization to act on a customer's behalf.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Authorization {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// What it allows.
    pub scopes: Vec<String>,
    /// How long, once approved.
    pub duration_days: u32,
    /// The operator who asked.
    pub requested_by: String,
    /// When asked.
    pub requested_at: DateTime<Utc>,
    /// Its state at the desk's `now` (`pending`, `active`, `lapsed`, `expired`, ...).
    pub state: String,
    /// When approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// When it expires (approved ones).
    pub expires_at: Option<DateTime<Utc>>,
}

impl Authorization {
    fn of(a: &CoreAuthorization, now: DateTime<Utc>) -> Self {
        Authorization {
            id: a.id.as_str().to_owned(),
            customer_id: a.customer.as_str().to_owned(),
            scopes: a.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            duration_days: a.duration_days,
            requested_by: a.requested_by.as_str().to_owned(),
            requested_at: a.requested_at,
            state: a.state_at(now).as_str().to_owned(),
            approved_at: a.approved_at,
            expires_at: a.expires_at,
        }
    }
}

/// An order to place on a customer's behalf.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct OrderCommand {
    /// The customer.
    pub customer_id: String,
    /// `new`, `renewal` or `change`.
    #[napi(ts_type = "'new' | 'renewal' | 'change'")]
    pub kind: String,
    /// The amount (more than zero, at most 2 decimals, in the partner's currency).
    pub amount: Money,
}

/// Orders overview counts.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct OrderOverview {
    /// Orders pending payment.
    pub unpaid: u32,
    /// All orders.
    pub all: u32,
}

/// A resource to renew, with its customer.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct RenewalItem {
    /// The customer.
    pub customer_id: String,
    /// The resource id.
    pub resource_id: String,
    /// `yearly_monthly`, `pay_per_use`, `reserved_instance` or `savings_plan`.
    pub kind: String,
    /// The cloud service code.
    pub service: String,
    /// The region.
    pub region: String,
    /// The status.
    pub status: String,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// What happens at expiry.
    pub expiry_policy: String,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Associates a customer with the partner (accepting an invitation: the customer itself,
    /// with `invitedBy` the inviting account manager; registration: the system; or the
    /// administrator). A reseller-model customer starts frozen. `ALREADY_ASSOCIATED` when it
    /// is.
    #[napi]
    pub fn associate(
        &self,
        actor: ActorArg,
        customer: NewCustomer,
        invited_by: Option<String>,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        let o = options.unwrap_or_default();
        let now = partnerdesk_host::now_or_clock(o.now);
        let inv = self.invocation(actor.to_core()?, &o)?;
        let c = customer.to_core(now)?;
        let invited_by = invited_by
            .map(|i| partnerdesk::OperatorId::new(i).map_err(to_js))
            .transpose()?;
        self.write()?
            .change(|d| d.associate(&inv, c.clone(), invited_by.clone()))
            .map_err(to_js)
    }

    /// Adds a customer as the host loads its data (not a governed command: no actor; a
    /// `customers_inserted` event by the system). `DUPLICATE_CUSTOMER` when the id is on the
    /// desk.
    #[napi]
    pub fn insert_customer(
        &self,
        customer: NewCustomer,
        associated_at: Option<DateTime<Utc>>,
    ) -> napi::Result<(), Code> {
        let c = customer.to_core(partnerdesk_host::now_or_clock(associated_at))?;
        self.write()?
            .change(|d| d.insert_customer(c.clone()))
            .map_err(to_js)
    }

    /// Adds or replaces one customer (host-side data, not governed), as `insertCustomer`.
    #[napi]
    pub fn upsert_customer(
        &self,
        customer: NewCustomer,
        associated_at: Option<DateTime<Utc>>,
    ) -> napi::Result<(), Code> {
        let c = customer.to_core(partnerdesk_host::now_or_clock(associated_at))?;
        self.write()?
            .change(|d| d.upsert_customer(c.clone()))
            .map_err(to_js)
    }

    /// A customer asks to end its association; the administrator decides. Returns the request
    /// id.
    #[napi]
    pub fn request_disassociation(
        &self,
        actor: ActorArg,
        customer_id: String,
        reason: String,
        options: Option<CommandOptions>,
    ) -> napi::Result<u32, Code> {
        let o = options.unwrap_or_default();
        let (actor, id) = (actor.to_core()?, customer(customer_id)?);
        let inv = self.invocation(actor, &o)?;
        self.write()?
            .change(|d| d.request_disassociation(&inv, &id, &reason))
            .map(|r| u32::try_from(r).unwrap_or(u32::MAX))
            .map_err(to_js)
    }

    /// The partner (administrator) asks to end a customer's association; the customer
    /// decides. At most 3 per customer in any rolling 3 months
    /// (`DISASSOCIATION_QUOTA_EXCEEDED`); refused while a blocker holds
    /// (`DISASSOCIATION_BLOCKED`).
    #[napi]
    pub fn request_partner_disassociation(
        &self,
        actor: ActorArg,
        customer_id: String,
        reason: String,
        options: Option<CommandOptions>,
    ) -> napi::Result<u32, Code> {
        let o = options.unwrap_or_default();
        let (actor, id) = (actor.to_core()?, customer(customer_id)?);
        let inv = self.invocation(actor, &o)?;
        self.write()?
            .change(|d| d.request_partner_disassociation(&inv, &id, &reason))
            .map(|r| u32::try_from(r).unwrap_or(u32::MAX))
            .map_err(to_js)
    }

    /// Approves or rejects a disassociation request (by the other party).
    #[napi]
    pub fn decide_disassociation(
        &self,
        actor: ActorArg,
        request_id: u32,
        approve: bool,
        reason: String,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        let o = options.unwrap_or_default();
        let inv = self.invocation(actor.to_core()?, &o)?;
        self.write()?
            .change(|d| d.decide_disassociation(&inv, u64::from(request_id), approve, &reason))
            .map_err(to_js)
    }

    /// Every disassociation request, oldest first.
    #[napi]
    pub fn disassociation_requests(&self) -> napi::Result<Vec<DisassociationRequest>, Code> {
        Ok(self
            .read()?
            .disassociation_requests()
            .iter()
            .map(DisassociationRequest::from)
            .collect())
    }

    /// The association history, of one customer or of all.
    #[napi]
    pub fn association_history(
        &self,
        customer_id: Option<String>,
    ) -> napi::Result<Vec<AssociationRecord>, Code> {
        let id = customer_id.map(customer).transpose()?;
        Ok(self
            .read()?
            .association_history(id.as_ref())
            .into_iter()
            .map(AssociationRecord::from)
            .collect())
    }

    /// Requests an authorization to act on a customer's behalf; returns its id.
    #[napi]
    pub fn request_authorization(
        &self,
        actor: ActorArg,
        request: AuthorizationCommand,
        options: Option<CommandOptions>,
    ) -> napi::Result<String, Code> {
        let o = options.unwrap_or_default();
        let inv = self.invocation(actor.to_core()?, &o)?;
        let req = AuthorizationRequest::new(
            customer(request.customer_id)?,
            request.scopes.into_iter().map(AuthorizationScope::from),
            request.duration_days,
            request.accept_commitment_letter.unwrap_or(false),
        )
        .map_err(to_js)?;
        self.write()?
            .change(|d| d.request_authorization(&inv, &req))
            .map(|id| id.as_str().to_owned())
            .map_err(to_js)
    }

    /// Records a distributor's decision on a reseller's authorization request.
    #[napi]
    pub fn record_distributor_decision(
        &self,
        actor: ActorArg,
        authorization_id: String,
        approved: bool,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        let o = options.unwrap_or_default();
        let inv = self.invocation(actor.to_core()?, &o)?;
        let id = AuthorizationId::new(authorization_id).map_err(to_js)?;
        self.write()?
            .change(|d| d.record_distributor_decision(&inv, &id, approved))
            .map_err(to_js)
    }

    /// The customer's answer to an authorization request, or a later change: `approve`,
    /// `reject`, `revoke` (by the customer, with a reason) or `terminate` (by the partner).
    #[napi(
        ts_args_type = "actor: string | Actor, authorizationId: string, action: 'approve' | 'reject' | 'revoke' | 'terminate', reason?: string, options?: CommandOptions"
    )]
    pub fn decide_authorization(
        &self,
        actor: ActorArg,
        authorization_id: String,
        action: String,
        reason: Option<String>,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        let o = options.unwrap_or_default();
        let inv = self.invocation(actor.to_core()?, &o)?;
        let id = AuthorizationId::new(authorization_id).map_err(to_js)?;
        let reason = reason.as_deref().unwrap_or_default();
        let mut desk = self.write()?;
        match action.as_str() {
            "approve" => desk.change(|d| d.approve_authorization(&inv, &id)),
            "reject" => desk.change(|d| d.reject_authorization(&inv, &id)),
            "revoke" => desk.change(|d| d.revoke_authorization(&inv, &id, reason)),
            "terminate" => desk.change(|d| d.terminate_authorization(&inv, &id)),
            _ => {
                return Err(invalid_argument(
                    "action",
                    "expected approve, reject, revoke or terminate",
                ));
            }
        }
        .map_err(to_js)
    }

    /// One authorization (`AUTHORIZATION_NOT_FOUND`), with its state at `now`.
    #[napi]
    pub fn authorization(
        &self,
        authorization_id: String,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<Authorization, Code> {
        let id = AuthorizationId::new(authorization_id).map_err(to_js)?;
        let desk = self.read()?;
        desk.authorization(&id)
            .map(|a| Authorization::of(a, partnerdesk_host::now_or_clock(now)))
            .map_err(to_js)
    }

    /// The authorizations of a customer, with their states at `now`.
    #[napi]
    pub fn authorizations_of(
        &self,
        customer_id: String,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<Vec<Authorization>, Code> {
        let id = customer(customer_id)?;
        let now = partnerdesk_host::now_or_clock(now);
        Ok(self
            .read()?
            .authorizations_of(&id)
            .into_iter()
            .map(|a| Authorization::of(a, now))
            .collect())
    }

    /// Places an order on a customer's behalf (needs an active `place_orders` authorization,
    /// the customer not frozen, and the amount within its budget); returns the order id.
    #[napi]
    pub fn place_order_on_behalf(
        &self,
        actor: ActorArg,
        order: OrderCommand,
        options: Option<CommandOptions>,
    ) -> napi::Result<String, Code> {
        let o = options.unwrap_or_default();
        let inv = self.invocation(actor.to_core()?, &o)?;
        let kind = OrderType::parse_known(&order.kind)
            .ok_or_else(|| invalid_argument("kind", "expected new, renewal or change"))?;
        let req = OrderRequest::new(customer(order.customer_id)?, kind, money_of(&order.amount)?)
            .map_err(to_js)?;
        self.write()?
            .change(|d| d.place_order_on_behalf(&inv, &req))
            .map(|id| id.as_str().to_owned())
            .map_err(to_js)
    }

    /// Orders overview counts, of one customer or the whole portfolio.
    #[napi]
    pub fn order_overview(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
    ) -> napi::Result<OrderOverview, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let o = self
            .read()?
            .order_overview(&actor, id.as_ref())
            .map_err(to_js)?;
        Ok(OrderOverview {
            unpaid: count32(o.unpaid),
            all: count32(o.all),
        })
    }

    /// Resources to renew within `days` days, of one customer or the whole portfolio.
    #[napi]
    pub fn resources_to_renew(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        days: u32,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<Vec<RenewalItem>, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let desk = self.read()?;
        let items = desk
            .resources_to_renew(
                &actor,
                id.as_ref(),
                days,
                partnerdesk_host::now_or_clock(now),
            )
            .map_err(to_js)?;
        Ok(items
            .into_iter()
            .map(|i| RenewalItem {
                customer_id: i.customer.as_str().to_owned(),
                resource_id: i.resource.id.as_str().to_owned(),
                kind: i.resource.kind.as_str().to_owned(),
                service: i.resource.service.clone(),
                region: i.resource.region.clone(),
                status: i.resource.status.as_str().to_owned(),
                expires_at: i.resource.expires_at,
                expiry_policy: i.resource.expiry_policy.as_str().to_owned(),
            })
            .collect())
    }

    /// Spend month-to-date, last month, and the change against the same days of last month.
    #[napi]
    pub fn spend_summary(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<SpendSummary, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let s = self
            .read()?
            .spend_summary(&actor, id.as_ref(), partnerdesk_host::now_or_clock(now))
            .map_err(to_js)?;
        Ok(s.into())
    }

    /// The top `n` products by spend between two days (`YYYY-MM-DD`, inclusive).
    #[napi]
    pub fn product_ranking(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        from: String,
        to: String,
        n: u32,
    ) -> napi::Result<Vec<LabeledAmount>, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let (from, to) = (date_of("from", &from)?, date_of("to", &to)?);
        Ok(self
            .read()?
            .product_ranking(&actor, id.as_ref(), from, to, n as usize)
            .map_err(to_js)?
            .into_iter()
            .map(|(label, amount)| LabeledAmount {
                label,
                amount: amount.into(),
            })
            .collect())
    }

    /// Spend per day between two days (`YYYY-MM-DD`, inclusive).
    #[napi]
    pub fn daily_spend(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        from: String,
        to: String,
    ) -> napi::Result<Vec<LabeledAmount>, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let (from, to) = (date_of("from", &from)?, date_of("to", &to)?);
        Ok(self
            .read()?
            .daily_spend(&actor, id.as_ref(), from, to)
            .map_err(to_js)?
            .into_iter()
            .map(|(day, amount)| LabeledAmount {
                label: day.format("%Y-%m-%d").to_string(),
                amount: amount.into(),
            })
            .collect())
    }
}
