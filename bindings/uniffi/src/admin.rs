//! The rest of the desk for Kotlin and Swift: customers as host data, operators and
//! permissions, association, authorizations and orders, analysis, masking
//! policies, search ids and the cursor key, and the event log.
//!
//! Why thin: each method parses its strings and calls the core once. Records the core already
//! defines in its snapshot form (customers, mask policies, events) cross as that
//! JSON text, so no mirror type is written for them; the rest reuse the records of `ops.rs`.
//! An actor is named as the audit log names it: an operator's login (or `operator:<login>`),
//! `customer:<id>` for the customer's own steps, or `system`.

use crate::desk::{Desk, parse_query};
use crate::error::Result;
use crate::ops::parse_invocation;
use crate::types::{IdPage, SortOrder};
use partnerdesk::OperatorId;
use partnerdesk::access::Permission;
use partnerdesk_host::{Actor, HostInstant};
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

/// A core record from its snapshot-form JSON text (`MALFORMED_JSON` otherwise).
fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(partnerdesk_host::from_json(text)?)
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
}

/// The library's version.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
