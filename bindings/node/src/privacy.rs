//! Masking policies and the pseudonym key from JS, and event replay.
//!
//! Why policies cross as plain objects: a partner configures how each personal field is
//! masked in lists and in exports (`{ kind: 'keep', first: 1, last: 0 }`, `{ kind: 'fixed',
//! text: '[hidden]' }`, a keyed pseudonym for exports); the core refuses a policy that would
//! show a name, mobile or e-mail in clear, so the binding only converts. Events cross as JSON
//! text, like snapshots: a host ships the event log and replays it onto a snapshot.

use crate::desk::Desk;
use crate::error::{Code, invalid_argument, to_js};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use partnerdesk::Desk as CoreDesk;
use partnerdesk::chain::EventKey;
use partnerdesk::event::Event;
use partnerdesk::privacy::{MaskPolicy as CorePolicy, MaskRule as CoreRule, PseudonymKey};

/// How one personal field is masked.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskRule {
    /// `default` (the console's mask), `keep` (first/last characters), `fixed` (a text),
    /// `hidden` (empty), `pseudonym` (keyed HMAC, exports only) or `clear` (account and manager
    /// names only).
    #[napi(ts_type = "'default' | 'keep' | 'fixed' | 'hidden' | 'pseudonym' | 'clear'")]
    pub kind: String,
    /// `keep`: characters kept at the start.
    pub first: Option<u32>,
    /// `keep`: characters kept at the end.
    pub last: Option<u32>,
    /// `fixed`: the replacement text.
    pub text: Option<String>,
}

/// How each personal field is masked.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskPolicy {
    /// Customer name.
    pub name: MaskRule,
    /// Mobile number.
    pub mobile: MaskRule,
    /// E-mail.
    pub email: MaskRule,
    /// Account name.
    pub account_name: MaskRule,
    /// Account manager's display name.
    pub manager_name: MaskRule,
}

fn rule(kind: &str) -> MaskRule {
    MaskRule {
        kind: kind.to_owned(),
        first: None,
        last: None,
        text: None,
    }
}

impl From<&CoreRule> for MaskRule {
    fn from(r: &CoreRule) -> Self {
        match r {
            CoreRule::Default => rule("default"),
            CoreRule::Keep { first, last } => MaskRule {
                first: Some(u32::from(*first)),
                last: Some(u32::from(*last)),
                ..rule("keep")
            },
            CoreRule::Fixed(text) => MaskRule {
                text: Some(text.clone()),
                ..rule("fixed")
            },
            CoreRule::Hidden => rule("hidden"),
            CoreRule::Pseudonym => rule("pseudonym"),
            CoreRule::Clear => rule("clear"),
        }
    }
}

fn count8(field: &str, n: Option<u32>) -> napi::Result<u8, Code> {
    u8::try_from(n.unwrap_or(0)).map_err(|_| invalid_argument(field, "at most 255"))
}

impl MaskRule {
    fn to_core(&self) -> napi::Result<CoreRule, Code> {
        Ok(match self.kind.as_str() {
            "default" => CoreRule::Default,
            "keep" => CoreRule::Keep {
                first: count8("first", self.first)?,
                last: count8("last", self.last)?,
            },
            "fixed" => CoreRule::Fixed(
                self.text
                    .clone()
                    .ok_or_else(|| invalid_argument("text", "a fixed mask needs its text"))?,
            ),
            "hidden" => CoreRule::Hidden,
            "pseudonym" => CoreRule::Pseudonym,
            "clear" => CoreRule::Clear,
            _ => {
                return Err(invalid_argument(
                    "kind",
                    "expected default, keep, fixed, hidden, pseudonym or clear",
                ));
            }
        })
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

impl MaskPolicy {
    pub(crate) fn to_core(&self) -> napi::Result<CorePolicy, Code> {
        use partnerdesk::privacy::SensitiveField as F;
        let mut p = CorePolicy::default();
        for (field, r) in [
            (F::Name, &self.name),
            (F::Mobile, &self.mobile),
            (F::Email, &self.email),
            (F::AccountName, &self.account_name),
            (F::ManagerName, &self.manager_name),
        ] {
            p.set(field, r.to_core()?).map_err(to_js)?;
        }
        Ok(p)
    }
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// How rows of searches are masked.
    #[napi]
    pub fn row_policy(&self) -> napi::Result<MaskPolicy, Code> {
        Ok(self.read()?.row_policy().into())
    }

    /// Sets how rows are masked. Refuses a policy that shows a name, mobile or e-mail in clear
    /// or uses pseudonyms (exports only); nothing changes then.
    #[napi]
    pub fn set_row_policy(&self, policy: MaskPolicy) -> napi::Result<(), Code> {
        let p = policy.to_core()?;
        self.write()?
            .change(|d| d.set_row_policy(p.clone()))
            .map_err(to_js)
    }

    /// How exports that name no policy are anonymised.
    #[napi]
    pub fn export_policy(&self) -> napi::Result<MaskPolicy, Code> {
        Ok(self.read()?.export_policy().into())
    }

    /// Sets how exports are anonymised by default (never in clear for name, mobile, e-mail).
    #[napi]
    pub fn set_export_policy(&self, policy: MaskPolicy) -> napi::Result<(), Code> {
        let p = policy.to_core()?;
        self.write()?
            .change(|d| d.set_export_policy(p.clone()))
            .map_err(to_js)
    }

    /// Sets (or clears, with `null`) the partner's secret for keyed pseudonyms in exports (at
    /// least 16 bytes). It is never saved in a snapshot.
    #[napi]
    pub fn set_pseudonym_key(&self, secret: Option<Buffer>) -> napi::Result<(), Code> {
        let key = secret
            .map(|s| PseudonymKey::new(&s).map_err(to_js))
            .transpose()?;
        self.write()?
            .change(|d| {
                d.set_pseudonym_key(key.clone());
                Ok(())
            })
            .map_err(to_js)
    }

    /// The events after sequence number `since` (default: all) as JSON text, for a host that
    /// ships the event log; `Desk.replay` applies them to a snapshot.
    #[napi]
    pub fn events_json(&self, since: Option<u32>) -> napi::Result<String, Code> {
        let desk = self.read()?;
        let events = desk.events_since(u64::from(since.unwrap_or(0)));
        serde_json::to_string(events).map_err(|e| to_js(e.into()))
    }

    /// Builds the desk of a snapshot and applies events (JSON text from `eventsJson`) on top:
    /// replaying the events a desk emitted since the snapshot gives that desk again. Each event
    /// is checked first: its link in the hash chain (`EVENT_CHAIN_BROKEN`) and the checks its
    /// command passed (`INVALID_EVENT`), both with the sequence number. `key`: the secret a
    /// log was sealed with (`setEventKey`); the desk keeps it.
    #[napi(factory)]
    pub fn replay(
        snapshot_json: String,
        events_json: String,
        key: Option<Buffer>,
    ) -> napi::Result<Desk, Code> {
        let key = key.map(|k| EventKey::new(&k).map_err(to_js)).transpose()?;
        let events: Vec<Event> = serde_json::from_str(&events_json).map_err(|e| to_js(e.into()))?;
        let desk =
            CoreDesk::replay_with_key(&snapshot_json, events, key.as_ref()).map_err(to_js)?;
        Ok(Desk::wrap(desk))
    }

    /// Sets (or clears, without one) the secret key (at least 16 bytes) the desk seals its
    /// events with (HMAC-SHA256 links) and checks replayed events against. Never saved.
    /// Refused on a durable desk (`INVALID_ARGUMENT` on `key`): `Desk.open` reads the stored
    /// events without a key, so sealed ones would not open again.
    #[napi]
    pub fn set_event_key(&self, key: Option<Buffer>) -> napi::Result<(), Code> {
        let key = key.map(|k| EventKey::new(&k).map_err(to_js)).transpose()?;
        self.write()?.set_event_key(key).map_err(to_js)
    }

    /// The link of the last event: the head of the event chain (empty at the start of one).
    #[napi(getter)]
    pub fn chain_head(&self) -> napi::Result<String, Code> {
        Ok(self.read()?.chain_head().to_owned())
    }
}
