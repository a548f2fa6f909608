//! Customers as the host loads them (`insertCustomer`, `upsertCustomer`), and the spend, order
//! and renewal views of the console. (Association, disassociation, authorizations and orders
//! on behalf are declared once for every host: `partnerdesk_host::ops`.)

use crate::desk::Desk;
use crate::error::{Code, to_js};
use chrono::{DateTime, Utc};
use napi_derive::napi;
use partnerdesk::CustomerId;
pub use partnerdesk_host::records::{LabeledAmount, SpendSummary};

pub(crate) fn customer(id: String) -> napi::Result<CustomerId, Code> {
    CustomerId::new(id).map_err(to_js)
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
}
