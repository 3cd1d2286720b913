"""The audit log, read only and for admins: who did what, when and from where.

Only GET exists here: no endpoint changes or removes an entry (PUT, PATCH, DELETE answer 405).
"""

from __future__ import annotations

from flask.views import MethodView

from ..models import Role
from ..schemas.audit import AuditEntrySchema, AuditPageSchema, AuditQueryArgs
from ..schemas.common import page_envelope
from ..services import audit
from .base import ApiBlueprint

blp = ApiBlueprint(
    "audit", __name__, url_prefix="/api/audit", description="The audit log (admins only)"
)


@blp.route("")
class AuditEntries(MethodView):
    @blp.auth(Role.ADMIN)
    @blp.arguments(AuditQueryArgs, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args):
        """Audit entries, newest first: sign-ins (and refused ones), exports, imports,
        reassignments, user, role and password changes, photo deletions and plan revisions."""
        items, total = audit.list_entries(args)
        return page_envelope(items, total, args["page"], args["per_page"])


@blp.route("/<int:entry_id>")
class AuditEntryById(MethodView):
    @blp.auth(Role.ADMIN)
    @blp.response(200, AuditEntrySchema)
    @blp.errors(404)
    def get(self, entry_id):
        """One audit entry."""
        return audit.get_entry(entry_id)
