//! Customers as the host loads them (`insertCustomer`, `upsertCustomer`), and the spend, order
//! and renewal views of the console. (Association, disassociation, authorizations and orders
//! on behalf are declared once for every host: `partnerdesk_host::ops`.)

use crate::desk::Desk;
use crate::error::{Code, to_js};
use crate::ops::{ActorArg, ToCoreActor};
use crate::types::count32;
use chrono::{DateTime, NaiveDate, Utc};
use napi_derive::napi;
use partnerdesk::CustomerId;
pub use partnerdesk_host::records::{LabeledAmount, SpendSummary};

pub(crate) fn customer(id: String) -> napi::Result<CustomerId, Code> {
    CustomerId::new(id).map_err(to_js)
}

pub(crate) fn date_of(field: &str, text: &str) -> napi::Result<NaiveDate, Code> {
    partnerdesk_host::day(field, text).map_err(to_js)
}

/// A mobile number: country code (`+86`, `0086` or empty) and the national digits.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct MobileInit {
    /// Country code.
    pub country_code: String,
    /// National number (digits; spaces and dashes are dropped).
    pub number: String,
}

/// A customer to add: identity, association and the console's descriptive fields. Names,
/// mobile and e-mail are personal data: the desk keeps them wrapped and lists mask them.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct NewCustomer {
    /// Customer (Huawei domain) id.
    pub id: String,
    /// Account (login) name.
    pub account_name: String,
    /// Real-name name.
    pub name: String,
    /// `referral` or `reseller`.
    pub association_type: crate::types::AssociationType,
    /// The reseller (indirect partner) the customer comes through.
    pub reseller: Option<String>,
    /// `unset`, `individual` or `enterprise`.
    pub customer_type: Option<crate::types::CustomerType>,
    /// `V0`..`V5`.
    pub level: Option<crate::types::CustomerLevel>,
    /// Mobile number.
    pub mobile: Option<MobileInit>,
    /// E-mail.
    pub email: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
}

impl NewCustomer {
    fn to_core(&self, since: DateTime<Utc>) -> napi::Result<partnerdesk::Customer, Code> {
        let mut association = partnerdesk::Association::new(self.association_type.into(), since);
        if let Some(r) = &self.reseller {
            association = association
                .through_reseller(partnerdesk::ResellerId::new(r.as_str()).map_err(to_js)?);
        }
        let mut c = partnerdesk::Customer::new(
            customer(self.id.clone())?,
            self.account_name.clone(),
            self.name.clone(),
            association,
        );
        if let Some(t) = self.customer_type {
            c.customer_type = t.into();
        }
        if let Some(l) = self.level {
            c.level = l.into();
        }
        if let Some(m) = &self.mobile {
            c.mobile = Some(partnerdesk::privacy::Personal::new(
                partnerdesk::Mobile::new(&m.country_code, &m.number).map_err(to_js)?,
            ));
        }
        c.email = self.email.clone().map(partnerdesk::privacy::Personal::new);
        for t in self.tags.iter().flatten() {
            c.tags
                .insert(partnerdesk::Tag::new(t.as_str()).map_err(to_js)?);
        }
        Ok(c)
    }
}

/// Orders overview counts.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct OrderOverview {
    /// Orders pending payment.
    pub unpaid: u32,
    /// All orders.
    pub all: u32,
}

/// A resource to renew, with its customer.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct RenewalItem {
    /// The customer.
    pub customer_id: String,
    /// The resource id.
    pub resource_id: String,
    /// `yearly_monthly`, `pay_per_use`, `reserved_instance` or `savings_plan`.
    pub kind: String,
    /// The cloud service code.
    pub service: String,
    /// The region.
    pub region: String,
    /// The status.
    pub status: String,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// What happens at expiry.
    pub expiry_policy: String,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Adds a customer as the host loads its data (not a governed command: no actor; a
    /// `customers_inserted` event by the system). `DUPLICATE_CUSTOMER` when the id is on the
    /// desk.
    #[napi]
    pub fn insert_customer(
        &self,
        customer: NewCustomer,
        associated_at: Option<DateTime<Utc>>,
    ) -> napi::Result<(), Code> {
        let c = customer.to_core(partnerdesk_host::now_or_clock(associated_at))?;
        self.write()?
            .change(|d| d.insert_customer(c.clone()))
            .map_err(to_js)
    }

    /// Adds or replaces one customer (host-side data, not governed), as `insertCustomer`.
    #[napi]
    pub fn upsert_customer(
        &self,
        customer: NewCustomer,
        associated_at: Option<DateTime<Utc>>,
    ) -> napi::Result<(), Code> {
        let c = customer.to_core(partnerdesk_host::now_or_clock(associated_at))?;
        self.write()?
            .change(|d| d.upsert_customer(c.clone()))
            .map_err(to_js)
    }

    /// Orders overview counts, of one customer or the whole portfolio.
    #[napi]
    pub fn order_overview(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
    ) -> napi::Result<OrderOverview, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let o = self
            .read()?
            .order_overview(&actor, id.as_ref())
            .map_err(to_js)?;
        Ok(OrderOverview {
            unpaid: count32(o.unpaid),
            all: count32(o.all),
        })
    }

    /// Resources to renew within `days` days, of one customer or the whole portfolio.
    #[napi]
    pub fn resources_to_renew(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        days: u32,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<Vec<RenewalItem>, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let desk = self.read()?;
        let items = desk
            .resources_to_renew(
                &actor,
                id.as_ref(),
                days,
                partnerdesk_host::now_or_clock(now),
            )
            .map_err(to_js)?;
        Ok(items
            .into_iter()
            .map(|i| RenewalItem {
                customer_id: i.customer.as_str().to_owned(),
                resource_id: i.resource.id.as_str().to_owned(),
                kind: i.resource.kind.as_str().to_owned(),
                service: i.resource.service.clone(),
                region: i.resource.region.clone(),
                status: i.resource.status.as_str().to_owned(),
                expires_at: i.resource.expires_at,
                expiry_policy: i.resource.expiry_policy.as_str().to_owned(),
            })
            .collect())
    }

    /// Spend month-to-date, last month, and the change against the same days of last month.
    #[napi]
    pub fn spend_summary(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<SpendSummary, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let s = self
            .read()?
            .spend_summary(&actor, id.as_ref(), partnerdesk_host::now_or_clock(now))
            .map_err(to_js)?;
        Ok(s.into())
    }

    /// The top `n` products by spend between two days (`YYYY-MM-DD`, inclusive).
    #[napi]
    pub fn product_ranking(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        from: String,
        to: String,
        n: u32,
    ) -> napi::Result<Vec<LabeledAmount>, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let (from, to) = (date_of("from", &from)?, date_of("to", &to)?);
        Ok(self
            .read()?
            .product_ranking(&actor, id.as_ref(), from, to, n as usize)
            .map_err(to_js)?
            .into_iter()
            .map(|(label, amount)| LabeledAmount {
                label,
                amount: amount.into(),
            })
            .collect())
    }

    /// Spend per day between two days (`YYYY-MM-DD`, inclusive).
    #[napi]
    pub fn daily_spend(
        &self,
        actor: ActorArg,
        customer_id: Option<String>,
        from: String,
        to: String,
    ) -> napi::Result<Vec<LabeledAmount>, Code> {
        let (actor, id) = (actor.to_core()?, customer_id.map(customer).transpose()?);
        let (from, to) = (date_of("from", &from)?, date_of("to", &to)?);
        Ok(self
            .read()?
            .daily_spend(&actor, id.as_ref(), from, to)
            .map_err(to_js)?
            .into_iter()
            .map(|(day, amount)| LabeledAmount {
                label: day.format("%Y-%m-%d").to_string(),
                amount: amount.into(),
            })
            .collect())
    }
}
