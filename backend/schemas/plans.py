"""Route plans and their stops."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import PlanStatus
from .common import Clock, PageArgs, page_schema


class PlannedStopSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    store_id = ma.fields.Integer(required=True)
    store_code = ma.fields.Function(lambda s: s.store.code, dump_only=True)
    store_name = ma.fields.Function(lambda s: s.store.name, dump_only=True)
    tier = ma.fields.Function(lambda s: s.store.tier.value, dump_only=True)
    lat = ma.fields.Function(lambda s: s.store.lat, dump_only=True)
    lng = ma.fields.Function(lambda s: s.store.lng, dump_only=True)
    sequence = ma.fields.Integer(dump_only=True)
    arrival = Clock(
        dump_only=True, metadata={"description": "ETA, local time; null = no longer fits"}
    )
    start = Clock(dump_only=True, metadata={"description": "Visit start after any wait"})
    departure = Clock(dump_only=True)
    travel_seconds = ma.fields.Integer(
        dump_only=True, metadata={"description": "From the previous stop"}
    )
    distance_m = ma.fields.Integer(dump_only=True)
    locked = ma.fields.Boolean(metadata={"description": "Keeps its position when re-optimised"})
    done_at = ma.fields.AwareDateTime(dump_only=True)


class PlanSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    rep_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    plan_date = ma.fields.Date()
    status = ma.fields.Enum(PlanStatus, by_value=True)
    revision = ma.fields.Integer()
    published_at = ma.fields.AwareDateTime()
    start_time = Clock(metadata={"description": "Leaves home, local time"})
    end_time = Clock(metadata={"description": "Back home, local time"})
    travel_seconds = ma.fields.Integer()
    distance_m = ma.fields.Integer()
    break_after = ma.fields.Integer(
        allow_none=True, metadata={"description": "Stops before the lunch break"}
    )
    stops = ma.fields.List(ma.fields.Nested(PlannedStopSchema))


class PlanOutcomeSchema(PlanSchema):
    """A plan just computed (`services.plans.PlanOutcome`): the plan's fields, with what did not
    fit and any broken constraint beside them."""

    dropped_store_ids = ma.fields.List(ma.fields.Integer(), attribute="dropped")
    violations = ma.fields.List(ma.fields.String())
    OWN_FIELDS = frozenset({"dropped", "violations"})

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return super().get_attribute(obj if attr in self.OWN_FIELDS else obj.plan, attr, default)


class PlanQueryArgs(PageArgs):
    rep_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    status = ma.fields.Enum(PlanStatus, by_value=True)
    date_from = ma.fields.Date()
    date_to = ma.fields.Date()


PlanPageSchema = page_schema(PlanSchema, "PlanPage")


class PlanCreateSchema(ma.Schema):
    rep_id = ma.fields.Integer(required=True)
    plan_date = ma.fields.Date(required=True)
    store_ids = ma.fields.List(
        ma.fields.Integer(),
        validate=validate.Length(1, 200),
        metadata={"description": "Stores to visit (all required); absent = the rep's due stores"},
    )
    seconds = ma.fields.Float(
        validate=validate.Range(0.2, 60), metadata={"description": "Solver time budget"}
    )


class StopEditSchema(ma.Schema):
    store_id = ma.fields.Integer(required=True)
    locked = ma.fields.Boolean()


class PlanEditSchema(ma.Schema):
    stops = ma.fields.List(
        ma.fields.Nested(StopEditSchema),
        required=True,
        validate=validate.Length(max=200),
        metadata={"description": "The new ordered stop list: reorder, add, remove, lock"},
    )


class OptimiseSchema(ma.Schema):
    seconds = ma.fields.Float(validate=validate.Range(0.2, 60))


class ReplanSchema(ma.Schema):
    lat = ma.fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = ma.fields.Float(required=True, validate=validate.Range(-180, 180))
    at = Clock(metadata={"description": "Local time to plan from; default now"})
    done_store_ids = ma.fields.List(
        ma.fields.Integer(),
        load_default=list,
        metadata={"description": "Stores already visited (besides those checked in)"},
    )
    break_taken = ma.fields.Boolean(load_default=False)
