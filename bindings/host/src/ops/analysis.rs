//! Spend analysis, orders and renewals, and the month roll, declared once for every host (see
//! [the grammar](super)).
//!
//! Days cross as text (`2026-11-29`) in every host but Python, which also takes a
//! `datetime.date`; a day that does not exist is `INVALID_DATE` naming the argument.

use super::{ActorArg, customer};
use crate::records::{LabeledAmount, SpendSummary, count32};
use crate::{HostDesk, HostInstant, at};
use partnerdesk::Error;

/// Orders of one customer or of everyone the actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct OrderCounts {
    /// Orders pending payment.
    pub unpaid: u32,
    /// Every order.
    pub all: u32,
}

/// A resource to renew: it expires soon and does not renew by itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct RenewalItem {
    /// The customer.
    pub customer_id: String,
    /// The resource id.
    pub resource_id: String,
    /// Kind (`ecs`, `evs`, ... or a newer one, verbatim).
    pub kind: String,
    /// The cloud service code.
    pub service: String,
    /// The region.
    pub region: String,
    /// The resource's name.
    pub name: String,
    /// Status (`running`, ... or a newer one, verbatim).
    pub status: String,
    /// When it expires.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub expires_at: Option<HostInstant>,
    /// What happens at expiry (`release`, `freeze`, ... or a newer one, verbatim).
    pub expiry_policy: String,
}

/// A billing day argument: the text `2026-11-29` (Python: also a `datetime.date`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostDay(pub String);

impl HostDay {
    /// The day (`INVALID_DATE` naming `field` when it is not one).
    pub fn get(&self, field: &str) -> Result<chrono::NaiveDate, Error> {
        crate::day(field, &self.0)
    }
}

#[cfg(feature = "python")]
impl pyo3::FromPyObject<'_, '_> for HostDay {
    type Error = pyo3::PyErr;

    fn extract(obj: pyo3::Borrowed<'_, '_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
        match obj.extract::<chrono::NaiveDate>() {
            Ok(d) => Ok(HostDay(d.format("%Y-%m-%d").to_string())),
            Err(_) => obj.extract::<String>().map(HostDay).map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(
                    "expected a datetime.date or a day such as '2026-11-29'",
                )
            }),
        }
    }
}

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each passes the `env` and
    //! value napi handed it, unchanged, to napi's own conversion of `String`.
    use super::HostDay;
    use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
    use napi::sys;

    impl TypeName for HostDay {
        fn type_name() -> &'static str {
            "string"
        }

        fn value_type() -> ValueType {
            ValueType::String
        }
    }

    impl ValidateNapiValue for HostDay {
        unsafe fn validate(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            // SAFETY: the env and value napi handed to this validation.
            unsafe { String::validate(env, value) }
        }
    }

    impl FromNapiValue for HostDay {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            unsafe { String::from_napi_value(env, value) }.map(HostDay)
        }
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(HostDay, String, {
    lower: |d| d.0,
    try_lift: |s| Ok(HostDay(s)),
});

fn optional_customer(id: Option<String>) -> Result<Option<partnerdesk::CustomerId>, Error> {
    id.as_deref().map(customer).transpose()
}

/// Unpaid and all orders, of one customer or everyone the actor may see.
pub fn order_overview(
    desk: &HostDesk,
    actor: ActorArg,
    customer: Option<String>,
) -> Result<OrderCounts, Error> {
    let (actor, id) = (actor.to_core()?, optional_customer(customer)?);
    let o = desk.order_overview(&actor, id.as_ref())?;
    Ok(OrderCounts {
        unpaid: count32(o.unpaid),
        all: count32(o.all),
    })
}

/// Resources expiring within `days` of `now` that do not renew by themselves, soonest first.
pub fn resources_to_renew(
    desk: &HostDesk,
    actor: ActorArg,
    days: i64,
    customer: Option<String>,
    now: Option<HostInstant>,
) -> Result<Vec<RenewalItem>, Error> {
    let days = super::days("days", days)?;
    let (actor, id) = (actor.to_core()?, optional_customer(customer)?);
    let items = desk.resources_to_renew(&actor, id.as_ref(), days, at(now))?;
    Ok(items
        .into_iter()
        .map(|i| RenewalItem {
            customer_id: i.customer.as_str().to_owned(),
            resource_id: i.resource.id.as_str().to_owned(),
            kind: i.resource.kind.as_str().to_owned(),
            service: i.resource.service.to_string(),
            region: i.resource.region.to_string(),
            name: i.resource.name.clone(),
            status: i.resource.status.as_str().to_owned(),
            expires_at: i.resource.expires_at.map(HostInstant),
            expiry_policy: i.resource.expiry_policy.as_str().to_owned(),
        })
        .collect())
}

/// Month-to-date spend against last month, of one customer or everyone the actor may see.
pub fn spend_summary(
    desk: &HostDesk,
    actor: ActorArg,
    customer: Option<String>,
    now: Option<HostInstant>,
) -> Result<SpendSummary, Error> {
    let (actor, id) = (actor.to_core()?, optional_customer(customer)?);
    Ok(desk.spend_summary(&actor, id.as_ref(), at(now))?.into())
}

/// The top `n` (default 10) cloud services by spend between two billing days, both included.
pub fn product_ranking(
    desk: &HostDesk,
    actor: ActorArg,
    start: HostDay,
    end: HostDay,
    n: Option<u32>,
    customer: Option<String>,
) -> Result<Vec<LabeledAmount>, Error> {
    let (actor, id) = (actor.to_core()?, optional_customer(customer)?);
    let (start, end) = (start.get("start")?, end.get("end")?);
    let n = usize::try_from(n.unwrap_or(10)).unwrap_or(usize::MAX);
    let ranking = desk.product_ranking(&actor, id.as_ref(), start, end, n)?;
    Ok(ranking
        .into_iter()
        .map(|(label, amount)| LabeledAmount {
            label,
            amount: amount.into(),
        })
        .collect())
}

/// Spend per billing day between two days, both included (the label is the day).
pub fn daily_spend(
    desk: &HostDesk,
    actor: ActorArg,
    start: HostDay,
    end: HostDay,
    customer: Option<String>,
) -> Result<Vec<LabeledAmount>, Error> {
    let (actor, id) = (actor.to_core()?, optional_customer(customer)?);
    let (start, end) = (start.get("start")?, end.get("end")?);
    let days = desk.daily_spend(&actor, id.as_ref(), start, end)?;
    Ok(days
        .into_iter()
        .map(|(day, amount)| LabeledAmount {
            label: day.format("%Y-%m-%d").to_string(),
            amount: amount.into(),
        })
        .collect())
}

/// Re-indexes month-to-date spend for the billing month of `now`.
pub fn roll_to(desk: &mut HostDesk, now: Option<HostInstant>) -> Result<(), Error> {
    let now = at(now);
    desk.change(|d| d.roll_to(now))
}

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! analysis_operations {
    ($expand:ident) => {
        $expand! {
            #[doc = " Unpaid and all orders, of one customer or everyone the actor may see."]
            read fn order_overview(actor: $crate::ops::ActorArg)
                [OrderOverviewOptions { #[doc = " One customer (default: every customer the actor may see)."] customer: Option<String> }]
                -> $crate::ops::analysis::OrderCounts => $crate::ops::analysis::order_overview;
            #[doc = " Resources expiring within `days` (0 to 36500) of `now` that do not renew by"]
            #[doc = " themselves, soonest first, of one customer or everyone the actor may see."]
            read fn resources_to_renew(actor: $crate::ops::ActorArg, days: i64)
                [RenewOptions {
                    #[doc = " One customer (default: every customer the actor may see)."] customer: Option<String>,
                    #[doc = " The moment the window starts (default: the current time)."] now: Option<$crate::HostInstant>
                }]
                -> Vec<$crate::ops::analysis::RenewalItem> => $crate::ops::analysis::resources_to_renew;
            #[doc = " Month-to-date spend against last month (whole and same days), of one customer or"]
            #[doc = " everyone the actor may see, at `now`."]
            read fn spend_summary(actor: $crate::ops::ActorArg)
                [SpendSummaryOptions {
                    #[doc = " One customer (default: every customer the actor may see)."] customer: Option<String>,
                    #[doc = " The moment of the summary (default: the current time)."] now: Option<$crate::HostInstant>
                }]
                -> $crate::records::SpendSummary => $crate::ops::analysis::spend_summary;
            #[doc = " The top cloud services by spend between two billing days (`2026-11-01`, both"]
            #[doc = " included), each with its amount."]
            read fn product_ranking(actor: $crate::ops::ActorArg, start: $crate::ops::analysis::HostDay, end: $crate::ops::analysis::HostDay)
                [ProductRankingOptions {
                    #[doc = " How many services (default 10)."] n: Option<u32>,
                    #[doc = " One customer (default: every customer the actor may see)."] customer: Option<String>
                }]
                -> Vec<$crate::records::LabeledAmount> => $crate::ops::analysis::product_ranking;
            #[doc = " Spend per billing day between two days (`2026-11-01`, both included); each label"]
            #[doc = " is the day."]
            read fn daily_spend(actor: $crate::ops::ActorArg, start: $crate::ops::analysis::HostDay, end: $crate::ops::analysis::HostDay)
                [DailySpendOptions { #[doc = " One customer (default: every customer the actor may see)."] customer: Option<String> }]
                -> Vec<$crate::records::LabeledAmount> => $crate::ops::analysis::daily_spend;
            #[doc = " Re-indexes month-to-date spend for the billing month of `now` (call when a month"]
            #[doc = " begins; searches stay correct without it, only slower)."]
            write fn roll_to()
                [RollOptions { #[doc = " The moment whose billing month to index (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> () => $crate::ops::analysis::roll_to;
        }
    };
}
