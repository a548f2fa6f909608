//! Huawei BSS interop (`partnerdesk-huawei`) for Python: what is Python's own around the
//! operations declared once for every host (`partnerdesk_host::ops::huawei`, expanded in
//! [`crate::declared`]): the constructors of a desk to import into, and the fixture desk with
//! its import reports as a named tuple.
//!
//! Why so little: bodies (`dict`s with amounts as `decimal.Decimal`), pages (text, bytes or a
//! list of them), reports and the adapter's exception classes are the host layer's, written
//! once for Python, Node, Kotlin and Swift.

use crate::desk::PyDesk;
use crate::errors::IntoPy;
use partnerdesk_host::HostInstant;
use partnerdesk_host::ops::huawei::{self, Site, Tier};
use pyo3::prelude::*;

#[pymethods]
impl PyDesk {
    /// A new, empty desk for a partner (`tier` default `solution_provider`), to import Huawei
    /// responses into; `now` (default: the current time) fixes its billing month. Also
    /// `partnerdesk.empty_desk`.
    #[staticmethod]
    #[pyo3(signature = (partner_id, name, *, site, tier = None, now = None))]
    fn empty(
        py: Python<'_>,
        partner_id: String,
        name: String,
        site: Site,
        tier: Option<Tier>,
        now: Option<HostInstant>,
    ) -> PyResult<Self> {
        Ok(PyDesk::wrap(
            huawei::empty(partner_id, name, site, tier, now).py(py)?,
        ))
    }

    /// The desk of the bundled Huawei fixtures of a site; see `huawei_fixture_desk`.
    #[staticmethod]
    #[pyo3(signature = (site, *, now = None))]
    fn from_huawei_fixtures(
        py: Python<'_>,
        site: Site,
        now: Option<HostInstant>,
    ) -> PyResult<Self> {
        let (desk, _) = py.detach(|| huawei::fixture_desk(site, now)).py(py)?;
        Ok(PyDesk::wrap(desk))
    }
}

/// A desk loaded from the embedded fixture responses of a site, and the import reports: a
/// `FixtureDesk` named tuple (`desk`, `reports`), unpacked as `desk, reports = ...`.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (site, *, now = None))]
pub(crate) fn huawei_fixture_desk(
    py: Python<'_>,
    site: Site,
    now: Option<HostInstant>,
) -> PyResult<Py<PyAny>> {
    let (desk, reports) = py.detach(|| huawei::fixture_desk(site, now)).py(py)?;
    let fields = (PyDesk::wrap(desk), reports);
    Ok(crate::values::named(py, "FixtureDesk", fields)?.unbind())
}
