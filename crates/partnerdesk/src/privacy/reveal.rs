//! Revealing a personal value: the one audited way to read it in clear.
//!
//! Why audited: the console shows masked values; an operator holding the reveal item may see
//! one value of one customer, and every reveal, allowed or refused, leaves an audit record.

use super::SensitiveField;
use crate::error::Result;

impl crate::Desk {
    /// Reveals one sensitive field of a customer in clear: the console's eye icon.
    ///
    /// Needs [`Permission::RevealSensitive`](crate::Permission::RevealSensitive), checked with
    /// [`Desk::authorize`](crate::Desk::authorize) on the customer. Every attempt is audited
    /// (kind `reveal`, the customer, the field name; never the value), whether it is allowed or
    /// refused. A customer without the field (no e-mail, no account manager) reveals an empty
    /// string. A mobile number is revealed with its country code (`+86 13812345678`). The
    /// invocation's actor is checked and audited at its `now`; its idempotency key, if any, is
    /// not used (a read changes nothing a retry could repeat).
    ///
    /// ```
    /// use partnerdesk::{demo, access::Actor, audit::AuditFilter, privacy::SensitiveField, Invocation, OperatorId};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let id = desk.customers().next().map(|c| c.id.clone()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let name = desk.reveal(&admin, &id, SensitiveField::Name)?;
    /// assert_eq!(&name, desk.customer(&id)?.name.expose());
    /// assert_eq!(desk.audit_log(&AuditFilter::default().customer(id).kind("reveal")).len(), 1);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn reveal(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: &crate::ids::CustomerId,
        field: SensitiveField,
    ) -> Result<String> {
        let (actor, now) = (inv.actor(), inv.now());
        // Refused before anything, audit included (an audit record at such an instant would
        // not load again).
        crate::validate::instant("now", now)?;
        let outcome = self
            .authorize(actor, crate::Permission::RevealSensitive, Some(customer))
            .and_then(|()| self.raw_field(customer, field));
        let audit = match &outcome {
            Ok(_) => crate::audit::AuditOutcome::Allowed,
            Err(e) => crate::audit::AuditOutcome::denied(e),
        };
        self.record_audit(
            actor,
            Some(customer),
            "reveal",
            audit,
            format!("field={}", field.as_str()),
            now,
        );
        outcome
    }

    fn raw_field(&self, id: &crate::ids::CustomerId, field: SensitiveField) -> Result<String> {
        let c = self.customer(id)?;
        Ok(match field {
            SensitiveField::Name => c.name.expose().to_string(),
            SensitiveField::AccountName => c.account_name.expose().to_string(),
            SensitiveField::Email => c
                .email
                .as_ref()
                .map(|e| e.expose().to_string())
                .unwrap_or_default(),
            SensitiveField::Mobile => c
                .mobile
                .as_ref()
                .map(|m| {
                    let m = m.expose();
                    if m.country_code.is_empty() {
                        m.number.to_string()
                    } else {
                        format!("{} {}", m.country_code, m.number)
                    }
                })
                .unwrap_or_default(),
            SensitiveField::ManagerName => c
                .account_manager
                .as_ref()
                .and_then(|m| self.operators.get(m))
                .map(|o| o.name.expose().clone())
                .unwrap_or_default(),
        })
    }
}
