"""Supervisor KPIs for reps, teams or areas over a period, with a per-day trend.

Definitions (../shared/domain.md), all in SQL over the caller's scope:

- planned stops: the stops of *published* route plans dated in the period. A plan keeps the
  team the rep had that day (`RoutePlan.team_id`), a visit the team at check-in
  (`Visit.team_id`), so a rep who moves team mid-period counts for each team on its own days.
- a planned stop is *visited* when its rep checked in at its store on the plan's date (twice
  is still one visited stop); it is *successful* when one of those visits took an order.
- completion rate = visited planned stops ÷ planned stops; success rate = successful planned
  stops ÷ visited planned stops. Unplanned visits count in neither.
- an *unplanned* (off-route) visit is one to a store not on the rep's published plan that day
  (a store planned on another day included); their orders are `off_route_orders`, shown
  apart and never in the success rate.
- time in store: check-in to check-out of closed visits; travel: from a rep's check-out to
  their next check-in the same day, summed over the days whose visits are all closed.
- coverage: the territory's active stores (by their current rep/team) visited at least once in
  the period ÷ those stores. Frequency adherence: stores visited at least ⌊days ÷ frequency⌋
  times (tier frequency unless the store sets its own) ÷ stores whose frequency fits in the
  period at least once.
- sequence adherence: among the visited stops of a plan, the share checked into in their
  planned position: the k-th stop by planned sequence is also the k-th by first check-in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)

from ...extensions import db
from ...models import (
    Photo,
    PhotoReview,
    PlannedStop,
    PlanStatus,
    ReviewStatus,
    RoutePlan,
    Store,
    Team,
    Tier,
    User,
    Visit,
)
from ...scoping import scope_filter
from . import ranges
from .common import begin_report, labels, rate, where_org
from .sql import count_if, seconds_between

KEYS = {"rep": "rep_id", "team": "team_id", "area": "area_id", "day": "day"}
Aggregates = Callable[[Any], dict[str, Any]]


def kpi_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    """KPIs per rep, team or area (`group_by`), for the whole selection, and per day."""
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "rep")
    facts = _Facts(actor, first, last)
    levels = [
        _rollup(facts.stops(), group_by, args, _stop_aggregates),
        _rollup(facts.visits(), group_by, args, _visit_aggregates),
        _rollup(facts.photos(), group_by, args, _photo_aggregates),
    ]
    territory = _rollup(facts.territory(), group_by, args, _territory, by_day=False)

    def merged(level: str, key: Any) -> dict[str, Any]:
        parts = [rows.get((level, key)) for rows in levels]
        return _combine(*parts, territory.get((level, key)), level != "day")

    group_keys = {key for rows in (*levels, territory) for level, key in rows if level == "group"}
    names = labels(group_by, group_keys - {None})
    groups = [
        {"id": key, "name": names.get(key, str(key)), **merged("group", key)}
        for key in group_keys
        if key is not None
    ]
    groups.sort(key=lambda g: (g["name"], g["id"]))
    return {
        "period": {"from": first, "to": last},
        "group_by": group_by,
        "groups": groups,
        "total": merged("total", None),
        "trend": [{"date": day, **merged("day", day)} for day in ranges.days(first, last)],
    }


class _Facts:
    """The fact queries of one report: one row per planned stop, visit, photo, territory store."""

    def __init__(self, actor: User, first: date, last: date):
        self.actor, self.first, self.last = actor, first, last
        self.span = (last - first).days + 1

    def _visit_where(self) -> list[Any]:
        return [Visit.visit_date.between(self.first, self.last), scope_filter(self.actor, Visit)]

    def stops(self) -> Select[Any]:
        """One row per planned stop: its rep, team, area, date, visited, ordered, in position."""
        seen = (
            select(
                Visit.rep_id,
                Visit.store_id,
                Visit.visit_date,
                func.max(case((Visit.successful, 1), else_=0)).label("ordered"),
                func.min(Visit.checked_in_at).label("first_in"),
            )
            .where(*self._visit_where())
            .group_by(Visit.rep_id, Visit.store_id, Visit.visit_date)
            .subquery("seen")
        )
        visited = case((seen.c.rep_id.is_not(None), 1), else_=0)
        partition = (RoutePlan.id, visited)
        planned_rank = func.row_number().over(partition_by=partition, order_by=PlannedStop.sequence)
        actual_rank = func.row_number().over(
            partition_by=partition, order_by=(seen.c.first_in, PlannedStop.sequence)
        )
        stops = (
            select(
                RoutePlan.rep_id,
                RoutePlan.team_id,
                Team.area_id,
                RoutePlan.plan_date.label("day"),
                visited.label("visited"),
                func.coalesce(seen.c.ordered, 0).label("ordered"),
                planned_rank.label("planned_rank"),
                actual_rank.label("actual_rank"),
            )
            .select_from(PlannedStop)
            .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
            .outerjoin(Team, Team.id == RoutePlan.team_id)
            .outerjoin(
                seen,
                and_(
                    seen.c.rep_id == RoutePlan.rep_id,
                    seen.c.store_id == PlannedStop.store_id,
                    seen.c.visit_date == RoutePlan.plan_date,
                ),
            )
            .where(
                RoutePlan.plan_date.between(self.first, self.last),
                RoutePlan.status == PlanStatus.PUBLISHED,
                scope_filter(self.actor, RoutePlan),
            )
        )
        return stops

    def visits(self) -> Select[Any]:
        """One row per rep, team and day: visits on the rep's plan that day or not, orders off
        route, time in store, and travel between stores (when all the day's visits are closed:
        first check-in to last check-out less the time in stores, over visits - 1 legs)."""
        route = (
            select(RoutePlan.rep_id, RoutePlan.plan_date, PlannedStop.store_id)
            .join(PlannedStop, PlannedStop.plan_id == RoutePlan.id)
            .where(
                RoutePlan.plan_date.between(self.first, self.last),
                RoutePlan.status == PlanStatus.PUBLISHED,
            )
            .subquery("route")
        )
        on_route = route.c.rep_id.is_not(None)
        in_store = seconds_between(Visit.checked_in_at, Visit.checked_out_at)
        all_closed = func.count(Visit.checked_out_at) == func.count()
        span = seconds_between(func.min(Visit.checked_in_at), func.max(Visit.checked_out_at))
        org = (Visit.rep_id, Visit.team_id, Team.area_id, Visit.visit_date)
        stmt = (
            select(
                *org[:3],
                Visit.visit_date.label("day"),
                func.count().label("visits"),
                count_if(on_route).label("on_route"),
                count_if(~on_route & Visit.successful).label("off_route_orders"),
                func.coalesce(func.sum(in_store), 0).label("in_store_total"),
                func.count(Visit.checked_out_at).label("in_store_count"),
                # Travel = first check-in to last check-out, less the time in stores.
                case((all_closed, span - func.sum(in_store))).label("travel_total"),
                case((all_closed, func.count() - 1)).label("travel_count"),
            )
            .outerjoin(Team, Team.id == Visit.team_id)
            .outerjoin(
                route,
                and_(
                    route.c.rep_id == Visit.rep_id,
                    route.c.plan_date == Visit.visit_date,
                    route.c.store_id == Visit.store_id,
                ),
            )
            .where(*self._visit_where())
            .group_by(*org)
        )
        return stmt

    def photos(self) -> Select[Any]:
        """One row per photo of a visit in the period, with its review status (or null)."""
        stmt = (
            select(
                Visit.rep_id,
                Visit.team_id,
                Team.area_id,
                Visit.visit_date.label("day"),
                PhotoReview.status,
            )
            .select_from(Photo)
            .join(Visit, Visit.id == Photo.visit_id)
            .outerjoin(Team, Team.id == Visit.team_id)
            .outerjoin(PhotoReview, PhotoReview.photo_id == Photo.id)
            .where(*self._visit_where())
        )
        return stmt

    def territory(self) -> Select[Any]:
        """One row per active store in scope: its rep, team, area, visits and required visits."""
        counts = (
            select(Visit.store_id, func.count().label("visits"))
            .where(*self._visit_where())
            .group_by(Visit.store_id)
            .subquery("store_visits")
        )
        config = current_app.config
        frequency = func.coalesce(
            Store.visit_frequency_days,
            case(
                (Store.tier == Tier.A, config["VISIT_FREQUENCY_A"]),
                (Store.tier == Tier.B, config["VISIT_FREQUENCY_B"]),
                else_=config["VISIT_FREQUENCY_C"],
            ),
        )
        stmt = (
            select(
                Store.rep_id,
                Store.team_id,
                Team.area_id,
                func.coalesce(counts.c.visits, 0).label("visits"),
                (self.span // frequency).label("required"),
            )
            .outerjoin(Team, Team.id == Store.team_id)
            .outerjoin(counts, counts.c.store_id == Store.id)
            .where(Store.active.is_(True), scope_filter(self.actor, Store))
        )
        return stmt


def _stop_aggregates(c: Any) -> dict[str, Any]:
    return {
        "planned": func.count(),
        "visited": func.coalesce(func.sum(c.visited), 0),
        "ordered": func.coalesce(func.sum(c.ordered), 0),
        "in_position": count_if((c.visited == 1) & (c.planned_rank == c.actual_rank)),
    }


def _visit_aggregates(c: Any) -> dict[str, Any]:
    names = ("visits", "on_route", "off_route_orders", "in_store_total", "in_store_count")
    names += ("travel_total", "travel_count")
    return {name: func.coalesce(func.sum(c[name]), 0) for name in names}


def _photo_aggregates(c: Any) -> dict[str, Any]:
    return {
        "photos": func.count(),
        "approved": count_if(c.status == ReviewStatus.APPROVED),
        "rejected": count_if(c.status == ReviewStatus.REJECTED),
    }


def _territory(c: Any) -> dict[str, Any]:
    return {
        "stores": func.count(),
        "covered": count_if(c.visits > 0),
        "due": count_if(c.required > 0),
        "on_frequency": count_if((c.required > 0) & (c.visits >= c.required)),
    }


def _rollup(
    facts: Select[Any], key: str, args: dict[str, Any], aggregates: Aggregates, by_day: bool = True
) -> dict[tuple[str, Any], dict[str, Any]]:
    """The aggregates per group key, per day and overall, in one query over the facts.

    Keys are ("group", id), ("day", date) and ("total", None). The facts are a CTE that
    PostgreSQL computes once for the three GROUP BYs of the UNION ALL."""
    inner = facts.subquery("facts")
    cte = select(inner).where(*where_org(inner.c, args)).cte("scoped_facts")
    columns = [expr.label(name) for name, expr in aggregates(cte.c).items()]
    key_column = cte.c[KEYS[key]]
    no_key, no_day = cast(null(), Integer).label("key"), cast(null(), Date).label("day")
    parts = [
        select(
            literal_column("'group'").label("level"), key_column.label("key"), no_day, *columns
        ).group_by(key_column),
        select(literal_column("'total'").label("level"), no_key, no_day, *columns),
    ]
    if by_day:
        parts.append(
            select(literal_column("'day'").label("level"), no_key, cte.c.day.label("day"), *columns)
            .group_by(cte.c.day)
        )  # fmt: skip
    rows = db.session.execute(union_all(*parts)).mappings()
    return {
        (row["level"], row["day"] if row["level"] == "day" else row["key"]): dict(row)
        for row in rows
    }


def _time(total: int, count: int) -> dict[str, Any]:
    total, count = int(total or 0), int(count or 0)
    return {
        "total_seconds": total,
        "count": count,
        "average_seconds": round(total / count) if count else None,
    }


def _combine(
    stops: dict[str, Any] | None,
    visits: dict[str, Any] | None,
    photos: dict[str, Any] | None,
    territory: dict[str, Any] | None,
    coverage: bool,
) -> dict[str, Any]:
    s, v, p, t = stops or {}, visits or {}, photos or {}, territory or {}
    planned, visited = int(s.get("planned", 0)), int(s.get("visited", 0))
    total_visits, on_route = int(v.get("visits", 0)), int(v.get("on_route", 0))
    photo_count = int(p.get("photos", 0))
    approved, rejected = int(p.get("approved", 0)), int(p.get("rejected", 0))
    return {
        "planned_stops": planned,
        "planned_visited": visited,
        "missed_stops": planned - visited,
        "visits": total_visits,
        "on_route_visits": on_route,
        "unplanned_visits": total_visits - on_route,
        "off_route_orders": int(v.get("off_route_orders", 0)),
        "completion_rate": rate(visited, planned),
        "success_rate": rate(s.get("ordered", 0), visited),
        "sequence_adherence": rate(s.get("in_position", 0), visited),
        "time_in_store": _time(v.get("in_store_total"), v.get("in_store_count")),
        "travel": _time(v.get("travel_total"), v.get("travel_count")),
        "coverage": rate(t.get("covered", 0), t.get("stores", 0)) if coverage else None,
        "frequency_adherence": (
            rate(t.get("on_frequency", 0), t.get("due", 0)) if coverage else None
        ),
        "photos": {
            "total": photo_count,
            "approved": approved,
            "rejected": rejected,
            "pending": photo_count - approved - rejected,
        },
    }
