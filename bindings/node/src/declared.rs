//! The operations declared once for every host (`partnerdesk_host::ops`), as methods of
//! `Desk` (camelCase): required arguments positional, optional ones in one options object
//! per method (`desk.mayActOnBehalf(id, 'place_orders', { now })`).
//!
//! Why here and so short: the declaration and the body of each operation are the shared host
//! layer's; what is Node's is the lock discipline (a call that finds the desk held by a worker
//! thread throws `DESK_BUSY`), the checked arguments (a wrong JS value is `INVALID_ARGUMENT`
//! naming it) and the errors (`to_js`).

use crate::desk::Desk;
use crate::error::{Code, to_js};
use napi_derive::napi;

/// Expands one batch of declared operations into a `#[napi]` block of `Desk` and the options
/// objects of its methods.
macro_rules! node_operations {
    ($( $(#[doc = $doc:literal])* $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        $($(
            #[doc = " The optional arguments of the `Desk` method that takes it."]
            #[partnerdesk_panic_guard::ts_fields]
            #[napi(object)]
            #[derive(Debug, Clone, Default)]
            pub struct $opts {
                $( $(#[doc = $odoc])* pub $opt: $oty, )*
            }
        )?)*

        #[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
        #[napi]
        impl Desk {
            $(
                $(#[doc = $doc])*
                #[napi]
                pub fn $name(&self, $($arg: $ty,)* $(options: Option<$opts>)?) -> napi::Result<$ret, Code> {
                    $(let $opts { $($opt),* } = options.unwrap_or_default();)?
                    node_operations!(@$kind self, $body, $($arg,)* $($($opt,)*)?)
                }
            )*
        }
    };
    (@read $self:ident, $body:path, $($a:ident,)*) => {
        $body(&*$self.read()?, $($a),*).map_err(to_js)
    };
    (@write $self:ident, $body:path, $($a:ident,)*) => {
        $body(&mut *$self.write()?, $($a),*).map_err(to_js)
    };
}

partnerdesk_host::analysis_operations!(node_operations);
partnerdesk_host::association_operations!(node_operations);
partnerdesk_host::authorization_operations!(node_operations);
partnerdesk_host::governed_operations!(node_operations);
partnerdesk_host::privacy_operations!(node_operations);
partnerdesk_host::detail_operations!(node_operations);
