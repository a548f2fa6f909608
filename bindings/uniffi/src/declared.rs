//! The operations declared once for every host (`partnerdesk_host::ops`), as methods of
//! `Desk` (camelCase in Kotlin and Swift), and the package functions declared there (the Huawei
//! interop's and the package's catalogues: `version`, `demoNow`, `errorCodes`,
//! `exportColumns`), as free functions: required arguments first, optional ones last with a
//! `null`/`nil` default.
//!
//! Why here and so short: the declaration and the body of each operation are the shared host
//! layer's; what is uniffi's is the lock (reads share it, changes take it alone) and the
//! error (`PartnerDeskException` with the core's code).

use crate::desk::Desk;
use crate::error::Result;

/// Expands one batch of declared operations into a `#[uniffi::export]` block of `Desk`.
macro_rules! mobile_operations {
    ($( $(#[doc = $doc:literal])* $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        #[partnerdesk_panic_guard::entry_points(fallible_only)]
        #[uniffi::export]
        impl Desk {
            $(
                $(#[doc = $doc])*
                #[allow(clippy::too_many_arguments)]
                #[uniffi::method(default($($($opt = None),*)?))]
                pub fn $name(&self, $($arg: $ty,)* $($($opt: $oty),*)?) -> Result<$ret> {
                    mobile_operations!(@$kind self, $body, $($arg,)* $($($opt,)*)?)
                }
            )*
        }
    };
    (@read $self:ident, $body:path, $($a:ident,)*) => {
        Ok($body(&$self.read(), $($a),*)?)
    };
    (@write $self:ident, $body:path, $($a:ident,)*) => {
        Ok($body(&mut $self.write(), $($a),*)?)
    };
}

partnerdesk_host::analysis_operations!(mobile_operations);
partnerdesk_host::association_operations!(mobile_operations);
partnerdesk_host::authorization_operations!(mobile_operations);
partnerdesk_host::governed_operations!(mobile_operations);
partnerdesk_host::privacy_operations!(mobile_operations);
partnerdesk_host::detail_operations!(mobile_operations);
partnerdesk_host::huawei_operations!(mobile_operations);
partnerdesk_host::customer_operations!(mobile_operations);
partnerdesk_host::operator_operations!(mobile_operations);

/// Expands a batch of declared package functions (the grammar of the desk's operations, with
/// `fn` alone and no desk) into `#[uniffi::export]` free functions. The options group's name is
/// Node's: here its members are trailing arguments with a `null`/`nil` default.
macro_rules! mobile_functions {
    ($( $(#[doc = $doc:literal])* fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        $(
            $(#[doc = $doc])*
            #[partnerdesk_panic_guard::entry_points(fallible_only)]
            #[uniffi::export(default($($($opt = None),*)?))]
            #[allow(clippy::too_many_arguments)]
            pub fn $name($($arg: $ty,)* $($($opt: $oty),*)?) -> Result<$ret> {
                Ok($body($($arg,)* $($($opt,)*)?)?)
            }
        )*
    };
}

partnerdesk_host::huawei_functions!(mobile_functions);
partnerdesk_host::package_functions!(mobile_functions);
