//! Resources: pay-per-use (`ListCustomerOnDemandResources`) and yearly/monthly
//! (`ListPayPerUseCustomerResources`).

use super::commit::Working;
use super::read::{customer_id, each_item, id, opt_time, read, text};
use super::{ImportOptions, ImportReport};
use crate::codes;
use crate::error::{HuaweiError, Result};
use crate::field::Field;
use crate::wire;
use partnerdesk::{
    Customer, CustomerId, Desk, ExpiryPolicy, Resource, ResourceId, ResourceKind, ResourceStatus,
};

fn upsert_resource(c: &mut Customer, r: Resource) {
    c.resources.edit(
        |resources| match resources.iter_mut().find(|x| x.id == r.id) {
            Some(x) => *x = r,
            None => resources.push(r),
        },
    );
}

/// The members both resource listings name alike: `resource_id`, `service_type_code`,
/// `region_code`, `resource_name`, `effective_time` and `expire_time`.
trait ResourceEntry {
    fn members(&self) -> [&Field<String>; 6];
}

macro_rules! resource_entry {
    ($($t:ty),*) => {$(
        impl ResourceEntry for $t {
            fn members(&self) -> [&Field<String>; 6] {
                [
                    &self.resource_id,
                    &self.service_type_code,
                    &self.region_code,
                    &self.resource_name,
                    &self.effective_time,
                    &self.expire_time,
                ]
            }
        }
    )*};
}

resource_entry!(wire::CustomerOnDemandResource, wire::OrderInstanceV2);

/// The resource of the entry at `path`, active and expiring manually unless the caller says
/// otherwise; a start the entry does not give is the import's `now`.
fn resource(
    entry: &impl ResourceEntry,
    kind: ResourceKind,
    path: &str,
    options: &ImportOptions,
) -> Result<Resource> {
    let [resource_id, service, region, name, effective, expire] = entry.members();
    let rid = id(
        resource_id,
        format!("{path}.resource_id"),
        ResourceId::new,
        "not a valid id",
    )?;
    let starts_at = opt_time(effective, path, "effective_time")?.unwrap_or(options.now);
    let expires_at = opt_time(expire, path, "expire_time")?;
    if expires_at.is_some_and(|e| e < starts_at) {
        return Err(HuaweiError::data(
            format!("{path}.expire_time"),
            "before effective_time",
        ));
    }
    Ok(Resource {
        id: rid,
        kind,
        service: text(service).unwrap_or("").into(),
        region: text(region).unwrap_or("").into(),
        name: text(name).unwrap_or("").to_owned(),
        status: ResourceStatus::Active,
        starts_at,
        expires_at,
        expiry_policy: ExpiryPolicy::Manual,
    })
}

/// Imports `ListCustomerOnDemandResources` pages (pay-per-use resources; each names its
/// customer). A resource the customer already has (same id) is replaced.
pub fn import_on_demand_resources(
    desk: &mut Desk,
    options: &ImportOptions,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let (parsed, mut report) = read::<wire::ListCustomerOnDemandResourcesResponse>(json_pages)?;
    let mut work = Working::new();
    each_item(&parsed, &mut report, |_, r, path, report| {
        let id = customer_id(&r.customer_id, path)?;
        let res = Resource {
            status: r
                .status
                .value()
                .map_or(ResourceStatus::Active, codes::on_demand_status),
            ..resource(r, ResourceKind::PayPerUse, path, options)?
        };
        if let Some(c) = work.get(desk, &id, path, report) {
            upsert_resource(c, res);
            report.resources += 1;
        }
        Ok(())
    })?;
    work.commit(desk, &mut report)?;
    Ok(report)
}

/// Imports `ListPayPerUseCustomerResources` pages (yearly/monthly resources) of one customer
/// (the request's `customer_id`; the entries do not name it).
pub fn import_subscription_resources(
    desk: &mut Desk,
    options: &ImportOptions,
    customer: &CustomerId,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let (parsed, mut report) = read::<wire::ListPayPerUseCustomerResourcesResponse>(json_pages)?;
    let mut resources = Vec::new();
    each_item(&parsed, &mut report, |_, r, path, _| {
        resources.push(Resource {
            status: r
                .status
                .value()
                .map_or(ResourceStatus::Active, codes::subscription_status),
            expiry_policy: r
                .expire_policy
                .value()
                .map_or(ExpiryPolicy::Manual, codes::expiry_policy),
            ..resource(r, ResourceKind::YearlyMonthly, path, options)?
        });
        Ok(())
    })?;
    let mut work = Working::new();
    if let Some(c) = work.get(desk, customer, "customer_id", &mut report) {
        for r in resources {
            upsert_resource(c, r);
            report.resources += 1;
        }
    }
    work.commit(desk, &mut report)?;
    Ok(report)
}
