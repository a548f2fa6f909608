"""examples/python/huawei_sdk_recipe.py, run end to end against a stand-in for Huawei's BSS API
on 127.0.0.1 (no outside network): the official SDK (``huaweicloudsdkbssintl``) really signs
and sends its requests there, and the stand-in answers with bodies built by the SDK's own
response models. Checked: what the stand-in received (method, path, signature, the freeze
body's customer ids) and what the recipe printed."""

from __future__ import annotations

import datetime
import importlib.util
import json
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from huaweicloudsdkbssintl.v2 import (
    CustomerErrorDetail,
    CustomerInformation,
    FreezeSubCustomersResponse,
    ListSubCustomersResponse,
)
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization

RECIPE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "huawei_sdk_recipe.py"
NOW = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.timezone.utc)
LIST_PATH = "/v2/partners/sub-customers/query"
FREEZE_PATH = "/v2/partners/sub-customers/freeze"


def customer(i: int, *, reseller: bool, label: str, frozen: bool = False) -> CustomerInformation:
    return CustomerInformation(
        customer=f"Customer {i}", account_name=f"acct_{i:03d}", customer_id=f"{i:032x}",
        associated_on="2026-01-05T08:00:00Z", association_type="3" if reseller else "1",
        label=label, telephone="", verified_status="2", country_code="", customer_type=1,
        is_frozen=1 if frozen else 0, account_managers=[], xaccount_id="", xaccount_type="",
        customer_level="V2", email="",
    )


# 130 customers: two pages of 100. Four reseller customers are tagged "overdue" and not frozen
# (the recipe's search); one more is frozen already, and one referral customer is tagged too.
CUSTOMERS = [customer(i, reseller=i % 2 == 0, label="") for i in range(1, 131)]
OVERDUE = [f"{i:032x}" for i in (10, 40, 102, 124)]
for i in (10, 40, 102, 124):
    CUSTOMERS[i - 1] = customer(i, reseller=True, label="overdue")
CUSTOMERS[59] = customer(60, reseller=True, label="overdue", frozen=True)
CUSTOMERS[6] = customer(7, reseller=False, label="overdue")
# Huawei refuses one of the four (the stand-in's partial failure).
REFUSED_BY_HUAWEI = OVERDUE[2]


class StandIn(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.received.append(
            {"method": "POST", "path": self.path, "body": body, "authorization": self.headers.get("Authorization", "")}
        )
        if self.path == LIST_PATH:
            offset, limit = body["offset"], body["limit"]
            answer: Any = ListSubCustomersResponse(customer_infos=CUSTOMERS[offset : offset + limit], count=len(CUSTOMERS))
        elif self.path == FREEZE_PATH:
            refused = [
                CustomerErrorDetail(id=REFUSED_BY_HUAWEI, error_code="CBC.5024", error_msg="The association type of the customer is incorrect.")
            ]
            answer = FreezeSubCustomersResponse(error_details=refused)
        else:
            self.send_error(404)
            return
        data = json.dumps(sanitize_for_serialization(answer)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def stand_in() -> Iterator[str]:
    StandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_sdk_recipe_runs_against_the_stand_in(stand_in: str) -> None:
    spec = importlib.util.spec_from_file_location("huawei_sdk_recipe", RECIPE)
    assert spec is not None and spec.loader is not None
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    client = recipe.client_for(stand_in, "AK_TEST_0123456789", "SK_TEST_0123456789abcdef", "domain-0001")
    printed: list[str] = []
    frozen = recipe.run(client, NOW, printed.append)

    # What the stand-in received: two signed list pages as planned, then one freeze.
    got = StandIn.received
    assert [(r["method"], r["path"]) for r in got] == [("POST", LIST_PATH), ("POST", LIST_PATH), ("POST", FREEZE_PATH)]
    assert [(r["body"]["offset"], r["body"]["limit"]) for r in got[:2]] == [(0, 100), (100, 30)]
    assert all(r["authorization"].startswith("SDK-HMAC-SHA256 Access=AK_TEST_0123456789") for r in got)
    freeze = got[2]["body"]
    assert sorted(freeze["customer_ids"]) == sorted(OVERDUE) and freeze["reason"] == recipe.REASON

    # What the recipe printed.
    assert printed[0] == "imported 130 customers from 2 pages"
    assert printed[1] == f"search {recipe.QUERY!r}: 4 customers"
    assert sorted(line.split()[0] for line in printed[2:6]) == sorted(OVERDUE)
    assert "freeze on the desk: 4 done, 0 refused" in printed
    assert "freeze sent to Huawei (HTTP 200): 3 frozen" in printed
    assert printed[-1] == f"  Huawei refused {REFUSED_BY_HUAWEI}: WRONG_ASSOCIATION_TYPE (CBC.5024)"
    assert frozen == 3
