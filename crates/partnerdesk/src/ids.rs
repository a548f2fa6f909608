//! Identifier newtypes.
//!
//! Why newtypes: a customer id and an operator login are both strings on the wire, and mixing
//! them up is the classic bug of a customer-management tool. Each newtype validates once, at the
//! boundary (length ≤ 64 like the Huawei APIs, no control characters, not blank), so the rest of
//! the code can trust it.

use crate::error::{Error, IdKind, Result};
use std::fmt;

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
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "serde", serde(transparent))]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an identifier (1..=64 bytes, no whitespace or control characters).
            pub fn new(value: impl Into<String>) -> Result<Self> {
                let value = value.into();
                validate_id($kind, &value)?;
                Ok(Self(value))
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
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Tag(String);

impl Tag {
    /// Validates and wraps a tag: trimmed, 1..=64 characters, no control characters.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
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
        Ok(Self(value))
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
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
impl<'de> serde::Deserialize<'de> for Tag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
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
}
