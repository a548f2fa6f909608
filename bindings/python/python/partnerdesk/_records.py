"""Named tuples for what partnerdesk functions return in several parts.

Each is a tuple, so ``desk, now = partnerdesk.demo_portfolio(1000)`` unpacks it as before,
and each part has a name too (``portfolio.desk``, ``portfolio.now``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from ._partnerdesk import Desk, ImportReport


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
    reports: "list[ImportReport]"
    """One import report per fixture step, in order."""
