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
