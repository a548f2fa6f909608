//! `Field<T>`: a JSON member that is absent, `null`, or a value.
//!
//! Why not `Option<T>`: the Huawei partner APIs give the three cases different meanings, field by
//! field (reference §2). In a request, `associated_on_begin` absent or `null` means "no filter"
//! while `""` is refused; `freeze_type` absent or `null` means the default `ACCOUNT` while `""`
//! is refused. In a response, an absent member means "this API version does not report it" (the
//! importer keeps what the desk already knows), while `null` or `""` means "reported, and empty".
//! `Option<T>` folds two of the three cases together, so a body we build could say something we
//! did not mean. `Field<T>` keeps all three, in both directions:
//!
//! - deserializing: a missing member is [`Field::Absent`] (the struct field needs
//!   `#[serde(default)]`), `null` is [`Field::Null`], anything else is [`Field::Value`];
//! - serializing: [`Field::Absent`] is skipped (the struct field needs
//!   `#[serde(skip_serializing_if = "Field::is_absent")]`), [`Field::Null`] writes `null`.
//!
//! ```
//! use partnerdesk_huawei::Field;
//! #[derive(serde::Deserialize, serde::Serialize)]
//! struct Body {
//!     #[serde(default, skip_serializing_if = "Field::is_absent")]
//!     label: Field<String>,
//! }
//! let absent: Body = serde_json::from_str("{}")?;
//! let null: Body = serde_json::from_str(r#"{"label":null}"#)?;
//! let empty: Body = serde_json::from_str(r#"{"label":""}"#)?;
//! assert!(absent.label.is_absent());
//! assert!(null.label.is_null());
//! assert_eq!(empty.label, Field::Value(String::new()));
//! assert_eq!(serde_json::to_string(&absent)?, "{}");
//! assert_eq!(serde_json::to_string(&null)?, r#"{"label":null}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JSON member that is absent, `null`, or a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    /// The member is not in the object.
    #[default]
    Absent,
    /// The member is `null`.
    Null,
    /// The member has a value.
    Value(T),
}

impl<T> Field<T> {
    /// Whether the member is absent (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// Whether the member is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// The value, if there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    /// Absent or `null` become `None`, a value `Some` (for fields where the API treats absent and
    /// `null` alike).
    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    /// Maps the value, keeping absent and `null`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(f(v)),
        }
    }

    /// A borrowed view.
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(v),
        }
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `None` becomes [`Field::Absent`] (a request leaves the member out).
    fn from(v: Option<T>) -> Self {
        v.map_or(Field::Absent, Field::Value)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Reached only when the containing struct forgot `skip_serializing_if`; `null` is the
            // closest JSON has.
            Field::Absent | Field::Null => s.serialize_none(),
            Field::Value(v) => v.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            Some(v) => Field::Value(v),
            None => Field::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct S {
        #[serde(default, skip_serializing_if = "Field::is_absent")]
        n: Field<i64>,
    }

    #[test]
    fn three_states_round_trip() -> Result<(), serde_json::Error> {
        for (text, expected) in [
            ("{}", Field::Absent),
            (r#"{"n":null}"#, Field::Null),
            (r#"{"n":7}"#, Field::Value(7)),
        ] {
            let s: S = serde_json::from_str(text)?;
            assert_eq!(s.n, expected);
            assert_eq!(serde_json::to_string(&s)?, text);
        }
        assert_eq!(Field::from(Some(3)), Field::Value(3));
        assert_eq!(Field::<i64>::from(None), Field::Absent);
        assert_eq!(Field::Value(2).map(|x| x * 2).into_option(), Some(4));
        assert_eq!(Field::<i64>::Null.into_option(), None);
        Ok(())
    }
}
