//! The rest of the desk for JS: the cursor key and the operators listed (customers removed, the
//! periodic tick, events applied and the demo's instant are declared once for every host).
//!
//! Why thin: each method parses its arguments and calls the core once. Events cross as their
//! snapshot-form JSON text, as `eventsJson` gives them.

use crate::desk::Desk;
use crate::error::{Code, to_js};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Signs search cursors with a key derived from `secret` (at least 16 bytes): desks given
    /// the same secret accept each other's cursors; earlier cursors are refused from now on.
    #[napi]
    pub fn set_cursor_key(&self, secret: Buffer) -> napi::Result<(), Code> {
        self.write()?
            .change(|d| partnerdesk_host::set_cursor_key(d, &secret))
            .map_err(to_js)
    }
}
