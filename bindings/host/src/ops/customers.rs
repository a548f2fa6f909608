//! Customers and operators as a host sets a desk up, declared once for every host (see [the
//! grammar](super)): customers added, replaced and removed (a [`NewCustomer`] described field by
//! field, or snapshot customer JSON from the host's own storage), operators added, permission
//! items granted and revoked, and the desk as snapshot JSON.
//!
//! Why one door for both forms of a customer: a [`NewCustomer`] becomes the core's customer with
//! the core's constructors and the JSON goes through the core's deserializer, then both enter the
//! desk through `Desk::insert_customer` / `upsert_customer`, so each is refused exactly as the
//! other would be. Permission items are read by [`crate::setup::permission`] in every host (a
//! name such as `FREEZE_UNFREEZE` or a Huawei code; a misspelled one is `INVALID_ARGUMENT` on
//! `items` and nothing changes).

use super::ActorArg;
use crate::setup::{NewCustomer, permissions};
use crate::{HostDesk, HostInstant};
use partnerdesk::{Customer, Error, Operator, OperatorId};

crate::host_enum!(
    #[doc = " What an operator of the partner may do: an administrator holds every item, an operator the items granted."]
    Role, "role" {
        #[doc = " Holds every permission item, the administrator-only ones included."]
        Administrator = "administrator",
        #[doc = " Holds the items granted to it."]
        Operator = "operator",
    }
);

/// A customer as a host gives one: described field by field, or as JSON in the snapshot's
/// customer form. Its `Debug` shows no personal data (the JSON's length only).
// Not boxed: uniffi lifts a record, not a `Box`, and an argument lives for one call.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CustomerArg {
    /// A customer described field by field.
    New {
        /// The customer.
        customer: NewCustomer,
    },
    /// A customer in the snapshot's customer form (as the host stored it).
    Json {
        /// The JSON text.
        json: String,
    },
}

impl std::fmt::Debug for CustomerArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CustomerArg::New { customer } => customer.fmt(f),
            CustomerArg::Json { json } => write!(f, "Json({} bytes)", json.len()),
        }
    }
}

impl CustomerArg {
    /// The core's customer (the refusals of [`NewCustomer::to_customer`], or `MALFORMED_JSON`
    /// / the customer's own checks for JSON).
    pub fn to_customer(&self) -> Result<Customer, Error> {
        match self {
            CustomerArg::New { customer } => customer.to_customer(),
            CustomerArg::Json { json } => crate::from_json(json),
        }
    }
}

/// Permission item codes, sorted: a Python `frozenset`, a JS array, a Kotlin and Swift list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ItemCodes(pub Vec<String>);

/// An operator of the partner. Its `Debug` (and Python's repr) leave the display name out.
#[derive(Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(name = "Operator", eq, hash))]
pub struct OperatorInfo {
    /// The login.
    pub id: String,
    /// The display name.
    pub name: String,
    /// `administrator` or `operator` (or a newer role, verbatim).
    #[cfg_attr(feature = "node", napi(ts_type = "Role | (string & {})"))]
    pub role: String,
    /// Whether the operator may be assigned as an account manager.
    pub account_manager: bool,
    /// The permission items held (codes such as `BPC_ITEM_SUBCUSTSERV_010115`), sorted.
    #[cfg_attr(feature = "node", napi(ts_type = "Array<string>"))]
    pub permissions: ItemCodes,
}

impl std::fmt::Debug for OperatorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorInfo")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl From<&Operator> for OperatorInfo {
    fn from(o: &Operator) -> Self {
        let mut permissions: Vec<String> = o
            .permissions
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect();
        permissions.sort();
        OperatorInfo {
            id: o.id.as_str().to_owned(),
            name: o.name.expose().clone(),
            role: o.role.as_str().to_owned(),
            account_manager: o.account_manager,
            permissions: ItemCodes(permissions),
        }
    }
}

/// The partner whose desk this is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(name = "Partner", eq, hash))]
pub struct PartnerInfo {
    /// The partner id.
    pub id: String,
    /// The partner's display name (an organisation).
    pub name: String,
    /// `china` or `international` (or a newer site, verbatim).
    #[cfg_attr(feature = "node", napi(ts_type = "Site | (string & {})"))]
    pub site: String,
    /// `solution_provider`, `distributor` or `reseller` (or a newer tier, verbatim).
    #[cfg_attr(feature = "node", napi(ts_type = "Tier | (string & {})"))]
    pub tier: String,
    /// The currency of every amount on the desk, e.g. `CNY`.
    pub currency: String,
    /// The billing day's time zone, in minutes east of UTC (480 for the China site).
    pub billing_offset_minutes: i32,
}

impl From<&partnerdesk::Partner> for PartnerInfo {
    fn from(p: &partnerdesk::Partner) -> Self {
        PartnerInfo {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            site: p.site.as_str().to_owned(),
            tier: p.tier.as_str().to_owned(),
            currency: p.currency.as_str().to_owned(),
            billing_offset_minutes: p.billing_offset.minutes(),
        }
    }
}

/// The partner's operators, by login.
pub fn operators(desk: &HostDesk) -> Result<Vec<OperatorInfo>, Error> {
    Ok(desk.operators().map(OperatorInfo::from).collect())
}

/// The partner whose desk this is.
pub fn partner(desk: &HostDesk) -> Result<PartnerInfo, Error> {
    Ok(desk.partner().into())
}

/// Adds one customer (`DUPLICATE_CUSTOMER` when the id is taken).
pub fn insert_customer(desk: &mut HostDesk, customer: CustomerArg) -> Result<(), Error> {
    let c = customer.to_customer()?;
    desk.change(|d| d.insert_customer(c.clone()))
}

/// Adds or replaces one customer.
pub fn upsert_customer(desk: &mut HostDesk, customer: CustomerArg) -> Result<(), Error> {
    let c = customer.to_customer()?;
    desk.change(|d| d.upsert_customer(c.clone()))
}

/// Removes one customer.
pub fn remove_customer(desk: &mut HostDesk, customer: String) -> Result<(), Error> {
    let id = super::customer(&customer)?;
    desk.change(|d| d.remove_customer(&id).map(|_| ()))
}

/// Adds an operator: `role` default `operator`, not an account manager unless said, with the
/// permission items given.
pub fn add_operator(
    desk: &mut HostDesk,
    login: String,
    name: String,
    role: Option<Role>,
    account_manager: Option<bool>,
    items: Option<Vec<String>>,
) -> Result<(), Error> {
    let role = match role.unwrap_or(Role::Operator) {
        Role::Administrator => partnerdesk::Role::Administrator,
        Role::Operator => partnerdesk::Role::Operator,
    };
    let op = Operator::new(OperatorId::new(login)?, name, role)
        .with_account_manager(account_manager.unwrap_or(false))
        .with_permissions(permissions(&items.unwrap_or_default())?)?;
    desk.change(|d| d.add_operator(op.clone()))
}

fn change_permissions(
    desk: &mut HostDesk,
    (actor, operator, items): (ActorArg, String, Vec<String>),
    (now, idempotency_key): (Option<HostInstant>, Option<String>),
    grant: bool,
) -> Result<(), Error> {
    let inv = super::invocation(&actor, now, idempotency_key)?;
    let operator = OperatorId::new(operator)?;
    let items = permissions(&items)?;
    desk.change(|d| match grant {
        true => d.grant_permissions(&inv, &operator, &items),
        false => d.revoke_permissions(&inv, &operator, &items),
    })
}

/// Grants permission items to an operator (a governed command).
pub fn grant_permissions(
    desk: &mut HostDesk,
    actor: ActorArg,
    operator: String,
    items: Vec<String>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    change_permissions(desk, (actor, operator, items), (now, idempotency_key), true)
}

/// Revokes permission items from an operator (a governed command).
pub fn revoke_permissions(
    desk: &mut HostDesk,
    actor: ActorArg,
    operator: String,
    items: Vec<String>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    change_permissions(
        desk,
        (actor, operator, items),
        (now, idempotency_key),
        false,
    )
}

/// The desk as versioned snapshot JSON.
pub fn to_snapshot_json(desk: &HostDesk) -> Result<String, Error> {
    desk.to_snapshot_json()
}

/// The customer and operator operations, for a binding's expander (see [the grammar](super)).
#[macro_export]
macro_rules! customer_operations {
    ($expander:ident) => {
        $expander! {
            #[doc = " Adds one customer: a `NewCustomer` (field by field, no JSON) or JSON in the snapshot's"]
            #[doc = " customer form. Both go through the same checks; `DUPLICATE_CUSTOMER` if the id is taken."]
            #[doc = " Host-side data, not a governed command: a `customers_inserted` event by the system. A"]
            #[doc = " reseller customer starts frozen only when its data says so (association by invitation,"]
            #[doc = " `associate`, is what freezes a new reseller customer)."]
            write fn insert_customer(customer: $crate::ops::customers::CustomerArg)
                -> () => $crate::ops::customers::insert_customer;

            #[doc = " Adds or replaces one customer (as `insert_customer`); replacing keeps nothing of the"]
            #[doc = " customer it replaces."]
            write fn upsert_customer(customer: $crate::ops::customers::CustomerArg)
                -> () => $crate::ops::customers::upsert_customer;

            #[doc = " Removes a customer from the desk (host-side data management; nothing is audited)."]
            write fn remove_customer(customer: String) -> () => $crate::ops::customers::remove_customer;

            #[doc = " Adds an operator of the partner (set-up, not a governed command). An `administrator`"]
            #[doc = " holds every item; an `operator` only the items given, each a name (`FREEZE_UNFREEZE`) or"]
            #[doc = " a Huawei code: a misspelled one is `INVALID_ARGUMENT` on `items`, an administrator-only"]
            #[doc = " one (`EXPORT`, `MANAGE_ASSOCIATION`) `ADMINISTRATOR_ONLY`; `DUPLICATE_OPERATOR` when the"]
            #[doc = " login exists. Nothing is added on a refusal."]
            write fn add_operator(login: String, name: String)
                [AddOperatorOptions {
                    #[doc = " `administrator` or `operator` (the default)."] role: Option<$crate::ops::customers::Role>,
                    #[doc = " Whether the operator may be assigned as an account manager (default: no)."] account_manager: Option<bool>,
                    #[doc = " Permission items, by name or Huawei code (default: none)."] permissions: Option<Vec<String>>
                }]
                -> () => $crate::ops::customers::add_operator;

            #[doc = " Grants permission items (names or Huawei codes) to an operator. Administrator only"]
            #[doc = " (`ADMINISTRATOR_ONLY`); a misspelled item is `INVALID_ARGUMENT` on `items`."]
            write fn grant_permissions(actor: $crate::ops::ActorArg, operator: String, items: Vec<String>)
                [GrantPermissionsOptions {
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> () => $crate::ops::customers::grant_permissions;

            #[doc = " Revokes permission items (names or Huawei codes) from an operator. Administrator only."]
            write fn revoke_permissions(actor: $crate::ops::ActorArg, operator: String, items: Vec<String>)
                [RevokePermissionsOptions {
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> () => $crate::ops::customers::revoke_permissions;

            #[doc = " The desk as versioned snapshot JSON (the import and export format; a durable desk is"]
            #[doc = " kept by its store)."]
            read fn to_snapshot_json() -> String => $crate::ops::customers::to_snapshot_json;
        }
    };
}

/// The list of operators as a method, for the hosts where it is one (Node, Kotlin, Swift;
/// Python reads it as the property `Desk.operators`, through [`operators`]).
#[macro_export]
macro_rules! operator_operations {
    ($expander:ident) => {
        $expander! {
            #[doc = " The partner's operators, by login (their permission items sorted)."]
            read fn operators() -> Vec<$crate::ops::customers::OperatorInfo> => $crate::ops::customers::operators;
        }
    };
}

#[cfg(feature = "python")]
mod python {
    //! A `NewCustomer`, or snapshot customer JSON as `str` or `bytes`; permission items as a
    //! `frozenset`; reprs of the operator and the partner without the operator's name.
    use super::{CustomerArg, ItemCodes, OperatorInfo, PartnerInfo};
    use crate::setup::NewCustomer;
    use pyo3::prelude::*;

    impl<'py> IntoPyObject<'py> for &ItemCodes {
        type Target = pyo3::types::PyFrozenSet;
        type Output = Bound<'py, pyo3::types::PyFrozenSet>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
            pyo3::types::PyFrozenSet::new(py, &self.0)
        }
    }

    #[pymethods]
    impl OperatorInfo {
        fn __repr__(&self) -> String {
            format!("Operator(id='{}', role='{}')", self.id, self.role)
        }
    }

    #[pymethods]
    impl PartnerInfo {
        fn __repr__(&self) -> String {
            format!(
                "Partner(id='{}', site='{}', tier='{}', currency='{}')",
                self.id, self.site, self.tier, self.currency
            )
        }
    }

    impl FromPyObject<'_, '_> for CustomerArg {
        type Error = PyErr;

        fn extract(obj: pyo3::Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
            if let Ok(new) = obj.cast::<NewCustomer>() {
                return Ok(CustomerArg::New {
                    customer: new.get().clone(),
                });
            }
            let obj = obj.to_owned();
            let json = crate::python::json_text(&obj, "customer").map_err(|e| {
                match e.is_instance_of::<pyo3::exceptions::PyTypeError>(obj.py()) {
                    true => pyo3::exceptions::PyTypeError::new_err(
                        "customer: expected a partnerdesk.NewCustomer or snapshot customer JSON (str or bytes)",
                    ),
                    false => e,
                }
            })?;
            Ok(CustomerArg::Json { json })
        }
    }
}

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! A `NewCustomer` object, or snapshot customer JSON text.
    //!
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each passes the `env` and value
    //! napi handed it, unchanged, to napi's own conversions.
    use super::CustomerArg;
    use crate::setup::NewCustomer;
    use napi::bindgen_prelude::{
        FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue, ValueType,
    };
    use napi::sys;

    crate::values::napi_as!(super::ItemCodes, "Array<string>", Object, Vec<String>);

    impl ToNapiValue for super::ItemCodes {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            // SAFETY: the env napi handed to this conversion.
            unsafe { Vec::<String>::to_napi_value(env, val.0) }
        }
    }

    impl FromNapiValue for super::ItemCodes {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            unsafe { Vec::<String>::from_napi_value(env, value) }.map(super::ItemCodes)
        }
    }

    impl TypeName for CustomerArg {
        fn type_name() -> &'static str {
            "NewCustomer | string"
        }

        fn value_type() -> ValueType {
            ValueType::Unknown
        }
    }

    impl ValidateNapiValue for CustomerArg {
        /// Accepts any value: the conversion says what is wrong.
        unsafe fn validate(
            _env: sys::napi_env,
            _value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            Ok(std::ptr::null_mut())
        }
    }

    impl FromNapiValue for CustomerArg {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            if let Ok(json) = unsafe { String::from_napi_value(env, value) } {
                return Ok(CustomerArg::Json { json });
            }
            // SAFETY: as above.
            unsafe { NewCustomer::from_napi_value(env, value) }
                .map(|customer| CustomerArg::New { customer })
        }
    }

    impl ToNapiValue for CustomerArg {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            match val {
                // SAFETY: the env napi handed to this conversion.
                CustomerArg::New { customer } => unsafe {
                    NewCustomer::to_napi_value(env, customer)
                },
                // SAFETY: as above.
                CustomerArg::Json { json } => unsafe { String::to_napi_value(env, json) },
            }
        }
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(ItemCodes, Vec<String>, {
    lower: |c| c.0,
    try_lift: |c| Ok(ItemCodes(c)),
});
