"""A store's contacts: read by whoever sees the store, kept by leads and the store's rep."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..schemas.common import changes_schema
from ..schemas.store_file import StoreContactSchema, StoreContactUpdateSchema
from ..services import store_contacts
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint(
    "store_contacts", __name__, url_prefix="/api/stores", description="Store contacts"
)


@blp.route("/<int:store_id>/contacts")
class Contacts(MethodView):
    @blp.auth()
    @blp.response(200, StoreContactSchema(many=True))
    @blp.errors(404)
    def get(self, store_id):
        """The store's contacts, the primary contact first."""
        return store_contacts.list_contacts(current_user(), store_id)

    @blp.auth()
    @blp.arguments(StoreContactSchema)
    @write(blp)
    @blp.response(201, StoreContactSchema)
    @blp.errors(404, 409)
    def post(self, data, store_id):
        """Add a contact (a lead, or the store's rep). The store's first contact is primary;
        `is_primary: true` makes the new one primary instead of the old."""
        return store_contacts.add_contact(current_user(), store_id, data)


@blp.route("/<int:store_id>/contacts/<int:contact_id>")
class ContactById(MethodView):
    @blp.auth()
    @blp.arguments(changes_schema(StoreContactUpdateSchema))
    @write(blp)
    @blp.response(200, StoreContactSchema)
    @blp.errors(404, 409)
    def patch(self, changes, store_id, contact_id):
        """Change a contact; `is_primary: true` makes it the primary contact."""
        return store_contacts.update_contact(current_user(), store_id, contact_id, changes)

    @blp.auth()
    @write(blp)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, store_id, contact_id):
        """Remove a contact; if it was the primary, the oldest contact left becomes primary."""
        store_contacts.delete_contact(current_user(), store_id, contact_id)
