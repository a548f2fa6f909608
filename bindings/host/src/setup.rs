//! Customers and operators from a host's own arguments, without snapshot JSON: permission
//! items by name or by Huawei code, and [`NewCustomer`], a customer described field by field.
//!
//! Why here: every host sets a desk up the same way (an operator with items, a customer with
//! its association), and the names of the items are the same in every host. The checks are the
//! core's: a [`NewCustomer`] becomes a core [`Customer`] with the core's constructors
//! ([`CustomerId::new`], [`Mobile::new`], [`Tag::new`], the enumerations' known values) and
//! enters the desk through the same door as customer JSON (`Desk::insert_customer` /
//! `upsert_customer`), so it is refused exactly as that JSON would be.
//!
//! Every host takes a [`NewCustomer`] (`partnerdesk.NewCustomer` in Python, a plain object in
//! JS, a data class in Kotlin) through the customer operations of [`crate::ops::customers`](mod@crate::ops::customers).

use crate::{HostInstant, invalid};
use partnerdesk::{
    Association, AssociationType, Customer, CustomerId, CustomerLevel, CustomerType, Error, Mobile,
    OperatorId, Permission, ResellerId, Tag, VerificationStatus,
};

/// The name of a permission item: its variant in upper snake case (`FREEZE_UNFREEZE` for
/// `BPC_ITEM_SUBCUSTSERV_010115`), the same in every host. An item this version does not know
/// has no name (`None`).
///
/// ```
/// use partnerdesk::Permission;
/// assert_eq!(partnerdesk_host::setup::permission_name(&Permission::FreezeUnfreeze).as_deref(), Some("FREEZE_UNFREEZE"));
/// assert_eq!(partnerdesk_host::setup::permission_name(&Permission::parse("NOPE")), None);
/// ```
pub fn permission_name(item: &Permission) -> Option<String> {
    if item.is_other() {
        return None;
    }
    // The derived `Debug` of a known item is its variant's name (`FreezeUnfreeze`).
    let variant = format!("{item:?}");
    let mut name = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    Some(name)
}

/// Every known permission item as `(name, code, administrator_only)`, in the core's order.
pub fn permission_items() -> Vec<(String, &'static str, bool)> {
    Permission::KNOWN
        .iter()
        .filter_map(|p| Some((permission_name(p)?, p.as_str(), p.is_administrator_only())))
        .collect()
}

/// A permission item given by a host: its Huawei code (`BPC_ITEM_SUBCUSTSERV_010115`) or its
/// name (`FREEZE_UNFREEZE`, any case). Anything else is `INVALID_ARGUMENT` on `items`, the
/// core's refusal of a misspelled item (`Desk::grant_permissions`).
///
/// ```
/// use partnerdesk::Permission;
/// use partnerdesk_host::setup::permission;
/// assert_eq!(permission("freeze_unfreeze")?, Permission::FreezeUnfreeze);
/// assert_eq!(permission("BPC_ITEM_SUBCUSTSERV_010115")?, Permission::FreezeUnfreeze);
/// assert_eq!(permission("FREEZE").err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub fn permission(text: &str) -> Result<Permission, Error> {
    if let Some(known) = Permission::parse_known(text) {
        return Ok(known);
    }
    let upper = text.trim().to_ascii_uppercase();
    Permission::KNOWN
        .iter()
        .find(|p| permission_name(p).as_deref() == Some(upper.as_str()))
        .cloned()
        .ok_or_else(|| match Permission::parse(text).check_known() {
            // The core's own refusal of a misspelled item.
            Err(e) => e,
            Ok(()) => invalid("items", "unknown permission item"),
        })
}

/// Permission items given by a host, in order (see [`permission`]).
pub fn permissions(items: &[String]) -> Result<Vec<Permission>, Error> {
    items.iter().map(|i| permission(i)).collect()
}

/// A customer described field by field, for a host that has no snapshot JSON at hand: what
/// the customer operations take besides that JSON. It becomes the core's customer through the
/// core's constructors, and the desk checks the rest (an account manager who is not an
/// operator, a reseller on a referral customer...), so it is refused exactly as the same
/// customer in JSON would be. The names, mobile number and e-mail are personal data: a repr or
/// debug output shows the id only.
#[derive(Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python(eq))]
pub struct NewCustomer {
    /// The customer's (Huawei domain) id.
    pub id: String,
    /// The login (account) name.
    pub account_name: String,
    /// The real-name verified name (a person or a company).
    pub name: String,
    /// `referral` or `reseller`.
    #[cfg_attr(feature = "node", napi(ts_type = "AssociationType"))]
    pub association: String,
    /// When the association began.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub associated_at: HostInstant,
    /// `individual`, `enterprise` or `unset` (the default).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "node", napi(ts_type = "CustomerType"))]
    pub customer_type: Option<String>,
    /// `not_verified` (the default), `under_review`, `rejected`, `verified` or `failed`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(
        feature = "node",
        napi(ts_type = "'not_verified' | 'under_review' | 'rejected' | 'verified' | 'failed'")
    )]
    pub verification: Option<String>,
    /// `V0` (the default) to `V5`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "node", napi(ts_type = "CustomerLevel"))]
    pub level: Option<String>,
    /// The mobile number (digits; spaces and dashes are dropped).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub mobile: Option<String>,
    /// The mobile number's country code (`+86` or `0086`), with `mobile`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub country_code: Option<String>,
    /// The e-mail address.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub email: Option<String>,
    /// Tags (tag matching in filters is case-sensitive: `VIP` is not `vip`).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tags: Vec<String>,
    /// The reseller the customer belongs to (a distributor's reseller customers).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reseller: Option<String>,
    /// The account manager's login (an operator of the partner marked account manager).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub account_manager: Option<String>,
}

impl std::fmt::Debug for NewCustomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCustomer")
            .field("id", &self.id)
            .field("association", &self.association)
            .finish_non_exhaustive()
    }
}

/// A known value of an open enumeration, or `INVALID_ARGUMENT` on `field`.
fn known<T>(
    field: &str,
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, Error> {
    text.map(|t| parse(t).ok_or_else(|| invalid(field, expected)))
        .transpose()
}

impl NewCustomer {
    /// The core's customer: `INVALID_ID` for a malformed id, tag, reseller or manager login,
    /// `INVALID_ARGUMENT` naming the field for an unknown association, type, verification
    /// status or level, or a malformed mobile number. The desk's customer door checks the
    /// rest when it is inserted.
    ///
    /// ```
    /// use partnerdesk_host::{HostInstant, setup::NewCustomer};
    /// let at = HostInstant(partnerdesk::demo::demo_now());
    /// let c = NewCustomer {
    ///     id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
    ///     account_name: "acme_cloud".into(),
    ///     name: "Acme Ltd.".into(),
    ///     association: "reseller".into(),
    ///     associated_at: at,
    ///     customer_type: Some("enterprise".into()),
    ///     verification: None,
    ///     level: Some("V2".into()),
    ///     mobile: None,
    ///     country_code: None,
    ///     email: None,
    ///     tags: vec!["vip".into()],
    ///     reseller: None,
    ///     account_manager: None,
    /// };
    /// let customer = c.to_customer()?;
    /// assert_eq!(customer.level, partnerdesk::CustomerLevel::V2);
    /// let wrong = NewCustomer { level: Some("V9".into()), ..c };
    /// assert_eq!(wrong.to_customer().err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn to_customer(&self) -> Result<Customer, Error> {
        let kind = known(
            "association",
            Some(&self.association),
            AssociationType::parse_known,
            "expected referral or reseller",
        )?
        .unwrap_or(AssociationType::Referral);
        let mut association = Association::new(kind, self.associated_at.0);
        association.reseller = self.reseller.as_deref().map(ResellerId::new).transpose()?;
        let mut c = Customer::new(
            CustomerId::new(self.id.as_str())?,
            self.account_name.as_str(),
            self.name.as_str(),
            association,
        );
        if let Some(t) = known(
            "customer_type",
            self.customer_type.as_deref(),
            CustomerType::parse_known,
            "expected unset, individual or enterprise",
        )? {
            c.customer_type = t;
        }
        if let Some(v) = known(
            "verification",
            self.verification.as_deref(),
            VerificationStatus::parse_known,
            "expected not_verified, under_review, rejected, verified or failed",
        )? {
            c.verification = v;
        }
        if let Some(l) = known(
            "level",
            self.level.as_deref(),
            CustomerLevel::parse_known,
            "expected V0 to V5",
        )? {
            c.level = l;
        }
        c.mobile = match (&self.mobile, &self.country_code) {
            (Some(number), cc) => Some(partnerdesk::privacy::Personal::new(Mobile::new(
                cc.as_deref().unwrap_or(""),
                number,
            )?)),
            (None, Some(_)) => {
                return Err(invalid("country_code", "given without a mobile number"));
            }
            (None, None) => None,
        };
        c.email = self.email.clone().map(partnerdesk::privacy::Personal::new);
        c.tags = self
            .tags
            .iter()
            .map(|t| Tag::new(t.as_str()))
            .collect::<Result<_, _>>()?;
        c.account_manager = self
            .account_manager
            .as_deref()
            .map(OperatorId::new)
            .transpose()?;
        Ok(c)
    }
}

#[cfg(feature = "python")]
mod python {
    //! Python's constructor of [`NewCustomer`]: keyword arguments, checked at once with the
    //! core's constructors (the typed exception of the refusal), and a repr without personal
    //! data.
    use super::NewCustomer;
    use crate::HostInstant;
    use pyo3::prelude::*;

    #[pymethods]
    impl NewCustomer {
        #[new]
        #[pyo3(signature = (id, account_name, name, *, association, associated_at, customer_type = None, verification = None, level = None, mobile = None, country_code = None, email = None, tags = Vec::new(), reseller = None, account_manager = None))]
        #[allow(clippy::too_many_arguments)]
        fn new(
            py: Python<'_>,
            id: String,
            account_name: String,
            name: String,
            association: String,
            associated_at: HostInstant,
            customer_type: Option<String>,
            verification: Option<String>,
            level: Option<String>,
            mobile: Option<String>,
            country_code: Option<String>,
            email: Option<String>,
            tags: Vec<String>,
            reseller: Option<String>,
            account_manager: Option<String>,
        ) -> PyResult<Self> {
            let c = NewCustomer {
                id,
                account_name,
                name,
                association,
                associated_at,
                customer_type,
                verification,
                level,
                mobile,
                country_code,
                email,
                tags,
                reseller,
                account_manager,
            };
            // Checked now, so that a wrong field is raised where it was written.
            c.to_customer().map_err(|e| crate::python::to_py(py, e))?;
            Ok(c)
        }

        fn __repr__(&self) -> String {
            // Ids only: the names, mobile number and e-mail are personal data.
            format!(
                "NewCustomer(id='{}', association='{}')",
                self.id, self.association
            )
        }
    }
}
