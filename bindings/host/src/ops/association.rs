//! Association and disassociation, declared once for every host (see [the grammar](super)):
//! a customer joins the partner, either side asks to end it, the other side decides, and the
//! history keeps every change.

use super::{ActorArg, invocation};
use crate::{Actor, HostDesk, HostInstant, invalid};
use partnerdesk::{Error, OperatorId};

crate::host_enum!(
    #[doc = " How a customer is associated with the partner."]
    AssociationType, "association_type" {
        #[doc = " Referral (the customer pays Huawei)."]
        Referral = "referral",
        #[doc = " Reseller (the partner resells)."]
        Reseller = "reseller",
    }
);

crate::host_enum!(
    #[doc = " Individual, enterprise or unset."]
    CustomerType, "customer_type" {
        #[doc = " Not set."]
        Unset = "unset",
        #[doc = " An individual."]
        Individual = "individual",
        #[doc = " An enterprise."]
        Enterprise = "enterprise",
    }
);

crate::host_enum!(
    #[doc = " Customer level."]
    CustomerLevel, "level" {
        #[doc = " Level V0."]
        V0 = "V0",
        #[doc = " Level V1."]
        V1 = "V1",
        #[doc = " Level V2."]
        V2 = "V2",
        #[doc = " Level V3."]
        V3 = "V3",
        #[doc = " Level V4."]
        V4 = "V4",
        #[doc = " Level V5."]
        V5 = "V5",
    }
);

impl From<AssociationType> for partnerdesk::AssociationType {
    fn from(v: AssociationType) -> Self {
        Self::parse(v.as_str())
    }
}

impl From<CustomerType> for partnerdesk::CustomerType {
    fn from(v: CustomerType) -> Self {
        Self::parse(v.as_str())
    }
}

impl From<CustomerLevel> for partnerdesk::CustomerLevel {
    fn from(v: CustomerLevel) -> Self {
        Self::parse(v.as_str())
    }
}

/// A request to end a customer's association, by the customer or the partner.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash), node(object_from_js = false))]
pub struct DisassociationRequest {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// `customer` or `partner` (or `system`).
    #[cfg_attr(
        feature = "node",
        napi(ts_type = "'customer' | 'partner' | 'system' | (string & {})")
    )]
    pub initiator: String,
    /// Who asked.
    #[cfg_attr(feature = "node", napi(ts_type = "Actor"))]
    pub requested_by: Actor,
    /// When.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub requested_at: HostInstant,
    /// The reason given (free text: it may hold personal data).
    pub reason: String,
    /// `pending`, `approved`, `rejected` or `closed`.
    #[cfg_attr(
        feature = "node",
        napi(ts_type = "'pending' | 'approved' | 'rejected' | 'closed' | (string & {})")
    )]
    pub status: String,
    /// Who decided.
    #[cfg_attr(feature = "node", napi(ts_type = "Actor"))]
    pub decided_by: Option<Actor>,
    /// When decided.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub decided_at: Option<HostInstant>,
}

impl From<&partnerdesk::association::DisassociationRequest> for DisassociationRequest {
    fn from(r: &partnerdesk::association::DisassociationRequest) -> Self {
        DisassociationRequest {
            id: r.id.to_string(),
            customer_id: r.customer.as_str().to_owned(),
            initiator: r.initiator.as_str().to_owned(),
            requested_by: (&r.requested_by).into(),
            requested_at: HostInstant(r.requested_at),
            reason: r.reason.clone(),
            status: r.status.as_str().to_owned(),
            decided_by: r.decided_by.as_ref().map(Actor::from),
            decided_at: r.decided_at.map(HostInstant),
        }
    }
}

/// One change of the association history: a customer associated or disassociated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash), node(object_from_js = false))]
pub struct AssociationRecord {
    /// The customer.
    pub customer_id: String,
    /// `associated` or `disassociated`.
    #[cfg_attr(
        feature = "node",
        napi(ts_type = "'associated' | 'disassociated' | (string & {})")
    )]
    pub change: String,
    /// The association type at the time.
    #[cfg_attr(feature = "node", napi(ts_type = "AssociationType | (string & {})"))]
    pub association_type: String,
    /// When.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub at: HostInstant,
    /// `customer`, `partner` or `system`.
    #[cfg_attr(
        feature = "node",
        napi(ts_type = "'customer' | 'partner' | 'system' | (string & {})")
    )]
    pub initiator: String,
    /// Who performed it.
    #[cfg_attr(feature = "node", napi(ts_type = "Actor"))]
    pub by: Actor,
    /// The reason given, if any (free text: it may hold personal data).
    pub reason: Option<String>,
}

impl From<&partnerdesk::association::AssociationRecord> for AssociationRecord {
    fn from(r: &partnerdesk::association::AssociationRecord) -> Self {
        AssociationRecord {
            customer_id: r.customer.as_str().to_owned(),
            change: r.change.as_str().to_owned(),
            association_type: r.kind.as_str().to_owned(),
            at: HostInstant(r.at),
            initiator: r.initiator.as_str().to_owned(),
            by: (&r.by).into(),
            reason: r.reason.clone(),
        }
    }
}

#[cfg(feature = "python")]
#[pyo3::pymethods]
impl DisassociationRequest {
    /// Ids, codes and states only: the reason may hold personal data.
    fn __repr__(&self) -> String {
        format!(
            "DisassociationRequest(id='{}', customer_id='{}', status='{}')",
            self.id, self.customer_id, self.status
        )
    }
}

#[cfg(feature = "python")]
#[pyo3::pymethods]
impl AssociationRecord {
    /// Ids and codes only: the reason may hold personal data.
    fn __repr__(&self) -> String {
        format!(
            "AssociationRecord(customer_id='{}', change='{}', initiator='{}')",
            self.customer_id, self.change, self.initiator
        )
    }
}

/// Associates a new customer (`customer`, its account name and real name) with the partner.
#[allow(clippy::too_many_arguments)]
pub fn associate(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    account_name: String,
    name: String,
    association_type: Option<AssociationType>,
    reseller: Option<String>,
    customer_type: Option<CustomerType>,
    level: Option<CustomerLevel>,
    mobile: Option<String>,
    mobile_country_code: Option<String>,
    email: Option<String>,
    tags: Option<Vec<String>>,
    invited_by: Option<String>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(&actor, now, idempotency_key)?;
    let kind = association_type.unwrap_or(AssociationType::Reseller).into();
    let mut association = partnerdesk::Association::new(kind, inv.now());
    if let Some(r) = reseller {
        association = association.through_reseller(partnerdesk::ResellerId::new(r)?);
    }
    let id = super::customer(&customer)?;
    let mut c = partnerdesk::Customer::new(id, account_name, name, association);
    if let Some(t) = customer_type {
        c.customer_type = t.into();
    }
    if let Some(l) = level {
        c.level = l.into();
    }
    c.mobile = match (mobile, mobile_country_code) {
        (Some(number), code) => Some(partnerdesk::privacy::Personal::new(
            partnerdesk::Mobile::new(code.as_deref().unwrap_or_default(), &number)?,
        )),
        (None, Some(_)) => return Err(invalid("mobile_country_code", "given without a mobile")),
        (None, None) => None,
    };
    c.email = email.map(partnerdesk::privacy::Personal::new);
    for t in tags.unwrap_or_default() {
        c.tags.insert(partnerdesk::Tag::new(t)?);
    }
    let invited_by = invited_by.map(OperatorId::new).transpose()?;
    desk.change(|d| d.associate(&inv, c.clone(), invited_by.clone()))
}

/// The customer asks to end its association (the actor: the customer); the request id.
pub fn request_disassociation(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    reason: String,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<String, Error> {
    let (inv, id) = (
        invocation(&actor, now, idempotency_key)?,
        super::customer(&customer)?,
    );
    desk.change(|d| d.request_disassociation(&inv, &id, &reason))
        .map(|r| r.to_string())
}

/// The partner asks to end a customer's association; the request id.
pub fn request_partner_disassociation(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    reason: String,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<String, Error> {
    let (inv, id) = (
        invocation(&actor, now, idempotency_key)?,
        super::customer(&customer)?,
    );
    desk.change(|d| d.request_partner_disassociation(&inv, &id, &reason))
        .map(|r| r.to_string())
}

/// Approves or rejects a disassociation request; an id that is not one of the desk's requests
/// is `AUTHORIZATION_NOT_FOUND` (what: `disassociation request`), as an unknown one.
#[allow(clippy::too_many_arguments)]
pub fn decide_disassociation(
    desk: &mut HostDesk,
    actor: ActorArg,
    request: String,
    approve: bool,
    reason: String,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(&actor, now, idempotency_key)?;
    let id = request
        .trim()
        .parse()
        .map_err(|_| Error::AuthorizationNotFound {
            what: "disassociation request".to_owned(),
            id: request.clone(),
        })?;
    desk.change(|d| d.decide_disassociation(&inv, id, approve, &reason))
}

/// Every disassociation request, oldest first.
pub fn disassociation_requests(desk: &HostDesk) -> Result<Vec<DisassociationRequest>, Error> {
    Ok(desk
        .disassociation_requests()
        .iter()
        .map(Into::into)
        .collect())
}

/// Associations and disassociations, oldest first: of one customer, or of all.
pub fn association_history(
    desk: &HostDesk,
    customer: Option<String>,
) -> Result<Vec<AssociationRecord>, Error> {
    let id = customer.as_deref().map(super::customer).transpose()?;
    Ok(desk
        .association_history(id.as_ref())
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! association_operations {
    ($expand:ident) => {
        $expand! {
            #[doc = " Associates a new customer with the partner (accepting an invitation: the customer"]
            #[doc = " itself, with `invited_by` the inviting account manager; registration: the system; or"]
            #[doc = " the administrator). A reseller-model customer starts frozen; `ALREADY_ASSOCIATED` when"]
            #[doc = " it is. Name, mobile and e-mail are personal data: lists mask them."]
            write fn associate(actor: $crate::ops::ActorArg, customer: String, account_name: String, name: String)
                [AssociateOptions {
                    #[doc = " `referral` or `reseller` (default)."]
                    association_type: Option<$crate::ops::association::AssociationType>,
                    #[doc = " The reseller (indirect partner) the customer comes through."]
                    reseller: Option<String>,
                    #[doc = " `unset` (default), `individual` or `enterprise`."]
                    customer_type: Option<$crate::ops::association::CustomerType>,
                    #[doc = " `V0`..`V5`."]
                    level: Option<$crate::ops::association::CustomerLevel>,
                    #[doc = " The mobile's national number (digits; spaces and dashes are dropped)."]
                    mobile: Option<String>,
                    #[doc = " The mobile's country code (`+86`, `0086` or none)."]
                    mobile_country_code: Option<String>,
                    #[doc = " E-mail."]
                    email: Option<String>,
                    #[doc = " Tags."]
                    tags: Option<Vec<String>>,
                    #[doc = " The account manager whose invitation the customer accepts."]
                    invited_by: Option<String>,
                    #[doc = " The moment of the change (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> () => $crate::ops::association::associate;
            #[doc = " The customer (the actor) asks to end its association; the administrator decides."]
            #[doc = " Returns the request id."]
            write fn request_disassociation(actor: $crate::ops::ActorArg, customer: String, reason: String)
                [RequestDisassociationOptions {
                    #[doc = " The moment of the request (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> String => $crate::ops::association::request_disassociation;
            #[doc = " The partner (administrator) asks to end a customer's association; the customer decides."]
            #[doc = " At most 3 per customer in any rolling 3 months (`DISASSOCIATION_QUOTA_EXCEEDED`);"]
            #[doc = " refused while a blocker holds (`DISASSOCIATION_BLOCKED`). Returns the request id."]
            write fn request_partner_disassociation(actor: $crate::ops::ActorArg, customer: String, reason: String)
                [RequestPartnerDisassociationOptions {
                    #[doc = " The moment of the request (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> String => $crate::ops::association::request_partner_disassociation;
            #[doc = " Approves or rejects a disassociation request (by the other party; a rejection needs a"]
            #[doc = " reason). An approval ends the association."]
            write fn decide_disassociation(actor: $crate::ops::ActorArg, request: String, approve: bool, reason: String)
                [DecideDisassociationOptions {
                    #[doc = " The moment of the decision (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> () => $crate::ops::association::decide_disassociation;
            #[doc = " Every disassociation request and its state, oldest first."]
            read fn disassociation_requests()
                -> Vec<$crate::ops::association::DisassociationRequest> => $crate::ops::association::disassociation_requests;
            #[doc = " Associations and disassociations, oldest first: of one customer, or of all."]
            read fn association_history()
                [AssociationHistoryOptions { #[doc = " Only this customer's (default: every customer's)."] customer: Option<String> }]
                -> Vec<$crate::ops::association::AssociationRecord> => $crate::ops::association::association_history;
        }
    };
}
