"""partnerdesk quick start (the same scenario as the Node and Kotlin quick starts).

Builds the demo portfolio of 1,000 customers (seed 42), searches resellers' customers with
month-to-date spend of at least 1000 tagged vip or gold, sorted by month-to-date spend
descending, prints the first page of 5 and the next page (by cursor), freezes one customer as
the billing operator (a governed command; an account manager is refused), then shows the
error code of a bad filter.

    pip install target/dist/python/partnerdesk-*.whl   # built by bindings/python/package.sh
    python examples/python/quickstart.py

bindings/python/test.sh runs it with a clean venv that holds only the wheel it built.
"""

import partnerdesk


def main() -> None:
    desk, now = partnerdesk.demo_portfolio(1000, seed=42)
    query = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
    page = desk.search(query, sort="mtd", descending=True, limit=5, now=now)
    print(f"total: {page.total}")
    for row in page:
        print(row.id, row.name, row.month_to_date.amount)
    if page.next_cursor is not None:
        nxt = desk.search(query, sort="mtd", descending=True, limit=5, cursor=page.next_cursor, now=now)
        print("next page:")
        for row in nxt:
            print(row.id, row.name, row.month_to_date.amount)
    # A governed command: the billing operator may freeze, an account manager may not.
    target = next(row.id for row in page if row.freeze_scope is None)
    outcome = desk.freeze("ops_billing", [target], scope="account", reason="overdue invoice", now=now)
    print(f"freeze by ops_billing: {outcome.succeeded} done, {outcome.failed} refused")
    print(f"row now: frozen={desk.customer_row(target, now=now).freeze_scope}")
    try:
        desk.freeze("am_000", [target], scope="account", reason="overdue invoice", now=now)
    except partnerdesk.PermissionDeniedError as e:
        print(f"freeze by am_000: {e.code}")  # audited, nothing changed
    try:
        desk.search("mtd>=", now=now)
    except partnerdesk.FilterSyntaxError as e:
        print(f"error: {e.code}")


if __name__ == "__main__":
    main()
