//! The audit trail: who tried what, on which customer, when, and whether it was allowed.
//!
//! Why separate from events: events record *changes* (and replay them); the audit trail records
//! *attempts*, including refused ones, which change nothing. A partner's compliance team asks
//! "who tried to unfreeze this customer last week?" and "who revealed which field?"; both are
//! answered here. Records hold ids and stable codes only, never a name, mobile or e-mail, so the
//! trail can be shown and exported freely.

use crate::desk::Desk;
use crate::ids::CustomerId;
use crate::model::access::Actor;
use chrono::{DateTime, Utc};
use std::fmt;

/// What was attempted: an open text code such as `freeze`, `unfreeze`, `set_budget`, `reveal`,
/// `export` (lower-case ASCII letters, digits and `_`; other characters are replaced by `_`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct AuditKind(String);

impl AuditKind {
    /// A kind from a code; characters other than ASCII letters, digits and `_` become `_`,
    /// letters are lower-cased, and the code is cut at 64 characters.
    pub fn new(code: &str) -> Self {
        AuditKind(
            code.chars()
                .take(64)
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect(),
        )
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for AuditKind {
    fn from(code: &str) -> Self {
        AuditKind::new(code)
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether an attempt was allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AuditOutcome {
    /// It was allowed (and done).
    Allowed,
    /// It was refused, with the stable error code (`PERMISSION_DENIED`, `NOT_FROZEN`, ...).
    Denied {
        /// The stable error code.
        code: String,
    },
}

impl AuditOutcome {
    /// The refusal's stable code, when it was denied.
    pub fn denied_code(&self) -> Option<&str> {
        match self {
            AuditOutcome::Denied { code } => Some(code),
            AuditOutcome::Allowed => None,
        }
    }

    /// A refusal for an error.
    pub fn denied(error: &crate::Error) -> Self {
        AuditOutcome::Denied {
            code: error.code().to_owned(),
        }
    }

    /// Whether it was allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, AuditOutcome::Allowed)
    }
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AuditRecord {
    /// Sequence number, from 1, increasing.
    pub seq: u64,
    /// When (UTC).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// On which customer, if one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub customer: Option<CustomerId>,
    /// What was attempted.
    pub kind: AuditKind,
    /// Allowed or denied with a code.
    pub outcome: AuditOutcome,
    /// Free detail without personal data (ids, scopes, amounts, field names).
    #[cfg_attr(feature = "serde", serde(default))]
    pub detail: String,
}

impl fmt::Display for AuditRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {} {}",
            self.seq,
            self.at.format("%Y-%m-%dT%H:%M:%SZ"),
            self.actor,
            self.kind
        )?;
        if let Some(c) = &self.customer {
            write!(f, " customer:{c}")?;
        }
        match &self.outcome {
            AuditOutcome::Allowed => f.write_str(" allowed")?,
            AuditOutcome::Denied { code } => write!(f, " denied {code}")?,
        }
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// Which audit records to read; every field left `None` matches everything.
///
/// ```
/// use partnerdesk::audit::AuditFilter;
/// let f = AuditFilter::default().kind("freeze");
/// assert!(f.customer.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only records about this customer.
    pub customer: Option<CustomerId>,
    /// Only records by this actor.
    pub actor: Option<Actor>,
    /// Only records of this kind.
    pub kind: Option<AuditKind>,
    /// Only records at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only records strictly before this instant.
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Restricts to a customer.
    pub fn customer(mut self, id: CustomerId) -> Self {
        self.customer = Some(id);
        self
    }

    /// Restricts to an actor.
    pub fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }

    /// Restricts to a kind.
    pub fn kind(mut self, kind: impl Into<AuditKind>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Restricts to `[from, until)`.
    pub fn between(mut self, from: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        self.from = Some(from);
        self.until = Some(until);
        self
    }

    /// Whether a record matches.
    pub fn matches(&self, r: &AuditRecord) -> bool {
        self.customer
            .as_ref()
            .is_none_or(|c| r.customer.as_ref() == Some(c))
            && self.actor.as_ref().is_none_or(|a| &r.actor == a)
            && self.kind.as_ref().is_none_or(|k| &r.kind == k)
            && self.from.is_none_or(|t| r.at >= t)
            && self.until.is_none_or(|t| r.at < t)
    }
}

impl Desk {
    /// The audit records matching a filter, oldest first.
    ///
    /// ```
    /// use partnerdesk::{demo, access::Actor, audit::AuditFilter, freeze::{FreezeRequest}, FreezeScope, Invocation, OperatorId};
    /// let (mut desk, now) = demo::portfolio(50, 3)?;
    /// let nobody = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    /// let id = desk.customers().next().map(|c| c.id.clone()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let req = FreezeRequest::new(vec![id.clone()], FreezeScope::Account, "overdue invoices")?;
    /// let _ = desk.freeze(&nobody, &req);
    /// let denied = desk.audit_log(&AuditFilter::default().customer(id).kind("freeze"));
    /// assert!(!denied.is_empty());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn audit_log(&self, filter: &AuditFilter) -> Vec<&AuditRecord> {
        self.ledger
            .audit
            .iter()
            .filter(|r| filter.matches(r))
            .collect()
    }

    /// Appends an audit record (for every module that performs a governed action: commands,
    /// reveal, export). `detail` must hold no personal data.
    pub(crate) fn record_audit(
        &mut self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        kind: impl Into<AuditKind>,
        outcome: AuditOutcome,
        detail: impl Into<String>,
        now: DateTime<Utc>,
    ) {
        // Every operation refuses a `now` outside the calendar's years before it audits; should
        // one not, the record keeps the nearest instant the trail loads with, so that the trail
        // (and a durable desk's store) still opens. Debug builds and the fuzz targets stop on it.
        debug_assert!(
            crate::validate::instant("audit.at", now).is_ok(),
            "an audit record at an instant out of range"
        );
        let now = crate::calendar::nearest_accepted_instant(now);
        self.ledger.audit_seq += 1;
        let record = AuditRecord {
            seq: self.ledger.audit_seq,
            at: now,
            actor: actor.clone(),
            customer: customer.cloned(),
            kind: kind.into(),
            outcome,
            detail: detail.into(),
        };
        self.ledger.audit.push(record);
    }
}
