//! # partnerdesk-huawei
//!
//! Huawei Cloud BSS partner API interop for [`partnerdesk`]: take a partner's data in from
//! Huawei's responses, hand decisions back as Huawei request bodies, and read what Huawei
//! answered, per customer. The core stays free of one vendor's wire codes; this crate
//! translates. It does no I/O: the host sends the requests (with its AK/SK signing) and passes
//! the response text in.
//!
//! ## Overview
//!
//! - [`import`]: `ListSubCustomers` pages of either site (merged), budgets
//!   (`ShowSubCustomerBudget`, `ListSubCustomerBudget`, budget records), resources (pay-per-use
//!   and yearly/monthly), orders (`ListCustomerOrders`) and bills (fee records and monthly sums,
//!   charging modes 1/3/10/11) into a [`partnerdesk::Desk`], with an [`ImportReport`].
//! - [`paging`] and [`listing`]: a paging plan within the API's bounds (limit ≤ 100, offset ≤
//!   40,000,000), and the split of a [`partnerdesk::query::Query`] into the part
//!   `ListSubCustomers` filters and the part applied locally (exact: API part and local part
//!   together select exactly what the query does).
//! - [`request`]: bodies of `FreezeSubCustomers`, `UnfreezeSubCustomers` and
//!   `UpdateSubCustomerBudget`, built from the core's validated commands
//!   ([`partnerdesk::freeze::FreezeRequest`], [`partnerdesk::budget::BudgetSetting`]), and the
//!   customer query body ([`listing::ApiFilter::body`]).
//! - [`response`]: the error envelope and `error_details` partial failures mapped to an outcome
//!   per customer ([`response::RemoteOutcome`]) and to the domain's error codes
//!   ([`ApiErrorKind`]: `CBC.5024` → `WRONG_ASSOCIATION_TYPE`, `CBC.0151` →
//!   `PERMISSION_DENIED`, `CBC.0250` → `THROTTLED` with [`ApiError::retry_after`]); unknown
//!   codes are kept with their text.
//! - [`wire`] and [`Field`]: the JSON bodies field for field, with absent, `null` and `""` kept
//!   apart and amounts parsed exactly.
//! - [`fixtures`]: the fixture responses, embedded, and [`fixtures::desk`] to start a desk from
//!   them.
//!
//! ## Example
//!
//! ```
//! use partnerdesk::{CustomerId, Desk, FreezeScope, Partner, PartnerId, Site, Tier};
//! use partnerdesk::freeze::FreezeRequest;
//! use partnerdesk::query::{Query, Sort, PageRequest};
//! use partnerdesk_huawei::{fixtures, import, listing, request, response};
//! use chrono::{TimeZone, Utc};
//!
//! let now = Utc.with_ymd_and_hms(2025, 3, 20, 9, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
//! let partner = Partner::new(PartnerId::new("p-1")?, "Example Partner", Site::International, Tier::Distributor);
//! let mut desk = Desk::new(partner, now);
//!
//! // 1. Import a listing (all its pages) and search the desk.
//! let opts = import::ImportOptions::at(now);
//! import::import_list_sub_customers(&mut desk, &opts, &[fixtures::LIST_SUB_CUSTOMERS_INTL])?;
//! let page = desk.search(&Query::parse("assoc=reseller and frozen=true")?, Sort::default(), &PageRequest::first(10), now)?;
//! assert_eq!(page.total, 1);
//!
//! // 2. What would the API filter of a query be?
//! let split = listing::split_query(&Query::parse("assoc=reseller and mtd>=100")?);
//! assert_eq!(split.local.to_string(), "mtd>=100");
//!
//! // 3. Build a freeze body from the domain command, and read Huawei's answer.
//! let id = CustomerId::new("06ffbcd46880d3f30f62c001a49be460")?;
//! let cmd = FreezeRequest::new(vec![id.clone()], FreezeScope::AccountAndResources, "Budget overrun pending review")?;
//! let body = request::freeze_json(&cmd, None)?;
//! assert_eq!(body["freeze_type"], "ACCOUNT_AND_RESOURCE");
//! let outcome = response::batch_outcome(cmd.ids(), Some(200), "{}")?;
//! assert_eq!(outcome.succeeded(), 1);
//! # Ok::<(), partnerdesk_huawei::HuaweiError>(())
//! ```
//!
//! ## For bindings
//!
//! Everything a binding exposes is a plain function over JSON text and core values:
//!
//! | function | in | out |
//! | --- | --- | --- |
//! | [`import::import_list_sub_customers`] | desk, [`ImportOptions`], response pages (JSON text) | [`ImportReport`] |
//! | [`import::import_budget`], [`import::import_budgets`], [`import::import_budget_records`] | desk, options, (customer,) pages | [`ImportReport`] |
//! | [`import::import_on_demand_resources`], [`import::import_subscription_resources`] | desk, options, (customer,) pages | [`ImportReport`] |
//! | [`import::import_orders`], [`import::import_fee_records`], [`import::import_monthly_bills`] | desk, (cycle,) pages | [`ImportReport`] |
//! | [`request::freeze_json`], [`request::unfreeze_json`] | `FreezeRequest`, reseller | JSON body |
//! | [`request::budget_json`] | customer, `BudgetSetting`, reseller | JSON body |
//! | [`request::accepted`] | `FreezeRequest`, the domain's `BatchOutcome` | the command for the accepted customers |
//! | [`listing::split_query`] + [`listing::ApiFilter::body`] | query, site, page | `ListSubCustomers` body |
//! | [`paging::PagePlan::covering`] | total, limit | pages |
//! | [`response::batch_outcome`], [`response::single_outcome`] | requested ids, HTTP status, body text | outcome per customer ([`response::RemoteOutcome::to_json`]) |
//! | [`fixtures::desk`], [`fixtures::ALL`] | site, now | a desk from the fixture responses; every fixture text |
//!
//! The bodies were checked against the official SDK models (`huaweicloudsdkbss`,
//! `huaweicloudsdkbssintl` 3.1.x): each request fixture loads into the SDK's request model and
//! serializes back to the same JSON, and every member of the wire structs exists in the SDK
//! model of the same name (except `error_code`/`error_msg` of the freeze responses and
//! `measure_id` of fee-record responses, which come from the API reference).
//!
//! ## Design
//!
//! - **Sans-I/O**, like the core: JSON text in, JSON values out, `now` passed in.
//! - **Absent, `null`, `""` apart** ([`Field`]): a request never says what we did not mean, and
//!   an import never erases what a response did not report.
//! - **Exact money**: JSON numbers go to [`rust_decimal::Decimal`] from their text (serde_json
//!   `arbitrary_precision`), never through a float; `measure_id` scaling is exact.
//! - **Unknown codes are kept**: an unknown association type, status or charging mode becomes the
//!   core's `Other(code)`; an unknown `CBC.*` code keeps its code and text.
//! - **No personal data in errors**: [`HuaweiError`] names fields by JSON path and customers by
//!   id; Huawei's `error_msg` stays out of `Display`.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod codes;
pub mod error;
pub mod field;
pub mod fixtures;
pub mod import;
pub mod listing;
pub mod paging;
pub mod request;
pub mod response;
pub mod wire;

pub use error::{ApiError, ApiErrorKind, HuaweiError, Result};
pub use field::Field;
pub use import::{ImportOptions, ImportReport, ImportWarning};
