//! Shared helpers.

use chrono::{DateTime, TimeZone, Utc};
use partnerdesk::{CustomerId, Desk, Partner, PartnerId, Site, Tier};

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 20, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

pub(crate) fn desk(site: Site) -> Result<Desk, partnerdesk::Error> {
    let partner = Partner::new(
        PartnerId::new("test-partner")?,
        "Test Partner",
        site,
        Tier::Distributor,
    );
    Ok(Desk::new(partner, now()))
}

pub(crate) fn id(s: &str) -> Result<CustomerId, partnerdesk::Error> {
    CustomerId::new(s)
}

/// The customer id the generated fixtures use for number `n`.
pub(crate) fn nid(n: u64) -> Result<CustomerId, partnerdesk::Error> {
    CustomerId::new(format!("{n:032x}"))
}
