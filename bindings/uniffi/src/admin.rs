//! The rest of the desk for Kotlin and Swift that is not declared in `partnerdesk_host::ops`:
//! a desk replayed from a snapshot and its events, search ids, the cursor key, and the list of
//! operators. Customers, operators and permission items are set up through the declared
//! operations (`partnerdesk_host::ops::customers`, expanded in `declared.rs`).
//!
//! Why thin: each method parses its strings and calls the core once. Events cross as the
//! core's own JSON text, so no mirror type is written for them.

use crate::desk::{Desk, parse_query};
use crate::error::Result;
use crate::types::{IdPage, SortOrder};
use partnerdesk_host::HostInstant;
use std::sync::Arc;

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// A desk rebuilt from a snapshot and the events recorded since (`eventsJson` text), each
    /// checked (`EVENT_CHAIN_BROKEN`, `INVALID_EVENT`); `key` for a log sealed with one.
    #[uniffi::constructor(default(key = None))]
    pub fn replay(
        snapshot_json: String,
        events_json: String,
        key: Option<Vec<u8>>,
    ) -> Result<Arc<Self>> {
        let key = key
            .map(|k| partnerdesk::chain::EventKey::new(&k))
            .transpose()?;
        let events: Vec<partnerdesk::event::Event> = partnerdesk_host::from_json(&events_json)?;
        Ok(Self::wrap(partnerdesk::Desk::replay_with_key(
            &snapshot_json,
            events,
            key.as_ref(),
        )?))
    }

    /// The ids of one page of a search (no rows built).
    #[uniffi::method(default(now = None, include_disassociated = false))]
    pub fn search_ids(
        &self,
        filter: String,
        sort: SortOrder,
        page: crate::types::PageRequest,
        now: Option<HostInstant>,
        include_disassociated: bool,
    ) -> Result<IdPage> {
        let (now, query) = (
            partnerdesk_host::at(now),
            parse_query(&filter, include_disassociated)?,
        );
        let p = self
            .read()
            .search_ids(&query, sort.into(), &page.into(), now)?;
        Ok(p.into())
    }

    /// The id of every customer matching the filter, in sort order, without paging (for batch
    /// work over a whole selection).
    #[uniffi::method(default(now = None, include_disassociated = false))]
    pub fn select_ids(
        &self,
        filter: String,
        sort: SortOrder,
        now: Option<HostInstant>,
        include_disassociated: bool,
    ) -> Result<Vec<String>> {
        let (now, query) = (
            partnerdesk_host::at(now),
            parse_query(&filter, include_disassociated)?,
        );
        let ids = self.read().select_ids(&query, sort.into(), now);
        Ok(ids.iter().map(|i| i.as_str().to_owned()).collect())
    }

    /// Signs search cursors with a key derived from `secret` (at least 16 bytes): desks given
    /// the same secret accept each other's cursors; earlier cursors are refused from now on.
    pub fn set_cursor_key(&self, secret: Vec<u8>) -> Result<()> {
        self.change(|d| partnerdesk_host::set_cursor_key(d, &secret))
    }
}
