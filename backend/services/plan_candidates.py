"""Stores a supervisor might add to a plan: due and overdue ones first, then the nearest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import or_, select

from ..extensions import db
from ..models import PlannedStop, RoutePlan, Store, User
from ..planning.travel import haversine_matrix
from ..scoping import get_in_scope, scoped_select
from .plan_building import frequency_days, is_open, last_visit_dates


def candidates(actor: User, plan_id: int, args: dict[str, Any]) -> tuple[list[dict], int]:
    """A page of the active stores of the plan's team in the actor's scope, open that day and
    on no plan of the team that day (`q` matches code or name), with whether each is due, by
    how many days it is overdue and how far (straight line) it is from the route or home."""
    plan = get_in_scope(actor, RoutePlan, plan_id)
    taken = (
        select(PlannedStop.store_id)
        .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
        .where(RoutePlan.team_id == plan.team_id, RoutePlan.plan_date == plan.plan_date)
    )
    stmt = scoped_select(actor, Store).where(
        Store.active, Store.team_id == plan.team_id, Store.id.not_in(taken)
    )
    if args.get("q"):
        pattern = f"%{args['q']}%"
        stmt = stmt.where(or_(Store.name.ilike(pattern), Store.code.ilike(pattern)))
    stores = [s for s in db.session.scalars(stmt) if is_open(s, plan.plan_date)]
    rows = [{"store": s, **d} for s, d in zip(stores, _dues(stores, plan), strict=True)]
    for row, metres in zip(rows, _distances(plan, stores), strict=True):
        row["distance_m"] = metres
    rows.sort(key=lambda r: (not r["due"], -(r["overdue_days"] or 0), r["distance_m"]))
    first = (args["page"] - 1) * args["per_page"]
    return rows[first : first + args["per_page"]], len(rows)


def _dues(stores: list[Store], plan: RoutePlan) -> list[dict[str, Any]]:
    """Due on the plan's day (never visited, or the visit cycle has come round) and overdue days
    (null when never visited or not due)."""
    last = last_visit_dates(s.id for s in stores)
    found = []
    for store in stores:
        seen = last.get(store.id)
        late = None if seen is None else (plan.plan_date - seen - timedelta(frequency_days(store)))
        if late is None or late.days >= 0:
            found.append({"due": True, "overdue_days": None if late is None else late.days})
        else:
            found.append({"due": False, "overdue_days": None})
    return found


def _distances(plan: RoutePlan, stores: list[Store]) -> list[int]:
    """Metres from each store to the nearest stop of the plan (the rep's home if none)."""
    if not stores:
        return []
    route = [(s.store.lat, s.store.lng) for s in plan.stops]
    if not route and plan.rep.home_lat is not None:
        route = [(plan.rep.home_lat, plan.rep.home_lng)]
    if not route:
        return [0] * len(stores)
    points = np.array([*route, *((s.lat, s.lng) for s in stores)], dtype=float)
    metres = haversine_matrix(points[:, 0], points[:, 1])[len(route) :, : len(route)]
    return [round(float(m)) for m in metres.min(axis=1)]
