//! The operations declared once for every host (`partnerdesk_host::ops`), as methods of
//! `Desk` (camelCase): required arguments positional, optional ones in one options object
//! per method (`desk.mayActOnBehalf(id, 'place_orders', { now })`); and the package functions
//! declared there (the catalogues and the Huawei interop's), as free functions of the same
//! shape (`huaweiPagePlan(total, { limit })`, `errorCodes()`).
//!
//! Why here and so short: the declaration and the body of each operation are the shared host
//! layer's; what is Node's is the lock discipline (a call that finds the desk held by a worker
//! thread throws `DESK_BUSY`), the checked arguments (a wrong JS value is `INVALID_ARGUMENT`
//! naming it) and the errors (`IntoJs`: a core error or an adapter error, each with its
//! code and details).

use crate::desk::Desk;
use crate::error::{Code, IntoJs};
use napi_derive::napi;

/// The options object of a declared operation or function: its optional arguments, each
/// absent by default.
macro_rules! options_object {
    ($opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* }) => {
        #[doc = " The optional arguments of the method or function that takes it."]
        #[partnerdesk_panic_guard::ts_fields]
        #[napi(object)]
        #[derive(Debug, Clone, Default)]
        pub struct $opts {
            $( $(#[doc = $odoc])* pub $opt: $oty, )*
        }
    };
}

/// Expands one batch of declared operations into a `#[napi]` block of `Desk` and the options
/// objects of its methods.
macro_rules! node_operations {
    ($( $(#[doc = $doc:literal])* $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        $($(options_object!($opts { $( $(#[doc = $odoc])* $opt: $oty ),* });)?)*

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
        $body(&*$self.read()?, $($a),*).map_err(IntoJs::into_js)
    };
    (@write $self:ident, $body:path, $($a:ident,)*) => {
        $body(&mut *$self.write()?, $($a),*).map_err(IntoJs::into_js)
    };
}

/// Expands one batch of declared package functions (the grammar of the desk's operations, with
/// `fn` alone and no desk) into `#[napi]` free functions and the options objects they take as
/// their optional last argument.
macro_rules! node_functions {
    ($( $(#[doc = $doc:literal])* fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        $(
            $(options_object!($opts { $( $(#[doc = $odoc])* $opt: $oty ),* });)?

            $(#[doc = $doc])*
            #[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
            #[napi]
            pub fn $name($($arg: $ty,)* $(options: Option<$opts>)?) -> napi::Result<$ret, Code> {
                $(let $opts { $($opt),* } = options.unwrap_or_default();)?
                $body($($arg,)* $($($opt,)*)?).map_err(IntoJs::into_js)
            }
        )*
    };
}

// The TypeScript name of the host layer's instant (`partnerdesk_host::HostInstant`) where a
// declared function returns one (`demoNow()`): the panic guard names it `Date` in arguments and
// options objects, but napi's generator names a return type it does not know by its Rust name,
// so it gets its JS shape here, as a type alias in `index.d.ts` (the Rust alias itself is not
// used).

/// An instant: a JS `Date` (UTC).
#[napi]
pub type HostInstant = chrono::DateTime<chrono::Utc>;

partnerdesk_host::analysis_operations!(node_operations);
partnerdesk_host::association_operations!(node_operations);
partnerdesk_host::authorization_operations!(node_operations);
partnerdesk_host::governed_operations!(node_operations);
partnerdesk_host::privacy_operations!(node_operations);
partnerdesk_host::detail_operations!(node_operations);
partnerdesk_host::huawei_operations!(node_operations);
partnerdesk_host::huawei_functions!(node_functions);
partnerdesk_host::customer_operations!(node_operations);
partnerdesk_host::operator_operations!(node_operations);
partnerdesk_host::package_functions!(node_functions);
