//! The detail pages as every host reads them: the same lines as the core's, options by their
//! text, and a typo a typed error naming the option.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use partnerdesk::detail::{DetailList, OrderScope, ResourceFilter, ResourceSort, SpendGroup};
use partnerdesk::query::PageRequest;
use partnerdesk::{Actor, OperatorId, ResourceKind, demo};
use partnerdesk_host::detail::{self, DetailArgs};
use partnerdesk_host::ops::ActorArg;
use partnerdesk_host::{HostDesk, HostInstant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn admin() -> Result<Actor, partnerdesk::Error> {
    Ok(Actor::Operator(OperatorId::new("admin")?))
}

fn login() -> ActorArg {
    ActorArg::Login("admin".into())
}

fn code<T>(r: Result<T, partnerdesk::Error>) -> String {
    r.err().map_or_else(|| "ok".to_owned(), |e| e.to_string())
}

#[test]
fn each_list_reads_what_the_core_reads() -> TestResult {
    let (desk, now) = demo::portfolio(200, 3)?;
    let held = HostDesk::new(desk.clone());
    let admin = admin()?;
    let c = desk
        .customers()
        .find(|c| !c.orders.is_empty() && !c.resources.is_empty() && !c.spend.is_empty())
        .ok_or("a customer with orders, resources and spend")?;
    let first = PageRequest::first(50);
    let id = || c.id.as_str().to_owned();
    let page: (Option<u32>, Option<u32>, Option<&str>) = (Some(50), None, None);

    let orders = detail::customer_orders(
        &held,
        login(),
        id(),
        Some("unpaid".into()),
        page.0,
        page.1,
        page.2.map(str::to_owned),
    )?;
    let core = desk.customer_orders(&admin, &c.id, OrderScope::Unpaid, &first)?;
    assert_eq!(orders.total as usize, core.total);
    let ids: Vec<&str> = core.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        orders
            .items
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        ids
    );

    let resources = detail::customer_resources(
        &held,
        login(),
        id(),
        Some(vec!["yearly_monthly".into()]),
        None,
        None,
        Some("newest_first".into()),
        page.0,
        page.1,
        page.2.map(str::to_owned),
        Some(HostInstant(now)),
    )?;
    let filter = ResourceFilter::default().kind(ResourceKind::YearlyMonthly);
    let core = desk.customer_resources(
        &admin,
        &c.id,
        &filter,
        ResourceSort::NewestFirst,
        &first,
        now,
    )?;
    assert_eq!(
        resources
            .items
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        core.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()
    );
    assert!(
        resources
            .items
            .iter()
            .all(|r| r.kind == "yearly_monthly" && r.customer_id == c.id.as_str())
    );

    let month = desk.partner().billing_offset.month_of(now);
    let spend = detail::spend_details(
        &held,
        login(),
        id(),
        month.to_string(),
        Some("product".into()),
        page.0,
        page.1,
        page.2.map(str::to_owned),
    )?;
    let core = desk.spend_details(&admin, &c.id, month, SpendGroup::Product, &first)?;
    assert_eq!(spend.total as usize, core.total);
    for (h, c) in spend.items.iter().zip(&core.items) {
        assert_eq!(
            (h.product.as_deref(), h.amount.amount.0),
            (c.product.as_deref(), c.amount.amount)
        );
        assert!(h.day.is_none() && h.mode.is_none());
    }

    let renew = detail::renewals_page(
        &held,
        login(),
        30,
        Some(5),
        None,
        None,
        Some(HostInstant(now)),
    )?;
    let core = desk.renewals_page(&admin, 30, &PageRequest::first(5), now)?;
    assert_eq!(renew.total as usize, core.total);
    assert_eq!(renew.next_cursor, core.next_cursor);
    Ok(())
}

#[test]
fn options_are_text_and_a_typo_names_the_option() -> TestResult {
    let (desk, now) = demo::portfolio(50, 3)?;
    let held = HostDesk::new(desk.clone());
    let c = desk.customers().next().ok_or("a customer")?;
    let id = || c.id.as_str().to_owned();
    assert_eq!(
        code(detail::customer_orders(
            &held,
            login(),
            id(),
            Some("Unpaid".into()),
            Some(10),
            None,
            None
        )),
        "invalid argument scope: expected one of: all unpaid"
    );
    assert_eq!(
        detail::spend_details(
            &held,
            login(),
            id(),
            "2026-13".into(),
            None,
            None,
            None,
            None
        )
        .err()
        .map(|e| e.code()),
        Some("INVALID_DATE")
    );
    assert_eq!(
        code(detail::customer_resources(
            &held,
            login(),
            id(),
            Some(vec!["monthly".into()]),
            None,
            None,
            None,
            None,
            None,
            None,
            Some(HostInstant(now)),
        )),
        "invalid argument kinds: not a known value"
    );
    assert_eq!(
        code(detail::renewals_page(
            &held,
            login(),
            -1,
            None,
            None,
            None,
            None
        )),
        "invalid argument days: must be a number of days from 0 to 36500"
    );
    assert_eq!(
        code(detail::page_request(Some(10), Some(0), Some("c".into()))),
        "invalid argument offset: give either offset or cursor, not both"
    );
    let no_month = DetailArgs {
        list: "spend".into(),
        customer_id: id(),
        ..DetailArgs::default()
    };
    assert!(code(no_month.to_list()).starts_with("invalid argument month"));
    let unknown = DetailArgs {
        list: "invoices".into(),
        customer_id: id(),
        ..DetailArgs::default()
    };
    assert_eq!(
        code(unknown.to_list()),
        "invalid argument list: expected one of: orders resources spend"
    );
    let orders = DetailArgs {
        list: "orders".into(),
        customer_id: id(),
        scope: Some("unpaid".into()),
        ..DetailArgs::default()
    };
    assert_eq!(
        orders.to_list()?,
        DetailList::Orders {
            customer: c.id.clone(),
            scope: OrderScope::Unpaid
        }
    );
    Ok(())
}

#[test]
fn a_detail_export_runs_once_and_is_recorded() -> TestResult {
    use partnerdesk::{Invocation, export::RecordedSelection};
    use partnerdesk_host::HostDesk;
    let (desk, now) = demo::portfolio(50, 3)?;
    let c = desk
        .customers()
        .find(|c| !c.orders.is_empty())
        .ok_or("orders")?
        .id
        .clone();
    let mut held = HostDesk::new(desk);
    let args = DetailArgs {
        list: "orders".into(),
        customer_id: c.as_str().into(),
        ..DetailArgs::default()
    };
    assert_eq!(
        code(detail::export_request(&args, "xlsx", true, None)),
        "invalid argument bom: only CSV exports have a byte-order mark"
    );
    assert_eq!(
        code(detail::export_request(&args, "pdf", false, None)),
        "invalid argument format: expected csv or xlsx"
    );
    let request = detail::export_request(&args, "csv", false, Some("orders.csv".into()))?;
    let inv = Invocation::new(admin()?, now);
    let mut out = Vec::new();
    let job = held.change_once(|d| {
        d.export_detail(&inv, &request, &mut out, |_| {
            std::ops::ControlFlow::Continue(())
        })
    })?;
    let text = String::from_utf8(out)?;
    let orders = held.customer_orders(&admin()?, &c, OrderScope::All, &PageRequest::first(1000))?;
    assert_eq!(
        text.lines().count(),
        orders.total + 1,
        "a header and a line per order"
    );
    assert_eq!(job.file_name, "orders.csv");
    assert!(matches!(
        held.export_job(&job.id)?.selection,
        RecordedSelection::Detail(_)
    ));
    Ok(())
}
