"""The product catalogue: everyone reads it, admins maintain it."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import changes_schema, page_envelope
from ..schemas.products import (
    BrandSchema,
    ProductPageSchema,
    ProductQueryArgs,
    ProductSchema,
    ProductUpdateSchema,
)
from ..services import products
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("products", __name__, url_prefix="/api", description="Brands and products")


@blp.route("/brands")
class Brands(MethodView):
    @blp.auth()
    @blp.response(200, BrandSchema(many=True))
    def get(self):
        """All brands: ours and the competitors'."""
        return products.list_brands(current_user())

    @blp.auth(Role.ADMIN)
    @blp.arguments(BrandSchema)
    @write(blp)
    @blp.response(201, BrandSchema)
    @blp.errors(409)
    def post(self, data):
        """Add a brand."""
        return products.create_brand(data)


@blp.route("/products")
class Products(MethodView):
    @blp.auth()
    @blp.arguments(ProductQueryArgs, location="query")
    @blp.response(200, ProductPageSchema)
    def get(self, args):
        """Products, filtered by brand, own/competitor, category, active and text."""
        items, total = products.list_products(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(Role.ADMIN)
    @blp.arguments(ProductSchema)
    @write(blp)
    @blp.response(201, ProductSchema)
    @blp.errors(409)
    def post(self, data):
        """Add a product."""
        return products.create_product(data)


@blp.route("/products/<int:product_id>")
class ProductById(MethodView):
    @blp.auth()
    @blp.response(200, ProductSchema)
    @blp.errors(404)
    def get(self, product_id):
        """One product."""
        return products.get_product(current_user(), product_id)

    @blp.auth(Role.ADMIN)
    @blp.arguments(changes_schema(ProductUpdateSchema))
    @write(blp)
    @blp.response(200, ProductSchema)
    @blp.errors(404, 409)
    def patch(self, changes, product_id):
        """Change a product; `active: false` retires it."""
        return products.update_product(current_user(), product_id, changes)
