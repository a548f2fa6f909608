//! Running governed commands: idempotency keys, auditing, outcomes.
//!
//! Why one runner: every command has the same skeleton (a repeat of an idempotency key returns
//! the first outcome and changes nothing; the key reused for another command is refused; a
//! refusal is audited with its code; a success is audited and its events applied). Writing it
//! once keeps the commands short and the rules identical across them.

use crate::audit::AuditOutcome;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::event::EventKind;
use crate::ids::{AuthorizationId, CustomerId, OrderId};
use crate::invocation::Invocation;
use crate::model::access::Actor;

pub use crate::model::outcome::{BatchOutcome, CommandOutcome, ItemOutcome};

/// Conversion of a command's return value to and from its recorded outcome.
pub(crate) trait Outcome: Sized {
    fn record(&self) -> CommandOutcome;
    fn restore(o: &CommandOutcome) -> Option<Self>;
}

impl Outcome for () {
    fn record(&self) -> CommandOutcome {
        CommandOutcome::Done
    }
    fn restore(o: &CommandOutcome) -> Option<Self> {
        matches!(o, CommandOutcome::Done).then_some(())
    }
}

/// `outcome!(Type => Variant { member }, ...)`: the [`Outcome`] of a value recorded as
/// `CommandOutcome::Variant { member }`.
macro_rules! outcome {
    ($($t:ty => $variant:ident { $member:ident }),* $(,)?) => {$(
        impl Outcome for $t {
            fn record(&self) -> CommandOutcome {
                CommandOutcome::$variant {
                    $member: self.to_owned(),
                }
            }
            fn restore(o: &CommandOutcome) -> Option<Self> {
                match o {
                    CommandOutcome::$variant { $member } => Some($member.to_owned()),
                    _ => None,
                }
            }
        }
    )*};
}

outcome! {
    BatchOutcome => Batch { outcome },
    AuthorizationId => Authorization { id },
    u64 => Request { id },
    OrderId => Order { id },
}

/// What the runner needs to know about a command.
pub(crate) struct Command<'a> {
    /// Who acts, when, under which optional idempotency key.
    pub(crate) inv: &'a Invocation,
    /// The audit kind, e.g. `freeze`.
    pub(crate) kind: &'static str,
    /// The customer, for single-customer commands.
    pub(crate) customer: Option<&'a CustomerId>,
    /// Batch commands audit each customer themselves; the runner audits whole-command refusals,
    /// once per customer of the batch (so "who tried to freeze this customer" finds them).
    pub(crate) batch: bool,
    /// The customers of a batch command.
    pub(crate) ids: &'a [CustomerId],
    /// Whether an operator may still issue the command, as the desk stands now (its
    /// permission item). An operator's replayed key is answered only while this holds: a
    /// revoked operator gets the refusal, not the recorded outcome. (Customers and the system
    /// hold no revocable item; the runner answers their replays without the gate.)
    pub(crate) gate: &'a dyn Fn(&Desk) -> Result<()>,
}

impl<'a> Command<'a> {
    /// A command about one customer (or, with `None`, about none), admitted by `gate`.
    pub(crate) fn single(
        inv: &'a Invocation,
        kind: &'static str,
        customer: Option<&'a CustomerId>,
        gate: &'a dyn Fn(&Desk) -> Result<()>,
    ) -> Self {
        Command {
            inv,
            kind,
            customer,
            batch: false,
            ids: &[],
            gate,
        }
    }

    /// A batch command over `ids`, admitted as a whole by `gate`.
    pub(crate) fn batch(
        inv: &'a Invocation,
        kind: &'static str,
        ids: &'a [CustomerId],
        gate: &'a dyn Fn(&Desk) -> Result<()>,
    ) -> Self {
        Command {
            inv,
            kind,
            customer: None,
            batch: true,
            ids,
            gate,
        }
    }
}

impl Desk {
    /// Runs a command: idempotency, then `body` (which validates everything before it emits any
    /// event, so a refusal changes nothing), then the audit record and the recorded outcome.
    /// `describe` gives the command's fingerprint text and the audit detail (no personal data).
    ///
    /// A key seen before is answered from its record, and only to the same command by the same
    /// actor (the fingerprint covers both; anything else is `IDEMPOTENCY_CONFLICT`), and only
    /// while the actor still passes the command's gate (else its refusal, e.g.
    /// `PERMISSION_DENIED`). Every attempt is audited, replayed or refused.
    pub(crate) fn run<T: Outcome>(
        &mut self,
        cmd: Command<'_>,
        describe: impl Fn() -> String,
        body: impl FnOnce(&mut Desk) -> Result<T>,
    ) -> Result<T> {
        // A `now` outside the calendar's range is refused before anything (every command).
        crate::validate::instant("now", cmd.inv.now())?;
        // The detail is written only where it is used (a batch audits each item itself), and
        // at most once.
        let mut detail = cmd.inv.idempotency_key().map(|_| describe());
        let print = detail.as_ref().map(|d| {
            crate::hash::fingerprint64(&format!(
                "{}|{}|{:?}|{d}",
                cmd.kind,
                cmd.inv.actor(),
                cmd.customer
            ))
        });
        if let (Some(key), Some(print)) = (cmd.inv.idempotency_key(), print)
            && let Some(rec) = self.ledger.idempotency.get(key)
        {
            let conflict = || Error::IdempotencyConflict {
                key: key.to_string(),
            };
            let out = if rec.fingerprint == print {
                let restored = T::restore(&rec.outcome);
                // A customer or the system holds no item that can be revoked, and the record
                // answers only the actor it was made for (the fingerprint names it): their
                // retries pass. An operator's passes only while it still holds the item.
                let still = match cmd.inv.actor() {
                    Actor::Customer(_) | Actor::System => Ok(()),
                    Actor::Operator(_) => (cmd.gate)(self),
                };
                still.and_then(|()| restored.ok_or_else(conflict))
            } else {
                Err(conflict())
            };
            let outcome = match &out {
                Ok(_) => AuditOutcome::Allowed,
                Err(e) => AuditOutcome::denied(e),
            };
            let detail = format!(
                "replay of key {key}: {}",
                detail.take().unwrap_or_else(&describe)
            );
            self.audit_command(&cmd, &outcome, &detail);
            return out;
        }
        match body(self) {
            Ok(out) => {
                if !cmd.batch {
                    self.record_audit(
                        cmd.inv.actor(),
                        cmd.customer,
                        cmd.kind,
                        AuditOutcome::Allowed,
                        detail.take().unwrap_or_else(&describe),
                        cmd.inv.now(),
                    );
                }
                if let (Some(key), Some(print)) = (cmd.inv.idempotency_key(), print) {
                    self.emit(
                        cmd.inv.actor(),
                        cmd.customer,
                        EventKind::CommandRecorded {
                            key: key.clone(),
                            fingerprint: print,
                            outcome: out.record(),
                        },
                        cmd.inv.now(),
                    )?;
                }
                Ok(out)
            }
            Err(e) => {
                let detail = detail.take().unwrap_or_else(&describe);
                self.audit_command(&cmd, &AuditOutcome::denied(&e), &detail);
                Err(e)
            }
        }
    }

    /// Audits a whole command's attempt: once per customer of a batch, else once.
    fn audit_command(&mut self, cmd: &Command<'_>, outcome: &AuditOutcome, detail: &str) {
        if cmd.ids.is_empty() {
            self.record_audit(
                cmd.inv.actor(),
                cmd.customer,
                cmd.kind,
                outcome.clone(),
                detail,
                cmd.inv.now(),
            );
        }
        for id in cmd.ids {
            self.record_audit(
                cmd.inv.actor(),
                Some(id),
                cmd.kind,
                outcome.clone(),
                detail,
                cmd.inv.now(),
            );
        }
    }
}

/// Applying `CommandRecorded` (the only place the idempotency records change).
impl Desk {
    /// Records a command's key, fingerprint and outcome.
    pub(crate) fn apply_command_recorded(
        &mut self,
        key: &crate::ids::IdempotencyKey,
        fingerprint: u64,
        outcome: &CommandOutcome,
    ) {
        self.ledger.idempotency.insert(
            key.clone(),
            crate::ledger::Recorded {
                fingerprint,
                outcome: outcome.clone(),
            },
        );
    }
}

/// One customer of a batch command (freeze, unfreeze, manager assignment).
impl Desk {
    /// Emits the customer's event when its checks passed, audits the customer either way
    /// (`detail`: ids and codes only) and gives its outcome.
    pub(crate) fn batch_item(
        &mut self,
        inv: &Invocation,
        kind: &'static str,
        id: &CustomerId,
        checked: Result<EventKind>,
        detail: String,
    ) -> ItemOutcome {
        let (actor, now) = (inv.actor(), inv.now());
        let result = checked.and_then(|event| self.emit(actor, Some(id), event, now));
        let outcome = match &result {
            Ok(()) => AuditOutcome::Allowed,
            Err(e) => AuditOutcome::denied(e),
        };
        self.record_audit(actor, Some(id), kind, outcome, detail, now);
        ItemOutcome::new(id.clone(), result)
    }
}
