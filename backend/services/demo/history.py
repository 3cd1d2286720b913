"""The demo's working days: a week at a time, every rep's published plans, then each past day
worked through (visits, what was recorded, photos and their reviews).

Every rep-day draws from its own random stream, seeded by the seed, the rep and the date, so a
day comes out the same whenever it is made and whatever was made before it. Everything is one
write: the services flush, the caller (`flask demo load`, through the executor) commits once,
and the report tables of the rep-days written are refreshed then (the bulk-inserted records
belong to visits added in the same transaction, so their rep-days are noted).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import exists, select

from ...extensions import db
from ...models import PlanStatus, Role, RoutePlan, Store, User, Visit
from ...models.visits import VisitReview
from ..plan_building import warm_road_matrix
from ..team_planning import working_days
from . import market, orders, prices, returns, routes, shelf_photos, store_file, tiers
from .field_day import calls_of, work_day
from .profiles import PROFILES, day_form
from .records import Catalogue, Records

# Photos of the last days wait for their review, as do a few older ones.
PENDING_DAYS, PENDING_SHARE = 2, 0.12
# Visits held for review (sent after their day closed) stay undecided this many days; the
# supervisor accepted the earlier ones.
REVIEW_DAYS = 7


@dataclass
class Territory:
    """The demo's reps, their stores and supervisors, and what the stores carry."""

    seed: int
    reps: list[User]
    stores: dict[int, list[Store]]
    supervisors: dict[int, User]
    records: Records

    @classmethod
    def load(cls, seed: int, first_day: date, prices: market.Market) -> Territory:
        reps = db.session.scalars(
            select(User)
            .where(User.role == Role.REP, User.username.in_(PROFILES))
            .order_by(User.username)
        ).all()
        stores: dict[int, list[Store]] = {rep.id: [] for rep in reps}
        for store in db.session.scalars(select(Store).where(Store.active).order_by(Store.id)):
            stores.get(store.rep_id, []).append(store)
        supervisors = {
            s.team_id: s
            for s in db.session.scalars(select(User).where(User.role == Role.SUPERVISOR))
        }
        records = Records(Catalogue.load(seed, prices), first_day)
        return cls(seed, list(reps), stores, supervisors, records)


def add_days(territory: Territory, past: list[date], today: date) -> None:
    """Plan and work the `past` days (sorted, before today) for every rep, then plan today.
    On roads, each rep's matrix over all their stores is made first: every day's is cut from it."""
    for rep in territory.reps:
        warm_road_matrix(rep, territory.stores[rep.id])
    for _, week in groupby([*past, today], key=lambda d: d.isocalendar()[:2]):
        week = list(week)
        for rep in territory.reps:
            _plan_week(territory, rep, week, today)
    territory.records.write()
    store_file.add(territory.seed, territory.records.catalogue.prices, past, today)
    returns.add(territory.seed, past, today)
    prices.add(territory.seed, past, today, territory.records.catalogue.prices.step)
    tiers.add(territory.seed, territory.stores, today)
    orders.add(territory.seed, past, today)


def _plan_week(territory: Territory, rep: User, week: list[date], today: date) -> None:
    """Plan `week` (days of one week) and work its past days. Today's week is spread over all
    its working days, the days after today too (planned later), so today gets a fair share."""
    supervisor, stores = territory.supervisors[rep.team_id], territory.stores[rep.id]
    if week[-1] == today:
        sunday = today + timedelta(days=6 - today.weekday())
        week = [*week, *working_days(today + timedelta(days=1), sunday)]
    by_day = routes.week_stores(rep, stores, week)
    plans = [
        routes.publish(rep, day, chosen, supervisor)
        for day, chosen in by_day.items()
        if day < today and chosen
    ]
    db.session.flush()  # the visits name their planned stops
    for plan in plans:
        _work(territory, rep, plan, today)
    if today in by_day:
        routes.publish(rep, today, routes.filled(today, by_day[today], stores), supervisor)


def finish_day(territory: Territory, day: date, today: date) -> None:
    """Work `day` (an earlier today, planned but not worked) for the reps with no visit then."""
    worked = exists().where(Visit.rep_id == RoutePlan.rep_id, Visit.visit_date == day)
    plans = db.session.scalars(
        select(RoutePlan).where(
            RoutePlan.plan_date == day, RoutePlan.status == PlanStatus.PUBLISHED, ~worked
        )
    ).all()
    by_id = {rep.id: rep for rep in territory.reps}
    for plan in sorted(plans, key=lambda p: p.rep_id):
        if plan.rep_id in by_id:
            _work(territory, by_id[plan.rep_id], plan, today)
    territory.records.write()


def _work(territory: Territory, rep: User, plan: RoutePlan, today: date) -> None:
    """The rep's day on `plan`: their calls, and at each what they record and photograph."""
    day = plan.plan_date
    rng = random.Random(f"{territory.seed}/{rep.username}/{day.isoformat()}")
    profile = PROFILES[rep.username]
    form = day_form(profile, day, rng)
    if form.sick:
        return
    # Its own draw, so the rest of the day is what it was without it. Only a day whose next
    # morning is past can have been sent then.
    seed = f"{territory.seed}/{rep.username}/{day.isoformat()}/late"
    late = random.Random(seed).random() < profile.synced_late
    form = replace(form, synced_late=late and day < today - timedelta(days=1))
    reviewer = territory.supervisors[rep.team_id]
    pending_day = day >= today - timedelta(days=PENDING_DAYS)

    def at_store(visit: Visit, checked_in: datetime) -> None:
        visit.successful = rng.random() < (form.success if visit.planned else 0.45)
        territory.records.at_visit(visit, checked_in, rng, visit.successful)
        if rng.random() < profile.photos:
            photo = shelf_photos.take(
                rep, visit, checked_in, rng, rng.random() < profile.old_photos
            )
            if not (pending_day or rng.random() < PENDING_SHARE):
                db.session.add(shelf_photos.review(photo, reviewer, rng))

    calls = calls_of(plan, territory.stores[rep.id], profile, form, rng)
    # A visit left open is closed by the rep's next check-in: so never in the last days.
    done = work_day(rep, plan, calls, profile, form, rng, at_store, day < today - timedelta(days=3))
    if day < today - timedelta(days=REVIEW_DAYS):
        for visit in (v for v in done if v.review is VisitReview.PENDING):
            _accept(visit, reviewer)


def _accept(visit: Visit, supervisor: User) -> None:
    """The supervisor accepted a held visit the morning it arrived."""
    visit.review, visit.reviewed_by_id = VisitReview.ACCEPTED, supervisor.id
    visit.reviewed_at = visit.checkin_received_at + timedelta(hours=2)
