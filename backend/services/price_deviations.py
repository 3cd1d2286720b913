"""An own product's shelf price against the agreement, recomputed whenever a visit's display
checks are written (against the price list and promotions as they stand then).

For each own product checked with a shelf price or a special price:

- the agreed price is the one in force on the visit date for the store's channel, else the
  all-channel one (several in force: the latest `valid_from`, then the newest row);
- a promotion covers it when it is of that product, runs on the visit date and is for the
  store's channel (or all) and the store (or all). A covering promotion without a promo price
  sets no floor: any price under it is agreed;
- the floor is the lowest of the agreed price and the covering promotions' promo prices;
- `unagreed_special`: a special price no promotion covers, or one below the floor;
  `below_agreed`: any other shelf price below the floor.

A deviation keeps the floor it was measured against (`agreed_price`, None when no price was
agreed) and the promotion that set it. The visit carries one `price_deviation` flag listing
the products, none when every price is agreed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select

from ..extensions import db
from ..models import (
    AgreedPrice,
    Brand,
    Channel,
    DeviationKind,
    DisplayCheck,
    FlagKind,
    PriceDeviation,
    Product,
    Promotion,
    Visit,
    VisitFlag,
)

MESSAGE_LENGTH = 300  # VisitFlag.message


def recompute(visit: Visit) -> list[PriceDeviation]:
    """Replace the visit's price deviations and its `price_deviation` flag."""
    checks = db.session.execute(
        select(DisplayCheck, Product.name, Product.pack_size)
        .join(Product, Product.id == DisplayCheck.product_id)
        .join(Brand, Brand.id == Product.brand_id)
        .where(
            DisplayCheck.visit_id == visit.id,
            Brand.is_own.is_(True),
            DisplayCheck.shelf_price.is_not(None) | DisplayCheck.special_price.is_(True),
        )
        .order_by(Product.name, Product.id)
    ).all()
    product_ids = {check.product_id for check, _, _ in checks}
    agreed = agreed_prices(product_ids, visit.store.channel, visit.visit_date)
    promotions = covering_promotions(product_ids, visit.store_id, visit.store.channel,
                                     visit.visit_date)  # fmt: skip
    db.session.execute(delete(PriceDeviation).where(PriceDeviation.visit_id == visit.id))
    found = []
    for check, name, pack in checks:
        # With the pack size: two sizes of one product are told apart on the flag.
        name = f"{name} {pack}".strip()
        row = _deviation(check, agreed.get(check.product_id), promotions.get(check.product_id, []))
        if row is not None:
            row.visit_id = visit.id
            found.append((row, name))
    db.session.add_all(row for row, _ in found)
    db.session.flush()
    _flag(visit, found)
    return [row for row, _ in found]


def agreed_prices(product_ids: set[int], channel: Channel, day: date) -> dict[int, Decimal]:
    """The agreed price in force on `day` at a store of `channel`, per product."""
    p = AgreedPrice
    rows = db.session.scalars(
        select(p).where(
            p.product_id.in_(product_ids),
            p.valid_from <= day,
            p.valid_to.is_(None) | (p.valid_to >= day),
            p.channel.is_(None) | (p.channel == channel),
        )
    ).all()
    best: dict[int, AgreedPrice] = {}
    for row in sorted(rows, key=lambda r: (r.channel is not None, r.valid_from, r.id)):
        best[row.product_id] = row  # the last one wins: own channel, latest start, newest
    return {product_id: row.price for product_id, row in best.items()}


def covering_promotions(
    product_ids: set[int], store_id: int, channel: Channel, day: date
) -> dict[int, list[Promotion]]:
    p = Promotion
    rows = db.session.scalars(
        select(p)
        .where(
            p.product_id.in_(product_ids),
            p.starts_on <= day,
            p.ends_on >= day,
            p.channel.is_(None) | (p.channel == channel),
            p.store_id.is_(None) | (p.store_id == store_id),
        )
        .order_by(p.id)
    ).all()
    found: dict[int, list[Promotion]] = {}
    for row in rows:
        found.setdefault(row.product_id, []).append(row)
    return found


def _deviation(
    check: DisplayCheck, agreed: Decimal | None, promotions: list[Promotion]
) -> PriceDeviation | None:
    if any(p.promo_price is None for p in promotions):
        return None
    floor, promotion = agreed, None
    for candidate in promotions:
        if floor is None or candidate.promo_price < floor:
            floor, promotion = candidate.promo_price, candidate
    shelf = check.shelf_price
    below = shelf is not None and floor is not None and shelf < floor
    if check.special_price and (not promotions or below):
        kind = DeviationKind.UNAGREED_SPECIAL
    elif below:
        kind = DeviationKind.BELOW_AGREED
    else:
        return None
    return PriceDeviation(
        product_id=check.product_id,
        kind=kind,
        shelf_price=shelf,
        agreed_price=floor,
        promotion_id=promotion.id if promotion is not None else None,
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _flag(visit: Visit, found: list[tuple[PriceDeviation, str]]) -> None:
    for flag in [f for f in visit.flags if f.kind is FlagKind.PRICE_DEVIATION]:
        visit.flags.remove(flag)
    if not found:
        return
    names = ", ".join(name for _, name in found)
    products = [
        {
            "product_id": row.product_id,
            "product_name": name,
            "kind": row.kind.value,
            "shelf_price": _money(row.shelf_price),
            "agreed_price": _money(row.agreed_price),
        }
        for row, name in found
    ]
    message = f"{len(found)} own product(s) priced off the agreement: {names}."
    if len(message) > MESSAGE_LENGTH:
        message = message[: MESSAGE_LENGTH - 1] + "…"
    detail = {"count": len(found), "product_names": names, "products": products}
    visit.flags.append(VisitFlag(kind=FlagKind.PRICE_DEVIATION, message=message, detail=detail))
