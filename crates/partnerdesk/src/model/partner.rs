//! The partner that owns the desk, and its operators.
//!
//! Why here: the partner fixes the site (and so the wire codes), the billing currency that every
//! amount must use, and the billing time zone in which months begin. Operators are the people who
//! act; their role and permission items decide what they may do (see [`crate::access`]).

use crate::error::{Error, Result};
use crate::model::access::{Permission, Role};
use crate::model::calendar::BillingOffset;
use crate::model::ids::{OperatorId, PartnerId};
use crate::model::money::Currency;
use crate::model::open_enum::open_enum;
use crate::model::personal::Personal;
use std::collections::BTreeSet;

open_enum! {
    /// The Huawei Cloud site a partner works on; the wire codes of association types differ.
    pub enum Site {
        /// The China site (`bss.myhuaweicloud.com`): association codes `1`/`2`, CNY.
        China => "china",
        /// The international site (`bss-intl.myhuaweicloud.com`): association codes `1`/`3`, USD.
        International => "international",
    }
}

open_enum! {
    /// The partner's tier in the Huawei partner programme.
    pub enum Tier {
        /// Cloud solution provider.
        SolutionProvider => "solution_provider",
        /// Huawei Cloud distributor (tier 1): acts on resellers' customers with reseller-scoped items.
        Distributor => "distributor",
        /// Huawei Cloud reseller (tier 2, an "indirect partner").
        Reseller => "reseller",
    }
}

/// The partner organisation that owns the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Partner {
    /// The partner's id.
    pub id: PartnerId,
    /// The partner's display name (an organisation, not personal data).
    pub name: String,
    /// China or international site.
    pub site: Site,
    /// Solution provider, distributor or reseller.
    pub tier: Tier,
    /// The billing currency: every amount on the desk is in it.
    pub currency: Currency,
    /// The billing time zone in which days and months begin.
    pub billing_offset: BillingOffset,
}

impl Partner {
    /// A partner with the site's usual currency and billing time zone (China: CNY, UTC+8;
    /// international: USD, UTC).
    ///
    /// ```
    /// use partnerdesk::{Partner, PartnerId, Site, Tier, Currency};
    /// let p = Partner::new(PartnerId::new("p-001")?, "Example Partner", Site::China, Tier::Distributor);
    /// assert_eq!(p.currency, Currency::CNY);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(id: PartnerId, name: impl Into<String>, site: Site, tier: Tier) -> Self {
        let (currency, billing_offset) = match site {
            Site::China => (Currency::CNY, BillingOffset::CHINA),
            _ => (Currency::USD, BillingOffset::UTC),
        };
        Partner {
            id,
            name: name.into(),
            site,
            tier,
            currency,
            billing_offset,
        }
    }
}

/// A person of the partner who uses the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Operator {
    /// Login name: the id Huawei uses for account managers.
    pub id: OperatorId,
    /// Display name (personal data where the partner configures it so).
    pub name: Personal<String>,
    /// Administrator (holds every item) or operator (holds what is granted).
    pub role: Role,
    /// Permission items granted (ignored for administrators, who hold all).
    #[cfg_attr(feature = "serde", serde(default))]
    pub permissions: BTreeSet<Permission>,
    /// Whether this operator can be assigned customers as an account manager.
    #[cfg_attr(feature = "serde", serde(default))]
    pub account_manager: bool,
}

impl Operator {
    /// A new operator with no permission items.
    pub fn new(id: OperatorId, name: impl Into<String>, role: Role) -> Self {
        Operator {
            id,
            name: Personal::new(name.into()),
            role,
            permissions: BTreeSet::new(),
            account_manager: false,
        }
    }

    /// Marks the operator as an account manager.
    pub fn with_account_manager(mut self, yes: bool) -> Self {
        self.account_manager = yes;
        self
    }

    /// Grants permission items. An item this version does not know (a misspelled code,
    /// [`Permission::Other`]) is `INVALID_ARGUMENT` on `items`, as
    /// [`Desk::grant_permissions`](crate::Desk::grant_permissions) refuses it; administrator-only
    /// items cannot be granted (`ADMINISTRATOR_ONLY`).
    ///
    /// ```
    /// use partnerdesk::{Operator, OperatorId, Permission, Role};
    /// let op = Operator::new(OperatorId::new("ops_billing")?, "Billing", Role::Operator);
    /// let misspelled = op.with_permissions([Permission::parse("BPC_ITEM_SUBCUSTSERV_01O115")]);
    /// assert_eq!(misspelled.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn with_permissions(mut self, items: impl IntoIterator<Item = Permission>) -> Result<Self> {
        for item in items {
            item.check_known()?;
            if item.is_administrator_only() {
                return Err(Error::AdministratorOnly {
                    item: item.as_str().to_owned(),
                });
            }
            self.permissions.insert(item);
        }
        Ok(self)
    }

    /// The first permission item of this operator that this version does not know
    /// (`INVALID_ARGUMENT` on `items`), checked where an operator enters a desk.
    pub(crate) fn check_known_items(&self) -> Result<()> {
        self.permissions
            .iter()
            .try_for_each(Permission::check_known)
    }

    /// Whether the operator holds an item (administrators hold all).
    pub fn holds(&self, item: &Permission) -> bool {
        match self.role {
            Role::Administrator => true,
            _ => !item.is_administrator_only() && self.permissions.contains(item),
        }
    }
}
