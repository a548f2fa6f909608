//! Identifier newtypes.
//!
//! Why newtypes: a customer id and an operator login are both strings on the wire, and mixing
//! them up is the classic bug of a customer-management tool. Each newtype validates once, at the
//! boundary (length ≤ 64 like the Huawei APIs, no control characters, not blank), so the rest of
//! the code can trust it.
//!
//! Why `Arc<str>` inside: an identifier is written once and copied often (into events, the
//! audit trail, manager periods, index keys, every `Actor`), so a copy is a reference count
//! instead of an allocation, and the handle is 16 bytes instead of a `String`'s 24.

use crate::error::{Error, IdKind, Result};
use crate::model::text::SharedText;
use std::fmt;
use std::sync::Arc;

/// A hash map for lookups by identifier on hot paths (every command and replayed event finds
/// its customer by id): foldhash instead of SipHash, randomly seeded like the standard map.
pub(crate) type IdMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The longest identifier the Huawei partner APIs accept (`customer_id`, `indirect_partner_id`).
pub const MAX_ID_LEN: usize = 64;

pub(crate) fn validate_id(kind: IdKind, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::InvalidId {
            kind,
            reason: "empty",
        });
    }
    if s.len() > MAX_ID_LEN {
        return Err(Error::InvalidId {
            kind,
            reason: "longer than 64 bytes",
        });
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::InvalidId {
            kind,
            reason: "contains whitespace or control characters",
        });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $kind:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Validates and wraps an identifier (1..=64 bytes, no whitespace or control characters).
            pub fn new(value: impl Into<String>) -> Result<Self> {
                let value = value.into();
                validate_id($kind, &value)?;
                Ok(Self(Arc::from(value)))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                // The text is lent to the check and copied once, into the id's own block (a
                // `String` first was a second allocation for every id a load reads).
                $crate::model::serde_fast::with_str(d, |s| match validate_id($kind, s) {
                    Ok(()) => Ok(Self(Arc::from(s))),
                    Err(e) => Err(e.to_string()),
                })
            }
        }
    };
}

/// The ids that packed records hold (`crate::model::packed`) come back from their bytes
/// without a second check: only a valid id was ever packed.
macro_rules! packed_id {
    ($($name:ident),+) => {$(
        impl $name {
            pub(crate) fn from_packed(value: &str) -> Option<Self> {
                Some(Self(Arc::from(value)))
            }
        }
    )+};
}

packed_id!(ResourceId, OrderId, OperatorId);

id_type!(
    /// A customer's id: the Huawei account (domain) id, at most 64 characters.
    CustomerId,
    IdKind::Customer
);
id_type!(
    /// An operator of the partner, by login name (Huawei returns account managers by login).
    OperatorId,
    IdKind::Operator
);
id_type!(
    /// A reseller (Huawei "indirect partner") of a distributor.
    ResellerId,
    IdKind::Reseller
);
id_type!(
    /// A resource instance id.
    ResourceId,
    IdKind::Resource
);
id_type!(
    /// An order id.
    OrderId,
    IdKind::Order
);
id_type!(
    /// The partner's own id.
    PartnerId,
    IdKind::Partner
);
id_type!(
    /// An authorization (to operate on a customer's behalf) id.
    AuthorizationId,
    IdKind::Authorization
);
id_type!(
    /// An export job id.
    ExportId,
    IdKind::Export
);
id_type!(
    /// An idempotency key carried by a command.
    IdempotencyKey,
    IdKind::IdempotencyKey
);

/// A customer tag: free text (1..=64 characters, no control characters; spaces allowed inside).
///
/// Tags compare case-sensitively, as Huawei's `label` does.
///
/// The text is a [`SharedText`]: a portfolio uses a few dozen distinct tags, and every customer
/// that carries one shares its block instead of holding a copy.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(SharedText);

impl Tag {
    /// Validates and wraps a tag: trimmed, 1..=64 characters, no control characters.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        Self::checked(&value.into())
    }

    /// The rest of [`Tag::new`]'s checks, on a lent text; the tag shares its block.
    fn checked(value: &str) -> Result<Self> {
        let kind = IdKind::Tag;
        if value.trim().is_empty() {
            return Err(Error::InvalidId {
                kind,
                reason: "empty",
            });
        }
        if value.trim() != value {
            return Err(Error::InvalidId {
                kind,
                reason: "leading or trailing whitespace",
            });
        }
        if value.chars().count() > MAX_ID_LEN {
            return Err(Error::InvalidId {
                kind,
                reason: "longer than 64 characters",
            });
        }
        if value.chars().any(char::is_control) {
            return Err(Error::InvalidId {
                kind,
                reason: "contains control characters",
            });
        }
        Ok(Self(SharedText::new(value)))
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This tag's share of its shared block (see [`crate::memory`]).
    pub(crate) fn heap_share(&self) -> usize {
        self.0.heap_share()
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:?})", self.0)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Tag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Tag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // Lent to the checks: a shared tag makes no text of its own.
        crate::model::serde_fast::with_str(d, |s| Self::checked(s).map_err(|e| e.to_string()))
    }
}

/// The desk's customer slots by id.
///
/// A map keyed by [`CustomerId`] (its text shared with the customer). Until issue 14 the ids
/// were kept inline in the buckets (48 bytes a bucket instead of 24, about 48 MB more at a
/// million customers) to spare a lookup the read of the id's text; a side-by-side run showed no
/// gain at 100k customers (export by ids, replay: within the noise, see `benches/README.md`), so
/// they went.
#[derive(Clone, Default)]
pub(crate) struct SlotTable(IdMap<CustomerId, u32>);

impl SlotTable {
    /// The slot of a customer.
    pub(crate) fn get(&self, id: &CustomerId) -> Option<u32> {
        self.0.get(id).copied()
    }

    /// Whether the customer has a slot.
    pub(crate) fn contains(&self, id: &CustomerId) -> bool {
        self.0.contains_key(id)
    }

    /// Records a customer's slot.
    pub(crate) fn insert(&mut self, id: &CustomerId, slot: u32) {
        self.0.insert(id.clone(), slot);
    }

    /// Records a customer's slot unless the id has one already; whether it was recorded.
    pub(crate) fn insert_new(&mut self, id: &CustomerId, slot: u32) -> bool {
        match self.0.entry(id.clone()) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(slot);
                true
            }
        }
    }

    /// Makes room for `more` customers.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.0.reserve(more);
    }

    /// Forgets a customer.
    pub(crate) fn remove(&mut self, id: &CustomerId) -> Option<u32> {
        self.0.remove(id)
    }

    /// Estimated heap bytes of the table (see [`crate::memory`]).
    pub(crate) fn heap_bytes(&self) -> usize {
        crate::model::heap::map_bytes(&self.0)
    }

    /// How many customers have a slot.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no customer has a slot.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SlotTable {
    /// The count only: the ids are the desk's, printed with its customers where wanted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SlotTable({} customers)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_validate() {
        assert!(CustomerId::new("0a1b2c3d").is_ok());
        assert_eq!(CustomerId::new("").map_err(|e| e.code()), Err("INVALID_ID"));
        assert!(CustomerId::new("a b").is_err());
        assert!(CustomerId::new("x".repeat(65)).is_err());
        assert!(CustomerId::new("x".repeat(64)).is_ok());
        assert!(Tag::new("vip gold").is_ok());
        assert!(Tag::new(" vip").is_err());
        assert!(Tag::new("重点客户").is_ok());
    }

    #[test]
    fn slot_table_finds_short_and_long_ids() -> Result<()> {
        let mut t = SlotTable::default();
        let short = CustomerId::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?;
        let edge = CustomerId::new("x".repeat(38))?;
        let long = CustomerId::new("y".repeat(MAX_ID_LEN))?;
        for (i, id) in [&short, &edge, &long].into_iter().enumerate() {
            t.insert(id, i as u32);
        }
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(&short), Some(0));
        assert_eq!(t.get(&CustomerId::new(short.as_str())?), Some(0));
        assert_eq!(t.get(&edge), Some(1));
        assert_eq!(t.get(&long), Some(2));
        assert_eq!(t.get(&CustomerId::new("x".repeat(37))?), None);
        assert!(!t.contains(&CustomerId::new("y".repeat(MAX_ID_LEN - 1))?));
        assert_eq!(t.remove(&long), Some(2));
        assert_eq!(t.get(&long), None);
        t.insert(&short, 7);
        assert_eq!((t.get(&short), t.len()), (Some(7), 2));
        Ok(())
    }
}
