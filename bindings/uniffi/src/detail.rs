//! A customer's detail pages for Kotlin and Swift: its orders, its resources, its spend details
//! for a month, the portfolio's renewal page, and the export of one of those lists to a path or
//! to bytes.
//!
//! Why so little here: the records (`OrderLine`, `ResourceLine`, `SpendDetail`, their pages and
//! `DetailArgs`) and the bodies of the reads (parse the options, call the core, convert the
//! page) are declared once for every host in `partnerdesk_host::detail`. This module takes the
//! desk's read lock, names the actor and `now` the uniffi way, pages with the [`PageRequest`]
//! of `search`, and runs an export as one change under the write lock
//! ([`partnerdesk_host::HostDesk::change_once`]), so that a durable desk commits its job before
//! the call returns. Options are their stable text (`unpaid`, `newest_first`,
//! `charging_mode`): a typo is `INVALID_ARGUMENT` naming the option, as in every host.

use crate::desk::Desk;
use crate::error::Result;
use partnerdesk_host::records::ExportJob as HostJob;

use partnerdesk::Invocation;
use partnerdesk::export::DetailExportRequest;
use partnerdesk_host::detail::{self as shared, DetailArgs};
use partnerdesk_host::export as host;
use partnerdesk_host::{Actor, HostInstant};
use std::io::Write;
use std::ops::ControlFlow;

/// How to write a detail export: the format, the byte-order mark, the file name offered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DetailExportOptions {
    /// `csv` or `xlsx`.
    #[uniffi(default = "csv")]
    pub format: String,
    /// Start a CSV with a UTF-8 byte-order mark (for Excel); refused for XLSX.
    #[uniffi(default = false)]
    pub bom: bool,
    /// The file name recorded in the history (`<list>-<id>.<ext>` when `null`).
    #[uniffi(default = None)]
    pub file_name: Option<String>,
}

impl Desk {
    /// Runs a detail export into `out`: one change that runs once, under the write lock (the
    /// core writes the rows and records the job in the same call).
    fn export_detail_into(
        &self,
        inv: &Invocation,
        request: &DetailExportRequest,
        out: &mut (dyn Write + Send),
    ) -> std::result::Result<HostJob, partnerdesk::Error> {
        let job = self.write().change_once(|d| {
            d.export_detail(inv, request, &mut *out, |_| ControlFlow::Continue(()))
        })?;
        Ok((&job).into())
    }
}

/// The invocation and the request of a detail export, parsed.
fn detail_args(
    actor: &Actor,
    list: &DetailArgs,
    options: DetailExportOptions,
    now: Option<HostInstant>,
) -> Result<(Invocation, DetailExportRequest)> {
    let inv = Invocation::new(actor.to_core()?, partnerdesk_host::at(now));
    let request = shared::export_request(list, &options.format, options.bom, options.file_name)?;
    Ok((inv, request))
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// A page of a customer's resources: only the billing `kinds` and `statuses` given (all
    /// when `null`), only those expiring within `expiring_within_days` of `now` when given, in
    /// the order `sort` (`expiry`, soonest first, when `null`; `newest_first`; `kind`).
    #[uniffi::method(default(
        kinds = None,
        statuses = None,
        expiring_within_days = None,
        sort = None,
        now = None
    ))]
    /// Exports one of a customer's detail lists (`list`: `orders`, `resources` or `spend`,
    /// with its options) as CSV or XLSX to a file at `path`, read at `now`. Needs the item that
    /// shows the list (not the administrator). The file is written beside `path` and renamed
    /// over it only on success. Returns the recorded job (selection `detail`;
    /// `downloadExport` writes it again); on a durable desk it is committed before this
    /// returns. A refused request (`PERMISSION_DENIED`, `INVALID_ARGUMENT` naming the option,
    /// ...) is audited and records no job.
    #[uniffi::method(default(now = None))]
    pub fn export_detail_to_file(
        &self,
        actor: Actor,
        list: DetailArgs,
        path: String,
        options: DetailExportOptions,
        now: Option<HostInstant>,
    ) -> Result<HostJob> {
        let (inv, request) = detail_args(&actor, &list, options, now)?;
        let path = std::path::PathBuf::from(path);
        Ok(host::to_path(&path, |out| {
            self.export_detail_into(&inv, &request, out)
        })?)
    }

    /// Like `exportDetailToFile`, to bytes in memory; the job is recorded the same way (read
    /// it in `exports()`).
    #[uniffi::method(default(now = None))]
    pub fn export_detail_to_buffer(
        &self,
        actor: Actor,
        list: DetailArgs,
        options: DetailExportOptions,
        now: Option<HostInstant>,
    ) -> Result<Vec<u8>> {
        let (inv, request) = detail_args(&actor, &list, options, now)?;
        let mut bytes = Vec::new();
        self.export_detail_into(&inv, &request, &mut bytes)?;
        Ok(bytes)
    }
}
