//! The error table as data ([`ErrorInfo`], [`FieldInfo`], [`DetailValue`]) and the `errors!`
//! macro that declares [`Error`](super::Error) from one list.
//!
//! Why apart from the list: the list (in `error/mod.rs`) is what a reader and a reviewer look
//! at when a variant is added; how one list becomes the enum, its codes, its table and its
//! details is written once, here.

use super::IdKind;
use std::borrow::Cow;

/// A detail field's value, as [`Error::details`](super::Error::details) gives it: text or a
/// non-negative integer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DetailValue<'a> {
    /// A text (an id, a field name, a reason; never personal data).
    Text(Cow<'a, str>),
    /// A count, a position, a limit or a sequence number.
    Int(u64),
}

/// The kind of a detail field's value ([`FieldInfo::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DetailKind {
    /// [`DetailValue::Text`].
    Text,
    /// [`DetailValue::Int`].
    Int,
}

/// One detail field of an [`Error`](super::Error) variant, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    pub(super) name: &'static str,
    pub(super) kind: DetailKind,
    pub(super) doc: &'static str,
}

impl FieldInfo {
    /// The field's name (`id`, `reason`, ...), as [`Error::details`](super::Error::details)
    /// names it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the field holds text or an integer.
    pub fn kind(&self) -> DetailKind {
        self.kind
    }

    /// The field's documentation (its doc comment, lines joined by spaces).
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }
}

/// One [`Error`](super::Error) variant, as data: for bindings' tables and documentation (see
/// [`Error::TABLE`](super::Error::TABLE)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    pub(super) name: &'static str,
    pub(super) code: &'static str,
    pub(super) doc: &'static str,
    pub(super) fields: &'static [FieldInfo],
}

impl ErrorInfo {
    /// The variant's name (`CustomerNotFound`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its stable code (`CUSTOMER_NOT_FOUND`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Its documentation (its doc comment, lines joined by spaces).
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }

    /// Its detail fields, in declaration order.
    pub fn fields(&self) -> &'static [FieldInfo] {
        self.fields
    }
}

/// A type an [`Error`](super::Error) field may have, and how it becomes a [`DetailValue`].
pub(super) trait Detail {
    const KIND: DetailKind;
    fn value(&self) -> DetailValue<'_>;
}

impl Detail for String {
    const KIND: DetailKind = DetailKind::Text;
    fn value(&self) -> DetailValue<'_> {
        DetailValue::Text(Cow::Borrowed(self))
    }
}

impl Detail for &'static str {
    const KIND: DetailKind = DetailKind::Text;
    fn value(&self) -> DetailValue<'_> {
        DetailValue::Text(Cow::Borrowed(self))
    }
}

impl Detail for IdKind {
    const KIND: DetailKind = DetailKind::Text;
    fn value(&self) -> DetailValue<'_> {
        DetailValue::Text(Cow::Owned(self.to_string()))
    }
}

impl Detail for u64 {
    const KIND: DetailKind = DetailKind::Int;
    fn value(&self) -> DetailValue<'_> {
        DetailValue::Int(*self)
    }
}

impl Detail for u32 {
    const KIND: DetailKind = DetailKind::Int;
    fn value(&self) -> DetailValue<'_> {
        DetailValue::Int(u64::from(*self))
    }
}

impl Detail for usize {
    const KIND: DetailKind = DetailKind::Int;
    fn value(&self) -> DetailValue<'_> {
        // A usize fits in 64 bits on every supported target.
        DetailValue::Int(u64::try_from(*self).unwrap_or(u64::MAX))
    }
}

/// Declares [`Error`](super::Error) from one list and, from the same list,
/// [`Error::code`](super::Error::code), [`Error::CODES`](super::Error::CODES),
/// [`Error::TABLE`](super::Error::TABLE) and [`Error::details`](super::Error::details), so that
/// no binding keeps a per-variant list of its own. Each variant: its doc comment, its
/// `#[error(...)]` message, `Name = "CODE"`, then its fields (each with a doc comment) in
/// braces, or none.
macro_rules! errors {
    (
        $d:tt
        $(#[$emeta:meta])*
        pub enum Error {
            $(
                $(#[doc = $doc:literal])*
                #[error $msg:tt]
                $variant:ident = $code:literal $({
                    $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty ),* $(,)?
                })?
            ),+ $(,)?
        }
    ) => {
        $(#[$emeta])*
        pub enum Error {
            $(
                $(#[doc = $doc])*
                #[error $msg]
                $variant $({
                    $( $(#[doc = $fdoc])* $field: $ty ),*
                })?,
            )+
        }

        impl Error {
            /// The stable machine code of this error, e.g. `"CUSTOMER_NOT_FOUND"`.
            ///
            /// Codes never change once released; hosts may branch on them.
            pub fn code(&self) -> &'static str {
                match self {
                    $( Error::$variant { .. } => $code, )+
                }
            }

            /// Every stable code, in declaration order (for bindings' tables and docs).
            pub const CODES: &'static [&'static str] = &[$( $code, )+];

            /// Every variant as data (name, code, documentation, detail fields), in
            /// declaration order: what bindings build their exception classes and tables from.
            pub const TABLE: &'static [ErrorInfo] = &[$(
                ErrorInfo {
                    name: stringify!($variant),
                    code: $code,
                    doc: concat!($( $doc ),*),
                    fields: &[$($(
                        FieldInfo {
                            name: stringify!($field),
                            kind: <$ty as Detail>::KIND,
                            doc: concat!($( $fdoc ),*),
                        },
                    )*)?],
                },
            )+];

            /// This error's detail fields (name and value), in declaration order: what a
            /// binding sets as attributes beside [`Error::code`] and the message. Never
            /// personal data, as no field is.
            ///
            /// ```
            /// use partnerdesk::{DetailValue, Error};
            /// let e = Error::TooManyIds { given: 11, max: 10 };
            /// assert_eq!(
            ///     e.details(),
            ///     [("given", DetailValue::Int(11)), ("max", DetailValue::Int(10))]
            /// );
            /// ```
            pub fn details(&self) -> Vec<(&'static str, DetailValue<'_>)> {
                match self {
                    $( Error::$variant $({ $( $field ),* })? => vec![
                        $($( (stringify!($field), Detail::value($field)), )*)?
                    ], )+
                }
            }

        }

        /// Calls the macro named by its argument with every variant of [`Error`], from the one
        /// list that declares the enum: `Variant { field: Type, .. } = "CODE";`, each variant
        /// and field with its doc comment, in declaration order.
        ///
        /// Why: a binding that must mirror the enum as types of its own (the uniffi binding
        /// does, so that Kotlin gets a sealed class with properties and Swift an enum with
        /// associated values) writes its mirror from this list instead of a copy of it, so a
        /// variant added here reaches every host without an edit there. Field types are named
        /// as the core names them (`IdKind`, `String`, `&'static str`, `usize`, `u32`, `u64`);
        /// the caller has them in scope.
        ///
        /// ```
        /// macro_rules! count {
        ///     ($( $(#[$m:meta])* $v:ident { $( $(#[$fm:meta])* $f:ident : $t:ty ),* } = $c:literal; )+) => {
        ///         [$( $c ),+].len()
        ///     };
        /// }
        /// assert_eq!(partnerdesk::error_table!(count), partnerdesk::Error::CODES.len());
        /// ```
        #[macro_export]
        macro_rules! error_table {
            ($d callback:ident) => {
                $d callback! {
                    $(
                        $(#[doc = $doc])*
                        $variant { $($( $(#[doc = $fdoc])* $field : $ty ),*)? } = $code;
                    )+
                }
            };
        }
    };
}
