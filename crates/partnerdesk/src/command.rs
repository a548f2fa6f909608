//! Running governed commands: idempotency keys, auditing, outcomes.
//!
//! Why one runner: every command has the same skeleton (a repeat of an idempotency key returns
//! the first outcome and changes nothing; the key reused for another command is refused; a
//! refusal is audited with its code; a success is audited and its events applied). Writing it
//! once keeps the commands short and the rules identical across them.

use crate::access::Actor;
use crate::audit::AuditOutcome;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::event::EventKind;
use crate::ids::{AuthorizationId, CustomerId, IdempotencyKey, OrderId};
use chrono::{DateTime, Utc};
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

/// FNV-1a, 64 bits: a fingerprint that is the same on every platform and version.
pub(crate) fn fingerprint(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What the runner needs to know about a command.
pub(crate) struct Command<'a> {
    pub(crate) actor: &'a Actor,
    /// The audit kind, e.g. `freeze`.
    pub(crate) kind: &'static str,
    /// The customer, for single-customer commands.
    pub(crate) customer: Option<&'a CustomerId>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) key: Option<&'a IdempotencyKey>,
    /// Batch commands audit each customer themselves; the runner audits whole-command refusals,
    /// once per customer of the batch (so "who tried to freeze this customer" finds them).
    pub(crate) batch: bool,
    /// The customers of a batch command.
    pub(crate) ids: &'a [CustomerId],
}

impl Desk {
    /// Runs a command: idempotency, then `body` (which validates everything before it emits any
    /// event, so a refusal changes nothing), then the audit record and the recorded outcome.
    /// `describe` gives the command's fingerprint text and the audit detail (no personal data).
    pub(crate) fn run<T: Outcome>(
        &mut self,
        cmd: Command<'_>,
        describe: impl Fn() -> String,
        body: impl FnOnce(&mut Desk) -> Result<T>,
    ) -> Result<T> {
        // A `now` outside the calendar's range is refused before anything (every command).
        crate::validate::instant("now", cmd.now)?;
        // The detail is written only where it is used (a batch audits each item itself), and
        // at most once.
        let mut detail = cmd.key.map(|_| describe());
        let print = detail.as_ref().map(|d| {
            fingerprint(&format!(
                "{}|{}|{:?}|{d}",
                cmd.kind, cmd.actor, cmd.customer
            ))
        });
        if let (Some(key), Some(print)) = (cmd.key, print)
            && let Some(rec) = self.ledger.idempotency.get(key)
        {
            let out = if rec.fingerprint == print {
                T::restore(&rec.outcome)
            } else {
                None
            };
            return out.ok_or_else(|| Error::IdempotencyConflict {
                key: key.to_string(),
            });
        }
        match body(self) {
            Ok(out) => {
                if !cmd.batch {
                    self.record_audit(
                        cmd.actor,
                        cmd.customer,
                        cmd.kind,
                        AuditOutcome::Allowed,
                        detail.take().unwrap_or_else(&describe),
                        cmd.now,
                    );
                }
                if let (Some(key), Some(print)) = (cmd.key, print) {
                    self.emit(
                        cmd.actor,
                        cmd.customer,
                        EventKind::CommandRecorded {
                            key: key.clone(),
                            fingerprint: print,
                            outcome: out.record(),
                        },
                        cmd.now,
                    )?;
                }
                Ok(out)
            }
            Err(e) => {
                let detail = detail.take().unwrap_or_else(&describe);
                if cmd.ids.is_empty() {
                    self.record_audit(
                        cmd.actor,
                        cmd.customer,
                        cmd.kind,
                        AuditOutcome::denied(&e),
                        detail.clone(),
                        cmd.now,
                    );
                }
                for id in cmd.ids {
                    self.record_audit(
                        cmd.actor,
                        Some(id),
                        cmd.kind,
                        AuditOutcome::denied(&e),
                        detail.clone(),
                        cmd.now,
                    );
                }
                Err(e)
            }
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
