//! The rest of the desk for Kotlin and Swift: customers as host data, operators and
//! permissions, association, authorizations and orders, analysis, masking
//! policies, search ids and the cursor key, and the event log.
//!
//! Why thin: each method parses its strings and calls the core once. Records the core already
//! defines in its snapshot form (customers, mask policies, events) cross as that
//! JSON text, so no mirror type is written for them; the rest reuse the records of `ops.rs`.
//! An actor is named as the audit log names it: an operator's login (or `operator:<login>`),
//! `customer:<id>` for the customer's own steps, or `system`.

use crate::desk::{Desk, customer_id, parse_query};
use crate::error::Result;
use crate::ops::{AuthorizationInfo, OrderCounts, RenewalItem, parse_invocation};
use crate::types::{IdPage, LabeledAmount, SortOrder, SpendSummary, to_u64};
use chrono::NaiveDate;
use partnerdesk::access::Permission;
use partnerdesk::{AuthorizationId, OperatorId};
use partnerdesk_host::{Actor, HostDecimal, HostInstant};
use std::sync::Arc;

/// An operator of the partner (the display name is personal data and is not shown).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OperatorInfo {
    /// Login.
    pub login: String,
    /// `administrator` or `operator`.
    pub role: String,
    /// Whether the operator may be an account manager.
    pub account_manager: bool,
    /// Permission item codes, sorted.
    pub permissions: Vec<String>,
}

/// A billing day argument (`2026-11-29`); `INVALID_DATE` naming `field` otherwise.
fn parse_day(field: &str, text: &str) -> Result<NaiveDate> {
    Ok(partnerdesk_host::day(field, text)?)
}

/// The JSON text of a core record in its snapshot form.
fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    Ok(partnerdesk_host::to_json(value)?)
}

/// A core record from its snapshot-form JSON text (`MALFORMED_JSON` otherwise).
fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(partnerdesk_host::from_json(text)?)
}

fn optional_customer(id: Option<String>) -> Result<Option<partnerdesk::CustomerId>> {
    id.map(|i| customer_id(&i)).transpose()
}

impl Desk {
    /// Grants (`grant`) or revokes an operator's permission items: the one body of
    /// `grantPermissions` and `revokePermissions`.
    fn change_permissions(
        &self,
        actor: &Actor,
        operator: String,
        items: &[String],
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
        grant: bool,
    ) -> Result<()> {
        let inv = parse_invocation(actor, now, idempotency_key)?;
        let items: Vec<Permission> = items.iter().map(|i| Permission::parse(i)).collect();
        let operator = OperatorId::new(operator)?;
        self.change(|d| {
            if grant {
                d.grant_permissions(&inv, &operator, &items)
            } else {
                d.revoke_permissions(&inv, &operator, &items)
            }
        })
    }
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// A desk rebuilt from a snapshot and the events recorded since (`eventsJson` text), each
    /// checked (`EVENT_CHAIN_BROKEN`, `INVALID_EVENT`); `key` for a log sealed with one.
    #[uniffi::constructor(default(key = None))]
    pub fn replay(
        snapshot_json: String,
        events_json: String,
        key: Option<Vec<u8>>,
    ) -> Result<Arc<Self>> {
        let key = key
            .map(|k| partnerdesk::chain::EventKey::new(&k))
            .transpose()?;
        let events: Vec<partnerdesk::event::Event> = from_json(&events_json)?;
        Ok(Self::wrap(partnerdesk::Desk::replay_with_key(
            &snapshot_json,
            events,
            key.as_ref(),
        )?))
    }

    /// The ids of one page of a search (no rows built).
    #[uniffi::method(default(now = None, include_disassociated = false))]
    pub fn search_ids(
        &self,
        filter: String,
        sort: SortOrder,
        page: crate::types::PageRequest,
        now: Option<HostInstant>,
        include_disassociated: bool,
    ) -> Result<IdPage> {
        let (now, query) = (
            partnerdesk_host::at(now),
            parse_query(&filter, include_disassociated)?,
        );
        let p = self
            .read()
            .search_ids(&query, sort.into(), &page.into(), now)?;
        Ok(p.into())
    }

    /// The id of every customer matching the filter, in sort order, without paging (for batch
    /// work over a whole selection).
    #[uniffi::method(default(now = None, include_disassociated = false))]
    pub fn select_ids(
        &self,
        filter: String,
        sort: SortOrder,
        now: Option<HostInstant>,
        include_disassociated: bool,
    ) -> Result<Vec<String>> {
        let (now, query) = (
            partnerdesk_host::at(now),
            parse_query(&filter, include_disassociated)?,
        );
        let ids = self.read().select_ids(&query, sort.into(), now);
        Ok(ids.iter().map(|i| i.as_str().to_owned()).collect())
    }

    /// Signs search cursors with a key derived from `secret` (at least 16 bytes): desks given
    /// the same secret accept each other's cursors; earlier cursors are refused from now on.
    pub fn set_cursor_key(&self, secret: Vec<u8>) -> Result<()> {
        self.change(|d| partnerdesk_host::set_cursor_key(d, &secret))
    }

    /// Adds one customer given as JSON in the snapshot's customer form; `DUPLICATE_CUSTOMER`
    /// when the id is taken.
    pub fn insert_customer(&self, json: String) -> Result<()> {
        let customer: partnerdesk::Customer = from_json(&json)?;
        self.change(|d| d.insert_customer(customer.clone()))
    }

    /// Adds or replaces one customer given as JSON in the snapshot's customer form.
    pub fn upsert_customer(&self, json: String) -> Result<()> {
        let customer: partnerdesk::Customer = from_json(&json)?;
        self.change(|d| d.upsert_customer(customer.clone()))
    }

    /// Removes a customer (host-side data management; nothing is audited).
    pub fn remove_customer(&self, customer_id: String) -> Result<()> {
        let id = crate::desk::customer_id(&customer_id)?;
        self.change(|d| d.remove_customer(&id))?;
        Ok(())
    }

    /// The partner's operators, by login.
    pub fn operators(&self) -> Vec<OperatorInfo> {
        self.read()
            .operators()
            .map(|o| OperatorInfo {
                login: o.id.as_str().to_owned(),
                role: o.role.as_str().to_owned(),
                account_manager: o.account_manager,
                permissions: o
                    .permissions
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
            })
            .collect()
    }

    /// Adds an operator (set-up, not governed); `role` is `administrator` or `operator`.
    #[uniffi::method(default(account_manager = false, permissions = []))]
    pub fn add_operator(
        &self,
        login: String,
        name: String,
        role: String,
        account_manager: bool,
        permissions: Vec<String>,
    ) -> Result<()> {
        let role = partnerdesk::Role::parse_known(&role).ok_or_else(|| {
            partnerdesk_host::invalid("role", "expected administrator or operator")
        })?;
        let op = partnerdesk::Operator::new(OperatorId::new(login)?, name, role)
            .with_account_manager(account_manager)
            .with_permissions(permissions.iter().map(|p| Permission::parse(p)))?;
        self.change(|d| d.add_operator(op.clone()))
    }

    /// Grants permission items (codes) to an operator (administrator only).
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn grant_permissions(
        &self,
        actor: Actor,
        operator: String,
        items: Vec<String>,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<()> {
        self.change_permissions(&actor, operator, &items, now, idempotency_key, true)
    }

    /// Revokes permission items from an operator (administrator only).
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn revoke_permissions(
        &self,
        actor: Actor,
        operator: String,
        items: Vec<String>,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<()> {
        self.change_permissions(&actor, operator, &items, now, idempotency_key, false)
    }

    /// Associates a new customer (JSON in the snapshot's customer form) with the partner.
    #[uniffi::method(default(now = None, invited_by = None, idempotency_key = None))]
    pub fn associate(
        &self,
        actor: Actor,
        customer_json: String,
        now: Option<HostInstant>,
        invited_by: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<()> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let invited_by = invited_by.map(OperatorId::new).transpose()?;
        let customer: partnerdesk::Customer = from_json(&customer_json)?;
        self.change(|d| d.associate(&inv, customer.clone(), invited_by.clone()))
    }

    /// The customer (`customer:<id>`) asks to end its association; returns the request id.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn request_disassociation(
        &self,
        actor: Actor,
        customer_id: String,
        reason: String,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<u64> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = crate::desk::customer_id(&customer_id)?;
        self.change(|d| d.request_disassociation(&inv, &id, &reason))
    }

    /// The partner asks to end a customer's association; returns the request id.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn request_partner_disassociation(
        &self,
        actor: Actor,
        customer_id: String,
        reason: String,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<u64> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = crate::desk::customer_id(&customer_id)?;
        self.change(|d| d.request_partner_disassociation(&inv, &id, &reason))
    }

    /// Approves or rejects a disassociation request.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn decide_disassociation(
        &self,
        actor: Actor,
        request_id: u64,
        approve: bool,
        reason: String,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<()> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        self.change(|d| d.decide_disassociation(&inv, request_id, approve, &reason))
    }

    /// Every disassociation request, oldest first, as JSON (the snapshot's form).
    pub fn disassociation_requests(&self) -> Result<String> {
        json(self.read().disassociation_requests())
    }

    /// Associations and disassociations, oldest first (of one customer, or all), as JSON.
    #[uniffi::method(default(customer_id = None))]
    pub fn association_history(&self, customer_id: Option<String>) -> Result<String> {
        let id = optional_customer(customer_id)?;
        json(&self.read().association_history(id.as_ref()))
    }

    /// Records the distributor's decision on a reseller's authorization request.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn record_distributor_decision(
        &self,
        actor: Actor,
        authorization_id: String,
        approved: bool,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<()> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = AuthorizationId::new(authorization_id)?;
        self.change(|d| d.record_distributor_decision(&inv, &id, approved))
    }

    /// Acts on an authorization: `approve`, `reject` or `revoke` (the customer, `revoke` with
    /// a reason), `terminate` (the partner).
    #[uniffi::method(default(now = None, reason = None, idempotency_key = None))]
    pub fn decide_authorization(
        &self,
        actor: Actor,
        authorization_id: String,
        action: String,
        now: Option<HostInstant>,
        reason: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<()> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = AuthorizationId::new(authorization_id)?;
        let reason = reason.unwrap_or_default();
        match action.as_str() {
            "approve" => self.change(|d| d.approve_authorization(&inv, &id)),
            "reject" => self.change(|d| d.reject_authorization(&inv, &id)),
            "revoke" => self.change(|d| d.revoke_authorization(&inv, &id, &reason)),
            "terminate" => self.change(|d| d.terminate_authorization(&inv, &id)),
            _ => Err(partnerdesk_host::invalid(
                "action",
                "expected approve, reject, revoke or terminate",
            )
            .into()),
        }
    }

    /// One authorization and its state at `now`.
    #[uniffi::method(default(now = None))]
    pub fn authorization(
        &self,
        authorization_id: String,
        now: Option<HostInstant>,
    ) -> Result<AuthorizationInfo> {
        let (id, now) = (
            AuthorizationId::new(authorization_id)?,
            partnerdesk_host::at(now),
        );
        Ok(AuthorizationInfo::at(self.read().authorization(&id)?, now))
    }

    /// Places an order (`new`, `renewal`, `change`, ...) of `amount` (in the partner's
    /// currency, `BigDecimal` in Kotlin) on a customer's behalf under an active authorization; its id.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn place_order_on_behalf(
        &self,
        actor: Actor,
        customer_id: String,
        kind: String,
        amount: HostDecimal,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<String> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = crate::desk::customer_id(&customer_id)?;
        let money = partnerdesk::Money::new(amount.0, self.read().partner().currency);
        let request =
            partnerdesk::order::OrderRequest::new(id, partnerdesk::OrderType::parse(&kind), money)?;
        Ok(self
            .change(|d| d.place_order_on_behalf(&inv, &request))?
            .to_string())
    }

    /// The periodic work at `now`: expires authorizations and evaluates budgets (thresholds,
    /// auto-freeze); how many changes were made.
    #[uniffi::method(default(now = None))]
    pub fn tick(&self, now: Option<HostInstant>) -> Result<u64> {
        let now = partnerdesk_host::at(now);
        Ok(to_u64(self.change(|d| {
            Ok(d.expire_authorizations(now)? + d.evaluate_budgets(now)?)
        })?))
    }

    /// Unpaid and all orders, of one customer or everyone `actor` may see.
    #[uniffi::method(default(customer_id = None))]
    pub fn order_overview(&self, actor: Actor, customer_id: Option<String>) -> Result<OrderCounts> {
        let (actor, id) = (actor.to_core()?, optional_customer(customer_id)?);
        let o = self.read().order_overview(&actor, id.as_ref())?;
        Ok(OrderCounts {
            unpaid: to_u64(o.unpaid),
            all: to_u64(o.all),
        })
    }

    /// Resources expiring within `days` of `now` that do not renew by themselves, soonest first.
    #[uniffi::method(default(now = None, customer_id = None))]
    pub fn resources_to_renew(
        &self,
        actor: Actor,
        days: u32,
        now: Option<HostInstant>,
        customer_id: Option<String>,
    ) -> Result<Vec<RenewalItem>> {
        let (actor, now, id) = (
            actor.to_core()?,
            partnerdesk_host::at(now),
            optional_customer(customer_id)?,
        );
        let d = self.read();
        let items = d.resources_to_renew(&actor, id.as_ref(), days, now)?;
        Ok(items
            .into_iter()
            .map(|r| RenewalItem::from(r.resource))
            .collect())
    }

    /// Month-to-date spend against last month, of one customer or everyone `actor` may see.
    #[uniffi::method(default(now = None, customer_id = None))]
    pub fn spend_summary(
        &self,
        actor: Actor,
        now: Option<HostInstant>,
        customer_id: Option<String>,
    ) -> Result<SpendSummary> {
        let (actor, now, id) = (
            actor.to_core()?,
            partnerdesk_host::at(now),
            optional_customer(customer_id)?,
        );
        Ok(self.read().spend_summary(&actor, id.as_ref(), now)?.into())
    }

    /// The top `n` cloud services by spend between two billing days (`2026-11-01`, both
    /// included).
    #[uniffi::method(default(n = 10, customer_id = None))]
    pub fn product_ranking(
        &self,
        actor: Actor,
        from: String,
        to: String,
        n: u32,
        customer_id: Option<String>,
    ) -> Result<Vec<LabeledAmount>> {
        let (actor, id) = (actor.to_core()?, optional_customer(customer_id)?);
        let (from, to) = (parse_day("from", &from)?, parse_day("to", &to)?);
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let r = self
            .read()
            .product_ranking(&actor, id.as_ref(), from, to, n)?;
        Ok(r.into_iter()
            .map(|(label, m)| LabeledAmount {
                label,
                amount: m.into(),
            })
            .collect())
    }

    /// Spend per billing day between two days (both included).
    #[uniffi::method(default(customer_id = None))]
    pub fn daily_spend(
        &self,
        actor: Actor,
        from: String,
        to: String,
        customer_id: Option<String>,
    ) -> Result<Vec<LabeledAmount>> {
        let (actor, id) = (actor.to_core()?, optional_customer(customer_id)?);
        let (from, to) = (parse_day("from", &from)?, parse_day("to", &to)?);
        let r = self.read().daily_spend(&actor, id.as_ref(), from, to)?;
        Ok(r.into_iter()
            .map(|(d, m)| LabeledAmount {
                label: d.to_string(),
                amount: m.into(),
            })
            .collect())
    }

    /// The mask policy of rows, as JSON.
    pub fn row_policy(&self) -> Result<String> {
        json(self.read().row_policy())
    }

    /// Sets the mask policy of rows from JSON (the form `rowPolicy` returns); showing a name,
    /// mobile or e-mail in clear is refused.
    pub fn set_row_policy(&self, json: String) -> Result<()> {
        let policy: partnerdesk::privacy::MaskPolicy = from_json(&json)?;
        self.change(|d| d.set_row_policy(policy.clone()))
    }

    /// The mask policy of exports, as JSON.
    pub fn export_policy(&self) -> Result<String> {
        json(self.read().export_policy())
    }

    /// Sets the mask policy of exports from JSON.
    pub fn set_export_policy(&self, json: String) -> Result<()> {
        let policy: partnerdesk::privacy::MaskPolicy = from_json(&json)?;
        self.change(|d| d.set_export_policy(policy.clone()))
    }

    /// Sets (or clears, with `null`) the secret key of pseudonym masks (at least 16 bytes).
    pub fn set_pseudonym_key(&self, secret: Option<Vec<u8>>) -> Result<()> {
        let key = secret
            .map(|s| partnerdesk::privacy::PseudonymKey::new(&s))
            .transpose()?;
        self.change(|d| {
            d.set_pseudonym_key(key.clone());
            Ok(())
        })
    }

    /// The events after sequence number `since` (all with 0), oldest first, one JSON text each.
    #[uniffi::method(default(since = 0))]
    pub fn events(&self, since: u64) -> Result<Vec<String>> {
        self.read().events_since(since).iter().map(json).collect()
    }

    /// The events after sequence number `since` as one JSON array (for `replay`/`applyEvents`).
    #[uniffi::method(default(since = 0))]
    pub fn events_json(&self, since: u64) -> Result<String> {
        json(self.read().events_since(since))
    }

    /// Applies events (JSON text from another desk's `eventsJson`) in order, each checked
    /// first; on the first refused one nothing from it on is applied.
    pub fn apply_events(&self, events_json: String) -> Result<()> {
        let events: Vec<partnerdesk::event::Event> = from_json(&events_json)?;
        self.change(|d| d.apply_events(events.clone()))
    }

    /// Sets (or clears, with `null`) the secret key (at least 16 bytes) events are sealed and
    /// checked with. Never saved. Refused on a durable desk (`INVALID_ARGUMENT` on `key`):
    /// `Desk.open` reads the stored events without a key, so sealed ones would not open.
    pub fn set_event_key(&self, key: Option<Vec<u8>>) -> Result<()> {
        let key = key
            .map(|k| partnerdesk::chain::EventKey::new(&k))
            .transpose()?;
        Ok(self.write().set_event_key(key)?)
    }

    /// The link of the last event: the head of the event chain (empty at the start of one).
    pub fn chain_head(&self) -> String {
        self.read().chain_head().to_owned()
    }
}

/// The library's version.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
