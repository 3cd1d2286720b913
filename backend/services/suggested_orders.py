"""The suggested order of a store for a day: per own product, the units to hold until the next
visit, less the stock counted (docs/suggested-orders.md has the formula and an example).

- basis "history": target = ⌈daily rate × cover days × uplift⌉, with the daily rate from
  `sell_through` (2 decimals) and cover days = days to the next visit + SUGGESTED_ORDER_SAFETY_DAYS;
- basis "no_history" (no stock-count interval yet): target = ⌈SUGGESTED_ORDER_DEFAULT_PAR × uplift⌉;
- the next visit: the store's next published planned stop after the day, else the day + the
  store's visit frequency;
- the uplift: the demand uplifts for the product (or all) in the store's channel (or all) that
  overlap the day .. the day before the next visit, multiplied (2 decimals);
- suggested = max(0, target − stock now), stock now = shelf + back room at the latest count at
  the store on or before the day; null when never counted.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Brand,
    PlannedStop,
    PlanStatus,
    Product,
    RoutePlan,
    StockCount,
    Store,
    User,
    Visit,
)
from ..models.visits import counted_visit
from ..scoping import get_in_scope
from . import uplifts
from .plan_building import frequency_days
from .sell_through import sell_through


def suggested_order(actor: User, store_id: int, day: date) -> dict[str, Any]:
    """The suggestion for each active own product at the store (by name), and the cover."""
    store = get_in_scope(actor, Store, store_id)
    config = current_app.config
    products = list(
        db.session.scalars(
            select(Product)
            .join(Brand, Brand.id == Product.brand_id)
            .where(Brand.is_own.is_(True), Product.active.is_(True))
            .order_by(Product.name, Product.id)
        )
    )
    ids = [p.id for p in products]
    next_visit = next_visit_on(store, day)
    safety = config["SUGGESTED_ORDER_SAFETY_DAYS"]
    cover = (next_visit - day).days + safety
    rates = sell_through(store.id, ids, day)
    factors = uplifts.factors(ids, store.channel, day, next_visit - timedelta(days=1))
    stock = stock_now(store.id, ids, day)
    common = {"next_visit_on": next_visit, "cover_days": cover, "safety_days": safety}
    items = []
    for product in products:
        rate = rates[product.id]
        factor, reasons = factors[product.id]
        if rate.daily_rate is None:
            target = math.ceil(config["SUGGESTED_ORDER_DEFAULT_PAR"] * factor)
        else:
            target = math.ceil(rate.daily_rate * cover * factor)
        now = stock.get(product.id)
        items.append(
            {
                "product_id": product.id,
                "product_name": product.name,
                "basis": "no_history" if rate.daily_rate is None else "history",
                "daily_rate": rate.daily_rate,
                "intervals": rate.intervals,
                "days_observed": rate.days_observed,
                "units_sold": rate.units_sold,
                **common,
                "uplift": factor,
                "uplift_reason": "; ".join(reasons) or None,
                "target_units": target,
                "stock_now": now,
                "suggested_qty": None if now is None else max(0, target - now),
            }
        )
        items[-1]["explanation"] = _explain(items[-1], config["SUGGESTED_ORDER_DEFAULT_PAR"])
    return {
        "store_id": store.id,
        "date": day,
        **common,
        "lookback_days": config["SELL_THROUGH_LOOKBACK_DAYS"],
        "default_par": config["SUGGESTED_ORDER_DEFAULT_PAR"],
        "items": items,
    }


def _explain(item: dict[str, Any], par: int) -> str:
    """Why this quantity, in numbers: the formula with the item's values."""
    if item["basis"] == "history":
        why = f"{item['daily_rate']}/day × {item['cover_days']} days"
    else:
        why = f"no sell-through yet: {par} units"
    why += f" × uplift {item['uplift']} = {item['target_units']} units to hold"
    if item["stock_now"] is None:
        return f"{why}; stock not counted"
    return f"{why} − {item['stock_now']} in stock = {item['suggested_qty']}"


def next_visit_on(store: Store, day: date) -> date:
    """The date of the store's next published planned stop after `day`, else `day` + its
    visit frequency."""
    planned = db.session.scalar(
        select(func.min(RoutePlan.plan_date))
        .join(PlannedStop, PlannedStop.plan_id == RoutePlan.id)
        .where(
            PlannedStop.store_id == store.id,
            RoutePlan.status == PlanStatus.PUBLISHED,
            RoutePlan.plan_date > day,
        )
    )
    return planned or day + timedelta(days=frequency_days(store))


def stock_now(store_id: int, product_ids: list[int], day: date) -> dict[int, int]:
    """Shelf + back room at the latest count of each product at the store on or before `day`."""
    latest = func.row_number().over(
        partition_by=StockCount.product_id,
        order_by=(Visit.visit_date.desc(), Visit.checked_in_at.desc()),
    )
    counts = (
        select(
            StockCount.product_id,
            (StockCount.shelf_qty + StockCount.backroom_qty).label("stock"),
            latest.label("n"),
        )
        .join(Visit, Visit.id == StockCount.visit_id)
        .where(
            Visit.store_id == store_id,
            Visit.visit_date <= day,
            StockCount.product_id.in_(product_ids),
            counted_visit(),
        )
        .subquery("latest_counts")
    )
    rows = db.session.execute(select(counts.c.product_id, counts.c.stock).where(counts.c.n == 1))
    return {pid: int(stock) for pid, stock in rows}
