"""What the competitors charge on the demo's shelves, day by day: one `Market` per territory.

Counted from the demo's first day: a competitor cuts one product's price after two weeks and
launches a product that is not in our catalogue after two and a half; every four weeks a few
promotions run (a discount, a bundle, and at modern stores a three-day shock price). Shelf
prices are the list price, a little higher in traditional shops and in special places.

Tokyo: Kawa cuts its oolong tea and launches a matcha latte; Fuji runs a sencha discount in the
second half, Aoyama a crisps bundle in the first week, modern stores a shock price on Kawa's
coffee. Helsinki: Kaski cuts its cold brew and launches a sea-buckthorn soda; Tunturi runs a
lingonberry juice discount, Saari a rye crisps bundle, modern stores a shock price on Kaski's
energy drink.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...models import Channel

CYCLE_DAYS = 28
CHANNEL_MARKUP = {Channel.MODERN: Decimal("1.00"), Channel.TRADITIONAL: Decimal("1.05"),
                  Channel.SPECIAL: Decimal("1.10")}  # fmt: skip
SAMPLING_DAYS = 7  # the launch is sampled in store for its first week


@dataclass(frozen=True)
class ShelfPrice:
    regular: Decimal
    promo: Decimal | None = None
    promo_type: str | None = None


@dataclass(frozen=True)
class Market:
    price_cut: tuple[str, int, Decimal]  # sku, from day, new list price
    # sku: (first day, last day) of each cycle, promotion type, promotional price, modern only
    promotions: dict[str, tuple[int, int, str, Decimal, bool]]
    launch: tuple[str, str, int, Decimal]  # brand, name, day, price
    step: Decimal  # the smallest price step of the currency as shelves show it

    def shelf_price(
        self, sku: str, list_price: Decimal, channel: Channel, day: date, first: date
    ) -> ShelfPrice:
        """A catalogue product's price on a shelf of `channel` on `day` (the demo began on
        `first`)."""
        age = (day - first).days
        if sku == self.price_cut[0] and age >= self.price_cut[1]:
            list_price = self.price_cut[2]
        regular = (list_price * CHANNEL_MARKUP[channel]).quantize(self.step)
        promotion = self.promotions.get(sku)
        if promotion is not None:
            start, end, kind, price, modern_only = promotion
            running = start <= age % CYCLE_DAYS <= end and age >= 0
            if running and (channel is Channel.MODERN or not modern_only):
                return ShelfPrice(regular, price, kind)
        return ShelfPrice(regular)

    def launched(self, day: date, first: date) -> ShelfPrice | None:
        """The new product's price, from its launch on (sampled in store in its first week)."""
        age = (day - first).days - self.launch[2]
        if age < 0:
            return None
        return ShelfPrice(self.launch[3], None, "sampling" if age < SAMPLING_DAYS else None)


TOKYO = Market(
    price_cut=("KWD-GT-525", 14, Decimal("138")),
    promotions={
        "FTC-GT-600": (14, 23, "discount", Decimal("139"), False),
        "AYS-CP-60": (0, 6, "bundle", Decimal("130"), False),
        "KWD-BC-190": (21, 23, "shock_price", Decimal("98"), True),
    },
    launch=("Kawa Drinks", "Kawa Matcha Latte 280 ml", 18, Decimal("168")),
    step=Decimal("1"),
)
HELSINKI = Market(
    price_cut=("KSK-CB-250", 14, Decimal("2.29")),
    promotions={
        "TNT-LJ-1000": (14, 23, "discount", Decimal("2.49"), False),
        "SAA-RC-150": (0, 6, "bundle", Decimal("1.99"), False),
        "KSK-ED-500": (21, 23, "shock_price", Decimal("1.29"), True),
    },
    launch=("Kaski Drinks", "Kaski Sea Buckthorn Soda 330 ml", 18, Decimal("2.19")),
    step=Decimal("0.01"),
)
