"""Supervisor KPIs for reps, teams or areas over a period, with a per-day trend.

Definitions (docs/domain.md), all in SQL over the caller's scope. The per-day counts
(planned, visited and ordered stops, visits on and off route, time in store, travel, photos)
are summed from `rep_day_kpis`, which `rep_days` keeps current and defines (over a period's
whole months from `rep_month_kpis`, its sums per month, except for the per-day trend; the
territory's visits likewise from `rep_month_store_visits`):

- completion rate = visited planned stops ÷ planned stops (published plans, as they stood
  when their day began; stops added or removed later are the `amendments`); success rate =
  planned stops visited with an order ÷ visited planned stops. Unplanned visits (to a store not
  on the rep's published plan that day, a store planned on another day included) count in
  neither; their orders are `off_route_orders`, shown apart.
- a plan keeps the team the rep had that day, a visit the team at check-in, so a rep who moves
  team mid-period counts for each team on its own days.
- sequence adherence: among the visited stops of a plan, the share checked into in their
  planned position: the k-th stop by planned sequence is also the k-th by first check-in.
- coverage: the territory's active stores (by their current rep/team) visited at least once in
  the period ÷ those stores. Frequency adherence: stores visited at least ⌊days ÷ frequency⌋
  times (the store's own frequency, else a prospect's, else its tier's: the planner's
  `frequency_days`) ÷ stores whose frequency fits in the period at least once.
- a visit held for review (flagged `time_travel`) counts in none of these until a supervisor
  accepts it.
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
    Subquery,
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
    REP_DAY_COUNTS,
    RepDayKpi,
    RepMonthKpi,
    RepMonthStoreVisits,
    Role,
    Store,
    Team,
    Tier,
    User,
    Visit,
)
from ...models.visits import counted_visit
from ...scoping import scope_filter
from . import ranges
from .common import begin_report, labels, period_rows, rate, where_org
from .sql import count_if

KEYS = {"rep": "rep_id", "team": "team_id", "area": "area_id", "day": "day"}
Aggregates = Callable[[Any], dict[str, Any]]


def kpi_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    """KPIs per rep, team or area (`group_by`), for the whole selection, and per day."""
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "rep")
    facts = _Facts(actor, first, last)
    # Grouped by day, the rows must be days; otherwise whole months are read summed.
    months = None if group_by == "day" else ranges.whole_months(first, last)
    days = facts.rep_days()
    counts = _rollup(facts.rep_days(months), group_by, args, _rep_day_sums, days)
    territory = _rollup(facts.territory(), group_by, args, _territory)

    def merged(level: str, key: Any) -> dict[str, Any]:
        return _combine(counts.get((level, key)), territory.get((level, key)), level != "day")

    group_keys = {key for rows in (counts, territory) for level, key in rows if level == "group"}
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
    """The fact queries of one report: rep-day (or rep-month) counts and territory stores."""

    def __init__(self, actor: User, first: date, last: date):
        self.actor, self.first, self.last = actor, first, last
        self.span = (last - first).days + 1

    def rep_days(self, months: tuple[date, date] | None = None) -> Select[Any]:
        """One row per rep, team and day in the period (over `months`, per month instead): its
        counts (see `rep_days`)."""
        return period_rows(self.actor, RepDayKpi, self.first, self.last, RepMonthKpi, months)

    def store_visits(self) -> Subquery:
        """Counted visits per store in the period: whole months from `rep_month_store_visits`,
        the days outside them from the visits."""
        months = ranges.whole_months(self.first, self.last)
        days = Visit.visit_date.between(self.first, self.last)
        parts = []
        if months:
            kept = RepMonthStoreVisits
            days &= ~Visit.visit_date.between(*months)
            parts.append(
                select(kept.store_id, kept.visits).where(
                    kept.day.between(*months), scope_filter(self.actor, kept)
                )
            )
        parts.append(
            select(Visit.store_id, func.count().label("visits"))
            .where(days, scope_filter(self.actor, Visit), counted_visit())
            .group_by(Visit.store_id)
        )
        found = union_all(*parts).subquery("counted")
        return (
            select(found.c.store_id, func.sum(found.c.visits).label("visits"))
            .group_by(found.c.store_id)
            .subquery("store_visits")
        )

    def territory(self) -> Select[Any]:
        """One row per active store in scope: its rep, team, area, visits and required visits."""
        counts = self.store_visits()
        config = current_app.config
        frequency = func.coalesce(
            Store.visit_frequency_days,
            case(
                # A prospect (never ordered) is planned at its own frequency, so measured by it.
                (Store.last_order_on.is_(None), config["PROSPECT_VISIT_FREQUENCY_DAYS"]),
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
        if self.actor.role is Role.REP:
            # A rep's scope includes a teammate's store moved onto their plan; their territory
            # is still the stores assigned to them.
            stmt = stmt.where(Store.rep_id == self.actor.id)
        return stmt


def _rep_day_sums(c: Any) -> dict[str, Any]:
    return {name: func.coalesce(func.sum(c[name]), 0) for name in REP_DAY_COUNTS}


def _territory(c: Any) -> dict[str, Any]:
    return {
        "stores": func.count(),
        "covered": count_if(c.visits > 0),
        "due": count_if(c.required > 0),
        "on_frequency": count_if((c.required > 0) & (c.visits >= c.required)),
    }


def _rollup(
    facts: Select[Any],
    key: str,
    args: dict[str, Any],
    aggregates: Aggregates,
    days: Select[Any] | None = None,
) -> dict[tuple[str, Any], dict[str, Any]]:
    """The aggregates per group key of the facts and overall, and per day of `days` (the same
    counts per rep-day), in one query.

    Keys are ("group", id), ("day", date) and ("total", None). With days, the total sums the
    day rows (sums of sums: every row has a day), so no third pass over the facts; without,
    it aggregates the facts (a CTE PostgreSQL computes once for both)."""
    no_key, no_day = cast(null(), Integer).label("key"), cast(null(), Date).label("day")

    def scoped(rows: Select[Any], name: str) -> Any:
        inner = rows.subquery(f"{name}_facts")
        return select(inner).where(*where_org(inner.c, args))

    def measured(rows: Any) -> list[Any]:
        return [expr.label(name) for name, expr in aggregates(rows.c).items()]

    def level(name: str) -> Any:
        return literal_column(f"'{name}'").label("level")

    if days is not None:
        group_rows = scoped(facts, "group").subquery("group_rows")
        day_rows = scoped(days, "day").subquery("day_rows")
        per_day = select(day_rows.c.day, *measured(day_rows)).group_by(day_rows.c.day).cte("days")
        parts = [
            select(level("day"), no_key, per_day),
            select(level("total"), no_key, no_day, *measured(per_day)),
        ]
    else:
        group_rows = scoped(facts, "group").cte("scoped_facts")
        parts = [select(level("total"), no_key, no_day, *measured(group_rows))]
    key_column = group_rows.c[KEYS[key]]
    groups = select(level("group"), key_column.label("key"), no_day, *measured(group_rows))
    rows = db.session.execute(union_all(groups.group_by(key_column), *parts)).mappings()
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
    counts: dict[str, Any] | None, territory: dict[str, Any] | None, coverage: bool
) -> dict[str, Any]:
    c = counts or {}
    t = territory or {}
    planned, visited = int(c.get("planned", 0)), int(c.get("visited", 0))
    total_visits, on_route = int(c.get("visits", 0)), int(c.get("on_route", 0))
    photo_count = int(c.get("photos", 0))
    approved, rejected = int(c.get("approved", 0)), int(c.get("rejected", 0))
    return {
        "planned_stops": planned,
        "planned_visited": visited,
        "missed_stops": planned - visited,
        "visits": total_visits,
        "on_route_visits": on_route,
        "unplanned_visits": total_visits - on_route,
        "off_route_orders": int(c.get("off_route_orders", 0)),
        "completion_rate": rate(visited, planned),
        "success_rate": rate(c.get("ordered", 0), visited),
        "sequence_adherence": rate(c.get("in_position", 0), visited),
        "time_in_store": _time(c.get("in_store_total"), c.get("in_store_count")),
        "travel": _time(c.get("travel_total"), c.get("travel_count")),
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
        "amendments": {"added": int(c.get("added", 0)), "removed": int(c.get("removed", 0))},
    }
