"""partnerdesk with Huawei's official Python SDK, end to end (``huaweicloudsdkbssintl``).

The SDK does the HTTP (AK/SK signing, retries, its models); partnerdesk holds the portfolio,
searches it, runs the governed freeze with the console's rules and builds the request body.
The steps:

1. list the partner's customers with the SDK's client (``ListSubCustomers``), page by page as
   ``huawei_page_plan`` plans them, each request body built by ``huawei_split_query``;
2. import the pages, as the SDK received them, into an empty desk (``import_huawei``);
3. search the desk;
4. freeze the customers found (a governed, audited command on the desk);
5. send the freeze of the customers the desk froze to Huawei with the SDK's own request model
   (``FreezeSubCustomersRequest``) and client, and read Huawei's answer per customer
   (``huawei_batch_outcome``).

Run it against Huawei (``--endpoint https://bss-intl.myhuaweicloud.com``) with the partner's
keys in ``HUAWEICLOUD_SDK_AK``, ``HUAWEICLOUD_SDK_SK`` and ``HUAWEICLOUD_SDK_DOMAIN_ID``. The test
suite runs it against a stand-in server on 127.0.0.1 (``tests/test_huawei_recipe.py``).
"""

from __future__ import annotations

import argparse
import datetime
import os
from typing import Any, Callable

from huaweicloudsdkbssintl.v2 import (
    BssintlClient,
    FreezeSubCustomersReq,
    FreezeSubCustomersRequest,
    ListSubCustomersRequest,
    QuerySubCustomerListReq,
)
from huaweicloudsdkcore.auth.credentials import GlobalCredentials

import partnerdesk

PAGE = 100  # customers per ListSubCustomers page
QUERY = "assoc=reseller and frozen=false and tag:overdue"
REASON = "Invoices overdue for 60 days"


def model(cls: Any, body: dict[str, Any]) -> Any:
    """The SDK model ``cls`` holding a body partnerdesk built (its JSON members mapped to the
    model's attributes)."""
    attr_of = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    return cls(**{attr_of[key]: value for key, value in body.items()})


def client_for(endpoint: str, ak: str, sk: str, domain_id: str) -> BssintlClient:
    """The SDK's client, signing with the partner's keys (the domain id given, so the SDK never
    asks IAM for it)."""
    credentials = GlobalCredentials(ak, sk, domain_id)
    return BssintlClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()


def list_customers(client: BssintlClient) -> list[str]:
    """Every ``ListSubCustomers`` page, as the SDK received it (JSON text)."""

    def page(offset: int, limit: int) -> Any:
        body = partnerdesk.huawei_split_query("*", "international", offset=offset, limit=limit).api_body
        return client.list_sub_customers(ListSubCustomersRequest(body=model(QuerySubCustomerListReq, body)))

    first = page(0, PAGE)
    pages = [first.raw_content.decode("utf-8")]
    for p in partnerdesk.huawei_page_plan(first.count or 0, limit=PAGE)[1:]:
        pages.append(page(p.offset, p.limit).raw_content.decode("utf-8"))
    return pages


def run(client: BssintlClient, now: datetime.datetime, out: Callable[[str], None] = print) -> int:
    """The recipe; returns how many customers Huawei froze."""
    desk = partnerdesk.empty_desk("partner-1", "Example Partner", site="international", now=now)
    desk.add_operator("admin", "Partner administrator", role="administrator")

    pages = list_customers(client)
    report = desk.import_huawei("list_sub_customers", pages, now=now)
    out(f"imported {len(report.added)} customers from {len(pages)} pages")

    page = desk.search(QUERY, sort="name", limit=10, now=now)
    out(f"search {QUERY!r}: {page.total} customers")
    for row in page:
        out(f"  {row.id} {row.account_name} tags={','.join(sorted(row.tags))}")

    outcome = desk.freeze("admin", page.ids, REASON, now=now)
    out(f"freeze on the desk: {outcome.succeeded} done, {outcome.failed} refused")
    for item in outcome.refused:
        out(f"  refused {item.customer}: {item.code}")
    done = [item.customer for item in outcome.done]
    if not done:
        return 0

    body = partnerdesk.huawei_freeze_body(done, reason=REASON)
    answer = client.freeze_sub_customers(FreezeSubCustomersRequest(body=model(FreezeSubCustomersReq, body)))
    remote = partnerdesk.huawei_batch_outcome(done, answer.raw_content.decode("utf-8"), http_status=answer.status_code)
    frozen = [i.customer_id for i in remote.items if i.ok]
    out(f"freeze sent to Huawei (HTTP {answer.status_code}): {len(frozen)} frozen")
    for answered in remote.items:
        if not answered.ok:
            out(f"  Huawei refused {answered.customer_id}: {answered.code} ({answered.huawei_code})")
    return len(frozen)


def main() -> None:
    parser = argparse.ArgumentParser(description="partnerdesk with the official Huawei SDK, end to end")
    parser.add_argument("--endpoint", default="https://bss-intl.myhuaweicloud.com")
    args = parser.parse_args()
    client = client_for(
        args.endpoint,
        os.environ["HUAWEICLOUD_SDK_AK"],
        os.environ["HUAWEICLOUD_SDK_SK"],
        os.environ["HUAWEICLOUD_SDK_DOMAIN_ID"],
    )
    run(client, datetime.datetime.now(datetime.timezone.utc))


if __name__ == "__main__":
    main()
