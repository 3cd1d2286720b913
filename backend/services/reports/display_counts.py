"""The display-check counts of selected rep-days, from the raw rows: what `rep_day_display` holds.

Per rep, team at check-in, day, and the store's channel and tier, over the checks of our own
products (brands marked `is_own`): checks; on the shelf; on the shelf at eye level (shelf level
`EYE_LEVEL_SHELF`, the one answer for shelf height); out of stock; in stock (on the shelf and
not out of stock); FIFO assessed / respected / not; price tag assessed / present and correct /
missing or wrong; cleanliness assessed / clean / not; POP material present; and the facings of
our own products and of all products checked. A visit held for review counts only once a
supervisor accepts it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select

from ...models import DISPLAY_COUNTS, Brand, DisplayCheck, Product, RepDayDisplay, Store, Visit
from ...models.visits import counted_visit
from .sql import count_if

TABLE = RepDayDisplay
KEYS = ("rep_id", "team_id", "day", "channel", "tier")
COUNTS = DISPLAY_COUNTS


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    d = DisplayCheck
    own = Brand.is_own.is_(True)
    tag_ok = d.price_tag_present.is_(True) & d.price_tag_correct.is_(True)
    counts = {
        "checks": own,
        "on_shelf": own & d.on_shelf.is_(True),
        "eye_level": own & d.on_shelf.is_(True) & d.eye_level,
        "out_of_stock": own & d.out_of_stock.is_(True),
        "in_stock": own & d.on_shelf.is_(True) & d.out_of_stock.is_(False),
        "fifo_assessed": own & d.fifo_ok.is_not(None),
        "fifo_ok": own & d.fifo_ok.is_(True),
        "fifo_issues": own & d.fifo_ok.is_(False),
        "tag_assessed": own & (d.price_tag_present.is_not(None) | d.price_tag_correct.is_not(None)),
        "tag_ok": own & tag_ok,
        "tag_issues": own & (d.price_tag_present.is_(False) | d.price_tag_correct.is_(False)),
        "clean_assessed": own & d.shelf_clean.is_not(None),
        "clean_ok": own & d.shelf_clean.is_(True),
        "clean_issues": own & d.shelf_clean.is_(False),
        "pop_present": own & d.pop_present.is_(True),
    }
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Store.channel, Store.tier)
    return (
        select(
            *keys[:2],
            Visit.visit_date.label("day"),
            *keys[3:],
            *(count_if(condition).label(name) for name, condition in counts.items()),
            func.coalesce(func.sum(case((own, d.facings), else_=0)), 0).label("own_facings"),
            func.coalesce(func.sum(d.facings), 0).label("all_facings"),
        )
        .select_from(d)
        .join(Visit, Visit.id == d.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .join(Product, Product.id == d.product_id)
        .join(Brand, Brand.id == Product.brand_id)
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
        .group_by(*keys)
    )
