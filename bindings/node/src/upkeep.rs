//! The rest of the desk for JS: the cursor key and the operators listed (customers removed, the
//! periodic tick, events applied and the demo's instant are declared once for every host).
//!
//! Why thin: each method parses its arguments and calls the core once. Events cross as their
//! snapshot-form JSON text, as `eventsJson` gives them.

use crate::desk::Desk;
use crate::error::{Code, to_js};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

/// An operator of the partner (the display name is personal data and is not shown).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct OperatorInfo {
    /// Login.
    pub id: String,
    /// `administrator` or `operator`.
    pub role: String,
    /// Whether the operator can be assigned as an account manager.
    pub account_manager: bool,
    /// Permission items held, as Huawei codes (`BPC_ITEM_SUBCUSTSERV_010115`), sorted.
    pub permissions: Vec<String>,
}

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

    /// The partner's operators, by login.
    #[napi]
    pub fn operators(&self) -> napi::Result<Vec<OperatorInfo>, Code> {
        Ok(self
            .read()?
            .operators()
            .map(|o| OperatorInfo {
                id: o.id.as_str().to_owned(),
                role: o.role.as_str().to_owned(),
                account_manager: o.account_manager,
                permissions: o
                    .permissions
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
            })
            .collect())
    }
}
