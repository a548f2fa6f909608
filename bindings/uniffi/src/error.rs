//! `PartnerDeskError`: the core's one error enum, mirrored variant by variant, and the Huawei
//! adapter's three codes of its own.
//!
//! Why a mirror and not a string: Kotlin catches `PartnerDeskException.FilterSyntax` and Swift
//! matches `PartnerDeskError.FilterSyntax`, and both read the stable machine code with `code()`.
//! The conversion is an exhaustive `match` with no `_` arm (written by [`mirror_errors!`] from
//! one list), so a variant added to the core breaks this crate's build instead of reaching a
//! phone as an untyped error. Like the core's, no field carries personal data: only ids, field
//! names, positions and reasons.
//!
//! The Huawei adapter's `HuaweiError` maps through one `From` as well: a core error it wraps
//! becomes that error's own variant, and `HUAWEI_API_ERROR`, `HUAWEI_INVALID_DATA` and
//! `HUAWEI_PAGING_OUT_OF_BOUNDS` are variants of the same enum, so a host catches one type.

use crate::types::to_u64;
use partnerdesk::Error;
use partnerdesk_huawei::HuaweiError;

/// Declares [`PartnerDeskError`], its `From<partnerdesk::Error>` (exhaustive, no `_` arm) and
/// its codes from one list: `Variant { core_field => field: MirrorType = conversion, .. } =>
/// "CODE";`. A field is renamed where Kotlin's `Throwable` already has the name (`cause`,
/// `message`). Every variant also gets `detail`, the core's English message.
macro_rules! mirror_errors {
    (
        $(
            $(#[$meta:meta])*
            $variant:ident {
                $( $(#[$fmeta:meta])* $src:ident => $field:ident : $ty:ty = $conv:expr ),* $(,)?
            } => $code:literal;
        )+
        @adapter
        $(
            $(#[$ameta:meta])*
            $avariant:ident {
                $( $(#[$afmeta:meta])* $afield:ident : $aty:ty ),* $(,)?
            } => $acode:literal;
        )+
    ) => {
        /// Every error partnerdesk returns to a Kotlin or Swift host.
        ///
        /// Each variant carries the core's structured fields and `detail`, the English message
        /// (never personal data). Branch on `code()`, which never changes once released.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum PartnerDeskError {
            $(
                $(#[$meta])*
                #[error("{detail}")]
                $variant {
                    $( $(#[$fmeta])* $field: $ty, )*
                    /// The whole message (English; ids only, never personal data).
                    detail: String,
                },
            )+
            $(
                $(#[$ameta])*
                #[error("{detail}")]
                $avariant {
                    $( $(#[$afmeta])* $afield: $aty, )*
                    /// The whole message (English; codes, paths and ids only, never personal
                    /// data nor Huawei's own text).
                    detail: String,
                },
            )+
        }

        impl PartnerDeskError {
            /// The stable machine code as a static string (the core's `Error::code()`, or the
            /// Huawei adapter's `HuaweiError::code()`).
            pub fn code_str(&self) -> &'static str {
                match self {
                    $( PartnerDeskError::$variant { .. } => $code, )+
                    $( PartnerDeskError::$avariant { .. } => $acode, )+
                }
            }

            /// Every code a variant carries: the core's, then the Huawei adapter's.
            pub const CODES: &'static [&'static str] = &[ $( $code, )+ $( $acode, )+ ];
        }

        /// One value of every core variant (fields filled with samples), for the tests that
        /// check the mapping and the codes.
        #[cfg(test)]
        pub(crate) fn every_core_error() -> Vec<Error> {
            vec![ $( Error::$variant { $( $src: tests::Sample::sample(), )* }, )+ ]
        }

        impl From<Error> for PartnerDeskError {
            fn from(e: Error) -> Self {
                let detail = e.to_string();
                match e {
                    $(
                        Error::$variant { $( $src: $field, )* } => PartnerDeskError::$variant {
                            $( $field: $conv, )*
                            detail,
                        },
                    )+
                }
            }
        }
    };
}

mirror_errors! {
    /// An identifier is empty, too long or has characters it may not have.
    InvalidId {
        /// Which identifier.
        kind => kind: String = kind.to_string(),
        /// Why it was refused (never the value itself).
        reason => reason: String = reason.to_owned(),
    } => "INVALID_ID";
    /// A money amount is out of range or has more decimals than allowed.
    InvalidMoney {
        /// The field that held the amount.
        field => field: String = field,
        /// Why it was refused.
        reason => reason: String = reason,
    } => "INVALID_MONEY";
    /// Two amounts, or an amount and the partner, have different currencies.
    CurrencyMismatch {
        /// The currency that was expected (the partner's).
        expected => expected: String = expected,
        /// The currency that was given.
        found => found: String = found,
    } => "CURRENCY_MISMATCH";
    /// A currency code is not three upper-case ASCII letters.
    InvalidCurrency {
    } => "INVALID_CURRENCY";
    /// A date, time, duration or time-zone offset is malformed or out of range.
    InvalidDate {
        /// The field that held it.
        field => field: String = field,
        /// Why it was refused.
        reason => reason: String = reason,
    } => "INVALID_DATE";
    /// An argument is outside what the operation accepts.
    InvalidArgument {
        /// The argument.
        field => field: String = field,
        /// Why it was refused.
        reason => reason: String = reason,
    } => "INVALID_ARGUMENT";
    /// No customer with this id is on the desk.
    CustomerNotFound {
        /// The id that was looked up.
        id => id: String = id,
    } => "CUSTOMER_NOT_FOUND";
    /// A customer with this id is already on the desk.
    DuplicateCustomer {
        /// The duplicated id.
        id => id: String = id,
    } => "DUPLICATE_CUSTOMER";
    /// No operator with this login belongs to the partner.
    OperatorNotFound {
        /// The login that was looked up.
        id => id: String = id,
    } => "OPERATOR_NOT_FOUND";
    /// An operator with this login already belongs to the partner.
    DuplicateOperator {
        /// The duplicated login.
        id => id: String = id,
    } => "DUPLICATE_OPERATOR";
    /// A text filter could not be parsed.
    FilterSyntax {
        /// Character offset (0-based, in Unicode scalar values) where parsing failed.
        position => position: u64 = to_u64(position),
        /// What the parser expected there.
        expected => expected: String = expected,
        /// The kind of token found there (never the token's text).
        found => found: String = found,
    } => "FILTER_SYNTAX";
    /// A page request is out of bounds (limit 0, or over the maximum).
    InvalidPage {
        /// Why it was refused.
        reason => reason: String = reason,
    } => "INVALID_PAGE";
    /// A cursor is malformed or was tampered with.
    InvalidCursor {
    } => "INVALID_CURSOR";
    /// A cursor was produced by another query or another sort order.
    CursorMismatch {
    } => "CURSOR_MISMATCH";
    /// A snapshot is structurally valid JSON but breaks an invariant.
    InvalidSnapshot {
        /// A path to the offending field, e.g. `customers[3].id`.
        field => field: String = field,
        /// Why it was refused.
        reason => reason: String = reason,
    } => "INVALID_SNAPSHOT";
    /// A snapshot was written by a format version this library cannot read.
    UnsupportedSnapshotVersion {
        /// The version found in the snapshot.
        found => found: u32 = found,
        /// The newest version this library reads.
        supported => supported: u32 = supported,
    } => "UNSUPPORTED_SNAPSHOT_VERSION";
    /// JSON could not be parsed (malformed, truncated or of the wrong types).
    MalformedJson {
        /// `syntax`, `eof`, `data` or `io`.
        category => category: String = category.to_owned(),
        /// 1-based line.
        line => line: u64 = to_u64(line),
        /// 1-based column.
        column => column: u64 = to_u64(column),
    } => "MALFORMED_JSON";
    /// The actor does not hold the permission item the operation needs (Huawei `CBC.0151`).
    PermissionDenied {
        /// The permission item that was needed (its stable name).
        item => item: String = item,
        /// The actor that was refused (`operator:<login>`, `customer:<id>` or `system`).
        actor => actor: String = actor,
    } => "PERMISSION_DENIED";
    /// The operation or item is reserved to the partner administrator and cannot be granted.
    AdministratorOnly {
        /// The administrator-only item or operation.
        item => item: String = item,
    } => "ADMINISTRATOR_ONLY";
    /// The customer's association type does not allow the operation, e.g. freezing or budgeting
    /// a referral customer (Huawei `CBC.5024`).
    WrongAssociationType {
        /// The customer id.
        id => id: String = id,
    } => "WRONG_ASSOCIATION_TYPE";
    /// An unfreeze named another scope than the one the customer was frozen with.
    FreezeScopeMismatch {
        /// The customer id.
        id => id: String = id,
        /// The scope of the freeze in force.
        frozen => frozen: String = frozen,
        /// The scope the unfreeze named.
        requested => requested: String = requested,
    } => "FREEZE_SCOPE_MISMATCH";
    /// The customer is not frozen.
    NotFrozen {
        /// The customer id.
        id => id: String = id,
    } => "NOT_FROZEN";
    /// The customer is already frozen.
    AlreadyFrozen {
        /// The customer id.
        id => id: String = id,
    } => "ALREADY_FROZEN";
    /// A batch named more ids than the operation accepts (freeze/unfreeze: 10).
    TooManyIds {
        /// How many ids were given.
        given => given: u64 = to_u64(given),
        /// The most accepted.
        max => max: u64 = to_u64(max),
    } => "TOO_MANY_IDS";
    /// A reason is missing, too long or has control characters.
    InvalidReason {
        /// Why it was refused (never the text itself).
        reason => reason: String = reason,
    } => "INVALID_REASON";
    /// A fourth partner-initiated disassociation request within a rolling 3 months.
    DisassociationQuotaExceeded {
        /// The customer id.
        id => id: String = id,
        /// The quota (3).
        limit => limit: u64 = to_u64(limit),
    } => "DISASSOCIATION_QUOTA_EXCEEDED";
    /// Disassociation is blocked: the account is manually frozen, or holds a valid reserved
    /// instance or support plan.
    DisassociationBlocked {
        /// The customer id.
        id => id: String = id,
        /// `manually_frozen`, `valid_reserved_instance` or `valid_support_plan`.
        cause => blocked_by: String = blocked_by,
    } => "DISASSOCIATION_BLOCKED";
    /// The customer is not (or no longer) associated with the partner.
    NotAssociated {
        /// The customer id.
        id => id: String = id,
    } => "NOT_ASSOCIATED";
    /// The customer is already associated with the partner.
    AlreadyAssociated {
        /// The customer id.
        id => id: String = id,
    } => "ALREADY_ASSOCIATED";
    /// The operator is not an account manager (or the customer has no account manager to
    /// unassign).
    NotAccountManager {
        /// The operator login (or customer id when nothing is assigned).
        id => id: String = id,
    } => "NOT_ACCOUNT_MANAGER";
    /// Acting on the customer's behalf needs an active authorization covering the scope.
    AuthorizationRequired {
        /// The customer id.
        id => id: String = id,
        /// The scope that was needed.
        scope => scope: String = scope,
    } => "AUTHORIZATION_REQUIRED";
    /// No authorization (or disassociation request) with this id exists.
    AuthorizationNotFound {
        /// `authorization` or `disassociation request`.
        what => what: String = what,
        /// The id that was looked up.
        id => id: String = id,
    } => "AUTHORIZATION_NOT_FOUND";
    /// The action is not allowed in the current state of the record.
    InvalidTransition {
        /// What record (`authorization`, `disassociation request`, ...).
        what => what: String = what,
        /// Its current state.
        state => state: String = state,
        /// The refused action.
        action => action: String = action,
    } => "INVALID_TRANSITION";
    /// The partner's first authorization request needs the commitment letter accepted.
    CommitmentLetterRequired {
    } => "COMMITMENT_LETTER_REQUIRED";
    /// A reseller's authorization request needs its distributor's approval first.
    DistributorApprovalRequired {
        /// The authorization id.
        id => id: String = id,
    } => "DISTRIBUTOR_APPROVAL_REQUIRED";
    /// The customer is frozen, so the operation (e.g. an order on its behalf) is refused.
    CustomerFrozen {
        /// The customer id.
        id => id: String = id,
    } => "CUSTOMER_FROZEN";
    /// The amount does not fit the customer's remaining budget.
    OverBudget {
        /// The customer id.
        id => id: String = id,
        /// The remaining budget, with its currency.
        remaining => remaining: String = remaining,
    } => "OVER_BUDGET";
    /// The idempotency key was already used by a different command.
    IdempotencyConflict {
        /// The key.
        key => key: String = key,
    } => "IDEMPOTENCY_CONFLICT";
    /// No export job with this id is in the desk's history.
    ExportNotFound {
        /// The export job id.
        id => id: String = id,
    } => "EXPORT_NOT_FOUND";
    /// The export's progress callback cancelled it; the job is recorded as cancelled and
    /// whatever reached the sink is incomplete.
    ExportCancelled {
        /// The export job id.
        id => id: String = id,
    } => "EXPORT_CANCELLED";
    /// Writing an export failed (the sink, or an XLSX cell longer than Excel allows); the job
    /// is recorded as failed.
    ExportWriteFailed {
        /// The export job id.
        id => id: String = id,
        /// The kind of failure (an I/O error kind, never a value or a path).
        reason => reason: String = reason,
    } => "EXPORT_WRITE_FAILED";
    /// A query is nested deeper, or holds more criteria, than the library accepts.
    QueryTooComplex {
        /// What is over the limit: `levels of nesting` or `criteria`.
        what => what: String = what,
        /// The limit.
        max => max: u64 = to_u64(max),
    } => "QUERY_TOO_COMPLEX";
    /// An event was refused on replay: it fails the checks its command had to pass. Nothing
    /// from this event on is applied.
    InvalidEvent {
        /// The event's sequence number.
        sequence => sequence: u64 = sequence,
        /// Why (never a personal value).
        reason => reason: String = reason,
    } => "INVALID_EVENT";
    /// The event log's chain is broken at this event (reordered, renumbered, edited, inserted
    /// or removed). Nothing from this event on is applied.
    EventChainBroken {
        /// The sequence number of the first event that does not follow from its predecessor.
        sequence => sequence: u64 = sequence,
        /// What does not match.
        reason => reason: String = reason,
    } => "EVENT_CHAIN_BROKEN";
    /// A bug in partnerdesk, caught before it reached the host. Please report it.
    Internal {
        /// The operation that failed.
        operation => operation: String = operation,
    } => "INTERNAL";

    @adapter

    /// Huawei answered with its error envelope (a `CBC.*` code other than `CBC.0000`) where a
    /// response page was expected.
    HuaweiApiError {
        /// Huawei's code, verbatim (`CBC.0151`, or one this version does not know).
        huawei_code: String,
        /// What the code means, as a stable code (`PERMISSION_DENIED`, `THROTTLED`,
        /// `HUAWEI_UNKNOWN_ERROR`, ...; see `huaweiApiKinds()`).
        kind: String,
        /// The HTTP status it came with, when known.
        http_status: Option<u16>,
        /// Whether the same request may succeed later (throttling, a Huawei-side error).
        retryable: bool,
    } => "HUAWEI_API_ERROR";
    /// A Huawei response is valid JSON but breaks the documented shape (a required member is
    /// missing or holds a value the domain cannot keep).
    HuaweiInvalidData {
        /// The JSON path, e.g. `customer_infos[3].customer_id`.
        field: String,
        /// Why (never the value).
        reason: String,
    } => "HUAWEI_INVALID_DATA";
    /// A listing is larger than the API can page (offsets over 40,000,000): narrow the query.
    HuaweiPagingOutOfBounds {
        /// Why.
        reason: String,
    } => "HUAWEI_PAGING_OUT_OF_BOUNDS";
}

impl From<HuaweiError> for PartnerDeskError {
    /// The adapter's errors: a core error inside [`HuaweiError::Core`] becomes its own variant
    /// (same code as from the core); the adapter's three get theirs. Exhaustive, no `_` arm.
    /// Huawei's `error_msg` text never enters the error (it may echo personal data).
    fn from(e: HuaweiError) -> Self {
        let detail = e.to_string();
        match e {
            HuaweiError::Core(core) => core.into(),
            HuaweiError::Api(api) => PartnerDeskError::HuaweiApiError {
                kind: api.code().to_owned(),
                retryable: api.kind.is_retryable(),
                http_status: api.http_status,
                huawei_code: api.huawei_code,
                detail,
            },
            HuaweiError::InvalidData { field, reason } => PartnerDeskError::HuaweiInvalidData {
                field,
                reason,
                detail,
            },
            HuaweiError::PagingOutOfBounds { reason } => {
                PartnerDeskError::HuaweiPagingOutOfBounds { reason, detail }
            }
        }
    }
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl PartnerDeskError {
    /// The stable machine code, e.g. `"CUSTOMER_NOT_FOUND"` (the core's `Error::code()`).
    pub fn code(&self) -> String {
        self.code_str().to_owned()
    }
}

/// The result type of every exported function.
pub type Result<T, E = PartnerDeskError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{Error, PartnerDeskError, every_core_error};
    use std::collections::BTreeSet;

    /// A value of a core error field's type.
    pub(crate) trait Sample {
        fn sample() -> Self;
    }
    impl Sample for String {
        fn sample() -> Self {
            "c-1".to_owned()
        }
    }
    impl Sample for &'static str {
        fn sample() -> Self {
            "sample"
        }
    }
    impl Sample for usize {
        fn sample() -> Self {
            7
        }
    }
    impl Sample for u32 {
        fn sample() -> Self {
            3
        }
    }
    impl Sample for u64 {
        fn sample() -> Self {
            5
        }
    }
    impl Sample for partnerdesk::IdKind {
        fn sample() -> Self {
            partnerdesk::IdKind::Customer
        }
    }

    #[test]
    fn every_variant_keeps_its_code_and_message() {
        let all = every_core_error();
        assert_eq!(all.len(), Error::CODES.len(), "one sample per core variant");
        let mut codes = BTreeSet::new();
        for e in all {
            let mirrored = PartnerDeskError::from(e.clone());
            assert_eq!(mirrored.code_str(), e.code());
            assert_eq!(mirrored.code(), e.code());
            assert_eq!(mirrored.to_string(), e.to_string());
            codes.insert(e.code());
        }
        let expected: BTreeSet<&str> = Error::CODES.iter().copied().collect();
        assert_eq!(codes, expected, "every code reached, none twice");
    }

    #[test]
    fn every_code_is_the_core_s_then_the_adapter_s() {
        let expected: Vec<&str> = Error::CODES
            .iter()
            .chain(partnerdesk_huawei::HuaweiError::CODES)
            .copied()
            .collect();
        assert_eq!(PartnerDeskError::CODES, expected.as_slice());
    }

    #[test]
    fn adapter_errors_keep_their_code_message_and_fields() {
        use partnerdesk_huawei::{ApiError, HuaweiError};
        let api =
            HuaweiError::Api(ApiError::new("CBC.0250", "slow down, Zhang San").with_status(429));
        let data = HuaweiError::InvalidData {
            field: "customer_infos[3].customer_id".to_owned(),
            reason: "missing".to_owned(),
        };
        let paging = HuaweiError::PagingOutOfBounds {
            reason: "too many".to_owned(),
        };
        for e in every_core_error()
            .into_iter()
            .map(HuaweiError::Core)
            .chain([api.clone(), data.clone(), paging.clone()])
        {
            let mirrored = PartnerDeskError::from(e.clone());
            assert_eq!(mirrored.code_str(), e.code());
            assert_eq!(mirrored.to_string(), e.to_string());
            assert!(!format!("{mirrored:?}").contains("Zhang"), "no Huawei text");
        }
        assert_eq!(
            PartnerDeskError::from(api),
            PartnerDeskError::HuaweiApiError {
                huawei_code: "CBC.0250".to_owned(),
                kind: "THROTTLED".to_owned(),
                http_status: Some(429),
                retryable: true,
                detail: "Huawei answered CBC.0250 (THROTTLED)".to_owned(),
            }
        );
        assert!(matches!(
            PartnerDeskError::from(data),
            PartnerDeskError::HuaweiInvalidData { ref field, .. } if field == "customer_infos[3].customer_id"
        ));
        assert!(matches!(
            PartnerDeskError::from(paging),
            PartnerDeskError::HuaweiPagingOutOfBounds { ref reason, .. } if reason == "too many"
        ));
    }

    #[test]
    fn structured_fields_cross() {
        let e = PartnerDeskError::from(Error::FilterSyntax {
            position: 5,
            expected: "a value".to_owned(),
            found: "end of input".to_owned(),
        });
        assert_eq!(
            e,
            PartnerDeskError::FilterSyntax {
                position: 5,
                expected: "a value".to_owned(),
                found: "end of input".to_owned(),
                detail: "filter syntax error at position 5: expected a value, found end of input"
                    .to_owned(),
            }
        );
    }
}
