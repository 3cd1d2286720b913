"""What a demo rep records at a store, gathered as rows and written in bulk.

Each store carries a stable range (most of our products, a few competitors') with a stable
planogram: about half of our products sit at eye level (shelf level 2). At each visit the rep
checks the display of every product carried, counts some stock, notes near-expiry goods and
the odd return, watches competitor prices (`market`) and takes the order, if any.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from ...extensions import db
from ...models import (
    Brand,
    CompetitorObservation,
    DisplayCheck,
    NearExpiry,
    Order,
    OrderLine,
    Product,
    ReturnRequest,
    ShelfFacing,
    StockCount,
    Store,
    Visit,
)
from ...models.visits import EYE_LEVEL_SHELF, SHELF_LEVELS
from ..reports import rep_days
from . import market, shelf

OTHER_LEVELS = tuple(level for level in SHELF_LEVELS if level != EYE_LEVEL_SHELF)
ORDER_QUANTITIES = (6, 12, 12, 18, 24, 24, 36, 48)
RETURN_REASONS = ("damaged", "expired", "near_expiry", "slow_moving", "damaged")
DISPLAY_NOTES = (
    "End-cap by the entrance.",
    "Cooler door sticker and shelf talkers.",
    "Two-for-one poster at the till.",
    "Tasting stand on Saturday.",
)


@dataclass(frozen=True)
class Range:
    """A store's products: ours with their planogram shelf level, and the competitors' kept."""

    own: dict[int, int]
    rivals: list[Product]


@dataclass
class Catalogue:
    own: list[Product]
    rivals: list[Product]
    launch_brand_id: int
    seed: int
    prices: market.Market
    ranges: dict[int, Range] = field(default_factory=dict)

    @classmethod
    def load(cls, seed: int, prices: market.Market) -> Catalogue:
        products = db.session.scalars(select(Product).order_by(Product.sku)).all()
        brand = db.session.scalars(select(Brand).where(Brand.name == prices.launch[0])).one()
        own = [p for p in products if p.brand.is_own]
        rivals = [p for p in products if not p.brand.is_own]
        return cls(own, rivals, brand.id, seed, prices)

    def range_of(self, store: Store) -> Range:
        if store.id not in self.ranges:
            rng = random.Random(f"{self.seed}/range/{store.code}")
            own = rng.sample(self.own, rng.randint(6, len(self.own)))
            levels = {
                p.id: EYE_LEVEL_SHELF if rng.random() < 0.5 else rng.choice(OTHER_LEVELS)
                for p in own
            }
            rivals = rng.sample(self.rivals, rng.randint(3, 6))
            self.ranges[store.id] = Range(levels, rivals)
        return self.ranges[store.id]


@dataclass
class Records:
    """Rows gathered over many visits, written by `write`."""

    catalogue: Catalogue
    first_day: date
    # Rows name their visit (its id is known once flushed); order lines go by visit too.
    rows: dict[type, list[dict[str, Any]]] = field(default_factory=dict)
    lines: dict[Visit, list[dict[str, Any]]] = field(default_factory=dict)

    def _add(self, model: type, **row: Any) -> None:
        self.rows.setdefault(model, []).append(row)

    def at_visit(self, visit: Visit, at: datetime, rng: random.Random, ordered: bool) -> None:
        """Everything the rep records at `visit`; with `ordered`, the store's order."""
        store_range = self.catalogue.range_of(visit.store)
        out = self._display(visit, store_range, rng)
        self._stock(visit, store_range, out, rng)
        self._expiry(visit, store_range, rng)
        self._competitors(visit, store_range, rng)
        self.rows.setdefault(ShelfFacing, []).extend(
            shelf.count_facings(self.catalogue.seed, self.first_day, visit, store_range.rivals)
        )
        if ordered:
            self._order(visit, at, store_range, rng)

    def _display(self, visit: Visit, store_range: Range, rng: random.Random) -> set[int]:
        """Display checks of the products carried; returns our products out of stock."""
        out = set()
        for product_id, level in store_range.own.items():
            out_of_stock = rng.random() < 0.05
            # Gone from the shelf without being out of stock: delisted or moved to the back.
            on_shelf = not out_of_stock and rng.random() > 0.02
            tag = rng.random() > 0.08
            moved = rng.random() < 0.1
            self._add(
                DisplayCheck,
                visit=visit,
                product_id=product_id,
                on_shelf=on_shelf,
                facings=rng.randint(1, 6) if on_shelf else 0,
                shelf_level=(rng.choice(OTHER_LEVELS) if moved else level) if on_shelf else None,
                fifo_ok=rng.choices((True, False, None), (90, 7, 3))[0],
                out_of_stock=out_of_stock,
                price_tag_present=tag,
                price_tag_correct=rng.random() > 0.05 if tag else None,
                shelf_clean=rng.random() > 0.1,
                pop_present=rng.random() < 0.4,
                promo_display=rng.random() < 0.2,
                note=None,
            )
            if out_of_stock:
                out.add(product_id)
        for product in store_range.rivals:
            self._add(
                DisplayCheck,
                visit=visit,
                product_id=product.id,
                on_shelf=True,
                facings=rng.randint(1, 5),
                shelf_level=rng.choice(tuple(SHELF_LEVELS)),
                fifo_ok=None,
                out_of_stock=False,
                price_tag_present=None,
                price_tag_correct=None,
                shelf_clean=None,
                pop_present=rng.random() < 0.3,
                promo_display=None,
                note=None,
            )
        return out

    def _stock(self, visit: Visit, store_range: Range, out: set[int], rng: random.Random) -> None:
        counted = rng.sample(sorted(store_range.own), min(len(store_range.own), rng.randint(3, 6)))
        for product_id in counted:
            shelf = 0 if product_id in out else rng.randint(2, 30)
            backroom = rng.randint(0, 6 if product_id in out else 36)
            short = 24 - shelf - backroom
            self._add(
                StockCount,
                visit=visit,
                product_id=product_id,
                shelf_qty=shelf,
                backroom_qty=backroom,
                suggested_order_qty=-(-short // 6) * 6 if short > 0 else None,
            )

    def _expiry(self, visit: Visit, store_range: Range, rng: random.Random) -> None:
        carried = sorted(store_range.own)
        if rng.random() < 0.18:
            for product_id in rng.sample(carried, rng.randint(1, 2)):
                self._add(
                    NearExpiry,
                    visit=visit,
                    product_id=product_id,
                    quantity=rng.randint(2, 12),
                    expiry_date=visit.visit_date + timedelta(days=rng.randint(3, 40)),
                )
        if rng.random() < 0.04:
            self._add(
                ReturnRequest,
                visit=visit,
                product_id=rng.choice(carried),
                quantity=rng.randint(1, 6),
                reason=rng.choice(RETURN_REASONS),
                note=None,
            )

    def _competitors(self, visit: Visit, store_range: Range, rng: random.Random) -> None:
        day, channel, prices = visit.visit_date, visit.store.channel, self.catalogue.prices
        seen: list[tuple[int, int | None, str | None, market.ShelfPrice]] = []
        if rng.random() < 0.55:
            for product in rng.sample(store_range.rivals, rng.randint(1, 2)):
                price = prices.shelf_price(
                    product.sku, product.unit_price, channel, day, self.first_day
                )
                seen.append((product.brand_id, product.id, None, price))
        launch = prices.launched(day, self.first_day)
        if launch is not None and rng.random() < 0.35:
            seen.append((self.catalogue.launch_brand_id, None, prices.launch[1], launch))
        for brand_id, product_id, name, price in seen:
            self._add(
                CompetitorObservation,
                visit=visit,
                brand_id=brand_id,
                product_id=product_id,
                product_name=name,
                regular_price=price.regular,
                promo_price=price.promo,
                promo_type=price.promo_type,
                new_product=name is not None,
                display_notes=rng.choice(DISPLAY_NOTES) if price.promo_type else None,
                photo_id=None,
            )

    def _order(self, visit: Visit, at: datetime, store_range: Range, rng: random.Random) -> None:
        self._add(Order, visit=visit, note=None, created_at=at, updated_at=at)
        prices = {p.id: p.unit_price for p in self.catalogue.own}
        chosen = rng.sample(sorted(store_range.own), rng.randint(2, min(5, len(store_range.own))))
        self.lines[visit] = [
            {"product_id": p, "quantity": rng.choice(ORDER_QUANTITIES), "unit_price": prices[p]}
            for p in chosen
        ]

    def write(self) -> None:
        """Insert every gathered row (orders first, then their lines), and forget them."""
        db.session.flush()
        rows = {
            model: [{"visit_id": row.pop("visit").id, **row} for row in model_rows]
            for model, model_rows in self.rows.items()
        }
        lines = {visit.id: visit_lines for visit, visit_lines in self.lines.items()}
        orders = rows.pop(Order, [])
        if orders:
            ids = db.session.execute(insert(Order).returning(Order.id, Order.visit_id), orders)
            db.session.execute(
                insert(OrderLine),
                [{"order_id": o, **line} for o, visit_id in ids for line in lines[visit_id]],
            )
        for model, model_rows in rows.items():
            _insert(model, model_rows)
        self.rows, self.lines = {}, {}


def _insert(model: type, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: by COPY on PostgreSQL (an INSERT per thousand rows costs seconds
    there), else executemany."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(model), rows)
        return
    rep_days.note_rows_added(db.session(), model.__tablename__)
    columns = list(rows[0])
    statement = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
