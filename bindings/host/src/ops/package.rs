//! The package's catalogues, declared once for every host as module functions (see [the
//! grammar](super)): its version, the demo's instant, the core's error codes and the export
//! columns.
//!
//! Why declared, small as they are: each host had its own copy, and a catalogue is what a
//! host's own tests and tools check against (the error tables, the parity list).

use crate::HostInstant;
use crate::records::texts;
use partnerdesk::Error;

/// The library's version (every crate and binding shares it).
pub fn version() -> Result<String, Error> {
    Ok(env!("CARGO_PKG_VERSION").to_owned())
}

/// The instant the demo portfolio is built for.
pub fn demo_now() -> Result<HostInstant, Error> {
    Ok(HostInstant(partnerdesk::demo::demo_now()))
}

/// Every stable error code of the core, in its table's order.
pub fn error_codes() -> Result<Vec<String>, Error> {
    Ok(texts(Error::CODES))
}

/// Every export column key, in the default order.
pub fn export_columns() -> Result<Vec<String>, Error> {
    Ok(texts(
        partnerdesk::export::ExportColumn::ALL
            .iter()
            .map(|c| c.as_str()),
    ))
}

/// The package's catalogue functions, for a binding's function expander.
#[macro_export]
macro_rules! package_functions {
    ($expander:ident) => {
        $expander! {
            #[doc = " The library's version (every crate and binding shares it)."]
            fn version() -> String => $crate::ops::package::version;

            #[doc = " The instant the demo portfolio is built for (pass it as `now` to see the demo's data as"]
            #[doc = " of that moment)."]
            fn demo_now() -> $crate::HostInstant => $crate::ops::package::demo_now;

            #[doc = " Every stable error code of the core, in its table's order (the Huawei adapter's are"]
            #[doc = " `huawei_error_codes`)."]
            fn error_codes() -> Vec<String> => $crate::ops::package::error_codes;

            #[doc = " Every export column key, in the default order."]
            fn export_columns() -> Vec<String> => $crate::ops::package::export_columns;
        }
    };
}
