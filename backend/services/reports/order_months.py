"""The order tables summed per rep and month (`rep_month_orders`, `rep_month_order_totals`):
what the orders report reads for the whole months of its period (`period_sums`), the days
outside them still from `rep_day_orders` and `rep_day_order_totals`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import RepMonthOrders, RepMonthOrderTotals
from . import order_counts, order_totals, ranges
from .period_sums import PeriodSums
from .sql import month_start


class MoneySums(PeriodSums):
    """Period sums whose `value` (money: binary floats on SQLite) is rounded to cents, so a
    sum taken in another order rebuilds the same number."""

    def _sums(self, daily: Any, *conditions: Any) -> Select[Any]:
        rows = super()._sums(daily, *conditions).subquery("summed")
        return select(*(func.round(c, 2).label(c.name) if c.name == "value" else c for c in rows.c))


# Per product over all channels and tiers: the report groups products by nothing else.
ORDER_MONTHS = MoneySums(RepMonthOrders, order_counts, ("product_id",), ranges.month_of,
                         month_start)  # fmt: skip
ORDER_TOTAL_MONTHS = MoneySums(RepMonthOrderTotals, order_totals, ("channel", "tier"),
                               ranges.month_of, month_start)  # fmt: skip
