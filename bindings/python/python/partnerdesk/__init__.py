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

from . import _partnerdesk
from ._partnerdesk import *  # noqa: F401,F403

__version__: str = _partnerdesk.__version__
__all__ = [name for name in dir(_partnerdesk) if not name.startswith("_")]
