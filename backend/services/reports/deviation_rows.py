"""The own products' price deviations of selected rep-days, from the raw rows: what
`rep_day_price_deviations` holds (one row per deviation, with its visit's store and channel and
its amount: agreed − shelf price when the shelf price is below, else 0).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func

from ...models import PRICE_DEVIATION_COUNTS, PriceDeviation, RepDayPriceDeviations
from .sql import at_visits

TABLE = RepDayPriceDeviations
KEYS = ("rep_id", "team_id", "day", "store_id", "channel", "deviation_id", "visit_id",
        "product_id", "kind")  # fmt: skip
COUNTS = PRICE_DEVIATION_COUNTS


def amount() -> Any:
    """What a deviation costs, in cents (rounded so SQLite's floats rebuild the same)."""
    d = PriceDeviation
    below = d.agreed_price > d.shelf_price
    return func.round(case((below, d.agreed_price - d.shelf_price), else_=0), 2)


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    d = PriceDeviation
    return at_visits(
        d,
        where,
        d.id.label("deviation_id"),
        d.visit_id,
        d.product_id,
        d.kind,
        amount().label("amount"),
    )
