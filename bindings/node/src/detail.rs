//! A customer's detail pages from JS: its orders, its resources, its spend details for a
//! month, the portfolio's renewal page, and the export of one of those lists.
//!
//! Why so little here: the records (`OrderLine`, `ResourceLine`, `SpendDetail` and their
//! pages, `DetailArgs`) and the bodies of the reads (parse the options, call the core, convert
//! the page) are declared once for every host in `partnerdesk_host::detail`. This module only
//! takes the desk's read lock, names the actor and `now` the Node way, pages like `search`
//! (`limit`, `offset` or `cursor`), and runs the export on a worker thread like `exportToFile`
//! (`crate::export`). Options are their stable text (`unpaid`, `newest_first`, `charging_mode`):
//! a typo is `INVALID_ARGUMENT` naming the option, as in every host.

use crate::desk::{Desk, ProgressFn};
use crate::error::{Code, to_js};
use crate::export::{CancelToken, ExportFileFormat, ExportTask};
use crate::ops::{ActorArg, ToCoreActor};
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use partnerdesk::export::DetailExportRequest;
use partnerdesk::query::PageRequest;
pub use partnerdesk_host::detail::{
    DetailArgs, OrderLine, OrderPage, ResourceLine, ResourcePage, SpendDetail, SpendPage,
};
use std::path::PathBuf;

/// Paging of a detail list (as in `search`), and the moment a list that depends on time is
/// read at.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DetailPageOptions {
    /// Lines per page, 1..=1000 (default 20).
    pub limit: Option<u32>,
    /// Lines to skip (offset paging). Not together with `cursor`.
    pub offset: Option<u32>,
    /// The previous page's `nextCursor` (cursor paging). Not together with `offset`.
    pub cursor: Option<String>,
    /// The moment the list is read at, for resources and renewals (default: the wall clock).
    pub now: Option<DateTime<Utc>>,
}

/// Options of `customerOrders`: which orders, and paging.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct OrderListOptions {
    /// `all` (default) or `unpaid`.
    pub scope: Option<String>,
    /// Lines per page, 1..=1000 (default 20).
    pub limit: Option<u32>,
    /// Lines to skip (offset paging). Not together with `cursor`.
    pub offset: Option<u32>,
    /// The previous page's `nextCursor` (cursor paging). Not together with `offset`.
    pub cursor: Option<String>,
}

/// Options of `customerResources`: a filter, an order, paging and `now`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ResourceListOptions {
    /// Billing kinds to keep (`yearly_monthly`, `pay_per_use`, `reserved_instance`,
    /// `savings_plan`; default: all).
    pub kinds: Option<Vec<String>>,
    /// Statuses to keep (`active`, `grace_period`, `frozen`, `released`, ...; default: all).
    pub statuses: Option<Vec<String>>,
    /// Only resources expiring within this many days of `now`.
    pub expiring_within_days: Option<u32>,
    /// `expiry` (default: soonest first), `newest_first` or `kind`.
    pub sort: Option<String>,
    /// Lines per page, 1..=1000 (default 20).
    pub limit: Option<u32>,
    /// Lines to skip (offset paging). Not together with `cursor`.
    pub offset: Option<u32>,
    /// The previous page's `nextCursor` (cursor paging). Not together with `offset`.
    pub cursor: Option<String>,
    /// The moment expiry windows are counted from (default: the wall clock).
    pub now: Option<DateTime<Utc>>,
}

/// Options of `spendDetails`: the grouping and paging.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SpendListOptions {
    /// `record` (default: each spend record), `product`, `day` or `charging_mode`.
    pub group: Option<String>,
    /// Lines per page, 1..=1000 (default 20).
    pub limit: Option<u32>,
    /// Lines to skip (offset paging). Not together with `cursor`.
    pub offset: Option<u32>,
    /// The previous page's `nextCursor` (cursor paging). Not together with `offset`.
    pub cursor: Option<String>,
}

/// How to export a detail list: format, file name, the moment it is read at; progress and
/// cancellation (as `ExportOptions`).
#[napi(object, object_to_js = false)]
pub struct DetailExportOptions {
    /// `csv` (default) or `xlsx`.
    pub format: Option<ExportFileFormat>,
    /// CSV: start with a UTF-8 byte-order mark (for Excel); refused for XLSX.
    pub bom: Option<bool>,
    /// The file name recorded in the history (default `<list>-<id>.<ext>`).
    pub file_name: Option<String>,
    /// The export's instant: the list is read then (default: the wall clock).
    pub now: Option<DateTime<Utc>>,
    /// Called with `{ done, total }` lines as the export runs (on the JS thread).
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressFn>,
    /// Cancels the export.
    #[napi(ts_type = "CancelToken")]
    pub cancel: Option<napi::bindgen_prelude::ClassInstance<'static, CancelToken>>,
}

fn page(
    limit: Option<u32>,
    offset: Option<u32>,
    cursor: Option<String>,
) -> napi::Result<PageRequest, Code> {
    partnerdesk_host::detail::page_request(limit, offset, cursor).map_err(to_js)
}

/// The export request and what the worker needs besides: progress, cancel and `now`.
type Prepared = (
    DetailExportRequest,
    Option<ProgressFn>,
    Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    Option<DateTime<Utc>>,
);

fn detail_request(
    list: &DetailArgs,
    options: Option<DetailExportOptions>,
) -> napi::Result<Prepared, Code> {
    let o = options.unwrap_or(DetailExportOptions {
        format: None,
        bom: None,
        file_name: None,
        now: None,
        on_progress: None,
        cancel: None,
    });
    let format = match o.format.unwrap_or(ExportFileFormat::Csv) {
        ExportFileFormat::Csv => "csv",
        ExportFileFormat::Xlsx => "xlsx",
    };
    let request =
        partnerdesk_host::detail::export_request(list, format, o.bom.unwrap_or(false), o.file_name)
            .map_err(to_js)?;
    let cancel = o.cancel.map(|c| c.flag());
    Ok((request, o.on_progress, cancel, o.now))
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// A page of a customer's orders, newest first: all of them, or (`scope: 'unpaid'`) those
    /// pending payment. Needs the order-viewing permission. `INVALID_ARGUMENT` naming the
    /// option for a bad scope or page; `CUSTOMER_NOT_FOUND`, `INVALID_ID`.
    #[napi(ts_args_type = "actor: string | Actor, customerId: string, options?: OrderListOptions")]
    pub fn customer_orders(
        &self,
        actor: ActorArg,
        customer_id: String,
        options: Option<OrderListOptions>,
    ) -> napi::Result<OrderPage, Code> {
        let o = options.unwrap_or_default();
        let (actor, page) = (actor.to_core()?, page(o.limit, o.offset, o.cursor)?);
        partnerdesk_host::detail::customer_orders(
            &**self.read()?,
            &actor,
            &customer_id,
            o.scope.as_deref(),
            &page,
        )
        .map_err(to_js)
    }

    /// A page of a customer's resources: filtered by billing kind, status and expiry window
    /// (counted from `now`), in an order (`expiry`, `newest_first` or `kind`).
    #[napi(
        ts_args_type = "actor: string | Actor, customerId: string, options?: ResourceListOptions"
    )]
    pub fn customer_resources(
        &self,
        actor: ActorArg,
        customer_id: String,
        options: Option<ResourceListOptions>,
    ) -> napi::Result<ResourcePage, Code> {
        let o = options.unwrap_or_default();
        let (actor, page) = (actor.to_core()?, page(o.limit, o.offset, o.cursor)?);
        let args = DetailArgs {
            list: "resources".to_owned(),
            customer_id,
            kinds: o.kinds,
            statuses: o.statuses,
            expiring_within_days: o.expiring_within_days,
            sort: o.sort,
            ..DetailArgs::default()
        };
        let now = partnerdesk_host::now_or_clock(o.now);
        partnerdesk_host::detail::customer_resources(&**self.read()?, &actor, &args, &page, now)
            .map_err(to_js)
    }

    /// A page of a customer's spend details for a billing month (`YYYY-MM`; `INVALID_DATE`
    /// otherwise): each spend record, or summed by `product`, `day` or `charging_mode`. Needs
    /// the spend-viewing permission (`PERMISSION_DENIED` otherwise).
    #[napi(
        ts_args_type = "actor: string | Actor, customerId: string, month: string, options?: SpendListOptions"
    )]
    pub fn spend_details(
        &self,
        actor: ActorArg,
        customer_id: String,
        month: String,
        options: Option<SpendListOptions>,
    ) -> napi::Result<SpendPage, Code> {
        let o = options.unwrap_or_default();
        let (actor, page) = (actor.to_core()?, page(o.limit, o.offset, o.cursor)?);
        partnerdesk_host::detail::spend_details(
            &**self.read()?,
            &actor,
            &customer_id,
            &month,
            o.group.as_deref(),
            &page,
        )
        .map_err(to_js)
    }

    /// A page of the portfolio's resources to renew within `days` days of `now`, soonest first
    /// (the paged form of `resourcesToRenew` over every customer).
    #[napi(ts_args_type = "actor: string | Actor, days: number, options?: DetailPageOptions")]
    pub fn renewals_page(
        &self,
        actor: ActorArg,
        days: u32,
        options: Option<DetailPageOptions>,
    ) -> napi::Result<ResourcePage, Code> {
        let o = options.unwrap_or_default();
        let (actor, page) = (actor.to_core()?, page(o.limit, o.offset, o.cursor)?);
        let now = partnerdesk_host::now_or_clock(o.now);
        partnerdesk_host::detail::renewals_page(&**self.read()?, &actor, days, &page, now)
            .map_err(to_js)
    }

    /// Exports one of a customer's detail lists (`{ list: 'orders' | 'resources' | 'spend',
    /// customerId, ...its options }`) as CSV or XLSX to a file, on a worker thread. Resolves to
    /// the recorded job (selection `detail`; `downloadExport` writes it again); rejects with
    /// `EXPORT_CANCELLED` or `EXPORT_WRITE_FAILED` (the job recorded anyway), or with the code
    /// of a refused request (nothing recorded but the audit). The file is written beside `path`
    /// and renamed over it only on success. On a durable desk the job is committed before the
    /// promise resolves.
    #[napi(
        ts_args_type = "actor: string | Actor, list: DetailArgs, path: string, options?: DetailExportOptions",
        ts_return_type = "Promise<ExportJob>"
    )]
    pub fn export_detail_to_file(
        &self,
        actor: ActorArg,
        list: DetailArgs,
        path: String,
        options: Option<DetailExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let (request, progress, cancel, now) = detail_request(&list, options)?;
        Ok(AsyncTask::new(ExportTask::detail(
            self.inner.clone(),
            actor.to_core()?,
            request,
            Some(PathBuf::from(path)),
            (progress, cancel),
            partnerdesk_host::now_or_clock(now),
        )))
    }

    /// Like `exportDetailToFile`, resolving to the file's bytes. The job is recorded in the
    /// history the same way.
    #[napi(
        ts_args_type = "actor: string | Actor, list: DetailArgs, options?: DetailExportOptions",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn export_detail_to_buffer(
        &self,
        actor: ActorArg,
        list: DetailArgs,
        options: Option<DetailExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let (request, progress, cancel, now) = detail_request(&list, options)?;
        Ok(AsyncTask::new(ExportTask::detail(
            self.inner.clone(),
            actor.to_core()?,
            request,
            None,
            (progress, cancel),
            partnerdesk_host::now_or_clock(now),
        )))
    }
}
