"""``Page.to_pandas()``, ``Page.to_polars()`` and ``Page.to_arrow()``: the rows of a page as a
data frame, the frame package imported only when asked for (no hard dependency).

Amounts stay exact in every frame: ``decimal.Decimal`` objects in pandas, ``pl.Decimal`` in
polars, ``decimal128`` in arrow (never floats). Times are UTC. The columns are the keys of
``CustomerRow.to_dict()``, in its order, also for an empty page.
"""

from __future__ import annotations

import decimal
import importlib
from typing import Any, Dict, List, Sequence, Tuple

# Each column of a row's dict and its kind.
COLUMNS: List[Tuple[str, str]] = [
    ("id", "str"),
    ("account_name", "str"),
    ("name", "str"),
    ("mobile", "str"),
    ("email", "str"),
    ("customer_type", "str"),
    ("verification", "str"),
    ("level", "str"),
    ("tags", "tags"),
    ("association_type", "str"),
    ("associated_at", "time"),
    ("disassociated_at", "time"),
    ("reseller", "str"),
    ("account_manager", "str"),
    ("account_manager_name", "str"),
    ("frozen", "bool"),
    ("freeze_scope", "str"),
    ("freeze_origin", "str"),
    ("month_to_date", "decimal"),
    ("month_to_date_currency", "str"),
    ("last_month", "decimal"),
    ("last_month_currency", "str"),
    ("budget_kind", "str"),
    ("budget_amount", "decimal"),
    ("budget_used", "decimal"),
    ("budget_currency", "str"),
    ("budget_percent", "decimal"),
    ("budget_auto_freeze", "bool"),
    ("next_expiry", "time"),
    ("unpaid_orders", "int"),
]

# The widest decimal the core holds (rust_decimal: 28 digits) fits a 38-digit decimal128.
PRECISION = 38


def _require(package: str, method: str) -> Any:
    try:
        return importlib.import_module(package)
    except ImportError as e:
        raise ImportError(
            f"Page.{method}() needs the {package} package, which is not installed: "
            f"pip install {package}"
        ) from e


def _columns(rows: Sequence[Dict[str, Any]]) -> Dict[str, List[Any]]:
    return {name: [r[name] for r in rows] for name, _ in COLUMNS}


def _scale(values: List[Any]) -> int:
    """The number of decimal places that holds every value of a column exactly."""
    scale = 2
    for v in values:
        if isinstance(v, decimal.Decimal):
            exponent = v.as_tuple().exponent
            if isinstance(exponent, int):
                scale = max(scale, -exponent)
    return scale


def to_pandas(rows: Sequence[Dict[str, Any]]) -> Any:
    """A pandas ``DataFrame``: amounts as ``Decimal`` objects (object columns), times as
    ``datetime64[ns, UTC]``, tags as lists."""
    pd = _require("pandas", "to_pandas")
    cols = _columns(rows)
    data: Dict[str, Any] = {}
    for name, kind in COLUMNS:
        values = cols[name]
        if kind == "time":
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
        elif kind in ("decimal", "tags", "str") or any(v is None for v in values):
            data[name] = pd.Series(values, dtype=object)
        else:
            data[name] = pd.Series(values, dtype="bool" if kind == "bool" else "int64")
    return pd.DataFrame(data, columns=[n for n, _ in COLUMNS])


def to_polars(rows: Sequence[Dict[str, Any]]) -> Any:
    """A polars ``DataFrame``: amounts as ``pl.Decimal(38, scale)`` (exact), times as
    ``pl.Datetime("us", "UTC")``, tags as ``pl.List(pl.String)``."""
    pl = _require("polars", "to_polars")
    cols = _columns(rows)
    series = []
    for name, kind in COLUMNS:
        values = cols[name]
        dtype = {
            "str": pl.String,
            "bool": pl.Boolean,
            "int": pl.Int64,
            "time": pl.Datetime("us", "UTC"),
            "tags": pl.List(pl.String),
        }.get(kind)
        if kind == "decimal":
            dtype = pl.Decimal(PRECISION, _scale(values))
        series.append(pl.Series(name, values, dtype=dtype))
    return pl.DataFrame(series)


def to_arrow(rows: Sequence[Dict[str, Any]]) -> Any:
    """A pyarrow ``Table``: amounts as ``decimal128(38, scale)`` (exact), times as
    ``timestamp("us", tz="UTC")``, tags as ``list<string>``."""
    pa = _require("pyarrow", "to_arrow")
    cols = _columns(rows)
    arrays = []
    for name, kind in COLUMNS:
        values = cols[name]
        dtype = {
            "str": pa.string(),
            "bool": pa.bool_(),
            "int": pa.int64(),
            "time": pa.timestamp("us", tz="UTC"),
            "tags": pa.list_(pa.string()),
        }.get(kind)
        if kind == "decimal":
            dtype = pa.decimal128(PRECISION, _scale(values))
        arrays.append(pa.array(values, type=dtype))
    return pa.Table.from_arrays(arrays, names=[n for n, _ in COLUMNS])
