"""Brands and products (ours and competitors')."""

from __future__ import annotations

import marshmallow as ma

from .common import CODE, KEY, LABEL, NAME, TITLE, Money, PageArgs, page_schema, search_text, text


class BrandSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = text(NAME, min_length=1, required=True)
    is_own = ma.fields.Boolean(load_default=False, metadata={"description": "Our own brand"})


class ProductSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    sku = text(KEY, min_length=1, required=True)
    name = text(TITLE, min_length=1, required=True)
    brand_id = ma.fields.Integer(required=True)
    brand = ma.fields.Function(lambda p: p.brand.name, dump_only=True)
    is_own = ma.fields.Boolean(dump_only=True)
    category = text(LABEL, min_length=1, required=True)
    pack_size = text(CODE, min_length=1, required=True)
    unit_price = Money(allow_none=True, metadata={"example": "160.00"})
    active = ma.fields.Boolean(dump_only=True)


class ProductUpdateSchema(ProductSchema):
    """Loaded with `changes_schema`."""

    active = ma.fields.Boolean()


class ProductQueryArgs(PageArgs):
    brand_id = ma.fields.Integer()
    own = ma.fields.Boolean(metadata={"description": "true: ours; false: competitors'"})
    category = search_text("Exact category")
    active = ma.fields.Boolean()
    q = search_text("Text contained in the name or SKU (case-insensitive)")


ProductPageSchema = page_schema(ProductSchema, "ProductPage")
