//! The rest of the desk for JS: the cursor key, the month index, customers removed, operators
//! listed, the periodic tick, authorization checks, budget and manager histories, events
//! applied, the demo's instant.
//!
//! Why thin: each method parses its arguments and calls the core once. Histories the core
//! records in its snapshot form cross as that JSON text, as `eventsJson` does.

use crate::desk::Desk;
use crate::error::{Code, to_js};
use crate::lifecycle::{customer, date_of};
use crate::ops::{ActorArg, ToCoreActor};
use crate::types::Money;
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use partnerdesk::OperatorId;

/// An operator of the partner (the display name is personal data and is not shown).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct OperatorInfo {
    /// Login.
    pub id: String,
    /// `administrator` or `operator`.
    pub role: String,
    /// Whether the operator can be assigned as an account manager.
    pub account_manager: bool,
    /// Permission items held (Huawei's names), sorted.
    pub permissions: Vec<String>,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Signs search cursors with a key derived from `secret` (at least 16 bytes): desks given
    /// the same secret accept each other's cursors; earlier cursors are refused from now on.
    #[napi]
    pub fn set_cursor_key(&self, secret: Buffer) -> napi::Result<(), Code> {
        self.write()?
            .change(|d| partnerdesk_host::set_cursor_key(d, &secret))
            .map_err(to_js)
    }

    /// Removes a customer (host-side data management; nothing is audited).
    #[napi]
    pub fn remove_customer(&self, customer_id: String) -> napi::Result<(), Code> {
        let id = customer(customer_id)?;
        self.write()?
            .change(|d| d.remove_customer(&id))
            .map(|_| ())
            .map_err(to_js)
    }

    /// The partner's operators, by login.
    #[napi]
    pub fn operators(&self) -> napi::Result<Vec<OperatorInfo>, Code> {
        Ok(self
            .read()?
            .operators()
            .map(|o| OperatorInfo {
                id: o.id.as_str().to_owned(),
                role: o.role.as_str().to_owned(),
                account_manager: o.account_manager,
                permissions: o
                    .permissions
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
            })
            .collect())
    }

    /// A customer's budget settings and deletions, oldest first, as JSON text.
    #[napi]
    pub fn budget_records(&self, customer_id: String) -> napi::Result<String, Code> {
        let id = customer(customer_id)?;
        partnerdesk_host::to_json(&self.read()?.budget_records(&id)).map_err(to_js)
    }

    /// A customer's account manager periods, oldest first, as JSON text.
    #[napi]
    pub fn manager_history(&self, customer_id: String) -> napi::Result<String, Code> {
        let id = customer(customer_id)?;
        partnerdesk_host::to_json(&self.read()?.manager_history(&id)).map_err(to_js)
    }

    /// Who managed a customer at an instant (`null`: nobody).
    #[napi]
    pub fn manager_at(
        &self,
        customer_id: String,
        at: DateTime<Utc>,
    ) -> napi::Result<Option<String>, Code> {
        let id = customer(customer_id)?;
        let m = self.read()?.manager_at(&id, at).map_err(to_js)?;
        Ok(m.map(|m| m.as_str().to_owned()))
    }

    /// Spend of the customers `manager` managed, by period, between two billing days
    /// (`YYYY-MM-DD`, both included). Needs the view-spend permission.
    #[napi]
    pub fn manager_spend(
        &self,
        actor: ActorArg,
        manager: String,
        from: String,
        to: String,
    ) -> napi::Result<Money, Code> {
        let actor = actor.to_core()?;
        let manager = OperatorId::new(manager).map_err(to_js)?;
        let (from, to) = (date_of("from", &from)?, date_of("to", &to)?);
        let m = self.read()?.manager_spend(&actor, &manager, from, to);
        m.map(Money::from).map_err(to_js)
    }
}

/// The instant the demo portfolio is built for (a demo desk's `now`).
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn demo_now() -> DateTime<Utc> {
    partnerdesk::demo::demo_now()
}
