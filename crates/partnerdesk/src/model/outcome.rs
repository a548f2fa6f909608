//! What a governed command answered: per customer for batch commands, or the id it created.
//!
//! Why values in the model: an outcome is recorded with its idempotency key in the event log
//! (`CommandRecorded`) and answered again on a retry, so it must round-trip through snapshots
//! and events exactly, refusals included (as their codes and fields).

use crate::error::{Error, Result};
use crate::model::ids::{AuthorizationId, CustomerId, OrderId};
use std::fmt;

/// The outcome for one customer of a batch command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemOutcome {
    /// The customer.
    pub customer: CustomerId,
    /// Done, or refused with an error.
    pub result: Result<(), Error>,
}

impl ItemOutcome {
    /// The outcome for one customer.
    pub fn new(customer: CustomerId, result: Result<(), Error>) -> Self {
        ItemOutcome { customer, result }
    }

    /// Whether it was done.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

/// The outcome of a batch command (freeze, unfreeze, assign managers): one per customer, in
/// the order given. A refusal of one customer does not stop the others.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BatchOutcome {
    /// One outcome per customer.
    pub items: Vec<ItemOutcome>,
}

impl BatchOutcome {
    /// A batch outcome from its items, in the order of the command's ids.
    pub fn from_items(items: Vec<ItemOutcome>) -> Self {
        BatchOutcome { items }
    }

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
#[non_exhaustive]
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
            Error::InvalidArgument { field, reason } if field == "outcome" => {
                match unlisted(reason) {
                    // A refusal of a code this form does not spell out, as it was loaded
                    // (below): stored again as it was, so its event keeps its chain link.
                    Some((code, message)) => Repr {
                        code: code.to_owned(),
                        a: field.clone(),
                        b: message.to_owned(),
                        c: String::new(),
                    },
                    None => r(field, reason, ""),
                }
            }
            Error::InvalidArgument { field, reason } => r(field, reason, ""),
            Error::CurrencyMismatch { expected, found } => r(expected, found, ""),
            other => r("outcome", &other.to_string(), ""),
        }
    }

    /// The code and message of a refusal loaded as `INVALID_ARGUMENT` on `outcome` because
    /// this form does not spell its code out: `CODE: message`, with a code of the table other
    /// than `INVALID_ARGUMENT`.
    fn unlisted(reason: &str) -> Option<(&str, &str)> {
        let (code, message) = reason.split_once(": ")?;
        (code != "INVALID_ARGUMENT" && Error::CODES.contains(&code)).then_some((code, message))
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
            "INVALID_TRANSITION" => transition(&b).unwrap_or_else(|| Error::InvalidArgument {
                field: a,
                reason: format!("{code}: {b}"),
            }),
            _ => Error::InvalidArgument {
                field: a,
                reason: format!("{code}: {b}"),
            },
        }
    }

    /// The records whose transitions a batch item may refuse, longest first.
    const TRANSITION_RECORDS: &[&str] =
        &["disassociation request", "account manager", "authorization"];

    /// An `INVALID_TRANSITION` back from its message, the form it is stored in (the fields
    /// were never stored apart, and a log written so must keep its chain links): `None` when
    /// the message is not one its fields print as. Refusals of this kind came back as
    /// `INVALID_ARGUMENT` before, so the event that recorded one no longer matched its link and
    /// the log would not open.
    pub(super) fn transition(message: &str) -> Option<Error> {
        let (head, state) = message.strip_prefix("cannot ")?.rsplit_once(" in state ")?;
        let (action, what) = TRANSITION_RECORDS
            .iter()
            .find_map(|what| Some((head.strip_suffix(what)?.strip_suffix(' ')?, *what)))
            .or_else(|| head.rsplit_once(' '))?;
        let error = Error::InvalidTransition {
            what: what.to_owned(),
            state: state.to_owned(),
            action: action.to_owned(),
        };
        (error.to_string() == message).then_some(error)
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

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::{BatchOutcome, CommandOutcome, ItemOutcome};
    use crate::error::Error;
    use crate::ids::CustomerId;

    /// Every refusal a batch item can carry comes back from its stored form as the same error,
    /// and is stored again byte for byte as before: an event recording the outcome keeps its
    /// chain link through a save and a load.
    #[test]
    fn every_refusal_of_a_batch_item_comes_back_as_it_was_stored()
    -> Result<(), Box<dyn std::error::Error>> {
        let id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
        let transition = |what: &str, state: &str, action: &str| Error::InvalidTransition {
            what: what.to_owned(),
            state: state.to_owned(),
            action: action.to_owned(),
        };
        let refusals = [
            Error::CustomerNotFound { id: id.to_owned() },
            Error::NotAssociated { id: id.to_owned() },
            Error::WrongAssociationType { id: id.to_owned() },
            Error::AlreadyFrozen { id: id.to_owned() },
            Error::NotFrozen { id: id.to_owned() },
            Error::FreezeScopeMismatch {
                id: id.to_owned(),
                frozen: "account".to_owned(),
                requested: "account_and_resources".to_owned(),
            },
            Error::NotAccountManager {
                id: "am_001".to_owned(),
            },
            Error::PermissionDenied {
                item: "freeze".to_owned(),
                actor: "am_001".to_owned(),
            },
            Error::invalid_arg("now", "earlier than the last event of the log"),
            transition("account manager", "unassigned", "unassign"),
            transition(
                "account manager",
                "assigned to this manager",
                "assign again",
            ),
            transition("disassociation request", "approved", "cancel"),
            transition("authorization", "revoked", "revoke"),
        ];
        for refusal in refusals {
            let outcome = CommandOutcome::Batch {
                outcome: BatchOutcome::from_items(vec![ItemOutcome::new(
                    CustomerId::new(id)?,
                    Err(refusal.clone()),
                )]),
            };
            let stored = serde_json::to_string(&outcome)?;
            let back: CommandOutcome = serde_json::from_str(&stored)?;
            assert_eq!(back, outcome, "{}", refusal.code());
            assert_eq!(serde_json::to_string(&back)?, stored, "{}", refusal.code());
        }
        Ok(())
    }

    /// A refusal of a code the stored form does not spell out comes back as `INVALID_ARGUMENT`
    /// on `outcome`, and is stored again exactly as it was first stored: its event keeps its
    /// chain link, so the log opens.
    #[test]
    fn an_unlisted_refusal_is_stored_again_as_it_was() -> Result<(), Box<dyn std::error::Error>> {
        let id = CustomerId::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?;
        for refusal in [
            Error::InvalidEvent {
                sequence: 7,
                reason: "unknown customer".to_owned(),
            },
            Error::Internal {
                operation: "freeze".to_owned(),
            },
        ] {
            let outcome = CommandOutcome::Batch {
                outcome: BatchOutcome::from_items(vec![ItemOutcome::new(
                    id.clone(),
                    Err(refusal.clone()),
                )]),
            };
            let stored = serde_json::to_string(&outcome)?;
            assert!(stored.contains(refusal.code()), "{stored}");
            let back: CommandOutcome = serde_json::from_str(&stored)?;
            assert_eq!(serde_json::to_string(&back)?, stored, "{}", refusal.code());
            let again: CommandOutcome = serde_json::from_str(&serde_json::to_string(&back)?)?;
            assert_eq!(again, back);
        }
        // A refusal that really is an `INVALID_ARGUMENT` keeps its own form.
        let own = Error::InvalidArgument {
            field: "outcome".to_owned(),
            reason: "NOT_A_CODE: x".to_owned(),
        };
        let outcome = CommandOutcome::Batch {
            outcome: BatchOutcome::from_items(vec![ItemOutcome::new(id, Err(own))]),
        };
        let stored = serde_json::to_string(&outcome)?;
        let back: CommandOutcome = serde_json::from_str(&stored)?;
        assert_eq!(back, outcome);
        Ok(())
    }

    /// A refusal text that is not one an `INVALID_TRANSITION` prints (an edited log) is not
    /// taken for one.
    #[test]
    fn a_transition_message_that_does_not_print_back_is_not_a_transition() {
        assert!(super::batch_serde::transition("cannot  in state x").is_none());
        assert!(super::batch_serde::transition("refused").is_none());
        assert!(super::batch_serde::transition("cannot go in state").is_none());
    }
}
