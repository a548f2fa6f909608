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

#[macro_use]
mod table;
use table::Detail;
pub use table::{DetailKind, DetailValue, ErrorInfo, FieldInfo};

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

errors! {
    $
    /// Every error the core returns. Match on [`Error::code`] for a stable machine code.
    ///
    /// Deliberately not `#[non_exhaustive]` (ADR 0002): a `match` over it stays exhaustive, so a
    /// new variant breaks the build of code that matches it (the uniffi mirror does) instead of
    /// reaching a user untyped. The list below is the one place a variant is declared: its code,
    /// message and fields; [`Error::code`], [`Error::CODES`], [`Error::TABLE`] and
    /// [`Error::details`] are generated from it, and bindings build their tables from those.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum Error {
        /// An identifier is empty, too long or has characters it may not have.
        #[error("invalid {kind}: {reason}")]
        InvalidId = "INVALID_ID" {
            /// Which identifier.
            kind: IdKind,
            /// Why it was refused (never the value itself).
            reason: &'static str,
        },
        /// A money amount is out of range or has more decimals than allowed.
        #[error("invalid amount for {field}: {reason}")]
        InvalidMoney = "INVALID_MONEY" {
            /// The field that held the amount.
            field: String,
            /// Why it was refused.
            reason: String,
        },
        /// Two amounts, or an amount and the partner, have different currencies.
        #[error("currency mismatch: expected {expected}, got {found}")]
        CurrencyMismatch = "CURRENCY_MISMATCH" {
            /// The currency that was expected (the partner's).
            expected: String,
            /// The currency that was given.
            found: String,
        },
        /// A currency code is not three upper-case ASCII letters.
        #[error("invalid currency code")]
        InvalidCurrency = "INVALID_CURRENCY",
        /// A date, time, duration or time-zone offset is malformed or out of range.
        #[error("invalid date or time for {field}: {reason}")]
        InvalidDate = "INVALID_DATE" {
            /// The field that held it.
            field: String,
            /// Why it was refused.
            reason: String,
        },
        /// An argument is outside what the operation accepts.
        #[error("invalid argument {field}: {reason}")]
        InvalidArgument = "INVALID_ARGUMENT" {
            /// The argument.
            field: String,
            /// Why it was refused.
            reason: String,
        },
        /// No customer with this id is on the desk.
        #[error("customer {id} not found")]
        CustomerNotFound = "CUSTOMER_NOT_FOUND" {
            /// The id that was looked up.
            id: String,
        },
        /// A customer with this id is already on the desk.
        #[error("customer {id} already exists")]
        DuplicateCustomer = "DUPLICATE_CUSTOMER" {
            /// The duplicated id.
            id: String,
        },
        /// No operator with this login belongs to the partner.
        #[error("operator {id} not found")]
        OperatorNotFound = "OPERATOR_NOT_FOUND" {
            /// The login that was looked up.
            id: String,
        },
        /// An operator with this login already belongs to the partner.
        #[error("operator {id} already exists")]
        DuplicateOperator = "DUPLICATE_OPERATOR" {
            /// The duplicated login.
            id: String,
        },
        /// A text filter could not be parsed.
        #[error("filter syntax error at position {position}: expected {expected}, found {found}")]
        FilterSyntax = "FILTER_SYNTAX" {
            /// Character offset (0-based, in Unicode scalar values) where parsing failed.
            position: usize,
            /// What the parser expected there.
            expected: String,
            /// The kind of token found there (never the token's text).
            found: String,
        },
        /// A page request is out of bounds (limit 0, or over the maximum).
        #[error("invalid page: {reason}")]
        InvalidPage = "INVALID_PAGE" {
            /// Why it was refused.
            reason: String,
        },
        /// A cursor is malformed or was tampered with.
        #[error("invalid cursor")]
        InvalidCursor = "INVALID_CURSOR",
        /// A cursor was produced by another query or another sort order.
        #[error("cursor belongs to another query or sort")]
        CursorMismatch = "CURSOR_MISMATCH",
        /// A snapshot is structurally valid JSON but breaks an invariant.
        #[error("invalid snapshot at {field}: {reason}")]
        InvalidSnapshot = "INVALID_SNAPSHOT" {
            /// A path to the offending field, e.g. `customers[3].id`.
            field: String,
            /// Why it was refused.
            reason: String,
        },
        /// A snapshot was written by a format version this library cannot read.
        #[error("unsupported snapshot version {found} (this library reads up to {supported})")]
        UnsupportedSnapshotVersion = "UNSUPPORTED_SNAPSHOT_VERSION" {
            /// The version found in the snapshot.
            found: u32,
            /// The newest version this library reads.
            supported: u32,
        },
        /// JSON could not be parsed (malformed, truncated or of the wrong types).
        #[error("malformed JSON ({category}) at line {line}, column {column}")]
        MalformedJson = "MALFORMED_JSON" {
            /// `syntax`, `eof`, `data` or `io`.
            category: &'static str,
            /// 1-based line.
            line: usize,
            /// 1-based column.
            column: usize,
        },
        /// The actor does not hold the permission item the operation needs (Huawei `CBC.0151`).
        #[error("permission denied: {actor} does not hold {item}")]
        PermissionDenied = "PERMISSION_DENIED" {
            /// The permission item that was needed (its stable name).
            item: String,
            /// The actor that was refused (`operator:<login>`, `customer:<id>` or `system`).
            actor: String,
        },
        /// The operation or item is reserved to the partner administrator and cannot be granted.
        #[error("{item} is administrator-only")]
        AdministratorOnly = "ADMINISTRATOR_ONLY" {
            /// The administrator-only item or operation.
            item: String,
        },
        /// The customer's association type does not allow the operation, e.g. freezing or budgeting
        /// a referral customer (Huawei `CBC.5024`).
        #[error("customer {id} has the wrong association type for this operation")]
        WrongAssociationType = "WRONG_ASSOCIATION_TYPE" {
            /// The customer id.
            id: String,
        },
        /// An unfreeze named another scope than the one the customer was frozen with.
        #[error("customer {id} is frozen with scope {frozen}, not {requested}")]
        FreezeScopeMismatch = "FREEZE_SCOPE_MISMATCH" {
            /// The customer id.
            id: String,
            /// The scope of the freeze in force.
            frozen: String,
            /// The scope the unfreeze named.
            requested: String,
        },
        /// The customer is not frozen.
        #[error("customer {id} is not frozen")]
        NotFrozen = "NOT_FROZEN" {
            /// The customer id.
            id: String,
        },
        /// The customer is already frozen.
        #[error("customer {id} is already frozen")]
        AlreadyFrozen = "ALREADY_FROZEN" {
            /// The customer id.
            id: String,
        },
        /// A batch named more ids than the operation accepts (freeze/unfreeze: 10).
        #[error("too many ids: {given} given, at most {max} accepted")]
        TooManyIds = "TOO_MANY_IDS" {
            /// How many ids were given.
            given: usize,
            /// The most accepted.
            max: usize,
        },
        /// A reason is missing, too long or has control characters.
        #[error("invalid reason: {reason}")]
        InvalidReason = "INVALID_REASON" {
            /// Why it was refused (never the text itself).
            reason: String,
        },
        /// A fourth partner-initiated disassociation request within a rolling 3 months.
        #[error("customer {id} already had {limit} disassociation requests in the last 3 months")]
        DisassociationQuotaExceeded = "DISASSOCIATION_QUOTA_EXCEEDED" {
            /// The customer id.
            id: String,
            /// The quota (3).
            limit: usize,
        },
        /// Disassociation is blocked: the account is manually frozen, or holds a valid reserved
        /// instance or support plan.
        #[error("disassociation of customer {id} is blocked: {blocked_by}")]
        DisassociationBlocked = "DISASSOCIATION_BLOCKED" {
            /// The customer id.
            id: String,
            /// What blocks it: `manually_frozen`, `valid_reserved_instance` or
            /// `valid_support_plan` (named `blocked_by`, not `cause`, which hosts' exceptions
            /// already have).
            blocked_by: String,
        },
        /// The customer is not (or no longer) associated with the partner.
        #[error("customer {id} is not associated")]
        NotAssociated = "NOT_ASSOCIATED" {
            /// The customer id.
            id: String,
        },
        /// The customer is already associated with the partner.
        #[error("customer {id} is already associated")]
        AlreadyAssociated = "ALREADY_ASSOCIATED" {
            /// The customer id.
            id: String,
        },
        /// The operator is not an account manager (or the customer has no account manager to
        /// unassign).
        #[error("{id} is not an account manager")]
        NotAccountManager = "NOT_ACCOUNT_MANAGER" {
            /// The operator login (or customer id when nothing is assigned).
            id: String,
        },
        /// Acting on the customer's behalf needs an active authorization covering the scope.
        #[error("customer {id} has no active authorization covering {scope}")]
        AuthorizationRequired = "AUTHORIZATION_REQUIRED" {
            /// The customer id.
            id: String,
            /// The scope that was needed.
            scope: String,
        },
        /// No authorization (or disassociation request) with this id exists.
        #[error("{what} {id} not found")]
        AuthorizationNotFound = "AUTHORIZATION_NOT_FOUND" {
            /// `authorization` or `disassociation request`.
            what: String,
            /// The id that was looked up.
            id: String,
        },
        /// The action is not allowed in the current state of the record.
        #[error("cannot {action} {what} in state {state}")]
        InvalidTransition = "INVALID_TRANSITION" {
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
        CommitmentLetterRequired = "COMMITMENT_LETTER_REQUIRED",
        /// A reseller's authorization request needs its distributor's approval first.
        #[error("authorization {id} awaits the distributor's approval")]
        DistributorApprovalRequired = "DISTRIBUTOR_APPROVAL_REQUIRED" {
            /// The authorization id.
            id: String,
        },
        /// The customer is frozen, so the operation (e.g. an order on its behalf) is refused.
        #[error("customer {id} is frozen")]
        CustomerFrozen = "CUSTOMER_FROZEN" {
            /// The customer id.
            id: String,
        },
        /// The amount does not fit the customer's remaining budget.
        #[error("the amount exceeds the remaining budget of customer {id} ({remaining})")]
        OverBudget = "OVER_BUDGET" {
            /// The customer id.
            id: String,
            /// The remaining budget, with its currency.
            remaining: String,
        },
        /// The idempotency key was already used by a different command.
        #[error("idempotency key {key} was used for another command")]
        IdempotencyConflict = "IDEMPOTENCY_CONFLICT" {
            /// The key.
            key: String,
        },
        /// No export job with this id is in the desk's history.
        #[error("export {id} not found")]
        ExportNotFound = "EXPORT_NOT_FOUND" {
            /// The export job id.
            id: String,
        },
        /// The export's progress callback cancelled it; the job is recorded as cancelled and
        /// whatever reached the sink is incomplete.
        #[error("export {id} was cancelled")]
        ExportCancelled = "EXPORT_CANCELLED" {
            /// The export job id.
            id: String,
        },
        /// Writing an export failed (the sink, or an XLSX cell longer than Excel allows); the job
        /// is recorded as failed.
        #[error("export {id} failed: {reason}")]
        ExportWriteFailed = "EXPORT_WRITE_FAILED" {
            /// The export job id.
            id: String,
            /// The kind of failure (an I/O error kind, never a value or a path).
            reason: String,
        },
        /// A query is nested deeper, or holds more criteria, than the library accepts (the same
        /// limits for builders and the text filter), so no walk over it can exhaust the stack.
        #[error("query too complex: more than {max} {what}")]
        QueryTooComplex = "QUERY_TOO_COMPLEX" {
            /// What is over the limit: `levels of nesting` or `criteria`.
            what: String,
            /// The limit.
            max: usize,
        },
        /// An event was refused on replay: it fails the checks the command that produced it had to
        /// pass (a value out of bounds, another currency, an unknown operator or customer, time
        /// going backwards, an actor without the item). Nothing from this event on is applied.
        #[error("event {sequence} refused: {reason}")]
        InvalidEvent = "INVALID_EVENT" {
            /// The event's sequence number.
            sequence: u64,
            /// Why (never a personal value).
            reason: String,
        },
        /// The event log's chain is broken at this event: an event was reordered, renumbered,
        /// edited, inserted or removed. Nothing from this event on is applied.
        #[error("event log broken at event {sequence}: {reason}")]
        EventChainBroken = "EVENT_CHAIN_BROKEN" {
            /// The sequence number of the first event that does not follow from its predecessor.
            sequence: u64,
            /// What does not match.
            reason: String,
        },
        /// The durable store could not be reached or could not write (server gone, disk full,
        /// file locked or not a database). Nothing of the command was committed and the desk
        /// is as it was before it. Raised by `partnerdesk-store`, never by the core itself.
        #[error("store unavailable: {reason}")]
        StoreUnavailable = "STORE_UNAVAILABLE" {
            /// What the database said (conditions and identifiers, never personal data).
            reason: String,
        },
        /// Another instance appended to the desk's log first, and the command was still in
        /// conflict after the retries the store's policy allows. Nothing of it was committed;
        /// the desk has caught up and the command may be tried again.
        #[error("concurrent change: expected the log at event {expected_events}, found {found_events}")]
        ConcurrentChange = "CONCURRENT_CHANGE" {
            /// How many events the writer believed the log held.
            expected_events: u64,
            /// How many it holds.
            found_events: u64,
        },
        /// A checkpoint, event or audit record in the store does not read back (bad checksum,
        /// unknown format, a gap in the sequence): refused rather than open a wrong desk.
        #[error("store corrupt: {what}")]
        StoreCorrupt = "STORE_CORRUPT" {
            /// Which record, and why.
            what: String,
        },
        /// The store was written by a newer version of this library: its schema version is
        /// `found`, this library reads up to `supported`.
        #[error("store schema version {found} is newer than this library's {supported}")]
        StoreVersionUnsupported = "STORE_VERSION_UNSUPPORTED" {
            /// The store's schema version.
            found: u32,
            /// The newest this library reads.
            supported: u32,
        },
        /// A bug in partnerdesk, caught before it could reach the host (a binding turns a panic
        /// into this error). The operation may not have completed; please report it.
        #[error("internal error in {operation}")]
        Internal = "INTERNAL" {
            /// The operation that failed.
            operation: String,
        },
    }
}

impl Error {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_code_once_in_order() {
        let codes: Vec<&str> = Error::TABLE.iter().map(ErrorInfo::code).collect();
        assert_eq!(codes, Error::CODES);
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        assert!(Error::TABLE.iter().all(|i| !i.doc().is_empty()));
    }

    #[test]
    fn details_follow_the_table() {
        let samples = [
            Error::InvalidId {
                kind: IdKind::Customer,
                reason: "empty",
            },
            Error::FilterSyntax {
                position: 3,
                expected: "a value".into(),
                found: "end".into(),
            },
            Error::InvalidCurrency,
            Error::InvalidEvent {
                sequence: 7,
                reason: "r".into(),
            },
        ];
        for e in &samples {
            let info = Error::TABLE.iter().find(|i| i.code() == e.code());
            assert!(info.is_some(), "{} not in the table", e.code());
            let Some(info) = info else { continue };
            let details = e.details();
            let names: Vec<&str> = details.iter().map(|(n, _)| *n).collect();
            let want: Vec<&str> = info.fields().iter().map(FieldInfo::name).collect();
            assert_eq!(names, want);
            for ((_, v), f) in details.iter().zip(info.fields()) {
                let kind = match v {
                    DetailValue::Text(_) => DetailKind::Text,
                    DetailValue::Int(_) => DetailKind::Int,
                };
                assert_eq!(kind, f.kind());
                assert!(!f.doc().is_empty());
            }
        }
        assert_eq!(
            samples[0].details(),
            [
                ("kind", DetailValue::Text("customer id".into())),
                ("reason", DetailValue::Text("empty".into()))
            ]
        );
        assert_eq!(samples[0].to_string(), "invalid customer id: empty");
        assert_eq!(
            Error::TABLE[0].doc(),
            "An identifier is empty, too long or has characters it may not have."
        );
    }
}
