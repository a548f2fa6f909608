//! Errors: one enum for the whole core, a stable machine code per variant.
//!
//! Why one enum: every binding maps it with an exhaustive `match`, so a new variant breaks the
//! binding's build instead of reaching a user as an untyped string. Why stable codes: hosts branch
//! on `code()` (`"CUSTOMER_NOT_FOUND"`), never on the English message, which may be reworded.
//!
//! No variant carries personal data: customer names, mobile numbers and e-mail addresses never
//! appear in a message or a field. Identifiers (customer ids, operator logins, field names,
//! positions) do, because an operator needs them to act on the error.

use std::fmt;

/// The result type of every fallible operation of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of identifier failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A customer (Huawei domain) id.
    Customer,
    /// An operator login.
    Operator,
    /// A reseller (indirect partner) id.
    Reseller,
    /// A resource id.
    Resource,
    /// An order id.
    Order,
    /// A partner id.
    Partner,
    /// A customer tag.
    Tag,
    /// An authorization id.
    Authorization,
    /// An export job id.
    Export,
    /// An idempotency key.
    IdempotencyKey,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Customer => "customer id",
            IdKind::Operator => "operator id",
            IdKind::Reseller => "reseller id",
            IdKind::Resource => "resource id",
            IdKind::Order => "order id",
            IdKind::Partner => "partner id",
            IdKind::Tag => "tag",
            IdKind::Authorization => "authorization id",
            IdKind::Export => "export id",
            IdKind::IdempotencyKey => "idempotency key",
        })
    }
}

/// Every error the core returns. Match on [`Error::code`] for a stable machine code.
///
/// Deliberately not `#[non_exhaustive]`: bindings match it exhaustively (no `_` arm), so a new
/// variant breaks their build instead of reaching a user untyped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An identifier is empty, too long or has characters it may not have.
    #[error("invalid {kind}: {reason}")]
    InvalidId {
        /// Which identifier.
        kind: IdKind,
        /// Why it was refused (never the value itself).
        reason: &'static str,
    },
    /// A money amount is out of range or has more decimals than allowed.
    #[error("invalid amount for {field}: {reason}")]
    InvalidMoney {
        /// The field that held the amount.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// Two amounts, or an amount and the partner, have different currencies.
    #[error("currency mismatch: expected {expected}, got {found}")]
    CurrencyMismatch {
        /// The currency that was expected (the partner's).
        expected: String,
        /// The currency that was given.
        found: String,
    },
    /// A currency code is not three upper-case ASCII letters.
    #[error("invalid currency code")]
    InvalidCurrency,
    /// A date, time, duration or time-zone offset is malformed or out of range.
    #[error("invalid date or time for {field}: {reason}")]
    InvalidDate {
        /// The field that held it.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// An argument is outside what the operation accepts.
    #[error("invalid argument {field}: {reason}")]
    InvalidArgument {
        /// The argument.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// No customer with this id is on the desk.
    #[error("customer {id} not found")]
    CustomerNotFound {
        /// The id that was looked up.
        id: String,
    },
    /// A customer with this id is already on the desk.
    #[error("customer {id} already exists")]
    DuplicateCustomer {
        /// The duplicated id.
        id: String,
    },
    /// No operator with this login belongs to the partner.
    #[error("operator {id} not found")]
    OperatorNotFound {
        /// The login that was looked up.
        id: String,
    },
    /// An operator with this login already belongs to the partner.
    #[error("operator {id} already exists")]
    DuplicateOperator {
        /// The duplicated login.
        id: String,
    },
    /// A text filter could not be parsed.
    #[error("filter syntax error at position {position}: expected {expected}, found {found}")]
    FilterSyntax {
        /// Character offset (0-based, in Unicode scalar values) where parsing failed.
        position: usize,
        /// What the parser expected there.
        expected: String,
        /// The kind of token found there (never the token's text).
        found: String,
    },
    /// A page request is out of bounds (limit 0, or over the maximum).
    #[error("invalid page: {reason}")]
    InvalidPage {
        /// Why it was refused.
        reason: String,
    },
    /// A cursor is malformed or was tampered with.
    #[error("invalid cursor")]
    InvalidCursor,
    /// A cursor was produced by another query or another sort order.
    #[error("cursor belongs to another query or sort")]
    CursorMismatch,
    /// A snapshot is structurally valid JSON but breaks an invariant.
    #[error("invalid snapshot at {field}: {reason}")]
    InvalidSnapshot {
        /// A path to the offending field, e.g. `customers[3].id`.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// A snapshot was written by a format version this library cannot read.
    #[error("unsupported snapshot version {found} (this library reads up to {supported})")]
    UnsupportedSnapshotVersion {
        /// The version found in the snapshot.
        found: u32,
        /// The newest version this library reads.
        supported: u32,
    },
    /// JSON could not be parsed (malformed, truncated or of the wrong types).
    #[error("malformed JSON ({category}) at line {line}, column {column}")]
    MalformedJson {
        /// `syntax`, `eof`, `data` or `io`.
        category: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
}

impl Error {
    /// The stable machine code of this error, e.g. `"CUSTOMER_NOT_FOUND"`.
    ///
    /// Codes never change once released; hosts may branch on them.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidId { .. } => "INVALID_ID",
            Error::InvalidMoney { .. } => "INVALID_MONEY",
            Error::CurrencyMismatch { .. } => "CURRENCY_MISMATCH",
            Error::InvalidCurrency => "INVALID_CURRENCY",
            Error::InvalidDate { .. } => "INVALID_DATE",
            Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Error::CustomerNotFound { .. } => "CUSTOMER_NOT_FOUND",
            Error::DuplicateCustomer { .. } => "DUPLICATE_CUSTOMER",
            Error::OperatorNotFound { .. } => "OPERATOR_NOT_FOUND",
            Error::DuplicateOperator { .. } => "DUPLICATE_OPERATOR",
            Error::FilterSyntax { .. } => "FILTER_SYNTAX",
            Error::InvalidPage { .. } => "INVALID_PAGE",
            Error::InvalidCursor => "INVALID_CURSOR",
            Error::CursorMismatch => "CURSOR_MISMATCH",
            Error::InvalidSnapshot { .. } => "INVALID_SNAPSHOT",
            Error::UnsupportedSnapshotVersion { .. } => "UNSUPPORTED_SNAPSHOT_VERSION",
            Error::MalformedJson { .. } => "MALFORMED_JSON",
        }
    }

    /// Every stable code, in declaration order (for bindings' tables and docs).
    pub const CODES: &'static [&'static str] = &[
        "INVALID_ID",
        "INVALID_MONEY",
        "CURRENCY_MISMATCH",
        "INVALID_CURRENCY",
        "INVALID_DATE",
        "INVALID_ARGUMENT",
        "CUSTOMER_NOT_FOUND",
        "DUPLICATE_CUSTOMER",
        "OPERATOR_NOT_FOUND",
        "DUPLICATE_OPERATOR",
        "FILTER_SYNTAX",
        "INVALID_PAGE",
        "INVALID_CURSOR",
        "CURSOR_MISMATCH",
        "INVALID_SNAPSHOT",
        "UNSUPPORTED_SNAPSHOT_VERSION",
        "MALFORMED_JSON",
    ];

    pub(crate) fn invalid_arg(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_money(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidMoney {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_date(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidDate {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn snapshot(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidSnapshot {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(feature = "serde")]
impl From<serde_json::Error> for Error {
    /// Keeps only the category and position: serde_json's own message may quote the offending
    /// value, which can be personal data.
    fn from(e: serde_json::Error) -> Self {
        use serde_json::error::Category;
        Error::MalformedJson {
            category: match e.classify() {
                Category::Io => "io",
                Category::Syntax => "syntax",
                Category::Data => "data",
                Category::Eof => "eof",
            },
            line: e.line(),
            column: e.column(),
        }
    }
}
