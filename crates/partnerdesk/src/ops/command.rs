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
use std::fmt;

/// The outcome for one customer of a batch command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOutcome {
    /// The customer.
    pub customer: CustomerId,
    /// Done, or refused with an error.
    pub result: Result<(), Error>,
}

impl ItemOutcome {
    /// Whether it was done.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

/// The outcome of a batch command (freeze, unfreeze, assign managers): one per customer, in
/// the order given. A refusal of one customer does not stop the others.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    /// One outcome per customer.
    pub items: Vec<ItemOutcome>,
}

impl BatchOutcome {
    /// How many were done.
    pub fn succeeded(&self) -> usize {
        self.items.iter().filter(|i| i.is_ok()).count()
    }

    /// How many were refused.
    pub fn failed(&self) -> usize {
        self.items.len() - self.succeeded()
    }

    /// The outcome for a customer.
    pub fn get(&self, id: &CustomerId) -> Option<&Result<(), Error>> {
        self.items
            .iter()
            .find(|i| &i.customer == id)
            .map(|i| &i.result)
    }
}

/// The first outcome of a command that carried an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
pub enum CommandOutcome {
    /// Done.
    Done,
    /// A batch outcome.
    Batch {
        /// Per customer.
        #[cfg_attr(feature = "serde", serde(with = "batch_serde"))]
        outcome: BatchOutcome,
    },
    /// An authorization was requested.
    Authorization {
        /// Its id.
        id: AuthorizationId,
    },
    /// A disassociation request was made.
    Request {
        /// Its id.
        id: u64,
    },
    /// An order was placed.
    Order {
        /// Its id.
        id: OrderId,
    },
}

impl CommandOutcome {
    /// A short text without personal data.
    pub fn summary(&self) -> String {
        match self {
            CommandOutcome::Done => "done".to_owned(),
            CommandOutcome::Batch { outcome } => format!(
                "batch {} done, {} refused",
                outcome.succeeded(),
                outcome.failed()
            ),
            CommandOutcome::Authorization { id } => format!("authorization {id}"),
            CommandOutcome::Request { id } => format!("request {id}"),
            CommandOutcome::Order { id } => format!("order {id}"),
        }
    }
}

impl fmt::Display for CommandOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

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

impl Outcome for BatchOutcome {
    fn record(&self) -> CommandOutcome {
        CommandOutcome::Batch {
            outcome: self.clone(),
        }
    }
    fn restore(o: &CommandOutcome) -> Option<Self> {
        match o {
            CommandOutcome::Batch { outcome } => Some(outcome.clone()),
            _ => None,
        }
    }
}

impl Outcome for AuthorizationId {
    fn record(&self) -> CommandOutcome {
        CommandOutcome::Authorization { id: self.clone() }
    }
    fn restore(o: &CommandOutcome) -> Option<Self> {
        match o {
            CommandOutcome::Authorization { id } => Some(id.clone()),
            _ => None,
        }
    }
}

impl Outcome for u64 {
    fn record(&self) -> CommandOutcome {
        CommandOutcome::Request { id: *self }
    }
    fn restore(o: &CommandOutcome) -> Option<Self> {
        match o {
            CommandOutcome::Request { id } => Some(*id),
            _ => None,
        }
    }
}

impl Outcome for OrderId {
    fn record(&self) -> CommandOutcome {
        CommandOutcome::Order { id: self.clone() }
    }
    fn restore(o: &CommandOutcome) -> Option<Self> {
        match o {
            CommandOutcome::Order { id } => Some(id.clone()),
            _ => None,
        }
    }
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
    /// Whether the actor may issue the command at all, as the desk stands now (its permission
    /// item, or being the customer or the system the command is for). A replayed key is
    /// answered only while this holds: a revoked operator gets the refusal, not the recorded
    /// outcome.
    pub(crate) gate: &'a dyn Fn(&Desk) -> Result<()>,
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
                (cmd.gate)(self).and_then(|()| restored.ok_or_else(conflict))
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

/// Serde for batch outcomes: each refusal is kept as its code and fields, and rebuilt as the
/// same error for the errors batch commands produce.
#[cfg(feature = "serde")]
mod batch_serde {
    use super::{BatchOutcome, ItemOutcome};
    use crate::error::Error;
    use crate::ids::CustomerId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Item {
        customer: CustomerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<Repr>,
    }

    /// An error as data: its code and up to three text fields.
    #[derive(Serialize, Deserialize)]
    struct Repr {
        code: String,
        #[serde(default)]
        a: String,
        #[serde(default)]
        b: String,
        #[serde(default)]
        c: String,
    }

    fn repr(e: &Error) -> Repr {
        let r = |a: &str, b: &str, c: &str| Repr {
            code: e.code().to_owned(),
            a: a.to_owned(),
            b: b.to_owned(),
            c: c.to_owned(),
        };
        match e {
            Error::CustomerNotFound { id }
            | Error::OperatorNotFound { id }
            | Error::WrongAssociationType { id }
            | Error::NotFrozen { id }
            | Error::AlreadyFrozen { id }
            | Error::NotAssociated { id }
            | Error::NotAccountManager { id }
            | Error::CustomerFrozen { id } => r(id, "", ""),
            Error::FreezeScopeMismatch {
                id,
                frozen,
                requested,
            } => r(id, frozen, requested),
            Error::PermissionDenied { item, actor } => r(item, actor, ""),
            Error::AdministratorOnly { item } => r(item, "", ""),
            Error::InvalidArgument { field, reason } => r(field, reason, ""),
            Error::CurrencyMismatch { expected, found } => r(expected, found, ""),
            other => r("outcome", &other.to_string(), ""),
        }
    }

    fn error(r: Repr) -> Error {
        let Repr { code, a, b, c } = r;
        match code.as_str() {
            "CUSTOMER_NOT_FOUND" => Error::CustomerNotFound { id: a },
            "OPERATOR_NOT_FOUND" => Error::OperatorNotFound { id: a },
            "WRONG_ASSOCIATION_TYPE" => Error::WrongAssociationType { id: a },
            "NOT_FROZEN" => Error::NotFrozen { id: a },
            "ALREADY_FROZEN" => Error::AlreadyFrozen { id: a },
            "NOT_ASSOCIATED" => Error::NotAssociated { id: a },
            "NOT_ACCOUNT_MANAGER" => Error::NotAccountManager { id: a },
            "CUSTOMER_FROZEN" => Error::CustomerFrozen { id: a },
            "FREEZE_SCOPE_MISMATCH" => Error::FreezeScopeMismatch {
                id: a,
                frozen: b,
                requested: c,
            },
            "PERMISSION_DENIED" => Error::PermissionDenied { item: a, actor: b },
            "ADMINISTRATOR_ONLY" => Error::AdministratorOnly { item: a },
            "CURRENCY_MISMATCH" => Error::CurrencyMismatch {
                expected: a,
                found: b,
            },
            "INVALID_ARGUMENT" => Error::InvalidArgument {
                field: a,
                reason: b,
            },
            _ => Error::InvalidArgument {
                field: a,
                reason: format!("{code}: {b}"),
            },
        }
    }

    pub(super) fn serialize<S: Serializer>(o: &BatchOutcome, s: S) -> Result<S::Ok, S::Error> {
        let items: Vec<Item> = o
            .items
            .iter()
            .map(|i| Item {
                customer: i.customer.clone(),
                error: i.result.as_ref().err().map(repr),
            })
            .collect();
        items.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BatchOutcome, D::Error> {
        let items = Vec::<Item>::deserialize(d)?;
        Ok(BatchOutcome {
            items: items
                .into_iter()
                .map(|i| ItemOutcome {
                    customer: i.customer,
                    result: i.error.map_or(Ok(()), |r| Err(error(r))),
                })
                .collect(),
        })
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
