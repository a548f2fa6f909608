//! A customer's detail pages for every host, declared once: the records (an order, a resource,
//! a spend line and their pages) and the host-neutral bodies of the operations (parse the
//! arguments, call the core, convert the page).
//!
//! Why here: the three bindings would otherwise each mirror four list types and parse the same
//! options (ADR 0006). A binding only takes its lock, names the actor and `now` its way, and
//! maps the error. Options travel as their stable text (`unpaid`, `newest_first`,
//! `charging_mode`, ...: the core's `as_str`/`parse`), so a typo is `INVALID_ARGUMENT` naming
//! the option in every host alike.

use crate::ops::ActorArg;
use crate::records::{Money, count32};
use crate::{HostDesk, HostInstant, at, invalid};

use partnerdesk::detail::{DetailList, OrderScope, ResourceFilter, ResourceSort, SpendGroup};
use partnerdesk::query::PageRequest;
use partnerdesk::{CustomerId, Error, ResourceKind, ResourceStatus, YearMonth};

/// One order of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct OrderLine {
    /// Order id.
    pub id: String,
    /// Status (`pending_payment`, `paid`, `cancelled`, ... or a newer one, verbatim).
    pub status: String,
    /// Type (`new`, `renewal`, `change`, ... or a newer one, verbatim).
    pub kind: String,
    /// Amount after discounts.
    pub amount: Money,
    /// When it was created.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub created_at: HostInstant,
    /// When it was paid, if paid.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub paid_at: Option<HostInstant>,
    /// The operator who placed it on the customer's behalf, if any.
    pub placed_by: Option<String>,
}

impl From<partnerdesk::Order> for OrderLine {
    fn from(o: partnerdesk::Order) -> Self {
        OrderLine {
            id: o.id.as_str().to_owned(),
            status: o.status.as_str().to_owned(),
            kind: o.kind.as_str().to_owned(),
            amount: o.amount.into(),
            created_at: HostInstant(o.created_at),
            paid_at: o.paid_at.map(HostInstant),
            placed_by: o.placed_by.map(|p| p.as_str().to_owned()),
        }
    }
}

/// One resource of a customer (also a line of the portfolio's renewal page).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct ResourceLine {
    /// The customer that owns it.
    pub customer_id: String,
    /// Resource id.
    pub id: String,
    /// Billing kind (`yearly_monthly`, `pay_per_use`, `reserved_instance`, `savings_plan`).
    pub kind: String,
    /// Cloud service code (`ecs`, `rds`, ...).
    pub service: String,
    /// Region.
    pub region: String,
    /// The resource's name in the customer's console.
    pub name: String,
    /// Status (`active`, `grace_period`, `frozen`, `released`, ... verbatim).
    pub status: String,
    /// When it started.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub starts_at: HostInstant,
    /// When it expires (pay-per-use resources do not).
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub expires_at: Option<HostInstant>,
    /// What happens at expiry (`renew_automatically`, `release`, ...).
    pub expiry_policy: String,
}

impl ResourceLine {
    fn of(customer: &CustomerId, r: &partnerdesk::Resource) -> Self {
        ResourceLine {
            customer_id: customer.as_str().to_owned(),
            id: r.id.as_str().to_owned(),
            kind: r.kind.as_str().to_owned(),
            service: r.service.to_string(),
            region: r.region.to_string(),
            name: r.name.clone(),
            status: r.status.as_str().to_owned(),
            starts_at: HostInstant(r.starts_at),
            expires_at: r.expires_at.map(HostInstant),
            expiry_policy: r.expiry_policy.as_str().to_owned(),
        }
    }
}

/// One line of a customer's spend details; what the grouping does not keep is absent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct SpendDetail {
    /// The billing day, `YYYY-MM-DD` (grouping by record or by day).
    pub day: Option<String>,
    /// The product or cloud service code (grouping by record or by product).
    pub product: Option<String>,
    /// The charging mode (grouping by record or by charging mode).
    pub mode: Option<String>,
    /// The line's spend (refunds are negative).
    pub amount: Money,
    /// How many spend records the line sums.
    pub records: u32,
}

impl From<partnerdesk::detail::SpendLine> for SpendDetail {
    fn from(l: partnerdesk::detail::SpendLine) -> Self {
        SpendDetail {
            day: l.day.map(|d| d.format("%Y-%m-%d").to_string()),
            product: l.product,
            mode: l.mode.map(|m| m.as_str().to_owned()),
            amount: l.amount.into(),
            records: count32(l.records),
        }
    }
}

/// Declares a page record of detail lines. The doc is a plain string literal: a `///` comment
/// passed through a macro reaches napi as a raw string (`r"..."`), which it copies into
/// `index.d.ts` verbatim.
macro_rules! page_of {
    ($doc:literal, $name:ident, $line:ty) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[partnerdesk_panic_guard::host_record(python(eq, hash))]
        pub struct $name {
            /// The lines of this page.
            pub items: Vec<$line>,
            /// How many lines the list has in all.
            pub total: u32,
            /// The cursor of the next page (absent on the last page).
            pub next_cursor: Option<String>,
        }

        impl $name {
            fn of<T>(page: partnerdesk::ListPage<T>, line: impl FnMut(T) -> $line) -> Self {
                $name {
                    items: page.items.into_iter().map(line).collect(),
                    total: count32(page.total),
                    next_cursor: page.next_cursor,
                }
            }
        }
    };
}

page_of!("One page of a customer's orders.", OrderPage, OrderLine);
page_of!(
    "One page of resources (a customer's, or the portfolio's to renew).",
    ResourcePage,
    ResourceLine
);
page_of!(
    "One page of a customer's spend details.",
    SpendPage,
    SpendDetail
);

/// Which detail list, with its options, as a host passes it (to read a list or export one).
/// Options that do not apply to the list are ignored; absent ones take their defaults (in
/// Kotlin and Swift they may be left out: `DetailArgs(list = "orders", customerId = id)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[partnerdesk_panic_guard::host_record]
pub struct DetailArgs {
    /// `orders`, `resources` or `spend`.
    pub list: String,
    /// The customer.
    pub customer_id: String,
    /// Orders: `all` (default) or `unpaid`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub scope: Option<String>,
    /// Resources: billing kinds to keep (none: all).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kinds: Option<Vec<String>>,
    /// Resources: statuses to keep (none: all).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub statuses: Option<Vec<String>>,
    /// Resources: only those expiring within this many days of `now`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expiring_within_days: Option<u32>,
    /// Resources: `expiry` (default), `newest_first` or `kind`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sort: Option<String>,
    /// Spend: the billing month, `YYYY-MM` (required for spend).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub month: Option<String>,
    /// Spend: `record` (default), `product`, `day` or `charging_mode`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub group: Option<String>,
}

fn known<T>(
    field: &str,
    texts: Option<&[String]>,
    parse: fn(&str) -> Option<T>,
) -> Result<Vec<T>, Error> {
    texts
        .unwrap_or_default()
        .iter()
        .map(|t| parse(t).ok_or_else(|| invalid(field, "not a known value")))
        .collect()
}

impl DetailArgs {
    /// The core's list for these arguments (`INVALID_ARGUMENT` naming the bad option,
    /// `INVALID_ID` for the customer id).
    pub fn to_list(&self) -> Result<DetailList, Error> {
        let customer = CustomerId::new(self.customer_id.as_str())?;
        Ok(match self.list.as_str() {
            "orders" => DetailList::Orders {
                customer,
                scope: self.scope()?,
            },
            "resources" => DetailList::Resources {
                customer,
                filter: self.filter()?,
                sort: self.sort()?,
            },
            "spend" => DetailList::Spend {
                customer,
                month: self.month()?,
                group: self.group()?,
            },
            _ => return Err(invalid("list", "expected one of: orders resources spend")),
        })
    }

    fn scope(&self) -> Result<OrderScope, Error> {
        self.scope
            .as_deref()
            .map_or(Ok(OrderScope::All), OrderScope::parse)
    }

    fn filter(&self) -> Result<ResourceFilter, Error> {
        let mut f = ResourceFilter::default();
        for k in known("kinds", self.kinds.as_deref(), ResourceKind::parse_known)? {
            f = f.kind(k);
        }
        for s in known(
            "statuses",
            self.statuses.as_deref(),
            ResourceStatus::parse_known,
        )? {
            f = f.status(s);
        }
        if let Some(days) = self.expiring_within_days {
            f = f.expiring_within(days);
        }
        Ok(f)
    }

    fn sort(&self) -> Result<ResourceSort, Error> {
        self.sort
            .as_deref()
            .map_or(Ok(ResourceSort::Expiry), ResourceSort::parse)
    }

    fn month(&self) -> Result<YearMonth, Error> {
        self.month
            .as_deref()
            .ok_or_else(|| invalid("month", "a spend list needs its month, YYYY-MM"))?
            .parse()
    }

    fn group(&self) -> Result<SpendGroup, Error> {
        self.group
            .as_deref()
            .map_or(Ok(SpendGroup::Record), SpendGroup::parse)
    }
}

/// A detail export's request from a host's arguments: the list, `format` `csv` or `xlsx`
/// (`INVALID_ARGUMENT` otherwise, and for a byte-order mark on XLSX), the offered file name.
/// The export itself is [`Desk::export_detail`](partnerdesk::Desk::export_detail), run as a change that runs once
/// ([`crate::HostDesk::change_once`]): its job is recorded and, on a durable desk, committed.
pub fn export_request(
    args: &DetailArgs,
    format: &str,
    bom: bool,
    file_name: Option<String>,
) -> Result<partnerdesk::export::DetailExportRequest, Error> {
    use partnerdesk::export::DetailExportRequest;
    let list = args.to_list()?;
    let request = match format {
        "csv" => DetailExportRequest::csv(list).with_bom(bom),
        "xlsx" if !bom => DetailExportRequest::xlsx(list),
        "xlsx" => return Err(invalid("bom", "only CSV exports have a byte-order mark")),
        _ => return Err(invalid("format", "expected csv or xlsx")),
    };
    Ok(match file_name {
        Some(name) => request.named(name),
        None => request,
    })
}

/// The page a host asks for: `cursor` continues a previous page, `offset` skips lines (not
/// both), `limit` 1 to 1000 (default 20).
pub fn page_request(
    limit: Option<u32>,
    offset: Option<u32>,
    cursor: Option<String>,
) -> Result<PageRequest, Error> {
    let limit = limit.unwrap_or(20);
    match (offset, cursor) {
        (Some(_), Some(_)) => Err(invalid("offset", "give either offset or cursor, not both")),
        (Some(offset), None) => Ok(PageRequest::offset(offset as usize, limit)),
        (None, cursor) => Ok(PageRequest::Cursor { cursor, limit }),
    }
}

/// A page of a customer's orders (`scope`: `all` or `unpaid`): [`Desk::customer_orders`](partnerdesk::Desk::customer_orders).
pub fn customer_orders(
    desk: &HostDesk,
    actor: ActorArg,
    customer: String,
    scope: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
    cursor: Option<String>,
) -> Result<OrderPage, Error> {
    let (actor, page) = (actor.to_core()?, page_request(limit, offset, cursor)?);
    let customer = CustomerId::new(customer)?;
    let scope = scope
        .as_deref()
        .map_or(Ok(OrderScope::All), OrderScope::parse)?;
    let p = desk.customer_orders(&actor, &customer, scope, &page)?;
    Ok(OrderPage::of(p, OrderLine::from))
}

/// A page of a customer's resources at `now`, filtered and sorted: [`Desk::customer_resources`](partnerdesk::Desk::customer_resources).
#[allow(clippy::too_many_arguments)]
pub fn customer_resources(
    desk: &HostDesk,
    actor: ActorArg,
    customer: String,
    kinds: Option<Vec<String>>,
    statuses: Option<Vec<String>>,
    expiring_within_days: Option<i64>,
    sort: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
    cursor: Option<String>,
    now: Option<HostInstant>,
) -> Result<ResourcePage, Error> {
    let (actor, page) = (actor.to_core()?, page_request(limit, offset, cursor)?);
    let expiring_within_days = expiring_within_days
        .map(|n| crate::ops::days("expiring_within_days", n))
        .transpose()?;
    let args = DetailArgs {
        list: "resources".to_owned(),
        customer_id: customer,
        kinds,
        statuses,
        expiring_within_days,
        sort,
        ..DetailArgs::default()
    };
    let customer = CustomerId::new(args.customer_id.as_str())?;
    let (filter, sort) = (args.filter()?, args.sort()?);
    let p = desk.customer_resources(&actor, &customer, &filter, sort, &page, at(now))?;
    Ok(ResourcePage::of(p, |r| ResourceLine::of(&customer, &r)))
}

/// A page of a customer's spend details for a month (`YYYY-MM`): [`Desk::spend_details`](partnerdesk::Desk::spend_details).
#[allow(clippy::too_many_arguments)]
pub fn spend_details(
    desk: &HostDesk,
    actor: ActorArg,
    customer: String,
    month: String,
    group: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
    cursor: Option<String>,
) -> Result<SpendPage, Error> {
    let (actor, page) = (actor.to_core()?, page_request(limit, offset, cursor)?);
    let customer = CustomerId::new(customer)?;
    let month: YearMonth = month.parse()?;
    let group = group
        .as_deref()
        .map_or(Ok(SpendGroup::Record), SpendGroup::parse)?;
    let p = desk.spend_details(&actor, &customer, month, group, &page)?;
    Ok(SpendPage::of(p, SpendDetail::from))
}

/// A page of the portfolio's resources to renew within `days` of `now`, soonest first:
/// [`Desk::renewals_page`](partnerdesk::Desk::renewals_page).
pub fn renewals_page(
    desk: &HostDesk,
    actor: ActorArg,
    days: i64,
    limit: Option<u32>,
    offset: Option<u32>,
    cursor: Option<String>,
    now: Option<HostInstant>,
) -> Result<ResourcePage, Error> {
    let (actor, page) = (actor.to_core()?, page_request(limit, offset, cursor)?);
    let days = crate::ops::days("days", days)?;
    let p = desk.renewals_page(&actor, days, &page, at(now))?;
    Ok(ResourcePage::of(p, |i| {
        ResourceLine::of(i.customer, &i.resource)
    }))
}

/// The detail pages, declared once (see [the grammar](crate::ops)).
#[macro_export]
macro_rules! detail_operations {
    ($expand:ident) => {
        $expand! {
            #[doc = " A page of a customer's orders, newest first: all of them, or (`scope = \"unpaid\"`)"]
            #[doc = " those pending payment. Needs the permission item that shows the customer; the total"]
            #[doc = " equals `order_overview`'s count. `INVALID_ARGUMENT` naming a bad option."]
            read fn customer_orders(actor: $crate::ops::ActorArg, customer: String)
                [OrderListOptions {
                    #[doc = " `all` (default) or `unpaid`."] scope: Option<String>,
                    #[doc = " Lines per page, 1..=1000 (default 20)."] limit: Option<u32>,
                    #[doc = " Lines to skip (offset paging). Not together with `cursor`."] offset: Option<u32>,
                    #[doc = " The previous page's next cursor (cursor paging). Not together with `offset`."] cursor: Option<String>
                }]
                -> $crate::detail::OrderPage => $crate::detail::customer_orders;
            #[doc = " A page of a customer's resources at `now`: of the billing `kinds` and `statuses` given"]
            #[doc = " (none: all), expiring within `expiring_within_days` of `now`, sorted by `sort`"]
            #[doc = " (`expiry`, default; `newest_first`; `kind`)."]
            read fn customer_resources(actor: $crate::ops::ActorArg, customer: String)
                [ResourceListOptions {
                    #[doc = " Billing kinds to keep (`yearly_monthly`, `pay_per_use`, `reserved_instance`, `savings_plan`; default: all)."] kinds: Option<Vec<String>>,
                    #[doc = " Statuses to keep (`active`, `grace_period`, `frozen`, `released`, ...; default: all)."] statuses: Option<Vec<String>>,
                    #[doc = " Only resources expiring within this many days of `now`."] expiring_within_days: Option<i64>,
                    #[doc = " `expiry` (default: soonest first), `newest_first` or `kind`."] sort: Option<String>,
                    #[doc = " Lines per page, 1..=1000 (default 20)."] limit: Option<u32>,
                    #[doc = " Lines to skip (offset paging). Not together with `cursor`."] offset: Option<u32>,
                    #[doc = " The previous page's next cursor (cursor paging). Not together with `offset`."] cursor: Option<String>,
                    #[doc = " The moment expiry windows are counted from (default: the current time)."] now: Option<$crate::HostInstant>
                }]
                -> $crate::detail::ResourcePage => $crate::detail::customer_resources;
            #[doc = " A page of a customer's spend details for a billing month (`YYYY-MM`; `INVALID_DATE`"]
            #[doc = " otherwise): each spend record, or summed by `product`, `day` or `charging_mode`."]
            #[doc = " Needs the spend-viewing permission."]
            read fn spend_details(actor: $crate::ops::ActorArg, customer: String, month: String)
                [SpendListOptions {
                    #[doc = " `record` (default: each spend record), `product`, `day` or `charging_mode`."] group: Option<String>,
                    #[doc = " Lines per page, 1..=1000 (default 20)."] limit: Option<u32>,
                    #[doc = " Lines to skip (offset paging). Not together with `cursor`."] offset: Option<u32>,
                    #[doc = " The previous page's next cursor (cursor paging). Not together with `offset`."] cursor: Option<String>
                }]
                -> $crate::detail::SpendPage => $crate::detail::spend_details;
            #[doc = " A page of the portfolio's resources to renew within `days` days of `now`, soonest"]
            #[doc = " first (the paged form of `resources_to_renew` over every customer)."]
            read fn renewals_page(actor: $crate::ops::ActorArg, days: i64)
                [RenewalsPageOptions {
                    #[doc = " Lines per page, 1..=1000 (default 20)."] limit: Option<u32>,
                    #[doc = " Lines to skip (offset paging). Not together with `cursor`."] offset: Option<u32>,
                    #[doc = " The previous page's next cursor (cursor paging). Not together with `offset`."] cursor: Option<String>,
                    #[doc = " The moment the window starts (default: the current time)."] now: Option<$crate::HostInstant>
                }]
                -> $crate::detail::ResourcePage => $crate::detail::renewals_page;
        }
    };
}
