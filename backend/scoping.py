"""Who may see what: the one place that turns the caller into query filters.

Every list and every fetch by id goes through `scoped_select` / `get_in_scope`, so an object
outside the caller's scope is simply not found (404) everywhere. A model without a rule, or a
role without a branch, matches nothing: deny by default.

- rep: their own assigned stores and the stores on their published plans (a stop moved to
  them from a teammate's plan); themselves
- supervisor: their team's reps and stores
- area manager: the teams, reps and stores of their area
- admin: everything
- route plans follow their team; a rep sees only their own published plans
- jobs: their creator, and whoever sees the job's team
- visits follow the rep's team at check-in (a rep: their own); photos follow their visit,
  and photo reviews their photo; a rep's daily KPI counts follow their plan's or visits' team
- agreed prices: the leads; promotions: the leads who see their store (all-store ones: all
  leads); price deviations follow their visit
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true

from .errors import NotFoundError
from .extensions import db
from .models import (
    AgreedPrice,
    Area,
    Brand,
    Complaint,
    DemandUplift,
    ExpiryFollowUp,
    Job,
    Photo,
    PhotoReview,
    PlannedStop,
    PlanStatus,
    PriceDeviation,
    Product,
    Promotion,
    RepDayCompetitorPrices,
    RepDayDisplay,
    RepDayFlags,
    RepDayKpi,
    RepDayOrders,
    RepDayOrderTotals,
    RepDayPhotos,
    RepDayPriceDeviations,
    RepDayReturns,
    RepMonthDisplay,
    RepMonthKpi,
    RepMonthOrders,
    RepMonthOrderTotals,
    RepMonthStoreVisits,
    RepWeekDisplay,
    ReturnRequest,
    Role,
    RoutePlan,
    ShelfFacing,
    Store,
    StoreContact,
    Team,
    User,
    Visit,
)

M = TypeVar("M")
Rule = Callable[[User], ColumnElement[bool]]

_RULES: dict[type, dict[Role, Rule]] = {}


def _teams_of_area(area_id: int | None) -> Select[Any]:
    return select(Team.id).where(Team.area_id == area_id)


def _stores_on_plans_of(rep: User) -> Select[Any]:
    return (
        select(PlannedStop.store_id)
        .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
        .where(RoutePlan.rep_id == rep.id, RoutePlan.status == PlanStatus.PUBLISHED)
    )


_RULES[Store] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: Store.team_id.in_(_teams_of_area(u.area_id)),
    Role.SUPERVISOR: lambda u: Store.team_id == u.team_id,
    Role.REP: lambda u: (Store.rep_id == u.id) | Store.id.in_(_stores_on_plans_of(u)),
}
_RULES[User] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: (User.id == u.id) | User.team_id.in_(_teams_of_area(u.area_id)),
    Role.SUPERVISOR: lambda u: (User.id == u.id) | (User.team_id == u.team_id),
    Role.REP: lambda u: User.id == u.id,
}
_RULES[Team] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: Team.area_id == u.area_id,
    Role.SUPERVISOR: lambda u: Team.id == u.team_id,
    Role.REP: lambda u: Team.id == u.team_id,
}
_RULES[Area] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: Area.id == u.area_id,
    Role.SUPERVISOR: lambda u: Area.id.in_(select(Team.area_id).where(Team.id == u.team_id)),
    Role.REP: lambda u: Area.id.in_(select(Team.area_id).where(Team.id == u.team_id)),
}
_RULES[RoutePlan] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: RoutePlan.team_id.in_(_teams_of_area(u.area_id)),
    Role.SUPERVISOR: lambda u: RoutePlan.team_id == u.team_id,
    # A rep sees their plans once published; drafts are the supervisor's work in progress.
    Role.REP: lambda u: (RoutePlan.rep_id == u.id) & (RoutePlan.status == PlanStatus.PUBLISHED),
}
_RULES[Job] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: (
        (Job.created_by_id == u.id) | Job.team_id.in_(_teams_of_area(u.area_id))
    ),
    Role.SUPERVISOR: lambda u: (Job.created_by_id == u.id) | (Job.team_id == u.team_id),
    Role.REP: lambda u: Job.created_by_id == u.id,
}
# Visits follow the rep's team at check-in; a rep sees only their own.
_RULES[Visit] = {
    Role.ADMIN: lambda u: true(),
    Role.AREA_MANAGER: lambda u: Visit.team_id.in_(_teams_of_area(u.area_id)),
    Role.SUPERVISOR: lambda u: Visit.team_id == u.team_id,
    Role.REP: lambda u: Visit.rep_id == u.id,
}
# A rep's day in numbers follows the team of its plan or visits, like they do.
_REP_DAY_TABLES = (RepDayKpi, RepDayDisplay, RepDayOrders, RepDayOrderTotals,
                   RepMonthOrders, RepMonthOrderTotals,
                   RepDayCompetitorPrices, RepDayPriceDeviations, RepDayReturns,
                   RepDayPhotos, RepDayFlags, RepMonthStoreVisits, RepMonthKpi,
                   RepMonthDisplay, RepWeekDisplay)  # fmt: skip
for _rep_day in _REP_DAY_TABLES:
    _RULES[_rep_day] = {
        Role.ADMIN: lambda u: true(),
        Role.AREA_MANAGER: lambda u, m=_rep_day: m.team_id.in_(_teams_of_area(u.area_id)),
        Role.SUPERVISOR: lambda u, m=_rep_day: m.team_id == u.team_id,
        Role.REP: lambda u, m=_rep_day: m.rep_id == u.id,
    }
# A photo is visible exactly when its visit is.
_RULES[Photo] = {
    role: (lambda u, r=rule: Photo.visit_id.in_(select(Visit.id).where(r(u))))
    for role, rule in _RULES[Visit].items()
}
# A visit's competitor facings are visible exactly when the visit is.
_RULES[ShelfFacing] = {
    role: (lambda u, r=rule: ShelfFacing.visit_id.in_(select(Visit.id).where(r(u))))
    for role, rule in _RULES[Visit].items()
}
# A visit's return requests and near-expiry follow-ups are visible exactly when the visit is.
for _visit_record in (ReturnRequest, ExpiryFollowUp):
    _RULES[_visit_record] = {
        role: (lambda u, r=rule, m=_visit_record: m.visit_id.in_(select(Visit.id).where(r(u))))
        for role, rule in _RULES[Visit].items()
    }
# A photo's review is visible exactly when the photo is.
_RULES[PhotoReview] = {
    role: (lambda u, r=rule: PhotoReview.photo_id.in_(select(Photo.id).where(r(u))))
    for role, rule in _RULES[Photo].items()
}
# A store's contacts and complaints are visible exactly when the store is.
for _store_file in (StoreContact, Complaint):
    _RULES[_store_file] = {
        role: (lambda u, r=rule, m=_store_file: m.store_id.in_(select(Store.id).where(r(u))))
        for role, rule in _RULES[Store].items()
    }
# The catalogue is shared reference data: every signed-in user reads it.
_RULES[Brand] = {role: (lambda u: true()) for role in Role}
_RULES[Product] = {role: (lambda u: true()) for role in Role}
# Demand uplifts are organisation-wide settings the leads read (the suggested order applies them).
_RULES[DemandUplift] = {
    role: (lambda u: true()) for role in (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)
}
# Agreed prices are the leads' reference; a promotion for one store follows that store.
_LEADS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)
_RULES[AgreedPrice] = {role: (lambda u: true()) for role in _LEADS}
_RULES[Promotion] = {
    role: (
        lambda u, r=_RULES[Store][role]: (
            Promotion.store_id.is_(None) | Promotion.store_id.in_(select(Store.id).where(r(u)))
        )
    )
    for role in _LEADS
}
# A visit's price deviations are visible exactly when the visit is.
_RULES[PriceDeviation] = {
    role: (lambda u, r=rule: PriceDeviation.visit_id.in_(select(Visit.id).where(r(u))))
    for role, rule in _RULES[Visit].items()
}


def scope_filter(user: User, model: type) -> ColumnElement[bool]:
    """The WHERE clause limiting `model` rows to what `user` may see."""
    rule = _RULES.get(model, {}).get(user.role)
    if rule is None or not user.active:
        return false()
    return rule(user)


def scoped_select(user: User, model: type[M]) -> Select[tuple[M]]:
    """`SELECT model` already limited to the caller's scope."""
    return select(model).where(scope_filter(user, model))


def get_in_scope(user: User, model: type[M], object_id: int) -> M:
    """Fetch one object by id, or raise NotFoundError if it does not exist *or* is out of scope."""
    found = db.session.scalars(
        scoped_select(user, model).where(model.id == object_id)  # type: ignore[attr-defined]
    ).first()
    if found is None:
        raise NotFoundError(f"{model.__name__} {object_id} not found.")
    return found


def ids_in_scope(user: User, model: type, ids: set[int]) -> set[int]:
    """The subset of `ids` the caller may see."""
    if not ids:
        return set()
    stmt = select(model.id).where(model.id.in_(ids), scope_filter(user, model))  # type: ignore[attr-defined]
    return set(db.session.scalars(stmt))
