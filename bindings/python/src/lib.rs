//! The `partnerdesk` Python package's native module, `partnerdesk._partnerdesk`.
//!
//! Why a thin binding: the domain rules live and are tested once, in the Rust core. This crate
//! only mirrors the core's types the Python way (`decimal.Decimal` money, aware UTC
//! `datetime`s, string enums, frozen value classes, iterators), maps every core error to its
//! own exception class with a `code`, and releases the GIL around long calls. The core never
//! depends on pyo3.

mod declared;
mod desk;
mod errors;
mod export;
mod governed;
mod held;
mod huawei;
mod panic_guard;
mod query;
mod values;

use pyo3::prelude::*;

/// The native module. The pure-Python package `partnerdesk` re-exports it.
#[pymodule]
fn _partnerdesk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_class::<values::PyMoney>()?;
    m.add_class::<values::PyBudgetSummary>()?;
    m.add_class::<values::PyCustomerRow>()?;
    m.add_class::<values::PyPage>()?;
    m.add_class::<partnerdesk_host::ops::customers::PartnerInfo>()?;
    m.add_class::<query::PyQuery>()?;
    m.add_class::<desk::PyDesk>()?;
    m.add_class::<desk::PySearchIter>()?;
    m.add_class::<governed::PyActor>()?;
    m.add_class::<partnerdesk_host::ops::customers::OperatorInfo>()?;
    m.add_class::<partnerdesk_host::ops::authorizations::Authorization>()?;
    m.add_class::<partnerdesk_host::ops::association::DisassociationRequest>()?;
    m.add_class::<partnerdesk_host::records::ExportJob>()?;
    // A customer's detail pages: the records every host shares (bindings/host detail.rs).
    m.add_class::<partnerdesk_host::detail::OrderLine>()?;
    m.add_class::<partnerdesk_host::detail::ResourceLine>()?;
    m.add_class::<partnerdesk_host::detail::SpendDetail>()?;
    m.add_class::<partnerdesk_host::detail::OrderPage>()?;
    m.add_class::<partnerdesk_host::detail::ResourcePage>()?;
    m.add_class::<partnerdesk_host::detail::SpendPage>()?;
    m.add_class::<partnerdesk_host::ops::association::AssociationRecord>()?;
    // Declared once for every host (bindings/host ops, records).
    m.add_class::<partnerdesk_host::records::SpendSummary>()?;
    m.add_class::<partnerdesk_host::records::LabeledAmount>()?;
    m.add_class::<partnerdesk_host::ops::analysis::OrderCounts>()?;
    m.add_class::<partnerdesk_host::ops::analysis::RenewalItem>()?;
    m.add_class::<partnerdesk_host::ops::privacy::MaskRule>()?;
    m.add_class::<partnerdesk_host::ops::privacy::MaskPolicy>()?;
    m.add_class::<partnerdesk_host::ops::privacy::AuditRecord>()?;
    m.add_class::<partnerdesk_host::ops::privacy::DeskEvent>()?;
    m.add_class::<partnerdesk_host::ops::governed::ItemOutcome>()?;
    m.add_class::<partnerdesk_host::ops::governed::BatchOutcome>()?;
    m.add_class::<partnerdesk_host::ops::governed::ManagerPeriod>()?;
    m.add_class::<partnerdesk_host::ops::governed::BudgetRecord>()?;
    m.add_class::<partnerdesk_host::records::BudgetUsage>()?;
    m.add_class::<partnerdesk_host::records::IdPage>()?;
    m.add_class::<partnerdesk_host::setup::NewCustomer>()?;
    m.add_class::<partnerdesk_host::ops::huawei::ImportReport>()?;
    m.add_class::<partnerdesk_host::ops::huawei::ImportWarning>()?;
    m.add_class::<partnerdesk_host::ops::huawei::ImportedBudgetRecord>()?;
    m.add_class::<partnerdesk_host::ops::huawei::HuaweiBudgetUsed>()?;
    m.add_class::<partnerdesk_host::ops::huawei::RemoteItem>()?;
    m.add_class::<partnerdesk_host::ops::huawei::RemoteOutcome>()?;
    m.add_class::<partnerdesk_host::ops::huawei::ApiPage>()?;
    m.add_class::<partnerdesk_host::ops::huawei::QuerySplit>()?;
    m.add_function(wrap_pyfunction!(desk::demo_portfolio, m)?)?;
    m.add_function(wrap_pyfunction!(huawei::huawei_fixture_desk, m)?)?;
    declared::huawei_functions::register(m)?;
    declared::package_functions::register(m)?;
    // Python's earlier names of three of them, kept.
    m.add("empty_desk", m.getattr("Desk")?.getattr("empty")?)?;
    m.add("huawei_outcome", m.getattr("huawei_batch_outcome")?)?;
    m.add("huawei_list_body", m.getattr("huawei_split_query")?)?;
    // Set as a plain attribute, not through `add_function`, so it stays out of `__all__` (and
    // out of the `partnerdesk` package's star import): a hidden diagnostic for the tests.
    // What `partnerdesk.Permission` is checked against (tests/test_pythonic.py); private.
    m.setattr("_permission_items", wrap_pyfunction!(permission_items, m)?)?;
    m.setattr(
        "_panic_for_tests",
        wrap_pyfunction!(panic_guard::_panic_for_tests, m)?,
    )?;
    Ok(())
}

/// Every permission item the library knows, as `(name, code, administrator_only)` in the core's
/// order (`("FREEZE_UNFREEZE", "BPC_ITEM_SUBCUSTSERV_010115", False)`): what the members of
/// `partnerdesk.Permission` are checked against.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
fn permission_items() -> Vec<(String, &'static str, bool)> {
    partnerdesk_host::setup::permission_items()
}
