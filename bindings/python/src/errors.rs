//! Core errors as Python exceptions: `PartnerDeskError` and one subclass per stable code.
//!
//! Why one class per code: Python callers branch with `except FilterSyntaxError`, and the
//! `code` attribute carries the core's stable machine code for hosts that log or forward it.
//! The mapping is an exhaustive `match` without a catch-all arm, so a new core variant breaks
//! this crate's build until it gets its class. Details (field, reason, position...) become
//! attributes; none of them carries personal data, because the core's errors never do.

use partnerdesk::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    partnerdesk,
    PartnerDeskError,
    PyException,
    "Base class of every partnerdesk error; `code` is the core's stable machine code."
);

macro_rules! error_classes {
    ($( $class:ident => $code:literal, )+) => {
        $(
            create_exception!(partnerdesk, $class, PartnerDeskError, concat!("Error code `", $code, "`."));
        )+

        /// Every exception class with its code, in the core's `Error::CODES` order.
        fn classes(py: Python<'_>) -> Vec<(&'static str, Bound<'_, PyType>)> {
            vec![$( (stringify!($class), py.get_type::<$class>()), )+]
        }

        /// The codes, in the same order as [`classes`].
        const CLASS_CODES: &[&str] = &[$( $code, )+];
    };
}

/// Detail attributes of an error (name, value).
type Details<'py> = Vec<(&'static str, Bound<'py, PyAny>)>;

fn s<'py>(py: Python<'py>, v: &str) -> Bound<'py, PyAny> {
    pyo3::types::PyString::new(py, v).into_any()
}

fn n<'py>(py: Python<'py>, v: u64) -> Bound<'py, PyAny> {
    pyo3::types::PyInt::new(py, v).into_any()
}

// BEGIN GENERATED ERRORS (tools/gen_errors.py; edit error.rs in the core, then rerun)
error_classes! {
    InvalidIdError => "INVALID_ID",
    InvalidMoneyError => "INVALID_MONEY",
    CurrencyMismatchError => "CURRENCY_MISMATCH",
    InvalidCurrencyError => "INVALID_CURRENCY",
    InvalidDateError => "INVALID_DATE",
    InvalidArgumentError => "INVALID_ARGUMENT",
    CustomerNotFoundError => "CUSTOMER_NOT_FOUND",
    DuplicateCustomerError => "DUPLICATE_CUSTOMER",
    OperatorNotFoundError => "OPERATOR_NOT_FOUND",
    DuplicateOperatorError => "DUPLICATE_OPERATOR",
    FilterSyntaxError => "FILTER_SYNTAX",
    InvalidPageError => "INVALID_PAGE",
    InvalidCursorError => "INVALID_CURSOR",
    CursorMismatchError => "CURSOR_MISMATCH",
    InvalidSnapshotError => "INVALID_SNAPSHOT",
    UnsupportedSnapshotVersionError => "UNSUPPORTED_SNAPSHOT_VERSION",
    MalformedJsonError => "MALFORMED_JSON",
    PermissionDeniedError => "PERMISSION_DENIED",
    AdministratorOnlyError => "ADMINISTRATOR_ONLY",
    WrongAssociationTypeError => "WRONG_ASSOCIATION_TYPE",
    FreezeScopeMismatchError => "FREEZE_SCOPE_MISMATCH",
    NotFrozenError => "NOT_FROZEN",
    AlreadyFrozenError => "ALREADY_FROZEN",
    TooManyIdsError => "TOO_MANY_IDS",
    InvalidReasonError => "INVALID_REASON",
    DisassociationQuotaExceededError => "DISASSOCIATION_QUOTA_EXCEEDED",
    DisassociationBlockedError => "DISASSOCIATION_BLOCKED",
    NotAssociatedError => "NOT_ASSOCIATED",
    AlreadyAssociatedError => "ALREADY_ASSOCIATED",
    NotAccountManagerError => "NOT_ACCOUNT_MANAGER",
    AuthorizationRequiredError => "AUTHORIZATION_REQUIRED",
    AuthorizationNotFoundError => "AUTHORIZATION_NOT_FOUND",
    InvalidTransitionError => "INVALID_TRANSITION",
    CommitmentLetterRequiredError => "COMMITMENT_LETTER_REQUIRED",
    DistributorApprovalRequiredError => "DISTRIBUTOR_APPROVAL_REQUIRED",
    CustomerFrozenError => "CUSTOMER_FROZEN",
    OverBudgetError => "OVER_BUDGET",
    IdempotencyConflictError => "IDEMPOTENCY_CONFLICT",
    ExportNotFoundError => "EXPORT_NOT_FOUND",
    ExportCancelledError => "EXPORT_CANCELLED",
    ExportWriteFailedError => "EXPORT_WRITE_FAILED",
    QueryTooComplexError => "QUERY_TOO_COMPLEX",
    InvalidEventError => "INVALID_EVENT",
    EventChainBrokenError => "EVENT_CHAIN_BROKEN",
    InternalError => "INTERNAL",
}

/// The class and the detail attributes of a core error. Exhaustive: no `_` arm.
fn class_of<'py>(py: Python<'py>, e: &Error) -> (Bound<'py, PyType>, Details<'py>) {
    match e {
        Error::InvalidId { kind, reason } => (
            py.get_type::<InvalidIdError>(),
            vec![
                ("kind", s(py, &kind.to_string())),
                ("reason", s(py, reason)),
            ],
        ),
        Error::InvalidMoney { field, reason } => (
            py.get_type::<InvalidMoneyError>(),
            vec![("field", s(py, field)), ("reason", s(py, reason))],
        ),
        Error::CurrencyMismatch { expected, found } => (
            py.get_type::<CurrencyMismatchError>(),
            vec![("expected", s(py, expected)), ("found", s(py, found))],
        ),
        Error::InvalidCurrency => (py.get_type::<InvalidCurrencyError>(), vec![]),
        Error::InvalidDate { field, reason } => (
            py.get_type::<InvalidDateError>(),
            vec![("field", s(py, field)), ("reason", s(py, reason))],
        ),
        Error::InvalidArgument { field, reason } => (
            py.get_type::<InvalidArgumentError>(),
            vec![("field", s(py, field)), ("reason", s(py, reason))],
        ),
        Error::CustomerNotFound { id } => (
            py.get_type::<CustomerNotFoundError>(),
            vec![("id", s(py, id))],
        ),
        Error::DuplicateCustomer { id } => (
            py.get_type::<DuplicateCustomerError>(),
            vec![("id", s(py, id))],
        ),
        Error::OperatorNotFound { id } => (
            py.get_type::<OperatorNotFoundError>(),
            vec![("id", s(py, id))],
        ),
        Error::DuplicateOperator { id } => (
            py.get_type::<DuplicateOperatorError>(),
            vec![("id", s(py, id))],
        ),
        Error::FilterSyntax {
            position,
            expected,
            found,
        } => (
            py.get_type::<FilterSyntaxError>(),
            vec![
                ("position", n(py, *position as u64)),
                ("expected", s(py, expected)),
                ("found", s(py, found)),
            ],
        ),
        Error::InvalidPage { reason } => (
            py.get_type::<InvalidPageError>(),
            vec![("reason", s(py, reason))],
        ),
        Error::InvalidCursor => (py.get_type::<InvalidCursorError>(), vec![]),
        Error::CursorMismatch => (py.get_type::<CursorMismatchError>(), vec![]),
        Error::InvalidSnapshot { field, reason } => (
            py.get_type::<InvalidSnapshotError>(),
            vec![("field", s(py, field)), ("reason", s(py, reason))],
        ),
        Error::UnsupportedSnapshotVersion { found, supported } => (
            py.get_type::<UnsupportedSnapshotVersionError>(),
            vec![
                ("found", n(py, *found as u64)),
                ("supported", n(py, *supported as u64)),
            ],
        ),
        Error::MalformedJson {
            category,
            line,
            column,
        } => (
            py.get_type::<MalformedJsonError>(),
            vec![
                ("category", s(py, category)),
                ("line", n(py, *line as u64)),
                ("column", n(py, *column as u64)),
            ],
        ),
        Error::PermissionDenied { item, actor } => (
            py.get_type::<PermissionDeniedError>(),
            vec![("item", s(py, item)), ("actor", s(py, actor))],
        ),
        Error::AdministratorOnly { item } => (
            py.get_type::<AdministratorOnlyError>(),
            vec![("item", s(py, item))],
        ),
        Error::WrongAssociationType { id } => (
            py.get_type::<WrongAssociationTypeError>(),
            vec![("id", s(py, id))],
        ),
        Error::FreezeScopeMismatch {
            id,
            frozen,
            requested,
        } => (
            py.get_type::<FreezeScopeMismatchError>(),
            vec![
                ("id", s(py, id)),
                ("frozen", s(py, frozen)),
                ("requested", s(py, requested)),
            ],
        ),
        Error::NotFrozen { id } => (py.get_type::<NotFrozenError>(), vec![("id", s(py, id))]),
        Error::AlreadyFrozen { id } => {
            (py.get_type::<AlreadyFrozenError>(), vec![("id", s(py, id))])
        }
        Error::TooManyIds { given, max } => (
            py.get_type::<TooManyIdsError>(),
            vec![("given", n(py, *given as u64)), ("max", n(py, *max as u64))],
        ),
        Error::InvalidReason { reason } => (
            py.get_type::<InvalidReasonError>(),
            vec![("reason", s(py, reason))],
        ),
        Error::DisassociationQuotaExceeded { id, limit } => (
            py.get_type::<DisassociationQuotaExceededError>(),
            vec![("id", s(py, id)), ("limit", n(py, *limit as u64))],
        ),
        Error::DisassociationBlocked { id, cause } => (
            py.get_type::<DisassociationBlockedError>(),
            vec![("id", s(py, id)), ("cause", s(py, cause))],
        ),
        Error::NotAssociated { id } => {
            (py.get_type::<NotAssociatedError>(), vec![("id", s(py, id))])
        }
        Error::AlreadyAssociated { id } => (
            py.get_type::<AlreadyAssociatedError>(),
            vec![("id", s(py, id))],
        ),
        Error::NotAccountManager { id } => (
            py.get_type::<NotAccountManagerError>(),
            vec![("id", s(py, id))],
        ),
        Error::AuthorizationRequired { id, scope } => (
            py.get_type::<AuthorizationRequiredError>(),
            vec![("id", s(py, id)), ("scope", s(py, scope))],
        ),
        Error::AuthorizationNotFound { what, id } => (
            py.get_type::<AuthorizationNotFoundError>(),
            vec![("what", s(py, what)), ("id", s(py, id))],
        ),
        Error::InvalidTransition {
            what,
            state,
            action,
        } => (
            py.get_type::<InvalidTransitionError>(),
            vec![
                ("what", s(py, what)),
                ("state", s(py, state)),
                ("action", s(py, action)),
            ],
        ),
        Error::CommitmentLetterRequired => (py.get_type::<CommitmentLetterRequiredError>(), vec![]),
        Error::DistributorApprovalRequired { id } => (
            py.get_type::<DistributorApprovalRequiredError>(),
            vec![("id", s(py, id))],
        ),
        Error::CustomerFrozen { id } => (
            py.get_type::<CustomerFrozenError>(),
            vec![("id", s(py, id))],
        ),
        Error::OverBudget { id, remaining } => (
            py.get_type::<OverBudgetError>(),
            vec![("id", s(py, id)), ("remaining", s(py, remaining))],
        ),
        Error::IdempotencyConflict { key } => (
            py.get_type::<IdempotencyConflictError>(),
            vec![("key", s(py, key))],
        ),
        Error::ExportNotFound { id } => (
            py.get_type::<ExportNotFoundError>(),
            vec![("id", s(py, id))],
        ),
        Error::ExportCancelled { id } => (
            py.get_type::<ExportCancelledError>(),
            vec![("id", s(py, id))],
        ),
        Error::ExportWriteFailed { id, reason } => (
            py.get_type::<ExportWriteFailedError>(),
            vec![("id", s(py, id)), ("reason", s(py, reason))],
        ),
        Error::QueryTooComplex { what, max } => (
            py.get_type::<QueryTooComplexError>(),
            vec![("what", s(py, what)), ("max", n(py, *max as u64))],
        ),
        Error::InvalidEvent { sequence, reason } => (
            py.get_type::<InvalidEventError>(),
            vec![("sequence", n(py, *sequence)), ("reason", s(py, reason))],
        ),
        Error::EventChainBroken { sequence, reason } => (
            py.get_type::<EventChainBrokenError>(),
            vec![("sequence", n(py, *sequence)), ("reason", s(py, reason))],
        ),
        Error::Internal { operation } => (
            py.get_type::<InternalError>(),
            vec![("operation", s(py, operation))],
        ),
    }
}
// END GENERATED ERRORS

/// Converts a core error into the matching Python exception, with `code` and the details set.
pub(crate) fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let (class, details) = class_of(py, &e);
    let build = || -> PyResult<PyErr> {
        let inst = class.call1((e.to_string(),))?;
        inst.setattr("code", e.code())?;
        for (name, value) in details {
            inst.setattr(name, value)?;
        }
        Ok(PyErr::from_value(inst))
    };
    build().unwrap_or_else(|err| err)
}

/// Extension trait: `.py(py)?` turns a core result into a Python one.
pub(crate) trait IntoPy<T> {
    /// Maps the error with [`to_py`].
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// Adds the base class and every subclass to the module, each with its class attribute `code`,
/// and `ERROR_CODES` (code -> class).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<PartnerDeskError>();
    base.setattr("code", "PARTNERDESK_ERROR")?;
    m.add("PartnerDeskError", base)?;
    let table = pyo3::types::PyDict::new(py);
    for ((name, class), code) in classes(py).into_iter().zip(CLASS_CODES) {
        class.setattr("code", *code)?;
        table.set_item(*code, &class)?;
        m.add(name, class)?;
    }
    // The core's list and this crate's table must agree (a new code without a class, or a
    // renamed code, is a bug that the import reports at once).
    if Error::CODES != CLASS_CODES {
        return Err(pyo3::exceptions::PyImportError::new_err(
            "partnerdesk: the exception table does not match the core's error codes",
        ));
    }
    for (name, code, class) in crate::huawei::classes(py) {
        class.setattr("code", code)?;
        table.set_item(code, &class)?;
        m.add(name, class)?;
    }
    m.add("ERROR_CLASSES", table)?;
    Ok(())
}
