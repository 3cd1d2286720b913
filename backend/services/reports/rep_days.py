"""Keep `rep_day_kpis` (one row per rep, team and day) equal to what the raw tables say.

Every flush notes the rep-days its plans, stops, visits, photos and reviews touch; before the
transaction (or savepoint) commits, those rep-days are recomputed from the raw rows in SQL
(delete, then insert the fresh counts). Recomputing rather than adding deltas keeps the rows
right whatever the write was. On PostgreSQL a transaction-level advisory lock per rep-day
makes concurrent writers to one day take turns, so the later one counts the earlier one's rows;
SQLite has one writer at a time anyway.

Definitions of the counts (see `kpis` for the rates built from them):

- planned stops: the stops of the rep's *published* plan that day, under the plan's team; one
  is *visited* when the rep checked in at its store that day (twice is one), *ordered* when
  one of those visits took an order, *in position* when the k-th stop by planned sequence is
  also the k-th of the visited stops by first check-in;
- visits, under the team of their check-in: *on route* when the store is on that day's
  published plan, otherwise unplanned (their orders are `off_route_orders`); time in store
  over closed visits; travel = first check-in to last check-out less the time in stores, over
  visits - 1 legs, on days whose visits are all closed;
- photos of those visits, and how many were approved or rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    delete,
    event,
    false,
    func,
    insert,
    inspect,
    literal_column,
    select,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from ...models import (
    REP_DAY_COUNTS,
    Photo,
    PhotoReview,
    PlannedStop,
    PlanStatus,
    RepDayKpi,
    ReviewStatus,
    RoutePlan,
    Visit,
)
from .sql import count_if, seconds_between

RepDay = tuple[int, date]
# Picks rows by their rep and day columns: (rep column, day column) -> condition.
Selection = Callable[[Any, Any], Any]
GROUP = ("rep_id", "team_id", "day")


def everything(rep: Any, day: Any) -> Any:
    return true()


def only(keys: Iterable[RepDay]) -> Selection:
    keys = sorted(set(keys))
    return lambda rep, day: tuple_(rep, day).in_(keys) if keys else false()


def between(first: date, last: date) -> Selection:
    return lambda rep, day: day.between(first, last)


def _stops(where: Selection) -> Select[Any]:
    """Planned-stop counts per rep, plan team and day."""
    seen = (
        select(
            Visit.rep_id,
            Visit.store_id,
            Visit.visit_date,
            func.max(case((Visit.successful, 1), else_=0)).label("ordered"),
            func.min(Visit.checked_in_at).label("first_in"),
        )
        .where(where(Visit.rep_id, Visit.visit_date))
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
            RoutePlan.plan_date.label("day"),
            visited.label("visited"),
            func.coalesce(seen.c.ordered, 0).label("ordered"),
            planned_rank.label("planned_rank"),
            actual_rank.label("actual_rank"),
        )
        .select_from(PlannedStop)
        .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
        .outerjoin(
            seen,
            and_(
                seen.c.rep_id == RoutePlan.rep_id,
                seen.c.store_id == PlannedStop.store_id,
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


def _visits(where: Selection) -> Select[Any]:
    """Visit counts, time in store and travel per rep, check-in team and day."""
    route = (
        select(RoutePlan.rep_id, RoutePlan.plan_date, PlannedStop.store_id)
        .join(PlannedStop, PlannedStop.plan_id == RoutePlan.id)
        .where(
            RoutePlan.status == PlanStatus.PUBLISHED,
            where(RoutePlan.rep_id, RoutePlan.plan_date),
        )
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
        .where(where(Visit.rep_id, Visit.visit_date))
        .group_by(*group)
    )


def _photos(where: Selection) -> Select[Any]:
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
        .where(where(Visit.rep_id, Visit.visit_date))
        .group_by(Visit.rep_id, Visit.team_id, Visit.visit_date)
    )


def fresh_counts(where: Selection) -> Select[Any]:
    """The rows `rep_day_kpis` should hold for the selected rep-days, computed from scratch."""
    parts = []
    for part in (_stops(where), _visits(where), _photos(where)):
        present = set(part.selected_columns.keys())
        parts.append(
            part.with_only_columns(
                *(part.selected_columns[name] for name in GROUP),
                *(
                    part.selected_columns[name]
                    if name in present
                    else literal_column("0").label(name)
                    for name in REP_DAY_COUNTS
                ),
                maintain_column_froms=True,
            )
        )
    combined = union_all(*parts).subquery("parts")
    group = [combined.c[name] for name in GROUP]
    sums = [func.coalesce(func.sum(combined.c[n]), 0).label(n) for n in REP_DAY_COUNTS]
    return select(*group, *sums).group_by(*group)


def refresh(connection: Connection, where: Selection) -> None:
    """Recompute the selected rep-days' rows."""
    connection.execute(delete(RepDayKpi).where(where(RepDayKpi.rep_id, RepDayKpi.day)))
    connection.execute(
        insert(RepDayKpi).from_select([*GROUP, *REP_DAY_COUNTS], fresh_counts(where))
    )


def refresh_rep_days(connection: Connection, keys: Iterable[RepDay]) -> None:
    """Recompute these rep-days, each under its advisory lock on PostgreSQL (taken in key
    order, so two writers never wait on each other in a circle)."""
    keys = sorted(set(keys))
    if not keys:
        return
    if connection.dialect.name == "postgresql":
        for rep_id, day in keys:
            connection.execute(select(func.pg_advisory_xact_lock(rep_id, day.toordinal())))
    refresh(connection, only(keys))


def stale_rep_days(connection: Connection) -> list[Any]:
    """What differs between `rep_day_kpis` and a recomputation: rows only stored, rows only
    recomputed, and groups stored twice (nothing when the table is right)."""
    table = RepDayKpi.__table__
    stored = select(*(table.c[n] for n in (*GROUP, *REP_DAY_COUNTS)))
    fresh = fresh_counts(everything)
    only_stored = stored.except_(fresh).subquery("only_stored")
    only_fresh = fresh.except_(stored).subquery("only_fresh")
    group = [table.c[n] for n in GROUP]
    twice = select(*group).group_by(*group).having(func.count() > 1)
    rows = union_all(
        select(literal_column("'stored'").label("side"), *only_stored.c),
        select(literal_column("'fresh'").label("side"), *only_fresh.c),
    )
    return [*connection.execute(rows), *connection.execute(twice)]


# --- change tracking -------------------------------------------------------------------------

PENDING = "terminus_rep_days"


@dataclass
class _Touched:
    keys: set[RepDay] = field(default_factory=set)
    visits: set[int] = field(default_factory=set)
    plans: set[int] = field(default_factory=set)
    photos: set[int] = field(default_factory=set)


def _values(obj: Any, name: str) -> list[Any]:
    """The attribute's loaded value and, if it changed in this flush, its old ones."""
    state = inspect(obj)
    found = [state.dict[name]] if name in state.dict else []
    return [v for v in (*found, *state.attrs[name].history.deleted) if v is not None]


def _note(obj: Any, touched: _Touched) -> None:
    if isinstance(obj, Visit | RoutePlan):
        day = "visit_date" if isinstance(obj, Visit) else "plan_date"
        touched.keys.update((r, d) for r in _values(obj, "rep_id") for d in _values(obj, day))
        ids = touched.visits if isinstance(obj, Visit) else touched.plans
        ids.update(_values(obj, "id"))
    elif isinstance(obj, PlannedStop):
        touched.plans.update(_values(obj, "plan_id"))
    elif isinstance(obj, Photo):
        touched.visits.update(_values(obj, "visit_id"))
    elif isinstance(obj, PhotoReview):
        touched.photos.update(_values(obj, "photo_id"))


def _after_flush(session: Session, _context: Any) -> None:
    touched = session.info.setdefault(PENDING, _Touched())
    for obj in chain(session.new, session.dirty, session.deleted):
        _note(obj, touched)


def _rep_days_of(connection: Connection, touched: _Touched) -> set[RepDay]:
    sources = []
    if touched.visits:
        sources.append(select(Visit.rep_id, Visit.visit_date).where(Visit.id.in_(touched.visits)))
    if touched.plans:
        sources.append(
            select(RoutePlan.rep_id, RoutePlan.plan_date).where(RoutePlan.id.in_(touched.plans))
        )
    if touched.photos:
        sources.append(
            select(Visit.rep_id, Visit.visit_date)
            .join(Photo, Photo.visit_id == Visit.id)
            .where(Photo.id.in_(touched.photos))
        )
    found = set(touched.keys)
    if sources:
        found.update((rep, day) for rep, day in connection.execute(union(*sources)))
    return found


def _before_commit(session: Session) -> None:
    session.flush()
    touched = session.info.pop(PENDING, None)
    if touched is not None:
        connection = session.connection()
        refresh_rep_days(connection, _rep_days_of(connection, touched))


def track(session: Any) -> None:
    """Keep `rep_day_kpis` current for every commit of `session` (a session, sessionmaker or
    scoped session); registering twice is harmless."""
    for name, listener in (("after_flush", _after_flush), ("before_commit", _before_commit)):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)
