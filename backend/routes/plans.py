"""Route plans: supervisors plan, edit and publish; reps read theirs and re-plan their day."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import page_envelope
from ..schemas.plans import (
    OptimiseSchema,
    PlanCreateSchema,
    PlanEditSchema,
    PlanOutcomeSchema,
    PlanPageSchema,
    PlanQueryArgs,
    PlanSchema,
    ReplanSchema,
)
from ..services import plan_building, plans
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("plans", __name__, url_prefix="/api/plans", description="Route plans")
PLANNERS = (Role.ADMIN, Role.SUPERVISOR)


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
        """Plan a rep's day as a draft, optimised by the route planner."""
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
    @blp.errors(404)
    def put(self, data, plan_id):
        """Set the plan's ordered stops (reorder, add, remove, lock); ETAs are recomputed."""
        return plans.edit_plan(current_user(), plan_id, data["stops"])

    @blp.auth(*PLANNERS)
    @write(blp)
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, plan_id):
        """Delete a draft plan."""
        plans.delete_plan(current_user(), plan_id)


@blp.route("/<int:plan_id>/optimise")
class Optimise(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(OptimiseSchema)
    @write(blp)
    @blp.response(200, PlanOutcomeSchema)
    @blp.errors(404)
    def post(self, data, plan_id):
        """Re-optimise the order; locked stops keep their position."""
        return plans.optimise_plan(current_user(), plan_id, data.get("seconds"))


@blp.route("/<int:plan_id>/publish")
class Publish(MethodView):
    @blp.auth(*PLANNERS)
    @write(blp)
    @blp.response(200, PlanSchema)
    @blp.errors(404, 409)
    def post(self, plan_id):
        """Publish the plan to its rep."""
        return plans.publish_plan(current_user(), plan_id)


@blp.route("/<int:plan_id>/replan")
class Replan(MethodView):
    @blp.auth(Role.REP, *PLANNERS)
    @blp.arguments(ReplanSchema)
    @write(blp)
    @blp.response(200, PlanOutcomeSchema)
    @blp.errors(404)
    def post(self, data, plan_id):
        """Re-plan the rest of the day from the rep's position and time (done stops stay)."""
        at = data.get("at")
        outcome = plans.replan_rest_of_day(
            current_user(),
            plan_id,
            data["lat"],
            data["lng"],
            plan_building.seconds_of(at) if at is not None else None,
            data["done_store_ids"],
            data["break_taken"],
        )
        return outcome
