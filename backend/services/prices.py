"""The agreed price list and the agreed promotions of own products (admins keep them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, String, cast, update

from ..errors import InvalidError
from ..extensions import db
from ..models import AgreedPrice, PriceDeviation, Product, Promotion, Store, User
from ..scoping import get_in_scope, ids_in_scope, scoped_select
from .paging import paginate, where_equal

FIELD_ERROR = "json"


def _invalid(field: str, message: str) -> InvalidError:
    return InvalidError(message, {FIELD_ERROR: {field: [message]}})


def _check_product(product_id: int) -> None:
    product = db.session.get(Product, product_id)
    if product is None:
        raise _invalid("product_id", "No such product.")
    if not product.is_own:
        raise _invalid("product_id", "Agreed prices are for our own products.")


def _check_store(actor: User, store_id: int | None) -> None:
    if store_id is not None and not ids_in_scope(actor, Store, {store_id}):
        raise _invalid("store_id", "No such store.")


def _check_dates(first: date, last: date | None, names: tuple[str, str]) -> None:
    if last is not None and last < first:
        raise _invalid(names[1], f"Must not be before {names[0]}.")


def _in_force(stmt: Select[Any], first: Any, last: Any, on: date | None) -> Select[Any]:
    if on is None:
        return stmt
    return stmt.where(first <= on, last.is_(None) | (last >= on))


# Agreed prices


def list_agreed_prices(actor: User, args: dict[str, Any]) -> tuple[list[AgreedPrice], int]:
    p = AgreedPrice
    stmt = where_equal(scoped_select(actor, p), p, args, ("product_id", "channel"))
    stmt = _in_force(stmt, p.valid_from, p.valid_to, args.get("on"))
    # The all-channel price first, then by channel name (not the enum's order): the same on
    # both databases.
    channel = (p.channel.is_not(None), cast(p.channel, String))
    stmt = stmt.order_by(p.product_id, *channel, p.valid_from.desc(), p.id)
    return paginate(stmt, args["page"], args["per_page"])


def get_agreed_price(actor: User, price_id: int) -> AgreedPrice:
    return get_in_scope(actor, AgreedPrice, price_id)


def create_agreed_price(data: dict[str, Any]) -> AgreedPrice:
    _check_product(data["product_id"])
    price = AgreedPrice(**data)
    db.session.add(price)
    db.session.flush()
    return price


def update_agreed_price(actor: User, price_id: int, changes: dict[str, Any]) -> AgreedPrice:
    price = get_in_scope(actor, AgreedPrice, price_id)
    if "product_id" in changes:
        _check_product(changes["product_id"])
    for key, value in changes.items():
        setattr(price, key, value)
    _check_dates(price.valid_from, price.valid_to, ("valid_from", "valid_to"))
    db.session.flush()
    return price


def delete_agreed_price(actor: User, price_id: int) -> None:
    db.session.delete(get_in_scope(actor, AgreedPrice, price_id))
    db.session.flush()


# Promotions


def list_promotions(actor: User, args: dict[str, Any]) -> tuple[list[Promotion], int]:
    p = Promotion
    stmt = where_equal(scoped_select(actor, p), p, args, ("product_id", "channel", "store_id"))
    stmt = _in_force(stmt, p.starts_on, p.ends_on, args.get("on"))
    stmt = stmt.order_by(p.starts_on.desc(), p.product_id, p.id)
    return paginate(stmt, args["page"], args["per_page"])


def get_promotion(actor: User, promotion_id: int) -> Promotion:
    return get_in_scope(actor, Promotion, promotion_id)


def create_promotion(actor: User, data: dict[str, Any]) -> Promotion:
    _check_product(data["product_id"])
    _check_store(actor, data.get("store_id"))
    promotion = Promotion(**data)
    db.session.add(promotion)
    db.session.flush()
    return promotion


def update_promotion(actor: User, promotion_id: int, changes: dict[str, Any]) -> Promotion:
    promotion = get_in_scope(actor, Promotion, promotion_id)
    if "product_id" in changes:
        _check_product(changes["product_id"])
    if "store_id" in changes:
        _check_store(actor, changes["store_id"])
    for key, value in changes.items():
        setattr(promotion, key, value)
    _check_dates(promotion.starts_on, promotion.ends_on, ("starts_on", "ends_on"))
    db.session.flush()
    return promotion


def delete_promotion(actor: User, promotion_id: int) -> None:
    """Delete the promotion; the deviations measured against it keep their prices."""
    promotion = get_in_scope(actor, Promotion, promotion_id)
    # Not left to ON DELETE SET NULL: SQLite runs without foreign-key enforcement.
    db.session.execute(
        update(PriceDeviation)
        .where(PriceDeviation.promotion_id == promotion.id)
        .values(promotion_id=None)
    )
    db.session.delete(promotion)
    db.session.flush()
