"""The agreed price list and promotions of own products: admins keep them, leads read them."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import changes_schema, page_envelope
from ..schemas.prices import (
    AgreedPricePageSchema,
    AgreedPriceQueryArgs,
    AgreedPriceSchema,
    AgreedPriceUpdateSchema,
    AgreedPromotionPageSchema,
    AgreedPromotionQueryArgs,
    AgreedPromotionSchema,
    AgreedPromotionUpdateSchema,
)
from ..services import prices
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint(
    "prices", __name__, url_prefix="/api", description="Agreed shelf prices and promotions"
)
LEADS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)


@blp.route("/agreed-prices")
class AgreedPrices(MethodView):
    @blp.auth(*LEADS)
    @blp.arguments(AgreedPriceQueryArgs, location="query")
    @blp.response(200, AgreedPricePageSchema)
    def get(self, args):
        """Agreed prices, filtered by product, channel and the day they are in force."""
        items, total = prices.list_agreed_prices(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(Role.ADMIN)
    @blp.arguments(AgreedPriceSchema)
    @write(blp)
    @blp.response(201, AgreedPriceSchema)
    def post(self, data):
        """Agree a price for an own product (one channel or all) from a day."""
        return prices.create_agreed_price(data)


@blp.route("/agreed-prices/<int:price_id>")
class AgreedPriceById(MethodView):
    @blp.auth(*LEADS)
    @blp.response(200, AgreedPriceSchema)
    @blp.errors(404)
    def get(self, price_id):
        """One agreed price."""
        return prices.get_agreed_price(current_user(), price_id)

    @blp.auth(Role.ADMIN)
    @blp.arguments(changes_schema(AgreedPriceUpdateSchema))
    @write(blp)
    @blp.response(200, AgreedPriceSchema)
    @blp.errors(404)
    def patch(self, changes, price_id):
        """Change an agreed price (e.g. end it: `valid_to`)."""
        return prices.update_agreed_price(current_user(), price_id, changes)

    @blp.auth(Role.ADMIN)
    @write(blp)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, price_id):
        """Delete an agreed price entered by mistake."""
        prices.delete_agreed_price(current_user(), price_id)


@blp.route("/promotions")
class Promotions(MethodView):
    @blp.auth(*LEADS)
    @blp.arguments(AgreedPromotionQueryArgs, location="query")
    @blp.response(200, AgreedPromotionPageSchema)
    def get(self, args):
        """Agreed promotions, filtered by product, channel, store and the day they run."""
        items, total = prices.list_promotions(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(Role.ADMIN)
    @blp.arguments(AgreedPromotionSchema)
    @write(blp)
    @blp.response(201, AgreedPromotionSchema)
    def post(self, data):
        """Agree a promotion of an own product (one channel and/or store, or all)."""
        return prices.create_promotion(current_user(), data)


@blp.route("/promotions/<int:promotion_id>")
class PromotionById(MethodView):
    @blp.auth(*LEADS)
    @blp.response(200, AgreedPromotionSchema)
    @blp.errors(404)
    def get(self, promotion_id):
        """One agreed promotion."""
        return prices.get_promotion(current_user(), promotion_id)

    @blp.auth(Role.ADMIN)
    @blp.arguments(changes_schema(AgreedPromotionUpdateSchema))
    @write(blp)
    @blp.response(200, AgreedPromotionSchema)
    @blp.errors(404)
    def patch(self, changes, promotion_id):
        """Change an agreed promotion."""
        return prices.update_promotion(current_user(), promotion_id, changes)

    @blp.auth(Role.ADMIN)
    @write(blp)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, promotion_id):
        """Delete an agreed promotion; deviations measured against it keep their prices."""
        prices.delete_promotion(current_user(), promotion_id)
