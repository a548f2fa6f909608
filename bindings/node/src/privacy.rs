//! Event replay from JS: events cross as JSON text, like snapshots, so a host ships the event
//! log and replays it onto a snapshot (the privacy, audit and event operations themselves are
//! declared once in `partnerdesk_host::ops::privacy`).

use crate::desk::Desk;
use crate::error::{Code, to_js};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use partnerdesk::Desk as CoreDesk;
use partnerdesk::chain::EventKey;
use partnerdesk::event::Event;

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
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
}
