"""The display-check counts of selected rep-days, from the raw rows: what `rep_day_display` holds.

Per rep, team at check-in, day, and the store's channel and tier, over the checks of our own
products (brands marked `is_own`): checks; on the shelf; on the shelf at eye level (shelf level
`EYE_LEVEL_SHELF`, the one answer for shelf height); out of stock; in stock (on the shelf and
not out of stock); FIFO assessed / respected / not; price tag assessed / present and correct /
missing or wrong; cleanliness assessed / clean / not; POP material present. Then the facings:

- own_facings: of our own products (their checks);
- all_facings: own_facings and the competitor products checked, except a competitor product
  whose brand and category the visit also counted in `shelf_facings` (that count stands for the
  brand's whole shelf in the category, so its products are not counted twice);
- rival_facings: the competitor brands' facings counted in `shelf_facings`;
- own_eye_facings, eye_facings: the facings at eye level, of our own products and of all (the
  checks all_facings counts at shelf level `EYE_LEVEL_SHELF`, and the eye-level facings of
  `shelf_facings`; a brand whose eye-level facings were not counted adds none).

A visit held for review counts only once a supervisor accepts it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, select

from ...models import (
    DISPLAY_COUNTS,
    Brand,
    DisplayCheck,
    Product,
    RepDayDisplay,
    ShelfFacing,
    Store,
    Visit,
)
from ...models.visits import counted_visit
from .sql import count_if, summed_parts

TABLE = RepDayDisplay
KEYS = ("rep_id", "team_id", "day", "channel", "tier")
COUNTS = DISPLAY_COUNTS


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    return summed_parts([_checks(where), _shelf_facings(where)], KEYS, COUNTS)


def _sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _checks(where: Any) -> Select[Any]:
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
    covered = exists().where(
        ShelfFacing.visit_id == d.visit_id,
        ShelfFacing.brand_id == Product.brand_id,
        ShelfFacing.category == Product.category,
    )
    counted = own | ~covered
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Store.channel, Store.tier)
    return (
        select(
            *keys[:2],
            Visit.visit_date.label("day"),
            *keys[3:],
            *(count_if(condition).label(name) for name, condition in counts.items()),
            _sum_if(own, d.facings).label("own_facings"),
            _sum_if(counted, d.facings).label("all_facings"),
            _sum_if(own & d.eye_level, d.facings).label("own_eye_facings"),
            _sum_if(counted & d.eye_level, d.facings).label("eye_facings"),
        )
        .select_from(d)
        .join(Visit, Visit.id == d.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .join(Product, Product.id == d.product_id)
        .join(Brand, Brand.id == Product.brand_id)
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
        .group_by(*keys)
    )


def _shelf_facings(where: Any) -> Select[Any]:
    f = ShelfFacing
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Store.channel, Store.tier)
    return (
        select(
            *keys[:2],
            Visit.visit_date.label("day"),
            *keys[3:],
            func.coalesce(func.sum(f.facings), 0).label("rival_facings"),
            func.coalesce(func.sum(f.eye_level_facings), 0).label("eye_facings"),
        )
        .select_from(f)
        .join(Visit, Visit.id == f.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .join(Brand, Brand.id == f.brand_id)
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit(), Brand.is_own.is_(False))
        .group_by(*keys)
    )
