"""Route plans: supervisors plan, edit and publish; reps read theirs and re-plan their day."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import page_envelope
from ..schemas.plans import (
    CandidateArgs,
    CandidatePageSchema,
    MovedSchema,
    MoveSchema,
    OptimiseSchema,
    PlanCreateSchema,
    PlanEditSchema,
    PlanOutcomeSchema,
    PlanPageSchema,
    PlanQueryArgs,
    PlanSchema,
    PublishSchema,
    ReplanSchema,
    RevisionListSchema,
    TeamPublishedSchema,
    TeamPublishSchema,
)
from ..services import plan_building, plan_candidates, plan_edits, plans
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("plans", __name__, url_prefix="/api/plans", description="Route plans")
PLANNERS = (Role.ADMIN, Role.SUPERVISOR)
READERS = (*PLANNERS, Role.AREA_MANAGER)


@blp.route("")
class Plans(MethodView):
    @blp.auth()
    @blp.arguments(PlanQueryArgs, location="query")
    @blp.response(200, PlanPageSchema)
    def get(self, args):
        """Plans in your scope (a rep: their published plans), newest date first."""
        items, total = plans.list_plans(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(*PLANNERS)
    @blp.arguments(PlanCreateSchema)
    @write(blp)
    @blp.response(201, PlanOutcomeSchema)
    @blp.errors(409)
    def post(self, data):
        """Plan a rep's day as a draft, optimised by the route planner.

        With routing tiles (docs/roads.md) a rep with a travel mode is planned on that mode's
        road times, each stop timed on the route's leg with its street geometry; stores the mode
        cannot reach are dropped as `unreachable` (a home it cannot reach: 422)."""
        outcome = plans.create_plan(
            current_user(),
            data["rep_id"],
            data["plan_date"],
            data.get("store_ids"),
            data.get("seconds"),
        )
        return outcome


@blp.route("/<int:plan_id>")
class PlanById(MethodView):
    @blp.auth()
    @blp.response(200, PlanSchema)
    @blp.errors(404)
    def get(self, plan_id):
        """One plan with its stops and ETAs."""
        return plans.get_plan(current_user(), plan_id)

    @blp.auth(*PLANNERS)
    @blp.arguments(PlanEditSchema)
    @write(blp)
    @blp.response(200, PlanOutcomeSchema)
    @blp.errors(404, 409)
    def put(self, data, plan_id):
        """Set the plan's ordered stops (reorder, add, remove, lock); ETAs are recomputed.

        A plan of a past day answers 409."""
        return plan_edits.edit_plan(current_user(), plan_id, data["stops"], data.get("reason"))

    @blp.auth(*PLANNERS)
    @write(blp)
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, plan_id):
        """Delete a draft plan (not of a past day: 409)."""
        plans.delete_plan(current_user(), plan_id)


@blp.route("/<int:plan_id>/optimise")
class Optimise(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(OptimiseSchema)
    @write(blp)
    @blp.response(200, PlanOutcomeSchema)
    @blp.errors(404, 409)
    def post(self, data, plan_id):
        """Re-optimise the order; locked stops keep their position."""
        return plan_edits.optimise_plan(
            current_user(), plan_id, data.get("seconds"), data.get("reason")
        )


@blp.route("/<int:plan_id>/move")
class Move(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(MoveSchema)
    @write(blp)
    @blp.response(200, MovedSchema)
    @blp.errors(404, 409)
    def post(self, data, plan_id):
        """Move a stop to another rep's plan of the same day and team; both are re-timed."""
        moved, received = plan_edits.move_stop(
            current_user(),
            plan_id,
            data["store_id"],
            data["to_plan_id"],
            data.get("position"),
            data["locked"],
            data.get("reason"),
        )
        return {"from": moved, "to": received}


@blp.route("/<int:plan_id>/candidates")
class Candidates(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(CandidateArgs, location="query")
    @blp.response(200, CandidatePageSchema)
    @blp.errors(404)
    def get(self, args, plan_id):
        """Stores to add: the team's open stores on no plan that day, due and overdue first
        (most overdue first), then the nearest to the route."""
        items, total = plan_candidates.candidates(current_user(), plan_id, args)
        return page_envelope(items, total, args["page"], args["per_page"])


@blp.route("/<int:plan_id>/revisions")
class Revisions(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, RevisionListSchema)
    @blp.errors(404)
    def get(self, plan_id):
        """The plan's history, oldest first: who changed what, when and why."""
        return {"items": plans.revisions(current_user(), plan_id)}


@blp.route("/<int:plan_id>/publish")
class Publish(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(PublishSchema)
    @write(blp)
    @blp.response(200, PlanSchema)
    @blp.errors(404, 409)
    def post(self, data, plan_id):
        """Publish the plan to its rep."""
        return plans.publish_plan(current_user(), plan_id, data.get("reason"))


@blp.route("/publish")
class TeamPublish(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(TeamPublishSchema)
    @write(blp)
    @blp.response(200, TeamPublishedSchema)
    @blp.errors(409)
    def post(self, data):
        """Publish all the team's drafts of a day."""
        return plans.publish_team(current_user(), data["team_id"], data["plan_date"])


@blp.route("/<int:plan_id>/replan")
class Replan(MethodView):
    @blp.auth(Role.REP, *PLANNERS)
    @blp.arguments(ReplanSchema)
    @write(blp)
    @blp.response(200, PlanOutcomeSchema)
    @blp.errors(404, 409)
    def post(self, data, plan_id):
        """Re-plan the rest of the day from the rep's position and time (done stops stay).

        On roads the first leg's geometry runs from the rep's position along the streets."""
        at = data.get("at")
        outcome = plan_edits.replan_rest_of_day(
            current_user(),
            plan_id,
            data["lat"],
            data["lng"],
            plan_building.seconds_of(at) if at is not None else None,
            data["done_store_ids"],
            data["break_taken"],
        )
        return outcome
