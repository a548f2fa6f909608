//! Who acts, when, and under which idempotency key: the one value every governed operation
//! takes first.
//!
//! Why one value: every governed operation (freeze, set a budget, assign a manager, grant
//! permissions, the authorization lifecycle, ...) needs the same three things besides its own
//! request: the actor it checks and audits, the instant it records (the core has no clock, so
//! `now` is an argument), and an optional idempotency key that makes a retry safe. Passed as
//! three parameters they were repeated on every method and easy to pass in the wrong order;
//! one [`Invocation`] names them once, can be built once per host request and handed to
//! several operations, and can grow (a correlation id, a reason) without breaking every
//! signature.
//!
//! `now` is not checked here: the command runner refuses an instant outside the calendar's
//! range (`INVALID_ARGUMENT`) before anything else, as it always did, so building an
//! `Invocation` cannot fail.

use crate::ids::IdempotencyKey;
use crate::model::access::Actor;
use chrono::{DateTime, Utc};

/// One call of a governed operation: who acts, when, and under which optional idempotency key.
///
/// `Debug` shows the actor (an operator login, a customer id or `system`), the instant and the
/// key: identifiers, never personal data.
///
/// ```
/// use partnerdesk::{demo, Actor, IdempotencyKey, Invocation, OperatorId};
/// use partnerdesk::freeze::FreezeRequest;
/// let (mut desk, now) = demo::portfolio(20, 1)?;
/// let admin = Actor::Operator(OperatorId::new("admin")?);
/// let id = desk
///     .customers()
///     .find(|c| c.association.is_reseller_model() && c.is_associated())
///     .map(|c| c.id.clone())
///     .ok_or(partnerdesk::Error::InvalidCursor)?;
/// let request = FreezeRequest::new(vec![id], partnerdesk::FreezeScope::Account, "overdue")?;
/// let inv = Invocation::new(admin, now).key(IdempotencyKey::new("req-1")?);
/// let first = desk.freeze(&inv, &request)?;
/// // The same key again answers with the first outcome and changes nothing.
/// assert_eq!(desk.freeze(&inv, &request)?, first);
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Invocation {
    actor: Actor,
    now: DateTime<Utc>,
    key: Option<IdempotencyKey>,
}

impl Invocation {
    /// An invocation by `actor` at `now`, without an idempotency key.
    ///
    /// ```
    /// use partnerdesk::{Actor, Invocation};
    /// let now = chrono::DateTime::from_timestamp(1_767_225_600, 0)
    ///     .ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let inv = Invocation::new(Actor::System, now);
    /// assert_eq!(inv.actor(), &Actor::System);
    /// assert_eq!(inv.now(), now);
    /// assert!(inv.idempotency_key().is_none());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(actor: Actor, now: DateTime<Utc>) -> Self {
        Self {
            actor,
            now,
            key: None,
        }
    }

    /// The same invocation under an idempotency key: a repeat of the key by the same actor for
    /// the same command answers with the first outcome and changes nothing.
    ///
    /// ```
    /// use partnerdesk::{Actor, IdempotencyKey, Invocation};
    /// let now = chrono::DateTime::from_timestamp(1_767_225_600, 0)
    ///     .ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let inv = Invocation::new(Actor::System, now).key(IdempotencyKey::new("req-1")?);
    /// assert_eq!(inv.idempotency_key().map(|k| k.as_str()), Some("req-1"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    #[must_use]
    pub fn key(mut self, key: IdempotencyKey) -> Self {
        self.key = Some(key);
        self
    }

    /// The same invocation with the key given, or without one: for hosts whose key argument is
    /// optional.
    ///
    /// ```
    /// use partnerdesk::{Actor, IdempotencyKey, Invocation};
    /// let now = chrono::DateTime::from_timestamp(1_767_225_600, 0)
    ///     .ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let from_host: Option<&str> = None;
    /// let key = from_host.map(IdempotencyKey::new).transpose()?;
    /// let inv = Invocation::new(Actor::System, now).with_key(key);
    /// assert!(inv.idempotency_key().is_none());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    #[must_use]
    pub fn with_key(mut self, key: Option<IdempotencyKey>) -> Self {
        self.key = key;
        self
    }

    /// Who acts: checked against the operation's permission and recorded in the audit trail
    /// and the events.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// When: the instant the operation is recorded at (the core has no clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The idempotency key, if the caller gave one.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.key.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, OperatorId};

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
    }

    #[test]
    fn builder_sets_and_clears_the_key() -> crate::Result<()> {
        let k = IdempotencyKey::new("k-1")?;
        let inv = Invocation::new(Actor::System, at()).key(k.clone());
        assert_eq!(inv.idempotency_key(), Some(&k));
        let cleared = inv.clone().with_key(None);
        assert_eq!(cleared.idempotency_key(), None);
        let again = cleared.with_key(Some(k.clone()));
        assert_eq!(again.idempotency_key(), Some(&k));
        assert_eq!(again.now(), at());
        Ok(())
    }

    #[test]
    fn debug_shows_ids_only() -> crate::Result<()> {
        let op = Invocation::new(Actor::Operator(OperatorId::new("am_001")?), at())
            .key(IdempotencyKey::new("k-9")?);
        let text = format!("{op:?}");
        assert!(text.contains("am_001"), "{text}");
        assert!(text.contains("k-9"), "{text}");
        let cust = Invocation::new(Actor::Customer(CustomerId::new("c-7")?), at());
        assert!(format!("{cust:?}").contains("c-7"));
        Ok(())
    }
}
