"""The competitor observations of selected rep-days, from the raw rows: what
`rep_day_competitor_prices` holds (one row per observation, with its visit's store and channel).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func

from ...models import (
    COMPETITOR_PRICE_COUNTS,
    CompetitorObservation,
    RepDayCompetitorPrices,
)
from .sql import at_visits

TABLE = RepDayCompetitorPrices
KEYS = ("rep_id", "team_id", "day", "store_id", "channel", "observation_id", "brand_id",
        "product_id", "product_text", "promo_type", "new_product")  # fmt: skip
COUNTS = COMPETITOR_PRICE_COUNTS


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    o = CompetitorObservation
    # A product outside the catalogue is told apart by its name as typed.
    text = case((o.product_id.is_(None), func.coalesce(o.product_name, "")), else_="")
    return at_visits(
        o,
        where,
        o.id.label("observation_id"),
        o.brand_id,
        o.product_id,
        text.label("product_text"),
        o.promo_type,
        o.new_product,
        o.regular_price,
        o.promo_price,
    )
