"""partnerdesk: a cloud partner's customer management, from Python.

The native module ``partnerdesk._partnerdesk`` (Rust, pyo3) does the work; this package
re-exports it. Money is ``decimal.Decimal``, times are timezone-aware UTC ``datetime``s,
enumerations are strings, and every error is a ``PartnerDeskError`` subclass with ``.code``.

    >>> import partnerdesk
    >>> desk, now = partnerdesk.demo_portfolio(200, seed=7)
    >>> page = desk.search("mtd>=100", sort="-mtd", limit=5, now=now)
    >>> len(page) <= 5
    True
"""

import datetime as _datetime
import os as _os
import typing as _typing

from . import _partnerdesk
from ._partnerdesk import *  # noqa: F401,F403
from ._partnerdesk import Desk
from ._permission import Permission
from ._records import DemoPortfolio, FixtureDesk

__version__: str = _partnerdesk.__version__
__all__ = [name for name in dir(_partnerdesk) if not name.startswith("_")] + [
    "Permission",
    "DemoPortfolio",
    "FixtureDesk",
    "huawei_import",
]


def huawei_import(
    desk: Desk,
    kind: str,
    pages: "str | bytes | _typing.Sequence[str | bytes]",
    *,
    customer: "str | None" = None,
    cycle: "str | None" = None,
    reseller: "str | None" = None,
    now: "_datetime.datetime | None" = None,
) -> "_partnerdesk.ImportReport":
    """``desk.import_huawei(kind, pages, ...)`` as a function: imports one Huawei response
    (its pages merged in order) into ``desk``; all or nothing."""
    return desk.import_huawei(kind, pages, customer=customer, cycle=cycle, reseller=reseller, now=now)


def open(
    location: "str | _os.PathLike[str]",
    *,
    partner: "str | None" = None,
    max_attempts: "int | None" = None,
    checkpoint_every: "int | None" = None,
    event_key: "bytes | None" = None,
) -> Desk:
    """Opens the desk stored at ``location`` (a SQLite file path or a ``postgresql://`` URL):
    the desk of ``partner``, or the one desk the store holds. The same as ``Desk.open``; every
    change to the desk is committed to the store before it returns. ``event_key`` (``bytes``,
    at least 16) is the secret the stored events are sealed with (HMAC-SHA256); a store sealed
    with a key opened without it or with another raises ``StoreCorruptError``.

    Not in ``__all__``: ``from partnerdesk import *`` does not shadow the built-in ``open``.
    """
    return Desk.open(
        location,
        partner=partner,
        max_attempts=max_attempts,
        checkpoint_every=checkpoint_every,
        event_key=event_key,
    )
