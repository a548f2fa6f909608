//! Core errors as JS errors whose `code` is the core's stable code.
//!
//! Why a custom status: napi-rs puts the status of a `napi::Error<S>` into the JS error's `code`
//! property, so with `S = Code` a JS caller sees `err.code === "CUSTOMER_NOT_FOUND"` and can
//! branch on it, and the message stays the core's (personal-data-free) English text.
//!
//! Why an exhaustive match here rather than calling `Error::code()` alone: the core's `Error`
//! is deliberately not `#[non_exhaustive]`, and this `match` has no `_` arm, so a variant added
//! to the core breaks this build until someone decides how it reaches JS. A unit test holds the
//! table to `Error::code()` and `Error::CODES`.

use napi::bindgen_prelude::{Env, JsObjectValue, JsValue, Object};
use partnerdesk::Error as CoreError;

/// The `code` of a JS error thrown by this addon: one of the core's stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(pub &'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// The stable code of a core error, by an exhaustive match (no `_` arm on purpose).
pub(crate) fn code_of(e: &CoreError) -> &'static str {
    match e {
        CoreError::InvalidId { .. } => "INVALID_ID",
        CoreError::InvalidMoney { .. } => "INVALID_MONEY",
        CoreError::CurrencyMismatch { .. } => "CURRENCY_MISMATCH",
        CoreError::InvalidCurrency => "INVALID_CURRENCY",
        CoreError::InvalidDate { .. } => "INVALID_DATE",
        CoreError::InvalidArgument { .. } => "INVALID_ARGUMENT",
        CoreError::CustomerNotFound { .. } => "CUSTOMER_NOT_FOUND",
        CoreError::DuplicateCustomer { .. } => "DUPLICATE_CUSTOMER",
        CoreError::OperatorNotFound { .. } => "OPERATOR_NOT_FOUND",
        CoreError::DuplicateOperator { .. } => "DUPLICATE_OPERATOR",
        CoreError::FilterSyntax { .. } => "FILTER_SYNTAX",
        CoreError::InvalidPage { .. } => "INVALID_PAGE",
        CoreError::InvalidCursor => "INVALID_CURSOR",
        CoreError::CursorMismatch => "CURSOR_MISMATCH",
        CoreError::InvalidSnapshot { .. } => "INVALID_SNAPSHOT",
        CoreError::UnsupportedSnapshotVersion { .. } => "UNSUPPORTED_SNAPSHOT_VERSION",
        CoreError::MalformedJson { .. } => "MALFORMED_JSON",
        CoreError::PermissionDenied { .. } => "PERMISSION_DENIED",
        CoreError::AdministratorOnly { .. } => "ADMINISTRATOR_ONLY",
        CoreError::WrongAssociationType { .. } => "WRONG_ASSOCIATION_TYPE",
        CoreError::FreezeScopeMismatch { .. } => "FREEZE_SCOPE_MISMATCH",
        CoreError::NotFrozen { .. } => "NOT_FROZEN",
        CoreError::AlreadyFrozen { .. } => "ALREADY_FROZEN",
        CoreError::TooManyIds { .. } => "TOO_MANY_IDS",
        CoreError::InvalidReason { .. } => "INVALID_REASON",
        CoreError::DisassociationQuotaExceeded { .. } => "DISASSOCIATION_QUOTA_EXCEEDED",
        CoreError::DisassociationBlocked { .. } => "DISASSOCIATION_BLOCKED",
        CoreError::NotAssociated { .. } => "NOT_ASSOCIATED",
        CoreError::AlreadyAssociated { .. } => "ALREADY_ASSOCIATED",
        CoreError::NotAccountManager { .. } => "NOT_ACCOUNT_MANAGER",
        CoreError::AuthorizationRequired { .. } => "AUTHORIZATION_REQUIRED",
        CoreError::AuthorizationNotFound { .. } => "AUTHORIZATION_NOT_FOUND",
        CoreError::InvalidTransition { .. } => "INVALID_TRANSITION",
        CoreError::CommitmentLetterRequired => "COMMITMENT_LETTER_REQUIRED",
        CoreError::DistributorApprovalRequired { .. } => "DISTRIBUTOR_APPROVAL_REQUIRED",
        CoreError::CustomerFrozen { .. } => "CUSTOMER_FROZEN",
        CoreError::OverBudget { .. } => "OVER_BUDGET",
        CoreError::IdempotencyConflict { .. } => "IDEMPOTENCY_CONFLICT",
        CoreError::ExportNotFound { .. } => "EXPORT_NOT_FOUND",
        CoreError::ExportCancelled { .. } => "EXPORT_CANCELLED",
        CoreError::ExportWriteFailed { .. } => "EXPORT_WRITE_FAILED",
        CoreError::QueryTooComplex { .. } => "QUERY_TOO_COMPLEX",
        CoreError::InvalidEvent { .. } => "INVALID_EVENT",
        CoreError::EventChainBroken { .. } => "EVENT_CHAIN_BROKEN",
        CoreError::Internal { .. } => "INTERNAL",
    }
}

/// A core error as a napi error with the core's code (for synchronous functions).
pub(crate) fn to_js(e: CoreError) -> napi::Error<Code> {
    napi::Error::new(Code(code_of(&e)), e.to_string())
}

/// An `INVALID_ARGUMENT` error for a binding-level check.
pub(crate) fn invalid_argument(field: &str, reason: &str) -> napi::Error<Code> {
    to_js(CoreError::InvalidArgument {
        field: field.to_owned(),
        reason: reason.to_owned(),
    })
}

/// A core error as a JS `Error` object with `code` set (for promise rejections, whose
/// `napi::Error` carries napi's own status type).
pub(crate) fn to_js_value(env: &Env, e: &CoreError) -> napi::Error {
    to_js_error_value(env, code_of(e), &e.to_string())
}

/// A JS `Error` object with a `code` and a message (for promise rejections).
pub(crate) fn to_js_error_value(env: &Env, code: &str, message: &str) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut obj: Object<'_> = env.create_error(napi::Error::from_reason(message))?;
        obj.set_named_property("code", code)?;
        Ok(napi::Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|fail| fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use partnerdesk::IdKind;

    /// One value of every variant: adding a variant to the core makes `code_of` fail to
    /// compile, and this list keeps the test honest about the strings.
    fn every_variant() -> Vec<CoreError> {
        vec![
            CoreError::InvalidId {
                kind: IdKind::Customer,
                reason: "empty",
            },
            CoreError::InvalidMoney {
                field: "f".into(),
                reason: "r".into(),
            },
            CoreError::CurrencyMismatch {
                expected: "CNY".into(),
                found: "USD".into(),
            },
            CoreError::InvalidCurrency,
            CoreError::InvalidDate {
                field: "f".into(),
                reason: "r".into(),
            },
            CoreError::InvalidArgument {
                field: "f".into(),
                reason: "r".into(),
            },
            CoreError::CustomerNotFound { id: "c".into() },
            CoreError::DuplicateCustomer { id: "c".into() },
            CoreError::OperatorNotFound { id: "o".into() },
            CoreError::DuplicateOperator { id: "o".into() },
            CoreError::FilterSyntax {
                position: 0,
                expected: "e".into(),
                found: "f".into(),
            },
            CoreError::InvalidPage { reason: "r".into() },
            CoreError::InvalidCursor,
            CoreError::CursorMismatch,
            CoreError::InvalidSnapshot {
                field: "f".into(),
                reason: "r".into(),
            },
            CoreError::UnsupportedSnapshotVersion {
                found: 9,
                supported: 1,
            },
            CoreError::MalformedJson {
                category: "syntax",
                line: 1,
                column: 1,
            },
            CoreError::PermissionDenied {
                item: "i".into(),
                actor: "a".into(),
            },
            CoreError::AdministratorOnly { item: "i".into() },
            CoreError::WrongAssociationType { id: "c".into() },
            CoreError::FreezeScopeMismatch {
                id: "c".into(),
                frozen: "account".into(),
                requested: "account_and_resources".into(),
            },
            CoreError::NotFrozen { id: "c".into() },
            CoreError::AlreadyFrozen { id: "c".into() },
            CoreError::TooManyIds { given: 11, max: 10 },
            CoreError::InvalidReason { reason: "r".into() },
            CoreError::DisassociationQuotaExceeded {
                id: "c".into(),
                limit: 3,
            },
            CoreError::DisassociationBlocked {
                id: "c".into(),
                cause: "x".into(),
            },
            CoreError::NotAssociated { id: "c".into() },
            CoreError::AlreadyAssociated { id: "c".into() },
            CoreError::NotAccountManager { id: "o".into() },
            CoreError::AuthorizationRequired {
                id: "c".into(),
                scope: "s".into(),
            },
            CoreError::AuthorizationNotFound {
                what: "w".into(),
                id: "a".into(),
            },
            CoreError::InvalidTransition {
                what: "w".into(),
                state: "s".into(),
                action: "a".into(),
            },
            CoreError::CommitmentLetterRequired,
            CoreError::DistributorApprovalRequired { id: "c".into() },
            CoreError::CustomerFrozen { id: "c".into() },
            CoreError::OverBudget {
                id: "c".into(),
                remaining: "0".into(),
            },
            CoreError::IdempotencyConflict { key: "k".into() },
            CoreError::ExportNotFound { id: "e".into() },
            CoreError::ExportCancelled { id: "e".into() },
            CoreError::ExportWriteFailed {
                id: "e".into(),
                reason: "r".into(),
            },
            CoreError::QueryTooComplex {
                what: "w".into(),
                max: 1,
            },
            CoreError::InvalidEvent {
                sequence: 1,
                reason: "r".into(),
            },
            CoreError::EventChainBroken {
                sequence: 1,
                reason: "r".into(),
            },
            CoreError::Internal {
                operation: "o".into(),
            },
        ]
    }

    #[test]
    fn codes_match_the_core() {
        let all = every_variant();
        let ours: Vec<&str> = all.iter().map(code_of).collect();
        let core: Vec<&str> = all.iter().map(CoreError::code).collect();
        assert_eq!(ours, core);
        assert_eq!(ours, CoreError::CODES);
    }

    #[test]
    fn napi_errors_carry_the_code() {
        let e = to_js(CoreError::CustomerNotFound { id: "c-1".into() });
        assert_eq!(e.status.as_ref(), "CUSTOMER_NOT_FOUND");
        assert_eq!(e.reason, "customer c-1 not found");
    }
}
