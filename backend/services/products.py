"""The product catalogue: brands and products."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidError
from ..extensions import db
from ..models import Brand, Product, User
from ..scoping import get_in_scope, scoped_select
from .paging import paginate, where_equal


def list_brands(actor: User) -> list[Brand]:
    return list(db.session.scalars(scoped_select(actor, Brand).order_by(Brand.name)))


def create_brand(data: dict[str, Any]) -> Brand:
    brand = Brand(**data)
    db.session.add(brand)
    db.session.flush()
    return brand


def list_products(actor: User, args: dict[str, Any]) -> tuple[list[Product], int]:
    stmt = scoped_select(actor, Product).join(Product.brand)
    stmt = where_equal(stmt, Product, args, ("brand_id", "category", "active"))
    if "own" in args:
        stmt = stmt.where(Brand.is_own == args["own"])
    if "q" in args:
        stmt = stmt.where(
            Product.name.icontains(args["q"], autoescape=True)
            | Product.sku.icontains(args["q"], autoescape=True)
        )
    return paginate(stmt.order_by(Brand.name, Product.name), args["page"], args["per_page"])


def get_product(actor: User, product_id: int) -> Product:
    return get_in_scope(actor, Product, product_id)


def create_product(data: dict[str, Any]) -> Product:
    _check_brand(data.get("brand_id"))
    product = Product(**data, active=True)
    db.session.add(product)
    db.session.flush()
    return product


def update_product(actor: User, product_id: int, changes: dict[str, Any]) -> Product:
    product = get_in_scope(actor, Product, product_id)
    if "brand_id" in changes:
        _check_brand(changes["brand_id"])
    for key, value in changes.items():
        setattr(product, key, value)
    db.session.flush()
    return product


def _check_brand(brand_id: int | None) -> None:
    if brand_id is not None and db.session.get(Brand, brand_id) is None:
        raise InvalidError("No such brand.", {"json": {"brand_id": ["No such brand."]}})
