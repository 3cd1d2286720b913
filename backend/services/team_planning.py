"""Planning a team over a date range: visit cycles decide the days, the solver each day's route.

Runs as a background job (`plan_team`). Days that already have a plan for a rep are left alone,
unless the job replaces drafts: then a draft is planned again (a published plan never is). Days
before the business today are frozen: a range starting there is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..errors import InvalidError
from ..extensions import db
from ..models import Job, PlanStatus, Role, RoutePlan, Store, Team, User
from ..models.jobs import JobStage
from ..planning.cycles import CyclePlan, CycleStore, assign_days
from ..scoping import ids_in_scope
from . import jobs
from .jobs import JobCancelled
from .plan_building import (
    frequency_days,
    last_visit_dates,
    open_weekdays,
    rep_shift,
    warm_road_matrix,
)
from .plans import delete_plan, new_draft, optimise_into
from .reports.ranges import today
from .store_table import parse_days

MAX_DAYS = 62


@dataclass
class RepDays:
    """One rep's part of a team planning job: their stores, the days the visit cycles give
    each store, the plans they already have in the range (by day), and the stores' last visits."""

    rep: User
    stores: dict[int, Store]
    cycle: CyclePlan
    plans: dict[date, RoutePlan]
    last_visits: dict[int, date]


def submit_team_planning(
    actor: User,
    team_id: int,
    date_from: date,
    date_to: date,
    seconds: float | None,
    replace_drafts: bool = False,
) -> Job:
    """Validate and record the job planning a team's days from `date_from` to `date_to`; with
    `replace_drafts`, the reps' unpublished drafts in the range are planned again."""
    if not ids_in_scope(actor, Team, {team_id}):
        raise InvalidError("No such team.", {"json": {"team_id": ["No such team in your scope."]}})
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise InvalidError(
            "Bad date range.", {"json": {"date_to": [f"From date_from, at most {MAX_DAYS} days."]}}
        )
    first = today()
    if date_from < first:
        message = f"Days before {first.isoformat()} (the business today) can no longer be planned."
        raise InvalidError(message, {"json": {"date_from": [message]}}, reason="past_date")
    params = {
        "team_id": team_id,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "seconds": seconds or current_app.config["PLAN_SECONDS_REP"],
        "replace_drafts": replace_drafts,
    }
    return jobs.record(actor, "plan_team", params, team_id=team_id)


def working_days(date_from: date, date_to: date) -> list[date]:
    weekdays = set(parse_days(current_app.config["WORKING_DAYS"]))
    days = (date_from + timedelta(days=k) for k in range((date_to - date_from).days + 1))
    return [d for d in days if d.weekday() in weekdays]


def plan_team(job: Job, progress: Callable[[int, JobStage], None]) -> dict[str, Any]:
    """The job `plan_team`: draft plans for the team's reps and days. Reports the stage
    "cycles" while the days are assigned, then "routes" with the percentage of rep-days done,
    before each rep-day (where a cancel stops it: `JobCancelled` carries the result so far)."""
    params = job.params
    first, last = date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"])
    # Days before the business today are frozen (the job may have started after midnight).
    days = [d for d in working_days(first, last) if d >= today()]
    result: dict[str, Any] = {
        "plans": [], "skipped": [], "replaced": [], "unplaced": [], "reps_without_home": []
    }  # fmt: skip
    try:
        progress(0, JobStage.CYCLES)
        team = _team_days(params["team_id"], days, result)
        tasks = [(part, day) for part in team for day in days]
        for done, (part, day) in enumerate(tasks):
            progress(done * 100 // len(tasks), JobStage.ROUTES)
            _plan_day(job, part, day, result)
        progress(100, JobStage.DONE)
    except JobCancelled:
        raise JobCancelled(result) from None
    return result


def _team_days(team_id: int, days: list[date], result: dict[str, Any]) -> list[RepDays]:
    """Each active rep of the team with a home, with the days their stores are due; the reps
    without a home and the stores no day could take are noted in `result`."""
    reps = db.session.scalars(
        select(User)
        .where(User.team_id == team_id, User.role == Role.REP, User.active)
        .order_by(User.username)
    )
    team = []
    for rep in reps:
        if rep.home_lat is None:
            result["reps_without_home"].append(rep.id)
            continue
        stores = {
            s.id: s
            for s in db.session.scalars(select(Store).where(Store.rep_id == rep.id, Store.active))
        }
        cycle = cycle_plan(rep, list(stores.values()), days)
        warm_road_matrix(rep, list(stores.values()))
        result["unplaced"] += [int(i) for i in cycle.unplaced]
        plans = db.session.scalars(
            select(RoutePlan).where(RoutePlan.rep_id == rep.id, RoutePlan.plan_date.in_(days))
        )
        by_day = {p.plan_date: p for p in plans}
        team.append(RepDays(rep, stores, cycle, by_day, last_visit_dates(stores)))
    return team


def _plan_day(job: Job, part: RepDays, day: date, result: dict[str, Any]) -> None:
    """Plan the rep's day as a draft, unless it has a plan already: a published one stays, a
    draft is deleted first when the job replaces drafts."""
    rep, existing = part.rep, part.plans.get(day)
    entry = {"rep_id": rep.id, "date": day.isoformat()}
    if existing is not None:
        if existing.status is PlanStatus.PUBLISHED or not job.params.get("replace_drafts"):
            result["skipped"].append(entry)
            return
        result["replaced"].append({**entry, "plan_id": existing.id})
        delete_plan(db.session.get(User, job.created_by_id), existing.id)
    day_stores = [part.stores[int(i)] for i in part.cycle.days.get(day, [])]
    if not day_stores:
        return
    overdue = {
        s.id: (day - part.last_visits[s.id] - timedelta(days=frequency_days(s))).days
        for s in day_stores
        if s.id in part.last_visits
    }
    plan = new_draft(rep, day, job.created_by_id)
    outcome = optimise_into(plan, rep, day, day_stores, [], overdue, job.params["seconds"])
    db.session.add(plan)
    db.session.flush()
    result["plans"].append(
        {
            **entry,
            "plan_id": plan.id,
            "stops": len(plan.stops),
            "dropped_store_ids": outcome.dropped,
        }
    )


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
