"""The KPI counts of selected rep-days, computed from the raw rows: what `rep_day_kpis` holds.

- planned stops: the stops of the rep's *published* plan that day as it stood when the day
  began (its baseline, `plan_baseline_stops`, once it changed during its day or was first
  published then; else its stops), under the plan's team; one is *visited* when the rep
  checked in at its store that day (twice is one), *ordered* when one of those visits took an
  order, *in position* when the k-th stop by planned sequence is also the k-th of the visited
  stops by first check-in;
- amendments: stops *added* to the plan since its baseline and baseline stops *removed*;
- visits, under the team of their check-in: *on route* when the store is on that day's
  published plan (now or at the start of the day), otherwise unplanned (their orders are
  `off_route_orders`); time in store
  over closed visits; travel = first check-in to last check-out less the time in stores, over
  visits - 1 legs, on days whose visits are all closed;
- photos of those visits, and how many were approved or rejected.

A visit held for review (flagged `time_travel`, `models.visits.counted_visit`) counts in none
of these until a supervisor accepts it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal_column, select, union_all

from ...models import (
    REP_DAY_COUNTS,
    Photo,
    PhotoReview,
    PlanBaselineStop,
    PlannedStop,
    PlanStatus,
    RepDayKpi,
    ReviewStatus,
    RoutePlan,
    Visit,
)
from ...models.visits import counted_visit
from .sql import count_if, seconds_between, summed_parts

TABLE = RepDayKpi
KEYS = ("rep_id", "team_id", "day")
COUNTS = REP_DAY_COUNTS


def _counted_stops() -> Any:
    """The stops each plan counts (plan id, store id, sequence): its baseline when it has one,
    else its current stops."""
    baseline = PlanBaselineStop
    no_baseline = ~exists().where(baseline.plan_id == PlannedStop.plan_id)
    return union_all(
        select(baseline.plan_id, baseline.store_id, baseline.sequence),
        select(PlannedStop.plan_id, PlannedStop.store_id, PlannedStop.sequence).where(no_baseline),
    ).subquery("counted")


def _amendments(where: Any) -> Select[Any]:
    """Stops added to and removed from published plans since their baseline, per rep, plan
    team and day."""
    baseline = PlanBaselineStop
    same = and_(baseline.plan_id == PlannedStop.plan_id, baseline.store_id == PlannedStop.store_id)
    has_baseline = exists().where(baseline.plan_id == PlannedStop.plan_id)
    one, zero = literal_column("1"), literal_column("0")
    changed = union_all(
        select(PlannedStop.plan_id, one.label("added"), zero.label("removed")).where(
            has_baseline, ~exists().where(same)
        ),
        select(baseline.plan_id, zero, one).where(~exists().where(same)),
    ).subquery("changed")
    return (
        select(
            RoutePlan.rep_id,
            RoutePlan.team_id,
            RoutePlan.plan_date.label("day"),
            func.sum(changed.c.added).label("added"),
            func.sum(changed.c.removed).label("removed"),
        )
        .join(RoutePlan, RoutePlan.id == changed.c.plan_id)
        .where(
            RoutePlan.status == PlanStatus.PUBLISHED, where(RoutePlan.rep_id, RoutePlan.plan_date)
        )
        .group_by(RoutePlan.rep_id, RoutePlan.team_id, RoutePlan.plan_date)
    )


def _stops(where: Any) -> Select[Any]:
    """Planned-stop counts per rep, plan team and day (the plan as its day began)."""
    counted = _counted_stops()
    seen = (
        select(
            Visit.rep_id,
            Visit.store_id,
            Visit.visit_date,
            func.max(case((Visit.successful, 1), else_=0)).label("ordered"),
            func.min(Visit.checked_in_at).label("first_in"),
        )
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
        .group_by(Visit.rep_id, Visit.store_id, Visit.visit_date)
        .subquery("seen")
    )
    visited = case((seen.c.rep_id.is_not(None), 1), else_=0)
    partition = (RoutePlan.id, visited)
    planned_rank = func.row_number().over(partition_by=partition, order_by=counted.c.sequence)
    actual_rank = func.row_number().over(
        partition_by=partition, order_by=(seen.c.first_in, counted.c.sequence)
    )
    stops = (
        select(
            RoutePlan.rep_id,
            RoutePlan.team_id,
            RoutePlan.plan_date.label("day"),
            visited.label("visited"),
            func.coalesce(seen.c.ordered, 0).label("ordered"),
            planned_rank.label("planned_rank"),
            actual_rank.label("actual_rank"),
        )
        .select_from(counted)
        .join(RoutePlan, RoutePlan.id == counted.c.plan_id)
        .outerjoin(
            seen,
            and_(
                seen.c.rep_id == RoutePlan.rep_id,
                seen.c.store_id == counted.c.store_id,
                seen.c.visit_date == RoutePlan.plan_date,
            ),
        )
        .where(
            RoutePlan.status == PlanStatus.PUBLISHED,
            where(RoutePlan.rep_id, RoutePlan.plan_date),
        )
        .subquery("stops")
    )
    c = stops.c
    return select(
        c.rep_id,
        c.team_id,
        c.day,
        func.count().label("planned"),
        func.sum(c.visited).label("visited"),
        func.sum(c.ordered).label("ordered"),
        count_if((c.visited == 1) & (c.planned_rank == c.actual_rank)).label("in_position"),
    ).group_by(c.rep_id, c.team_id, c.day)


def _visits(where: Any) -> Select[Any]:
    """Visit counts, time in store and travel per rep, check-in team and day."""
    stops = union_all(
        select(PlannedStop.plan_id, PlannedStop.store_id),
        select(PlanBaselineStop.plan_id, PlanBaselineStop.store_id),
    ).subquery("any_stops")
    route = (
        select(RoutePlan.rep_id, RoutePlan.plan_date, stops.c.store_id)
        .join(stops, stops.c.plan_id == RoutePlan.id)
        .where(
            RoutePlan.status == PlanStatus.PUBLISHED,
            where(RoutePlan.rep_id, RoutePlan.plan_date),
        )
        .distinct()
        .subquery("route")
    )
    on_route = route.c.rep_id.is_not(None)
    in_store = seconds_between(Visit.checked_in_at, Visit.checked_out_at)
    all_closed = func.count(Visit.checked_out_at) == func.count()
    span = seconds_between(func.min(Visit.checked_in_at), func.max(Visit.checked_out_at))
    group = (Visit.rep_id, Visit.team_id, Visit.visit_date)
    return (
        select(
            *group[:2],
            Visit.visit_date.label("day"),
            func.count().label("visits"),
            count_if(on_route).label("on_route"),
            count_if(~on_route & Visit.successful).label("off_route_orders"),
            func.coalesce(func.sum(in_store), 0).label("in_store_total"),
            func.count(Visit.checked_out_at).label("in_store_count"),
            case((all_closed, span - func.sum(in_store)), else_=0).label("travel_total"),
            case((all_closed, func.count() - 1), else_=0).label("travel_count"),
        )
        .outerjoin(
            route,
            and_(
                route.c.rep_id == Visit.rep_id,
                route.c.plan_date == Visit.visit_date,
                route.c.store_id == Visit.store_id,
            ),
        )
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
        .group_by(*group)
    )


def _photos(where: Any) -> Select[Any]:
    """Photo and review counts per rep, check-in team and day."""
    return (
        select(
            Visit.rep_id,
            Visit.team_id,
            Visit.visit_date.label("day"),
            func.count().label("photos"),
            count_if(PhotoReview.status == ReviewStatus.APPROVED).label("approved"),
            count_if(PhotoReview.status == ReviewStatus.REJECTED).label("rejected"),
        )
        .select_from(Photo)
        .join(Visit, Visit.id == Photo.visit_id)
        .outerjoin(PhotoReview, PhotoReview.photo_id == Photo.id)
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
        .group_by(Visit.rep_id, Visit.team_id, Visit.visit_date)
    )


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    parts = [_stops(where), _amendments(where), _visits(where), _photos(where)]
    return summed_parts(parts, KEYS, COUNTS)
