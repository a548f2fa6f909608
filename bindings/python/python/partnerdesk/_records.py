"""Named tuples for what partnerdesk functions return in several parts.

Each is a tuple, so ``desk, now = partnerdesk.demo_portfolio(1000)`` unpacks it as before,
and each part has a name too (``portfolio.desk``, ``portfolio.now``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from ._partnerdesk import Desk


class DemoPortfolio(NamedTuple):
    """The demo portfolio (``demo_portfolio``) and the moment its data was built for."""

    desk: "Desk"
    """The demo desk."""
    now: datetime.datetime
    """The instant to pass as ``now=`` to see the demo's data as of that moment."""


class FixtureDesk(NamedTuple):
    """The desk of the bundled Huawei fixtures (``huawei_fixture_desk``) and its import reports."""

    desk: "Desk"
    """The desk the fixture responses were imported into."""
    reports: "list[dict[str, Any]]"
    """One import report per fixture step, in order."""


class ListBody(NamedTuple):
    """A query split for ``ListSubCustomers`` (``huawei_list_body``)."""

    body: "dict[str, Any]"
    """The request body of the page: what the API can filter."""
    local_filter: str
    """The filter text the API cannot apply, to check on the desk (``"*"`` when none)."""


class ApiPage(NamedTuple):
    """One page of a paging plan (``huawei_page_plan``)."""

    offset: int
    """The API's ``offset``."""
    limit: int
    """The API's ``limit``."""
