//! The search part of the tour: every console criterion once, a combined text filter, and
//! paging through results with a cursor.

use crate::table::write_rows;
use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use std::io::Write;

/// The console's searches, one per criterion, as text filters with a sort.
pub const SEARCHES: &[(&str, &str, SortKey, bool)] = &[
    (
        "customer name (fuzzy, case-insensitive)",
        "name~cloud",
        SortKey::MonthToDate,
        true,
    ),
    (
        "customer name in Chinese",
        "name~科技",
        SortKey::MonthToDate,
        true,
    ),
    ("account name", "account~acme", SortKey::AccountName, false),
    (
        "account manager (login)",
        "manager=am_007",
        SortKey::MonthToDate,
        true,
    ),
    (
        "account manager name (contains)",
        "manager~\"li na\"",
        SortKey::MonthToDate,
        true,
    ),
    (
        "month-to-date spend range",
        "mtd>=2000 and mtd<=5000",
        SortKey::MonthToDate,
        true,
    ),
    (
        "resources expiring within 7 days",
        "expires<=7d",
        SortKey::NextExpiry,
        false,
    ),
    (
        "resource expiry date range",
        "expires>=2027-01-01 and expires<2027-02-01",
        SortKey::NextExpiry,
        false,
    ),
    (
        "mobile number, last digits",
        "mobile~888",
        SortKey::Id,
        false,
    ),
    (
        "customer tag, any of",
        "tag in (vip, gold)",
        SortKey::MonthToDate,
        true,
    ),
    (
        "customer tag, all of",
        "tag all (vip, key-account)",
        SortKey::MonthToDate,
        true,
    ),
    (
        "association type and time",
        "assoc=reseller and associated>=2026-06-01",
        SortKey::AssociatedAt,
        true,
    ),
    (
        "frozen account and resources",
        "frozen=account_and_resources",
        SortKey::Id,
        false,
    ),
    (
        "budget usage at least 80%",
        "budget>=80",
        SortKey::MonthToDate,
        true,
    ),
    (
        "reseller's customers",
        "reseller=reseller-02",
        SortKey::MonthToDate,
        true,
    ),
    (
        "level V5, not frozen",
        "level=V5 and not frozen=true",
        SortKey::MonthToDate,
        true,
    ),
];

/// The combined filter the tour pages through.
pub const COMBINED: &str =
    "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold) and expires<=30d";

/// Runs the searches on a desk and prints readable tables.
pub fn search_tour(
    desk: &Desk,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "== Searches on {} customers at {now} ==", desk.len())?;
    writeln!(
        out,
        "Rows are masked as the console shows them (a name keeps its first character), so a \
         name search\ndoes not show the text it matched; part 3 reveals one field, audited. A negative \
         month-to-date\nspend means this month's refunds exceed its spend."
    )?;
    for (title, filter, key, desc) in SEARCHES {
        let q = Query::parse(filter)?;
        let sort = if *desc {
            Sort::desc(*key)
        } else {
            Sort::asc(*key)
        };
        let page = desk.search(&q, sort, &PageRequest::first(5), now)?;
        writeln!(
            out,
            "\n-- {title}: `{filter}` sorted by {sort}: {} match(es), first {}",
            page.total,
            page.rows.len()
        )?;
        write_rows(out, &page.rows)?;
    }

    writeln!(
        out,
        "\n== Combined text filter, paged with a cursor ==\n`{COMBINED}`"
    )?;
    let q = Query::parse(COMBINED)?;
    let sort = Sort::desc(SortKey::MonthToDate);
    let mut request = PageRequest::first(8);
    for n in 1..=3 {
        let page = desk.search(&q, sort, &request, now)?;
        writeln!(
            out,
            "\n-- page {n} ({} rows of {} in all)",
            page.rows.len(),
            page.total
        )?;
        write_rows(out, &page.rows)?;
        match page.next_cursor {
            Some(cursor) => request = PageRequest::after(cursor, 8),
            None => break,
        }
    }

    writeln!(
        out,
        "\n== A bad filter is a typed error that points at the position =="
    )?;
    let bad = "mtd>=1000 and (tag:vip or";
    if let Err(e) = Query::parse(bad) {
        writeln!(out, "  {bad}")?;
        if let partnerdesk::Error::FilterSyntax { position, .. } = &e {
            writeln!(out, "  {}^", " ".repeat(*position))?;
        }
        writeln!(out, "{}: {e}", e.code())?;
    }
    Ok(())
}
