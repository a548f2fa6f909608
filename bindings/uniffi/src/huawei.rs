//! Huawei BSS interop for Kotlin and Swift: the two constructors of a desk to import into.
//!
//! Why so little here: the interop is declared once for every host in
//! `partnerdesk_host::ops::huawei` (its records, the enums `Site`, `Tier` and `ImportKind`,
//! package `com.partnerdesk.host` in Kotlin); `Desk.importHuawei` and the package functions
//! (`huaweiFreezeBody`, `huaweiBatchOutcome`, `huaweiPagePlan`, ...) are expanded from those
//! declarations in [`crate::declared`]. What stays is what only a uniffi `Desk` has: its
//! constructors. Errors go through the one `From<HuaweiError>` of [`crate::error`].

use crate::desk::Desk;
use crate::error::Result;
use partnerdesk_host::HostInstant;
use partnerdesk_host::ops::huawei::{self, Site, Tier};
use std::sync::Arc;

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// A new, empty desk for a partner, to import Huawei responses into. The site decides the
    /// currency (CNY or USD) and the billing day; `now` (default: the current time) fixes the
    /// billing month.
    #[uniffi::constructor(default(now = None))]
    pub fn empty(
        partner_id: String,
        name: String,
        site: Site,
        tier: Tier,
        now: Option<HostInstant>,
    ) -> Result<Arc<Self>> {
        Ok(Desk::wrap(huawei::empty(
            partner_id,
            name,
            site,
            Some(tier),
            now,
        )?))
    }

    /// A desk started from the adapter's built-in fixture responses of a site, as a host builds
    /// one from real responses: the customer lists (merged), then budgets (international) or
    /// resources, orders and bills (China).
    #[uniffi::constructor(default(now = None))]
    pub fn from_huawei_fixtures(site: Site, now: Option<HostInstant>) -> Result<Arc<Self>> {
        let (desk, _reports) = huawei::fixture_desk(site, now)?;
        Ok(Desk::wrap(desk))
    }
}
