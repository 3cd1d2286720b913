"""Route plans and their stops."""

from __future__ import annotations

from datetime import time
from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import (
    ACCESS_METRES,
    REASON_LENGTH,
    DroppedReason,
    PlanStatus,
    RevisionKind,
    Tier,
    TravelMode,
)
from ..services import plan_history
from ..services.plan_building import rep_shift, seconds_of, store_window, time_of
from .common import SEARCH, BoundedList, Clock, PageArgs, page_schema, text

PLAN_STOPS = 200  # stores on one plan
REASON = text(
    REASON_LENGTH,
    metadata={"description": "Why (kept in the plan's revision history)"},
)


_CLOCK = Clock()


def _clock(value: time | None) -> str | None:
    return _CLOCK.serialize("value", {"value": value})


def _access(stop: Any) -> dict[str, float] | None:
    if stop.access_lat is None:
        return None
    return {"lat": stop.access_lat, "lng": stop.access_lng, "distance_m": stop.access_m}


def _window(stop: Any, end: int) -> str | None:
    window = store_window(stop.store, stop.plan.plan_date, stop.arrival)
    return None if window is None else _clock(window[end])


class PersonSchema(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    name = ma.fields.String(attribute="full_name")


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
    service_minutes = ma.fields.Function(lambda s: s.store.visit_minutes, dump_only=True)
    window_open = ma.fields.Function(
        lambda s: _window(s, 0),
        dump_only=True,
        metadata={"description": "Opening window that day the arrival falls in (or the first)"},
    )
    window_close = ma.fields.Function(lambda s: _window(s, 1), dump_only=True)
    address = ma.fields.Function(lambda s: s.store.address, dump_only=True)
    geometry = ma.fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Street geometry of the leg arriving here (from the previous stop or "
            "the start): encoded polyline, precision 6, [lat, lng]; null on straight lines"
        },
    )
    access = ma.fields.Function(
        _access,
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Where the rep's mode meets the road, when more than "
            f"{ACCESS_METRES} m from the store (e.g. a car beside a pedestrian street): "
            "{lat, lng, distance_m}; else null"
        },
    )


class DroppedStoreSchema(ma.Schema):
    store_id = ma.fields.Integer()
    store_code = ma.fields.Function(lambda d: d.store.code)
    store_name = ma.fields.Function(lambda d: d.store.name)
    lat = ma.fields.Function(lambda d: d.store.lat)
    lng = ma.fields.Function(lambda d: d.store.lng)
    reason = ma.fields.Enum(
        DroppedReason,
        by_value=True,
        metadata={
            "description": "no_room, closed (that day), outside_windows (of the shift), "
            "unreachable (by the rep's travel mode: see detail)"
        },
    )
    detail = ma.fields.String(
        allow_none=True, metadata={"description": "Why, in words (unreachable: which road)"}
    )


def _over_shift_minutes(plan: Any) -> int:
    if plan.end_time is None:
        return 0
    return max(0, seconds_of(plan.end_time) - rep_shift(plan.rep)[1]) // 60


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
    rep = ma.fields.Nested(PersonSchema)
    frozen = ma.fields.Function(
        plan_history.is_frozen,
        metadata={"description": "The day is past: every write answers 409"},
    )
    amended = ma.fields.Boolean(
        metadata={"description": "Published, then changed after its day began"}
    )
    shift_start = ma.fields.Function(lambda p: _clock(time_of(rep_shift(p.rep)[0])))
    shift_end = ma.fields.Function(lambda p: _clock(time_of(rep_shift(p.rep)[1])))
    over_shift_minutes = ma.fields.Function(
        _over_shift_minutes, metadata={"description": "Back home after the shift's end by"}
    )
    violations = ma.fields.List(
        ma.fields.String(), metadata={"description": "Broken rules found by the last solve"}
    )
    dropped = ma.fields.List(
        ma.fields.Nested(DroppedStoreSchema),
        metadata={"description": "Stores the last solve left out, and why"},
    )
    travel_mode = ma.fields.Enum(
        TravelMode,
        by_value=True,
        allow_none=True,
        metadata={"description": "The rep's mode the plan was timed for; null: none (lines)"},
    )
    travel_source = ma.fields.String(
        metadata={"description": "roads (the road network's times) or straight (lines)"}
    )
    return_geometry = ma.fields.String(
        allow_none=True,
        metadata={"description": "Street geometry of the leg back home (polyline6) or null"},
    )


class ChangeSchema(ma.Schema):
    travel_seconds = ma.fields.Integer()
    distance_m = ma.fields.Integer()
    stops = ma.fields.Integer()


class _OutcomeView:
    """A `PlanOutcome` read as its plan, with the solve's own fields beside the plan's."""

    def __init__(self, outcome: Any):
        self._plan = outcome.plan
        self.dropped_store_ids = outcome.dropped
        self.change = outcome.change

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plan, name)


class PlanOutcomeSchema(PlanSchema):
    """A plan just computed (`services.plans.PlanOutcome`): the plan's fields, with what this
    solve did not fit and the change in totals (after - before) beside them."""

    dropped_store_ids = ma.fields.List(ma.fields.Integer())
    change = ma.fields.Nested(ChangeSchema, metadata={"description": "After - before"})

    @ma.pre_dump
    def _as_plan(self, outcome: Any, **kwargs: Any) -> _OutcomeView:
        return _OutcomeView(outcome)


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
    store_ids = BoundedList(
        ma.fields.Integer(),
        PLAN_STOPS,
        validate=validate.Length(min=1),
        metadata={"description": "Stores to visit (all required); absent = the rep's due stores"},
    )
    seconds = ma.fields.Float(
        validate=validate.Range(0.2, 60), metadata={"description": "Solver time budget"}
    )


class MovedSchema(ma.Schema):
    """Both plans after a move."""

    source = ma.fields.Nested(PlanOutcomeSchema, data_key="from", attribute="from")
    to = ma.fields.Nested(PlanOutcomeSchema)


class MoveSchema(ma.Schema):
    store_id = ma.fields.Integer(required=True)
    to_plan_id = ma.fields.Integer(required=True)
    position = ma.fields.Integer(
        validate=validate.Range(1, PLAN_STOPS + 1),
        metadata={"description": "1-based place on the other plan; default: where it fits best"},
    )
    locked = ma.fields.Boolean(load_default=False)
    reason = REASON


class TeamPublishSchema(ma.Schema):
    team_id = ma.fields.Integer(required=True)
    plan_date = ma.fields.Date(required=True)


class TeamPublishedSchema(ma.Schema):
    published = ma.fields.List(ma.fields.Integer())
    already = ma.fields.List(ma.fields.Integer(), metadata={"description": "Were published"})


class PublishSchema(ma.Schema):
    reason = REASON


class CandidateStoreSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    lat = ma.fields.Float()
    lng = ma.fields.Float()
    tier = ma.fields.Enum(Tier, by_value=True)
    address = ma.fields.String()


class CandidateSchema(ma.Schema):
    store = ma.fields.Nested(CandidateStoreSchema)
    due = ma.fields.Boolean()
    overdue_days = ma.fields.Integer(allow_none=True)
    distance_m = ma.fields.Integer(metadata={"description": "Straight line to the route"})


class CandidateArgs(PageArgs):
    q = text(SEARCH, metadata={"description": "In code or name"})


CandidatePageSchema = page_schema(CandidateSchema, "PlanCandidatePage")


class ChangesSchema(ma.Schema):
    added = ma.fields.List(ma.fields.Integer())
    removed = ma.fields.List(ma.fields.Integer())
    reordered = ma.fields.Boolean()
    locked = ma.fields.List(ma.fields.Integer())
    unlocked = ma.fields.List(ma.fields.Integer())


class RevisionSchema(ma.Schema):
    revision = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    by = ma.fields.Nested(PersonSchema, allow_none=True)
    kind = ma.fields.Enum(RevisionKind, by_value=True)
    reason = ma.fields.String(allow_none=True)
    changes = ma.fields.Nested(ChangesSchema)
    stops = ma.fields.Integer()
    travel_seconds = ma.fields.Integer()
    distance_m = ma.fields.Integer()
    during_day = ma.fields.Boolean(metadata={"description": "The plan's day had begun"})


class RevisionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RevisionSchema))


class StopEditSchema(ma.Schema):
    store_id = ma.fields.Integer(required=True)
    locked = ma.fields.Boolean()


class PlanEditSchema(ma.Schema):
    stops = BoundedList(
        ma.fields.Nested(StopEditSchema),
        PLAN_STOPS,
        required=True,
        metadata={"description": "The new ordered stop list: reorder, add, remove, lock"},
    )
    reason = REASON


class OptimiseSchema(ma.Schema):
    seconds = ma.fields.Float(validate=validate.Range(0.2, 60))
    reason = REASON


class ReplanSchema(ma.Schema):
    lat = ma.fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = ma.fields.Float(required=True, validate=validate.Range(-180, 180))
    at = Clock(metadata={"description": "Local time to plan from; default now"})
    done_store_ids = BoundedList(
        ma.fields.Integer(),
        PLAN_STOPS,
        load_default=list,
        metadata={"description": "Stores already visited (besides those checked in)"},
    )
    break_taken = ma.fields.Boolean(load_default=False)
