"""Brands and products (ours and competitors')."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from .common import PageArgs, page_schema, search_text


class BrandSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(1, 120))
    is_own = ma.fields.Boolean(load_default=False, metadata={"description": "Our own brand"})


class ProductSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    sku = ma.fields.String(required=True, validate=validate.Length(1, 64))
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    brand_id = ma.fields.Integer(required=True)
    brand = ma.fields.Function(lambda p: p.brand.name, dump_only=True)
    is_own = ma.fields.Boolean(dump_only=True)
    category = ma.fields.String(required=True, validate=validate.Length(1, 80))
    pack_size = ma.fields.String(required=True, validate=validate.Length(1, 40))
    unit_price = ma.fields.Decimal(
        places=2,
        as_string=True,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"minimum": 0, "type": "string", "format": "decimal", "example": "160.00"},
    )
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
