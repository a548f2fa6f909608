//! Events: every successful change, typed, in order, with enough data to apply it again.
//!
//! Why event-sourced: a partner must be able to say exactly what changed, when, by whom, and
//! rebuild the desk from a snapshot and the log. Every command validates first, then builds
//! events and applies them through the one function [`Desk::apply_events`](crate::Desk::apply_events) uses, so replaying
//! the log onto the snapshot the desk started from gives exactly the live state (see
//! [`Desk::replay`](crate::Desk::replay)).
//!
//! Scope of replay: every change is an event. Governed commands emit theirs (actor: who acted);
//! so does the data the host loads (actor [`Actor::System`]): customers inserted, refreshed
//! (upserted, one event per batch or Huawei import), changed or removed, spend records added,
//! operators added, month rolls, export jobs recorded and the mask policies of rows and
//! exports set. Replaying the complete log onto the snapshot the desk started from (for a desk
//! made by [`Desk::new`](crate::Desk::new), the snapshot of that empty desk) gives exactly the
//! live desk, export history and mask policies included; the audit trail is kept beside the
//! log (see [`crate::journal`]) and appended with
//! [`Desk::append_audit`](crate::Desk::append_audit).
//!
//! A desk loaded from a snapshot, or built by [`crate::demo`], starts from that state: its
//! customers are not in its log, as a snapshot's are not.
//!
//! `Display` of an event prints ids, codes, scopes and amounts, never a name, mobile, e-mail or
//! free-text reason.

use crate::calendar::YearMonth;
use crate::customer::Customer;
use crate::error::Error;
use crate::export::ExportJob;
use crate::ids::{AuthorizationId, CustomerId, IdempotencyKey, OperatorId};
use crate::model::access::{Actor, Permission};
use crate::model::association::{DisassociationRequest, Initiator, RequestId};
use crate::model::authorization::Authorization;
use crate::model::budget::Budget;
use crate::model::freeze::{Freeze, FreezeScope};
use crate::model::order::Order;
use crate::money::Money;
use crate::partner::Operator;
use crate::privacy::{MaskPolicy, MaskedList};
use crate::spend::SpendRecord;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::fmt;

/// One successful change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Event {
    /// Sequence number, from 1, without gaps.
    pub seq: u64,
    /// When (UTC).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// The customer changed, if one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub customer: Option<CustomerId>,
    /// What changed.
    pub kind: EventKind,
    /// The event's link in the log's hash chain: 64 lower-case hexadecimal digits committing to
    /// the link before it and to this event's canonical bytes (see [`crate::chain`]). Set by
    /// the desk when it emits the event; checked by [`Desk::apply_events`](crate::Desk::apply_events). Empty without the
    /// `serde` feature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub link: String,
}

/// What changed, with the data to apply it again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum EventKind {
    /// Permission items were granted to an operator.
    PermissionsGranted {
        /// The operator.
        operator: OperatorId,
        /// The items.
        items: Vec<Permission>,
    },
    /// Permission items were withdrawn from an operator.
    PermissionsRevoked {
        /// The operator.
        operator: OperatorId,
        /// The items.
        items: Vec<Permission>,
    },
    /// The partner accepted the commitment letter for operating on customers' behalf.
    CommitmentLetterAccepted,
    /// A customer was associated (new, or associated again); the record is the customer as it
    /// stands after association (reseller model: frozen by default; invitation: its manager).
    Associated {
        /// The customer record.
        customer: Box<Customer>,
    },
    /// A disassociation was requested.
    DisassociationRequested {
        /// The request.
        request: Box<DisassociationRequest>,
    },
    /// A disassociation request was rejected.
    DisassociationRejected {
        /// The request.
        request: RequestId,
        /// The reason given.
        reason: String,
    },
    /// The customer was disassociated: its budget is deleted (record by `system`), its account
    /// manager period ends and every open authorization ends.
    Disassociated {
        /// The approved request, if it came from one.
        request: Option<RequestId>,
        /// Who started it.
        initiator: Initiator,
        /// The reason given.
        reason: String,
    },
    /// An account manager was assigned (or changed to this one).
    ManagerAssigned {
        /// The manager.
        manager: OperatorId,
    },
    /// The account manager was unassigned.
    ManagerUnassigned,
    /// The customer was frozen.
    Frozen {
        /// The freeze.
        freeze: Box<Freeze>,
    },
    /// The customer was unfrozen.
    Unfrozen {
        /// The scope the freeze had.
        scope: FreezeScope,
    },
    /// A budget was set.
    BudgetSet {
        /// The budget in force.
        budget: Box<Budget>,
    },
    /// Budget usage crossed a threshold in a budget period.
    BudgetThresholdCrossed {
        /// The threshold, in percent.
        threshold: Decimal,
        /// The usage when it was seen, in percent.
        percent: Decimal,
        /// The period (`YYYY-MM` for monthly budgets, the setting time for one-off ones).
        period: String,
    },
    /// The month's spend so far, projected to month end, crosses 100% of the budget.
    BudgetForecastCrossed {
        /// The projected spend.
        projected: Money,
        /// The period.
        period: String,
    },
    /// An authorization was requested.
    AuthorizationRequested {
        /// The request.
        authorization: Box<Authorization>,
    },
    /// The distributor approved (or rejected) a reseller's request.
    AuthorizationDistributorDecided {
        /// The authorization.
        id: AuthorizationId,
        /// Whether approved.
        approved: bool,
    },
    /// The customer approved an authorization; active until `expires_at`.
    AuthorizationApproved {
        /// The authorization.
        id: AuthorizationId,
        /// When it expires.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::model::serde_fast::put_instant")
        )]
        expires_at: DateTime<Utc>,
    },
    /// The customer rejected an authorization request.
    AuthorizationRejected {
        /// The authorization.
        id: AuthorizationId,
    },
    /// A pending request lapsed after 90 days.
    AuthorizationLapsed {
        /// The authorization.
        id: AuthorizationId,
    },
    /// An active authorization reached its end.
    AuthorizationExpired {
        /// The authorization.
        id: AuthorizationId,
    },
    /// The customer revoked an authorization.
    AuthorizationRevoked {
        /// The authorization.
        id: AuthorizationId,
        /// The customer's reason.
        reason: String,
    },
    /// The partner terminated an authorization.
    AuthorizationTerminated {
        /// The authorization.
        id: AuthorizationId,
    },
    /// An order was placed on the customer's behalf (it starts unpaid).
    OrderPlaced {
        /// The order.
        order: Box<Order>,
    },
    /// The outcome of a command that carried an idempotency key (a repeat returns it).
    CommandRecorded {
        /// The key.
        key: IdempotencyKey,
        /// A fingerprint of the command, to refuse the key's reuse by another command.
        fingerprint: u64,
        /// The outcome.
        outcome: crate::model::outcome::CommandOutcome,
    },
    /// An operator was added to the desk ([`Desk::add_operator`](crate::Desk::add_operator)).
    OperatorAdded {
        /// The operator.
        operator: Box<Operator>,
    },
    /// Customers new to the desk were added
    /// ([`Desk::insert_customer`](crate::Desk::insert_customer)); the records as placed.
    CustomersInserted {
        /// The customer records, spend in day order.
        customers: Vec<Customer>,
    },
    /// Customers were added or refreshed (replaced whole) in one batch, with the operators new
    /// to the desk that they name ([`Desk::upsert_customer`](crate::Desk::upsert_customer),
    /// [`Desk::upsert_customers`](crate::Desk::upsert_customers),
    /// [`Desk::upsert_batch`](crate::Desk::upsert_batch); a Huawei import writes one such
    /// event per import).
    CustomersUpserted {
        /// Operators added first (logins new to the desk).
        #[cfg_attr(feature = "serde", serde(default))]
        operators: Vec<Operator>,
        /// The customer records, spend in day order.
        customers: Vec<Customer>,
    },
    /// The event's customer was changed ([`Desk::update_customer`](crate::Desk::update_customer));
    /// the record as it stands after the change.
    CustomerUpdated {
        /// The customer record.
        customer: Box<Customer>,
    },
    /// The event's customer was removed from the desk
    /// ([`Desk::remove_customer`](crate::Desk::remove_customer); no history kept).
    CustomerRemoved,
    /// A spend record was added to the event's customer
    /// ([`Desk::add_spend`](crate::Desk::add_spend)).
    SpendAdded {
        /// The record.
        record: Box<SpendRecord>,
    },
    /// The month-to-date index moved to another billing month
    /// ([`Desk::roll_to`](crate::Desk::roll_to)).
    MonthRolled {
        /// The billing month now indexed.
        #[cfg_attr(feature = "serde", serde(with = "crate::ops::data::month_text"))]
        month: YearMonth,
    },
    /// An export job was recorded in the export history
    /// ([`Desk::record_export`](crate::Desk::record_export), [`Desk::export`](crate::Desk::export));
    /// the event's actor is the job's.
    ExportRecorded {
        /// The job number reserved for it when it was prepared.
        number: u64,
        /// The job as recorded.
        job: Box<ExportJob>,
    },
    /// One of the desk's mask policies was set ([`Desk::set_row_policy`](crate::Desk::set_row_policy),
    /// [`Desk::set_export_policy`](crate::Desk::set_export_policy)); the policy now in force.
    /// Checked on replay as the setter checks it ([`MaskedList::check`]).
    MaskPolicySet {
        /// Which policy: rows or exports.
        list: MaskedList,
        /// The policy (rules only: a policy holds no personal data).
        policy: MaskPolicy,
    },
}

impl EventKind {
    /// A stable code for the kind, e.g. `frozen`, `budget_set`.
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::PermissionsGranted { .. } => "permissions_granted",
            EventKind::PermissionsRevoked { .. } => "permissions_revoked",
            EventKind::CommitmentLetterAccepted => "commitment_letter_accepted",
            EventKind::Associated { .. } => "associated",
            EventKind::DisassociationRequested { .. } => "disassociation_requested",
            EventKind::DisassociationRejected { .. } => "disassociation_rejected",
            EventKind::Disassociated { .. } => "disassociated",
            EventKind::ManagerAssigned { .. } => "manager_assigned",
            EventKind::ManagerUnassigned => "manager_unassigned",
            EventKind::Frozen { .. } => "frozen",
            EventKind::Unfrozen { .. } => "unfrozen",
            EventKind::BudgetSet { .. } => "budget_set",
            EventKind::BudgetThresholdCrossed { .. } => "budget_threshold_crossed",
            EventKind::BudgetForecastCrossed { .. } => "budget_forecast_crossed",
            EventKind::AuthorizationRequested { .. } => "authorization_requested",
            EventKind::AuthorizationDistributorDecided { .. } => {
                "authorization_distributor_decided"
            }
            EventKind::AuthorizationApproved { .. } => "authorization_approved",
            EventKind::AuthorizationRejected { .. } => "authorization_rejected",
            EventKind::AuthorizationLapsed { .. } => "authorization_lapsed",
            EventKind::AuthorizationExpired { .. } => "authorization_expired",
            EventKind::AuthorizationRevoked { .. } => "authorization_revoked",
            EventKind::AuthorizationTerminated { .. } => "authorization_terminated",
            EventKind::OrderPlaced { .. } => "order_placed",
            EventKind::CommandRecorded { .. } => "command_recorded",
            EventKind::OperatorAdded { .. } => "operator_added",
            EventKind::CustomersInserted { .. } => "customers_inserted",
            EventKind::CustomersUpserted { .. } => "customers_upserted",
            EventKind::CustomerUpdated { .. } => "customer_updated",
            EventKind::CustomerRemoved => "customer_removed",
            EventKind::SpendAdded { .. } => "spend_added",
            EventKind::MonthRolled { .. } => "month_rolled",
            EventKind::ExportRecorded { .. } => "export_recorded",
            EventKind::MaskPolicySet { .. } => "mask_policy_set",
        }
    }

    /// Whether applying it may add or remove customers (and so change where ids are found).
    pub(crate) fn moves_customers(&self) -> bool {
        matches!(
            self,
            EventKind::Associated { .. }
                | EventKind::CustomersInserted { .. }
                | EventKind::CustomersUpserted { .. }
                | EventKind::CustomerRemoved
        )
    }
}

impl fmt::Display for EventKind {
    /// Ids, codes, scopes and amounts only: no names, contact data or reasons.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())?;
        match self {
            EventKind::PermissionsGranted { operator, items }
            | EventKind::PermissionsRevoked { operator, items } => {
                write!(f, " operator:{operator}")?;
                for i in items {
                    write!(f, " {i}")?;
                }
                Ok(())
            }
            EventKind::CommitmentLetterAccepted | EventKind::ManagerUnassigned => Ok(()),
            EventKind::Associated { customer } => write!(
                f,
                " {}{}",
                customer.association.kind,
                if customer.freeze.is_frozen() {
                    " frozen"
                } else {
                    ""
                }
            ),
            EventKind::DisassociationRequested { request } => {
                write!(f, " request:{} by {}", request.id, request.initiator)
            }
            EventKind::DisassociationRejected { request, .. } => write!(f, " request:{request}"),
            EventKind::Disassociated {
                request, initiator, ..
            } => {
                write!(f, " initiated by {initiator}")?;
                if let Some(r) = request {
                    write!(f, " request:{r}")?;
                }
                Ok(())
            }
            EventKind::ManagerAssigned { manager } => write!(f, " manager:{manager}"),
            EventKind::Frozen { freeze } => write!(f, " {} origin {}", freeze.scope, freeze.origin),
            EventKind::Unfrozen { scope } => write!(f, " {scope}"),
            EventKind::BudgetSet { budget } => write!(
                f,
                " {} {}{}",
                budget.kind,
                budget.amount,
                if budget.auto_freeze {
                    " auto_freeze"
                } else {
                    ""
                }
            ),
            EventKind::BudgetThresholdCrossed {
                threshold,
                percent,
                period,
            } => write!(f, " {threshold}% (at {percent}%) period {period}"),
            EventKind::BudgetForecastCrossed { projected, period } => {
                write!(f, " projected {projected} period {period}")
            }
            EventKind::AuthorizationRequested { authorization: a } => {
                write!(f, " {} {} days", a.id, a.duration_days)?;
                for s in &a.scopes {
                    write!(f, " {s}")?;
                }
                Ok(())
            }
            EventKind::AuthorizationDistributorDecided { id, approved } => write!(
                f,
                " {id} {}",
                if *approved { "approved" } else { "rejected" }
            ),
            EventKind::AuthorizationApproved { id, expires_at } => {
                write!(f, " {id} until {}", expires_at.format("%Y-%m-%dT%H:%M:%SZ"))
            }
            EventKind::AuthorizationRejected { id }
            | EventKind::AuthorizationLapsed { id }
            | EventKind::AuthorizationExpired { id }
            | EventKind::AuthorizationRevoked { id, .. }
            | EventKind::AuthorizationTerminated { id } => write!(f, " {id}"),
            EventKind::OrderPlaced { order } => {
                write!(f, " {} {} {}", order.id, order.kind, order.amount)
            }
            EventKind::CommandRecorded { key, outcome, .. } => {
                write!(f, " key:{key} {}", outcome.summary())
            }
            EventKind::OperatorAdded { operator } => {
                write!(f, " operator:{} {}", operator.id, operator.role)?;
                if operator.account_manager {
                    f.write_str(" account_manager")?;
                }
                Ok(())
            }
            EventKind::CustomersInserted { customers } => {
                write!(f, " customers:{}", customers.len())
            }
            EventKind::CustomersUpserted {
                operators,
                customers,
            } => write!(
                f,
                " customers:{} operators:{}",
                customers.len(),
                operators.len()
            ),
            EventKind::CustomerUpdated { .. } | EventKind::CustomerRemoved => Ok(()),
            EventKind::SpendAdded { record } => {
                write!(f, " {} {}", record.day.format("%Y-%m-%d"), record.amount)
            }
            EventKind::MonthRolled { month } => write!(f, " {month}"),
            EventKind::ExportRecorded { job, .. } => write!(
                f,
                " {} {} rows:{}/{} {}",
                job.id,
                job.format,
                job.rows,
                job.total,
                match job.status {
                    crate::export::ExportStatus::Completed => "completed",
                    crate::export::ExportStatus::Cancelled => "cancelled",
                    _ => "failed",
                }
            ),
            // The list only: the rules are in the event's data, and the text stays short.
            EventKind::MaskPolicySet { list, .. } => write!(f, " {list}"),
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {}",
            self.seq,
            self.at.format("%Y-%m-%dT%H:%M:%SZ"),
            self.actor
        )?;
        if let Some(c) = &self.customer {
            write!(f, " customer:{c}")?;
        }
        write!(f, " {}", self.kind)
    }
}

pub(crate) fn bad_event(seq: u64, reason: impl Into<String>) -> Error {
    Error::InvalidEvent {
        sequence: seq,
        reason: reason.into(),
    }
}

pub(crate) fn broken(seq: u64, reason: impl Into<String>) -> Error {
    Error::EventChainBroken {
        sequence: seq,
        reason: reason.into(),
    }
}

#[cfg(feature = "serde")]
fn canonical_failed() -> Error {
    Error::Internal {
        operation: "event canonical bytes".to_owned(),
    }
}

#[cfg(feature = "serde")]
impl Event {
    /// The event's canonical bytes: its JSON without the `link` field (fields in declaration
    /// order; nothing in an event has an unspecified order). What its link commits to. Plain
    /// JSON on purpose: a host or an auditor reproduces it with its own JSON library (drop
    /// `link`, write the rest compactly) and checks a log without partnerdesk.
    pub fn canonical_bytes(&self) -> crate::error::Result<Vec<u8>> {
        // Most events take a few hundred bytes: one allocation instead of a growing vector.
        let mut bytes = Vec::with_capacity(512);
        self.write_canonical(&mut bytes)
            .map_err(|_| canonical_failed())?;
        Ok(bytes)
    }

    /// Writes the canonical bytes (see [`Event::canonical_bytes`]) to `out`.
    fn write_canonical(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            seq: u64,
            #[serde(serialize_with = "crate::model::serde_fast::put_instant")]
            at: &'a DateTime<Utc>,
            actor: &'a Actor,
            customer: &'a Option<CustomerId>,
            kind: &'a EventKind,
        }
        serde_json::to_writer(
            out,
            &Body {
                seq: self.seq,
                at: &self.at,
                actor: &self.actor,
                customer: &self.customer,
                kind: &self.kind,
            },
        )
        .map_err(std::io::Error::other)
    }

    /// The link this event must carry when it follows the link `previous` (the empty text
    /// starts a chain), with the desk's key if it has one (see [`crate::chain`]).
    ///
    /// ```
    /// use partnerdesk::{demo, Desk, Actor, Invocation, OperatorId, Permission};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// desk.grant_permissions(&admin, &OperatorId::new("ops_billing")?, &[Permission::ViewSpend])?;
    /// let e = &desk.events()[0];
    /// assert_eq!(e.expected_link("", None)?, e.link);
    /// assert_eq!(desk.chain_head(), e.link);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn expected_link(
        &self,
        previous: &str,
        key: Option<&crate::chain::EventKey>,
    ) -> crate::error::Result<String> {
        crate::chain::link(previous, key, |out| self.write_canonical(out))
            .map_err(|_| canonical_failed())
    }

    /// Sets the link for a log that continues after `previous`, and returns it (for hosts and
    /// tools that write logs themselves; the desk seals what it emits).
    pub fn seal(
        &mut self,
        previous: &str,
        key: Option<&crate::chain::EventKey>,
    ) -> crate::error::Result<&str> {
        self.link = self.expected_link(previous, key)?;
        Ok(&self.link)
    }
}
