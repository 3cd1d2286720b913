"""Photo review: supervisors and admins judge visit photos; reps read the verdict."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.reports import PhotoReviewInSchema, PhotoReviewSchema
from ..services import photo_review
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("photo_reviews", __name__, url_prefix="/api/photos", description="Photo review")


@blp.route("/<int:photo_id>/review")
class PhotoReviewView(MethodView):
    @blp.auth()
    @blp.response(200, PhotoReviewSchema)
    @blp.errors(404)
    def get(self, photo_id):
        """The review of a photo you may see (a rep: feedback on their own photos)."""
        return photo_review.get_review(current_user(), photo_id)

    @blp.auth(Role.SUPERVISOR, Role.ADMIN)
    @blp.arguments(PhotoReviewInSchema)
    @write(blp)
    @blp.response(200, PhotoReviewSchema)
    @blp.errors(404)
    def put(self, data, photo_id):
        """Approve or reject a photo of your team's visits; a rejection needs a comment.

        Reviewing again replaces the earlier verdict."""
        return photo_review.review_photo(current_user(), photo_id, data)
