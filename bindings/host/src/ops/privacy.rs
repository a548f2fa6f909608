//! Privacy (mask policies, the pseudonym key, reveal), the audit log and the event log,
//! declared once for every host (see [the grammar](super)).
//!
//! Why these shapes: a mask policy is a record of five rules, so every host reads and writes
//! the same structure (Python builds one with `MaskPolicy(name=MaskRule("keep", first=1))`,
//! the console's rule for each field left out). Audit records and events are records of ids,
//! codes and the actor (the host's `Actor`), never personal data. Events cross between desks
//! as JSON text (`events_json`, `apply_events`): the record a host reads holds what changed in
//! words, not the data to apply it again, which may be personal (an association carries the
//! customer's name).

use super::ActorArg;
use crate::records::count32;
use crate::values::Actor;
use crate::{HostDesk, HostInstant, at, invalid};
use partnerdesk::audit::AuditFilter as CoreFilter;
use partnerdesk::chain::EventKey;
use partnerdesk::privacy::{MaskPolicy as CorePolicy, MaskRule as CoreRule, PseudonymKey};
use partnerdesk::{Error, Invocation};

crate::host_enum!(
    #[doc = " A personal field of a customer that rows and exports mask."]
    SensitiveField, "field" {
        #[doc = " Customer name."]
        Name = "name",
        #[doc = " Mobile number."]
        Mobile = "mobile",
        #[doc = " E-mail."]
        Email = "email",
        #[doc = " Account name."]
        AccountName = "account_name",
        #[doc = " Account manager's display name."]
        ManagerName = "manager_name",
    }
);

crate::host_enum!(
    #[doc = " How a personal field is masked."]
    MaskKind, "kind" {
        #[doc = " The console's mask for the field."]
        Default = "default",
        #[doc = " The first and last characters kept (`first`, `last`)."]
        Keep = "keep",
        #[doc = " Replaced by a fixed text (`text`)."]
        Fixed = "fixed",
        #[doc = " Empty."]
        Hidden = "hidden",
        #[doc = " A keyed pseudonym (exports only)."]
        Pseudonym = "pseudonym",
        #[doc = " In clear (account and manager names only)."]
        Clear = "clear",
    }
);

/// How one personal field is masked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash, from_py_object))]
pub struct MaskRule {
    /// `default`, `keep`, `fixed`, `hidden`, `pseudonym` or `clear`.
    pub kind: MaskKind,
    /// `keep`: characters kept at the start (at most 255; default 0).
    pub first: Option<u32>,
    /// `keep`: characters kept at the end (at most 255; default 0).
    pub last: Option<u32>,
    /// `fixed`: the replacement text (at most 64 characters, no `*`).
    pub text: Option<String>,
}

impl MaskRule {
    fn of(kind: MaskKind) -> Self {
        MaskRule {
            kind,
            first: None,
            last: None,
            text: None,
        }
    }

    /// The core's rule (`INVALID_ARGUMENT` naming `first`, `last` or `text`).
    pub fn to_core(&self) -> Result<CoreRule, Error> {
        let count = |name, n: Option<u32>| {
            u8::try_from(n.unwrap_or(0)).map_err(|_| invalid(name, "at most 255"))
        };
        Ok(match self.kind {
            MaskKind::Default => CoreRule::Default,
            MaskKind::Keep => CoreRule::Keep {
                first: count("first", self.first)?,
                last: count("last", self.last)?,
            },
            MaskKind::Fixed => CoreRule::Fixed(
                self.text
                    .clone()
                    .ok_or_else(|| invalid("text", "a fixed mask needs its text"))?,
            ),
            MaskKind::Hidden => CoreRule::Hidden,
            MaskKind::Pseudonym => CoreRule::Pseudonym,
            MaskKind::Clear => CoreRule::Clear,
        })
    }
}

impl From<&CoreRule> for MaskRule {
    fn from(r: &CoreRule) -> Self {
        match r {
            CoreRule::Keep { first, last } => MaskRule {
                first: Some(u32::from(*first)),
                last: Some(u32::from(*last)),
                ..MaskRule::of(MaskKind::Keep)
            },
            CoreRule::Fixed(text) => MaskRule {
                text: Some(text.clone()),
                ..MaskRule::of(MaskKind::Fixed)
            },
            CoreRule::Hidden => MaskRule::of(MaskKind::Hidden),
            CoreRule::Pseudonym => MaskRule::of(MaskKind::Pseudonym),
            CoreRule::Clear => MaskRule::of(MaskKind::Clear),
            // `Default`, and any rule a newer core adds.
            _ => MaskRule::of(MaskKind::Default),
        }
    }
}

/// How each personal field is masked (in rows, or in exports).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash, from_py_object))]
pub struct MaskPolicy {
    /// Customer name (never `clear`).
    pub name: MaskRule,
    /// Mobile number (never `clear`).
    pub mobile: MaskRule,
    /// E-mail (never `clear`).
    pub email: MaskRule,
    /// Account name.
    pub account_name: MaskRule,
    /// Account manager's display name.
    pub manager_name: MaskRule,
}

impl MaskPolicy {
    /// The core's policy: `INVALID_ARGUMENT` for a malformed rule or one the field does not
    /// allow (a name, mobile or e-mail in clear).
    pub fn to_core(&self) -> Result<CorePolicy, Error> {
        use partnerdesk::privacy::SensitiveField as F;
        let mut p = CorePolicy::console();
        for (field, rule) in [
            (F::Name, &self.name),
            (F::Mobile, &self.mobile),
            (F::Email, &self.email),
            (F::AccountName, &self.account_name),
            (F::ManagerName, &self.manager_name),
        ] {
            p.set(field, rule.to_core()?)?;
        }
        Ok(p)
    }
}

impl From<&CorePolicy> for MaskPolicy {
    fn from(p: &CorePolicy) -> Self {
        MaskPolicy {
            name: (&p.name).into(),
            mobile: (&p.mobile).into(),
            email: (&p.email).into(),
            account_name: (&p.account_name).into(),
            manager_name: (&p.manager_name).into(),
        }
    }
}

/// One attempt in the audit trail: who tried what, when, on which customer, and whether it was
/// allowed (ids, codes and field names only, never personal data).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct AuditRecord {
    /// Sequence number, from 1, increasing.
    pub seq: u32,
    /// When.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub at: HostInstant,
    /// Who.
    #[cfg_attr(feature = "node", napi(ts_type = "Actor"))]
    pub actor: Actor,
    /// On which customer, if one.
    pub customer_id: Option<String>,
    /// What was attempted (`freeze`, `set_budget`, `reveal`, `export`, ...).
    pub kind: String,
    /// Whether it was allowed.
    pub allowed: bool,
    /// The error code when it was refused.
    pub denied_code: Option<String>,
    /// Detail without personal data (ids, scopes, amounts, field names).
    pub detail: String,
}

impl From<&partnerdesk::audit::AuditRecord> for AuditRecord {
    fn from(r: &partnerdesk::audit::AuditRecord) -> Self {
        AuditRecord {
            seq: count32(r.seq),
            at: HostInstant(r.at),
            actor: (&r.actor).into(),
            customer_id: r.customer.as_ref().map(|c| c.as_str().to_owned()),
            kind: r.kind.as_str().to_owned(),
            allowed: r.outcome.is_allowed(),
            denied_code: r.outcome.denied_code().map(str::to_owned),
            detail: r.detail.clone(),
        }
    }
}

/// One change on the desk, in words (`events_json` gives the events to apply elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(name = "Event", eq, hash))]
pub struct DeskEvent {
    /// Sequence number, from 1, without gaps.
    pub seq: u32,
    /// When.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub at: HostInstant,
    /// Who.
    #[cfg_attr(feature = "node", napi(ts_type = "Actor"))]
    pub actor: Actor,
    /// The customer changed, if one.
    pub customer_id: Option<String>,
    /// A stable code for the kind of change (`frozen`, `budget_set`, `manager_assigned`, ...).
    pub kind: String,
    /// Ids, codes, scopes and amounts of the change (no names, contact data or reasons).
    pub summary: String,
    /// The event's link in the log's hash chain (64 hexadecimal digits).
    pub link: String,
}

impl From<&partnerdesk::event::Event> for DeskEvent {
    fn from(e: &partnerdesk::event::Event) -> Self {
        DeskEvent {
            seq: count32(e.seq),
            at: HostInstant(e.at),
            actor: (&e.actor).into(),
            customer_id: e.customer.as_ref().map(|c| c.as_str().to_owned()),
            kind: e.kind.code().to_owned(),
            summary: e.kind.to_string(),
            link: e.link.clone(),
        }
    }
}

/// A secret key's bytes as a host gives them: Python `bytes`, a Node `Buffer`, a Kotlin
/// `ByteArray`, Swift `Data`. Its `Debug` shows the length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// The mask policy of rows.
pub fn row_policy(desk: &HostDesk) -> Result<MaskPolicy, Error> {
    Ok(desk.row_policy().into())
}

/// Sets the mask policy of rows.
pub fn set_row_policy(desk: &mut HostDesk, policy: MaskPolicy) -> Result<(), Error> {
    let policy = policy.to_core()?;
    desk.change(|d| d.set_row_policy(policy.clone()))
}

/// The mask policy of exports.
pub fn export_policy(desk: &HostDesk) -> Result<MaskPolicy, Error> {
    Ok(desk.export_policy().into())
}

/// Sets the mask policy of exports.
pub fn set_export_policy(desk: &mut HostDesk, policy: MaskPolicy) -> Result<(), Error> {
    let policy = policy.to_core()?;
    desk.change(|d| d.set_export_policy(policy.clone()))
}

/// Sets (or clears) the secret of pseudonyms.
pub fn set_pseudonym_key(desk: &mut HostDesk, secret: Option<Secret>) -> Result<(), Error> {
    let key = secret.map(|s| PseudonymKey::new(&s.0)).transpose()?;
    desk.change(|d| {
        d.set_pseudonym_key(key.clone());
        Ok(())
    })
}

/// One masked field in clear, audited.
pub fn reveal(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    field: SensitiveField,
    now: Option<HostInstant>,
) -> Result<String, Error> {
    let inv = Invocation::new(actor.to_core()?, at(now));
    let id = super::customer(&customer)?;
    let field = partnerdesk::privacy::SensitiveField::parse(field.as_str())?;
    desk.change(|d| d.reveal(&inv, &id, field))
}

/// The audit records matching the filter, oldest first.
pub fn audit_log(
    desk: &HostDesk,
    customer: Option<String>,
    actor: Option<ActorArg>,
    kind: Option<String>,
    since: Option<HostInstant>,
    until: Option<HostInstant>,
) -> Result<Vec<AuditRecord>, Error> {
    let filter = CoreFilter {
        customer: customer.as_deref().map(super::customer).transpose()?,
        actor: actor.as_ref().map(ActorArg::to_core).transpose()?,
        kind: kind.as_deref().map(Into::into),
        from: since.map(|t| t.0),
        until: until.map(|t| t.0),
    };
    Ok(desk
        .audit_log(&filter)
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The events after `since` (default 0: all), oldest first.
pub fn events(desk: &HostDesk, since: Option<u32>) -> Result<Vec<DeskEvent>, Error> {
    let events = desk.events_since(u64::from(since.unwrap_or(0)));
    Ok(events.iter().map(Into::into).collect())
}

/// The events after `since` (default 0: all) as JSON text.
pub fn events_json(desk: &HostDesk, since: Option<u32>) -> Result<String, Error> {
    crate::to_json(desk.events_since(u64::from(since.unwrap_or(0))))
}

/// Applies events (JSON text) in order, each checked first.
pub fn apply_events(desk: &mut HostDesk, events_json: String) -> Result<(), Error> {
    let events: Vec<partnerdesk::event::Event> = crate::from_json(&events_json)?;
    desk.change(|d| d.apply_events(events.clone()))
}

/// Sets (or clears) the key events are sealed with; on a durable desk only the key it already
/// has ([`HostDesk::set_event_key`]).
pub fn set_event_key(desk: &mut HostDesk, key: Option<Secret>) -> Result<(), Error> {
    let key = key.map(|k| EventKey::new(&k.0)).transpose()?;
    desk.set_event_key(key)
}

/// The link of the last event.
pub fn chain_head(desk: &HostDesk) -> Result<String, Error> {
    Ok(desk.chain_head().to_owned())
}

/// The privacy, audit and event operations, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! privacy_operations {
    ($expand:ident) => {
        $expand! {
            #[doc = " How rows of searches mask personal fields."]
            read fn row_policy() -> $crate::ops::privacy::MaskPolicy => $crate::ops::privacy::row_policy;
            #[doc = " Sets how rows mask personal fields. Refuses a policy that shows a name, mobile or"]
            #[doc = " e-mail in clear or uses pseudonyms (exports only); nothing changes then."]
            write fn set_row_policy(policy: $crate::ops::privacy::MaskPolicy) -> () => $crate::ops::privacy::set_row_policy;
            #[doc = " How exports that name no policy mask personal fields."]
            read fn export_policy() -> $crate::ops::privacy::MaskPolicy => $crate::ops::privacy::export_policy;
            #[doc = " Sets how exports mask personal fields by default (never a name, mobile or e-mail in clear)."]
            write fn set_export_policy(policy: $crate::ops::privacy::MaskPolicy) -> () => $crate::ops::privacy::set_export_policy;
            #[doc = " Sets (or clears, without one) the partner's secret (at least 16 bytes) for keyed"]
            #[doc = " pseudonyms in exports. It is never saved in a snapshot."]
            write fn set_pseudonym_key(secret: Option<$crate::ops::privacy::Secret>) -> () => $crate::ops::privacy::set_pseudonym_key;
            #[doc = " Reveals one masked field of a customer in clear (the console's eye icon). Needs the"]
            #[doc = " reveal permission item (`PD_REVEAL_SENSITIVE`); every attempt, allowed or refused, is"]
            #[doc = " audited. Empty when the customer has no such value."]
            write fn reveal(actor: $crate::ops::ActorArg, customer: String, field: $crate::ops::privacy::SensitiveField)
                [RevealOptions { #[doc = " The moment of the reveal (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> String => $crate::ops::privacy::reveal;
            #[doc = " The audit records, oldest first, of one customer, actor, kind and time span when given."]
            read fn audit_log()
                [AuditFilter {
                    #[doc = " Only records about this customer."] customer: Option<String>,
                    #[doc = " Only records by this actor."] actor: Option<$crate::ops::ActorArg>,
                    #[doc = " Only records of this kind (`freeze`, `set_budget`, `reveal`, `export`, ...)."] kind: Option<String>,
                    #[doc = " Only records at or after this instant."] since: Option<$crate::HostInstant>,
                    #[doc = " Only records strictly before this instant."] until: Option<$crate::HostInstant>
                }]
                -> Vec<$crate::ops::privacy::AuditRecord> => $crate::ops::privacy::audit_log;
            #[doc = " The events after sequence number `since` (default 0: all), oldest first."]
            read fn events()
                [EventsOptions { #[doc = " The last sequence number already seen (default 0)."] since: Option<u32> }]
                -> Vec<$crate::ops::privacy::DeskEvent> => $crate::ops::privacy::events;
            #[doc = " The events after sequence number `since` (default 0: all) as JSON text, what"]
            #[doc = " `apply_events` and `replay` read. It may hold personal data: keep it like a snapshot."]
            read fn events_json()
                [EventsJsonOptions { #[doc = " The last sequence number already seen (default 0)."] since: Option<u32> }]
                -> String => $crate::ops::privacy::events_json;
            #[doc = " Applies events (JSON text from another desk's `events_json`) in order, each checked"]
            #[doc = " first: its link in the hash chain (`EVENT_CHAIN_BROKEN`) and the checks its command"]
            #[doc = " passed (`INVALID_EVENT`), both naming the sequence number. On the first refused event"]
            #[doc = " nothing from it on is applied. A log sealed with a key needs the same key."]
            write fn apply_events(events_json: String) -> () => $crate::ops::privacy::apply_events;
            #[doc = " Sets (or clears, without one) the secret key (at least 16 bytes) the desk seals its"]
            #[doc = " events with (HMAC-SHA256 links) and checks applied events against. Never saved."]
            #[doc = " On a durable desk only the key it already seals with is accepted (`INVALID_ARGUMENT`"]
            #[doc = " on `key` otherwise): a key change mid-log would not open again. Give the key as the"]
            #[doc = " event key option of opening a store or saving a desk to one instead."]
            write fn set_event_key(key: Option<$crate::ops::privacy::Secret>) -> () => $crate::ops::privacy::set_event_key;
            #[doc = " The link of the last event: the head of the event chain (empty at the start of one)."]
            read fn chain_head() -> String => $crate::ops::privacy::chain_head;
        }
    };
}

#[cfg(feature = "python")]
mod python {
    use super::{AuditRecord, DeskEvent, MaskKind, MaskPolicy, MaskRule, Secret};
    use crate::values::Actor;
    use pyo3::prelude::*;

    /// `bytes` (or a `bytearray`).
    impl FromPyObject<'_, '_> for Secret {
        type Error = PyErr;

        fn extract(obj: pyo3::Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
            if obj.is_instance_of::<pyo3::types::PyString>() {
                return Err(pyo3::exceptions::PyTypeError::new_err("expected bytes"));
            }
            obj.extract().map(Secret)
        }
    }

    fn actor_text(a: &Actor) -> String {
        match a {
            Actor::Operator { login } => format!("operator:{login}"),
            Actor::Customer { id } => format!("customer:{id}"),
            Actor::System => "system".to_owned(),
        }
    }

    #[pymethods]
    impl MaskRule {
        /// A rule: `MaskRule("keep", first=1, last=0)`, `MaskRule("fixed", text="[hidden]")`.
        #[new]
        #[pyo3(signature = (kind, *, first = None, last = None, text = None))]
        fn new(
            kind: MaskKind,
            first: Option<u32>,
            last: Option<u32>,
            text: Option<String>,
        ) -> Self {
            MaskRule {
                kind,
                first,
                last,
                text,
            }
        }

        fn __repr__(&self) -> String {
            format!(
                "MaskRule('{}', first={:?}, last={:?}, text={:?})",
                self.kind.as_str(),
                self.first,
                self.last,
                self.text
            )
        }
    }

    #[pymethods]
    impl MaskPolicy {
        /// A policy; each field left out keeps the console's rule (name, mobile and e-mail
        /// masked by default, account and manager names in clear).
        #[new]
        #[pyo3(signature = (*, name = None, mobile = None, email = None, account_name = None, manager_name = None))]
        fn new(
            name: Option<MaskRule>,
            mobile: Option<MaskRule>,
            email: Option<MaskRule>,
            account_name: Option<MaskRule>,
            manager_name: Option<MaskRule>,
        ) -> Self {
            let console = MaskPolicy::from(&partnerdesk::privacy::MaskPolicy::console());
            MaskPolicy {
                name: name.unwrap_or(console.name),
                mobile: mobile.unwrap_or(console.mobile),
                email: email.unwrap_or(console.email),
                account_name: account_name.unwrap_or(console.account_name),
                manager_name: manager_name.unwrap_or(console.manager_name),
            }
        }
    }

    #[pymethods]
    impl AuditRecord {
        fn __repr__(&self) -> String {
            format!(
                "AuditRecord(seq={}, kind='{}', actor='{}', allowed={})",
                self.seq,
                self.kind,
                actor_text(&self.actor),
                if self.allowed { "True" } else { "False" }
            )
        }
    }

    #[pymethods]
    impl DeskEvent {
        fn __repr__(&self) -> String {
            format!(
                "Event(seq={}, kind='{}', customer_id={})",
                self.seq,
                self.kind,
                self.customer_id
                    .as_ref()
                    .map_or("None".to_owned(), |c| format!("'{c}'"))
            )
        }

        /// The change in words (ids and codes only).
        fn __str__(&self) -> String {
            self.summary.clone()
        }
    }
}

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each one here passes the `env`
    //! and value napi handed it, unchanged, to napi's own conversion of a `Buffer`.
    use super::Secret;
    use napi::bindgen_prelude::{Buffer, FromNapiValue};
    use napi::sys;

    crate::values::napi_as!(Secret, "Buffer", Object, Buffer);

    impl FromNapiValue for Secret {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            unsafe { Buffer::from_napi_value(env, value) }.map(|b| Secret(b.to_vec()))
        }
    }
}

#[cfg(feature = "uniffi")]
mod mobile {
    //! A Kotlin `ByteArray`, a Swift `Data`.
    use super::Secret;

    uniffi::custom_type!(Secret, Vec<u8>, {
        lower: |s| s.0,
        try_lift: |b| Ok(Secret(b)),
    });
}
