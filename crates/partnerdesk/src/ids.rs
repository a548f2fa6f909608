//! Identifier newtypes.
//!
//! Why newtypes: a customer id and an operator login are both strings on the wire, and mixing
//! them up is the classic bug of a customer-management tool. Each newtype validates once, at the
//! boundary (length ≤ 64 like the Huawei APIs, no control characters, not blank), so the rest of
//! the code can trust it.

use crate::error::{Error, IdKind, Result};
use std::fmt;

/// A hash map for lookups by identifier on hot paths (every command and replayed event finds
/// its customer by id): foldhash instead of SipHash, seeded per process like the standard map.
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

/// The longest identifier held inline, without an allocation (Huawei's customer ids are 32
/// characters): `IdText` is then 40 bytes, the size of a `String` plus a heap block header.
const INLINE: usize = 38;

/// The text of an identifier: inline when short, so that comparing, hashing and cloning ids
/// (every command and event does, at a million customers) touches no separate heap block.
#[derive(Clone)]
enum IdText {
    /// Up to [`INLINE`] bytes of UTF-8.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// Longer identifiers.
    Heap(Box<str>),
}

impl IdText {
    fn new(value: String) -> Self {
        let len = value.len();
        if len <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..len].copy_from_slice(value.as_bytes());
            IdText::Inline {
                len: len as u8,
                bytes,
            }
        } else {
            IdText::Heap(value.into_boxed_str())
        }
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            IdText::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IdText::Heap(s) => s.as_bytes(),
        }
    }

    #[inline]
    fn as_str(&self) -> &str {
        match self {
            // Always valid: the bytes were copied from a `String`.
            IdText::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            IdText::Heap(s) => s,
        }
    }
}

impl PartialEq for IdText {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdText {}

impl std::hash::Hash for IdText {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdText {
    /// Byte order, which is the order of the text (UTF-8 keeps code point order).
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $kind:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(IdText);

        impl $name {
            /// Validates and wraps an identifier (1..=64 bytes, no whitespace or control characters).
            pub fn new(value: impl Into<String>) -> Result<Self> {
                let value = value.into();
                validate_id($kind, &value)?;
                Ok(Self(IdText::new(value)))
            }

            /// The identifier as text.
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
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
                self.as_str()
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
    fn inline_and_heap_ids_behave_alike() -> Result<()> {
        let short = CustomerId::new("张三-0a1b2c3d")?;
        let long = CustomerId::new("y".repeat(64))?;
        let edge = CustomerId::new("z".repeat(INLINE))?;
        let over = CustomerId::new("z".repeat(INLINE + 1))?;
        assert_eq!(short.as_str(), "张三-0a1b2c3d");
        assert_eq!(long.as_str(), "y".repeat(64));
        assert_eq!(edge.as_str(), "z".repeat(INLINE));
        assert_eq!(over.as_str(), "z".repeat(INLINE + 1));
        // Byte order is text order, across both representations.
        assert!(edge < over && long < edge && short > over);
        assert_eq!(
            format!("{edge:?}"),
            format!("CustomerId({:?})", "z".repeat(INLINE))
        );
        let set: std::collections::HashSet<CustomerId> = [&short, &long, &edge, &over, &short]
            .into_iter()
            .cloned()
            .collect();
        assert_eq!(set.len(), 4);
        assert_eq!(short.clone(), short);
        Ok(())
    }

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
