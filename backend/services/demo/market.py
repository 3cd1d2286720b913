"""What the competitors charge on the demo's shelves, day by day.

Counted from the demo's first day: Kawa cuts its oolong tea's price after two weeks and launches
a matcha latte (not in our catalogue) after two and a half; every four weeks Fuji runs a sencha
discount in the second half, Aoyama a crisps bundle in the first week, and modern stores a
three-day shock price on Kawa's coffee. Shelf prices are the list price, a little higher in
traditional shops and stations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...models import Channel

CYCLE_DAYS = 28
CHANNEL_MARKUP = {Channel.MODERN: Decimal("1.00"), Channel.TRADITIONAL: Decimal("1.05"),
                  Channel.SPECIAL: Decimal("1.10")}  # fmt: skip
PRICE_CUT = ("KWD-GT-525", 14, Decimal("138"))  # sku, from day, new list price
# sku: (first day, last day) of each cycle, promotion type, promotional price, modern stores only
PROMOTIONS = {
    "FTC-GT-600": (14, 23, "discount", Decimal("139"), False),
    "AYS-CP-60": (0, 6, "bundle", Decimal("130"), False),
    "KWD-BC-190": (21, 23, "shock_price", Decimal("98"), True),
}
LAUNCH = ("Kawa Drinks", "Kawa Matcha Latte 280 ml", 18, Decimal("168"))  # brand, name, day, price
SAMPLING_DAYS = 7  # the launch is sampled in store for its first week


@dataclass(frozen=True)
class ShelfPrice:
    regular: Decimal
    promo: Decimal | None = None
    promo_type: str | None = None


def shelf_price(
    sku: str, list_price: Decimal, channel: Channel, day: date, first: date
) -> ShelfPrice:
    """A catalogue product's price on a shelf of `channel` on `day` (the demo began on `first`)."""
    age = (day - first).days
    if sku == PRICE_CUT[0] and age >= PRICE_CUT[1]:
        list_price = PRICE_CUT[2]
    regular = (list_price * CHANNEL_MARKUP[channel]).quantize(Decimal("1"))
    promotion = PROMOTIONS.get(sku)
    if promotion is not None:
        start, end, kind, price, modern_only = promotion
        running = start <= age % CYCLE_DAYS <= end and age >= 0
        if running and (channel is Channel.MODERN or not modern_only):
            return ShelfPrice(regular, price, kind)
    return ShelfPrice(regular)


def launched(day: date, first: date) -> ShelfPrice | None:
    """The new product's price, from its launch on (sampled in store in its first week)."""
    age = (day - first).days - LAUNCH[2]
    if age < 0:
        return None
    return ShelfPrice(LAUNCH[3], None, "sampling" if age < SAMPLING_DAYS else None)
