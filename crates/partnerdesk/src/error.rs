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
    /// The actor does not hold the permission item the operation needs (Huawei `CBC.0151`).
    #[error("permission denied: {actor} does not hold {item}")]
    PermissionDenied {
        /// The permission item that was needed (its stable name).
        item: String,
        /// The actor that was refused (`operator:<login>`, `customer:<id>` or `system`).
        actor: String,
    },
    /// The operation or item is reserved to the partner administrator and cannot be granted.
    #[error("{item} is administrator-only")]
    AdministratorOnly {
        /// The administrator-only item or operation.
        item: String,
    },
    /// The customer's association type does not allow the operation, e.g. freezing or budgeting
    /// a referral customer (Huawei `CBC.5024`).
    #[error("customer {id} has the wrong association type for this operation")]
    WrongAssociationType {
        /// The customer id.
        id: String,
    },
    /// An unfreeze named another scope than the one the customer was frozen with.
    #[error("customer {id} is frozen with scope {frozen}, not {requested}")]
    FreezeScopeMismatch {
        /// The customer id.
        id: String,
        /// The scope of the freeze in force.
        frozen: String,
        /// The scope the unfreeze named.
        requested: String,
    },
    /// The customer is not frozen.
    #[error("customer {id} is not frozen")]
    NotFrozen {
        /// The customer id.
        id: String,
    },
    /// The customer is already frozen.
    #[error("customer {id} is already frozen")]
    AlreadyFrozen {
        /// The customer id.
        id: String,
    },
    /// A batch named more ids than the operation accepts (freeze/unfreeze: 10).
    #[error("too many ids: {given} given, at most {max} accepted")]
    TooManyIds {
        /// How many ids were given.
        given: usize,
        /// The most accepted.
        max: usize,
    },
    /// A reason is missing, too long or has control characters.
    #[error("invalid reason: {reason}")]
    InvalidReason {
        /// Why it was refused (never the text itself).
        reason: String,
    },
    /// A fourth partner-initiated disassociation request within a rolling 3 months.
    #[error("customer {id} already had {limit} disassociation requests in the last 3 months")]
    DisassociationQuotaExceeded {
        /// The customer id.
        id: String,
        /// The quota (3).
        limit: usize,
    },
    /// Disassociation is blocked: the account is manually frozen, or holds a valid reserved
    /// instance or support plan.
    #[error("disassociation of customer {id} is blocked: {cause}")]
    DisassociationBlocked {
        /// The customer id.
        id: String,
        /// `manually_frozen`, `valid_reserved_instance` or `valid_support_plan`.
        cause: String,
    },
    /// The customer is not (or no longer) associated with the partner.
    #[error("customer {id} is not associated")]
    NotAssociated {
        /// The customer id.
        id: String,
    },
    /// The customer is already associated with the partner.
    #[error("customer {id} is already associated")]
    AlreadyAssociated {
        /// The customer id.
        id: String,
    },
    /// The operator is not an account manager (or the customer has no account manager to
    /// unassign).
    #[error("{id} is not an account manager")]
    NotAccountManager {
        /// The operator login (or customer id when nothing is assigned).
        id: String,
    },
    /// Acting on the customer's behalf needs an active authorization covering the scope.
    #[error("customer {id} has no active authorization covering {scope}")]
    AuthorizationRequired {
        /// The customer id.
        id: String,
        /// The scope that was needed.
        scope: String,
    },
    /// No authorization (or disassociation request) with this id exists.
    #[error("{what} {id} not found")]
    AuthorizationNotFound {
        /// `authorization` or `disassociation request`.
        what: String,
        /// The id that was looked up.
        id: String,
    },
    /// The action is not allowed in the current state of the record.
    #[error("cannot {action} {what} in state {state}")]
    InvalidTransition {
        /// What record (`authorization`, `disassociation request`, ...).
        what: String,
        /// Its current state.
        state: String,
        /// The refused action.
        action: String,
    },
    /// The partner's first authorization request needs the commitment letter accepted.
    #[error(
        "the partner commitment letter must be accepted before the first authorization request"
    )]
    CommitmentLetterRequired,
    /// A reseller's authorization request needs its distributor's approval first.
    #[error("authorization {id} awaits the distributor's approval")]
    DistributorApprovalRequired {
        /// The authorization id.
        id: String,
    },
    /// The customer is frozen, so the operation (e.g. an order on its behalf) is refused.
    #[error("customer {id} is frozen")]
    CustomerFrozen {
        /// The customer id.
        id: String,
    },
    /// The amount does not fit the customer's remaining budget.
    #[error("the amount exceeds the remaining budget of customer {id} ({remaining})")]
    OverBudget {
        /// The customer id.
        id: String,
        /// The remaining budget, with its currency.
        remaining: String,
    },
    /// The idempotency key was already used by a different command.
    #[error("idempotency key {key} was used for another command")]
    IdempotencyConflict {
        /// The key.
        key: String,
    },
    /// No export job with this id is in the desk's history.
    #[error("export {id} not found")]
    ExportNotFound {
        /// The export job id.
        id: String,
    },
    /// The export's progress callback cancelled it; the job is recorded as cancelled and
    /// whatever reached the sink is incomplete.
    #[error("export {id} was cancelled")]
    ExportCancelled {
        /// The export job id.
        id: String,
    },
    /// Writing an export failed (the sink, or an XLSX cell longer than Excel allows); the job
    /// is recorded as failed.
    #[error("export {id} failed: {reason}")]
    ExportWriteFailed {
        /// The export job id.
        id: String,
        /// The kind of failure (an I/O error kind, never a value or a path).
        reason: String,
    },
    /// A query is nested deeper, or holds more criteria, than the library accepts (the same
    /// limits for builders and the text filter), so no walk over it can exhaust the stack.
    #[error("query too complex: more than {max} {what}")]
    QueryTooComplex {
        /// What is over the limit: `levels of nesting` or `criteria`.
        what: String,
        /// The limit.
        max: usize,
    },
    /// An event was refused on replay: it fails the checks the command that produced it had to
    /// pass (a value out of bounds, another currency, an unknown operator or customer, time
    /// going backwards, an actor without the item). Nothing from this event on is applied.
    #[error("event {sequence} refused: {reason}")]
    InvalidEvent {
        /// The event's sequence number.
        sequence: u64,
        /// Why (never a personal value).
        reason: String,
    },
    /// The event log's chain is broken at this event: an event was reordered, renumbered,
    /// edited, inserted or removed. Nothing from this event on is applied.
    #[error("event log broken at event {sequence}: {reason}")]
    EventChainBroken {
        /// The sequence number of the first event that does not follow from its predecessor.
        sequence: u64,
        /// What does not match.
        reason: String,
    },
    /// A bug in partnerdesk, caught before it could reach the host (a binding turns a panic
    /// into this error). The operation may not have completed; please report it.
    #[error("internal error in {operation}")]
    Internal {
        /// The operation that failed.
        operation: String,
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
            Error::PermissionDenied { .. } => "PERMISSION_DENIED",
            Error::AdministratorOnly { .. } => "ADMINISTRATOR_ONLY",
            Error::WrongAssociationType { .. } => "WRONG_ASSOCIATION_TYPE",
            Error::FreezeScopeMismatch { .. } => "FREEZE_SCOPE_MISMATCH",
            Error::NotFrozen { .. } => "NOT_FROZEN",
            Error::AlreadyFrozen { .. } => "ALREADY_FROZEN",
            Error::TooManyIds { .. } => "TOO_MANY_IDS",
            Error::InvalidReason { .. } => "INVALID_REASON",
            Error::DisassociationQuotaExceeded { .. } => "DISASSOCIATION_QUOTA_EXCEEDED",
            Error::DisassociationBlocked { .. } => "DISASSOCIATION_BLOCKED",
            Error::NotAssociated { .. } => "NOT_ASSOCIATED",
            Error::AlreadyAssociated { .. } => "ALREADY_ASSOCIATED",
            Error::NotAccountManager { .. } => "NOT_ACCOUNT_MANAGER",
            Error::AuthorizationRequired { .. } => "AUTHORIZATION_REQUIRED",
            Error::AuthorizationNotFound { .. } => "AUTHORIZATION_NOT_FOUND",
            Error::InvalidTransition { .. } => "INVALID_TRANSITION",
            Error::CommitmentLetterRequired => "COMMITMENT_LETTER_REQUIRED",
            Error::DistributorApprovalRequired { .. } => "DISTRIBUTOR_APPROVAL_REQUIRED",
            Error::CustomerFrozen { .. } => "CUSTOMER_FROZEN",
            Error::OverBudget { .. } => "OVER_BUDGET",
            Error::IdempotencyConflict { .. } => "IDEMPOTENCY_CONFLICT",
            Error::ExportNotFound { .. } => "EXPORT_NOT_FOUND",
            Error::ExportCancelled { .. } => "EXPORT_CANCELLED",
            Error::ExportWriteFailed { .. } => "EXPORT_WRITE_FAILED",
            Error::QueryTooComplex { .. } => "QUERY_TOO_COMPLEX",
            Error::InvalidEvent { .. } => "INVALID_EVENT",
            Error::EventChainBroken { .. } => "EVENT_CHAIN_BROKEN",
            Error::Internal { .. } => "INTERNAL",
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
        "PERMISSION_DENIED",
        "ADMINISTRATOR_ONLY",
        "WRONG_ASSOCIATION_TYPE",
        "FREEZE_SCOPE_MISMATCH",
        "NOT_FROZEN",
        "ALREADY_FROZEN",
        "TOO_MANY_IDS",
        "INVALID_REASON",
        "DISASSOCIATION_QUOTA_EXCEEDED",
        "DISASSOCIATION_BLOCKED",
        "NOT_ASSOCIATED",
        "ALREADY_ASSOCIATED",
        "NOT_ACCOUNT_MANAGER",
        "AUTHORIZATION_REQUIRED",
        "AUTHORIZATION_NOT_FOUND",
        "INVALID_TRANSITION",
        "COMMITMENT_LETTER_REQUIRED",
        "DISTRIBUTOR_APPROVAL_REQUIRED",
        "CUSTOMER_FROZEN",
        "OVER_BUDGET",
        "IDEMPOTENCY_CONFLICT",
        "EXPORT_NOT_FOUND",
        "EXPORT_CANCELLED",
        "EXPORT_WRITE_FAILED",
        "QUERY_TOO_COMPLEX",
        "INVALID_EVENT",
        "EVENT_CHAIN_BROKEN",
        "INTERNAL",
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

    #[cfg(feature = "serde")]
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
