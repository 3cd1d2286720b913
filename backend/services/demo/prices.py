"""Demo: the agreed price list of our products, two agreed promotions, and the shelf prices the
reps saw. Runs after the days' records are written; each shelf price draws from its own seeded
stream (day, store, product), so the same seed and day give the same demo, and a top-up prices
only the checks it added.

The agreed price is the list price plus 20 % (in the currency's price step: whole yen, cents),
10 steps less at modern stores for the first two products; every other amount here is in steps
too, so a euro demo gets cents where the yen demo gets yen. Most shelves sit at or a little
above it; a few stores cut prices often (PRICE_CUTTERS), others now and then; a special price is
mostly the running promotion's, rarely one nobody agreed, or one below the promotion's price.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, select, update

from ...extensions import db
from ...models import (
    AgreedPrice,
    Brand,
    Channel,
    DisplayCheck,
    Product,
    Promotion,
    Store,
    Visit,
)
from .. import price_deviations

MARKUP = Decimal("1.20")
PRICE_CUTTERS = 3  # stores that often sell below the agreed price
CUT_SHARE, RARE_CUT_SHARE, ROGUE_SPECIAL_SHARE = 0.35, 0.03, 0.015


def add(seed: int, past: list[date], today: date, step: Decimal) -> None:
    """The price list and promotions (once), and the shelf prices of the days' checks; `step`
    is the currency's smallest shelf-price step (`market.Market.step`)."""
    days = [*past, today]
    own = db.session.scalars(
        select(Product).join(Brand).where(Brand.is_own).order_by(Product.sku)
    ).all()
    if not own or not past:
        return
    if not db.session.scalar(select(exists().where(AgreedPrice.id.is_not(None)))):
        _price_list(own, past[0], step)
        _promotions(own, today, step)
    cutters = _price_cutters(seed)
    touched = _shelf_prices(seed, days, cutters, step)
    for visit in db.session.scalars(select(Visit).where(Visit.id.in_(touched))):
        price_deviations.recompute(visit)
    db.session.flush()


def agreed_of(product: Product, step: Decimal) -> Decimal:
    return ((product.unit_price or 100 * step) * MARKUP).quantize(step)


def _price_list(own: list[Product], first_day: date, step: Decimal) -> None:
    since = first_day - timedelta(days=90)
    rows = [AgreedPrice(product_id=p.id, price=agreed_of(p, step), valid_from=since) for p in own]
    rows += [
        AgreedPrice(product_id=p.id, channel=Channel.MODERN, price=agreed_of(p, step) - 10 * step,
                    valid_from=since)
        for p in own[:2]
    ]  # fmt: skip
    db.session.add_all(rows)


def _promotions(own: list[Product], today: date, step: Decimal) -> None:
    """A fortnight's promotion of our first product running today, and a bundle of the second
    at modern stores two to three weeks ago (no price floor)."""
    first, second = own[0], own[1 % len(own)]
    db.session.add_all(
        [
            Promotion(name=f"{first.name} fortnight", product_id=first.id,
                      promo_price=agreed_of(first, step) - 30 * step,
                      starts_on=today - timedelta(days=9), ends_on=today + timedelta(days=4)),
            Promotion(name=f"{second.name} bundle", product_id=second.id, channel=Channel.MODERN,
                      starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=14)),
        ]
    )  # fmt: skip
    db.session.flush()


def _price_cutters(seed: int) -> set[int]:
    ids = db.session.scalars(select(Store.id).where(Store.active).order_by(Store.id)).all()
    rng = random.Random(f"{seed}/price-cutters")
    return set(rng.sample(list(ids), min(PRICE_CUTTERS, len(ids))))


def _shelf_prices(seed: int, days: list[date], cutters: set[int], step: Decimal) -> set[int]:
    """Set the shelf price of every own product on the shelf at the days' visits that has none;
    returns the visits with a price off the agreement (or a special one)."""
    rows = db.session.execute(
        select(DisplayCheck.id, DisplayCheck.visit_id, Product, Visit.visit_date, Store.code,
               Store.id.label("store_id"), Store.channel)
        .join(Visit, Visit.id == DisplayCheck.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .join(Product, Product.id == DisplayCheck.product_id)
        .join(Brand, Brand.id == Product.brand_id)
        .where(Brand.is_own, DisplayCheck.on_shelf, DisplayCheck.shelf_price.is_(None),
               Visit.visit_date.in_(days))
        .order_by(DisplayCheck.id)
    ).all()  # fmt: skip
    promotions = defaultdict(list)
    for promo in db.session.scalars(select(Promotion)):
        promotions[promo.product_id].append(promo)
    # The demo's list has no end dates: one price per product and channel (None: all).
    agreed_prices = {
        (p.product_id, p.channel): p.price for p in db.session.scalars(select(AgreedPrice))
    }
    changes, touched = [], set()
    for row in rows:
        rng = random.Random(f"{seed}/shelf-price/{row.visit_date}/{row.code}/{row.Product.sku}")
        pid = row.Product.id
        agreed = agreed_prices.get((pid, row.channel), agreed_prices.get((pid, None)))
        if agreed is None:
            continue
        running = [
            p for p in promotions[row.Product.id]
            if p.starts_on <= row.visit_date <= p.ends_on and p.channel in (None, row.channel)
        ]  # fmt: skip
        price, special = _draw(rng, agreed, running, row.store_id in cutters, step)
        changes.append({"id": row.id, "shelf_price": price, "special_price": special})
        if special or price < agreed:
            touched.add(row.visit_id)
    if changes:
        db.session.execute(update(DisplayCheck), changes)
    return touched


def _draw(
    rng: random.Random, agreed: Decimal, running: list[Promotion], cutter: bool, step: Decimal
) -> tuple[Decimal, bool]:
    """A shelf price and whether it is shown as a special price (amounts in price steps)."""
    if running and rng.random() < 0.6:
        floor = running[0].promo_price
        if floor is None:
            return agreed - 20 * step, True
        return (floor - 10 * step if rng.random() < 0.08 else floor), True
    if rng.random() < ROGUE_SPECIAL_SHARE:
        return agreed - 20 * step, True
    if rng.random() < (CUT_SHARE if cutter else RARE_CUT_SHARE):
        return agreed - rng.choice((10, 20, 30, 50)) * step, False
    return agreed + rng.choice((0, 0, 0, 10, 20, 30)) * step, False
