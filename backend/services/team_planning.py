"""Planning a team over a date range: visit cycles decide the days, the solver each day's route.

Runs as a background job (`plan_team`). Days that already have a plan for a rep are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..errors import InvalidError
from ..extensions import db
from ..models import Job, Role, RoutePlan, Store, Team, User
from ..planning.cycles import CyclePlan, CycleStore, assign_days
from ..scoping import ids_in_scope
from . import jobs
from .plan_building import (
    frequency_days,
    last_visit_dates,
    open_weekdays,
    rep_shift,
)
from .plans import new_draft, optimise_into
from .store_table import parse_days

MAX_DAYS = 62


def submit_team_planning(
    actor: User, team_id: int, date_from: date, date_to: date, seconds: float | None
) -> Job:
    """Validate and record the job planning a team's days from `date_from` to `date_to`."""
    if not ids_in_scope(actor, Team, {team_id}):
        raise InvalidError("No such team.", {"json": {"team_id": ["No such team in your scope."]}})
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise InvalidError(
            "Bad date range.", {"json": {"date_to": [f"From date_from, at most {MAX_DAYS} days."]}}
        )
    params = {
        "team_id": team_id,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "seconds": seconds or current_app.config["PLAN_SECONDS_REP"],
    }
    return jobs.record(actor, "plan_team", params, team_id=team_id)


def working_days(date_from: date, date_to: date) -> list[date]:
    weekdays = set(parse_days(current_app.config["WORKING_DAYS"]))
    days = (date_from + timedelta(days=k) for k in range((date_to - date_from).days + 1))
    return [d for d in days if d.weekday() in weekdays]


def plan_team(job: Job, progress: Callable[[int], None]) -> dict[str, Any]:
    """The job `plan_team`: draft plans for the team's reps and days, reporting progress."""
    params = job.params
    date_from, date_to = (
        date.fromisoformat(params["date_from"]),
        date.fromisoformat(params["date_to"]),
    )
    days = working_days(date_from, date_to)
    reps = list(
        db.session.scalars(
            select(User)
            .where(User.team_id == params["team_id"], User.role == Role.REP, User.active)
            .order_by(User.username)
        )
    )
    result: dict[str, Any] = {"plans": [], "skipped": [], "unplaced": [], "reps_without_home": []}
    total = max(1, len(reps) * len(days))
    done = 0
    for rep in reps:
        if rep.home_lat is None:
            result["reps_without_home"].append(rep.id)
            done += len(days)
            continue
        stores = {
            s.id: s
            for s in db.session.scalars(select(Store).where(Store.rep_id == rep.id, Store.active))
        }
        cycle = cycle_plan(rep, list(stores.values()), days)
        result["unplaced"] += [int(i) for i in cycle.unplaced]
        existing = set(
            db.session.scalars(
                select(RoutePlan.plan_date).where(
                    RoutePlan.rep_id == rep.id, RoutePlan.plan_date.in_(days)
                )
            )
        )
        last = last_visit_dates(stores)
        for day in days:
            done += 1
            if day in existing:
                result["skipped"].append({"rep_id": rep.id, "date": day.isoformat()})
                continue
            day_stores = [stores[int(i)] for i in cycle.days.get(day, [])]
            if day_stores:
                overdue = {
                    s.id: (day - last[s.id] - timedelta(days=frequency_days(s))).days
                    for s in day_stores
                    if s.id in last
                }
                plan = new_draft(rep, day, job.created_by_id)
                outcome = optimise_into(plan, rep, day, day_stores, [], overdue, params["seconds"])
                db.session.add(plan)
                db.session.flush()
                result["plans"].append(
                    {
                        "rep_id": rep.id,
                        "date": day.isoformat(),
                        "plan_id": plan.id,
                        "stops": len(plan.stops),
                        "dropped_store_ids": outcome.dropped,
                    }
                )
            progress(done * 100 // total)
    return result


def cycle_plan(rep: User, stores: list[Store], days: list[date]) -> CyclePlan:
    """Which of `stores` the rep visits on which of `days`: their tier's frequency, when they
    were last visited and their opening days, within the shift's working time."""
    shift_start, shift_end = rep_shift(rep)
    capacity = shift_end - shift_start - current_app.config["PLAN_BREAK_MINUTES"] * 60
    last = last_visit_dates(s.id for s in stores)
    cycle_stores = [
        CycleStore(
            id=str(s.id),
            lat=s.lat,
            lng=s.lng,
            frequency_days=frequency_days(s),
            service_s=s.visit_minutes * 60,
            last_visit=last.get(s.id),
            open_weekdays=open_weekdays(s),
        )
        for s in stores
    ]
    return assign_days(cycle_stores, days, capacity)
