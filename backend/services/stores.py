"""Store master data: listing, search, create/update/deactivate and reassignment (with each
affected rep's load before and after)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..errors import ConflictError, InvalidError, NotFoundError
from ..extensions import db
from ..models import Role, Store, StoreHours, Team, User
from ..scoping import get_in_scope, ids_in_scope, scoped_select
from . import audit
from .customer_status import status_condition
from .paging import paginate, where_equal
from .plan_building import frequency_days

EARTH_RADIUS_M = 6371008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
# A taken code is refused in these words whoever holds it: codes are unique over all stores, and
# the refusal must tell nothing about a store outside the caller's scope (no id, name or area).
CODE_UNAVAILABLE = "This store code cannot be used."


def list_stores(actor: User, args: dict[str, Any]) -> tuple[list[Store], int]:
    """One page of the stores `actor` may see, filtered; nearest first when `near_*` is given.

    With a `near` point each store gets a `distance_m` attribute (equirectangular distance,
    accurate to well under 0.1 % at city scale, computed in SQL for filtering and sorting).
    """
    stmt = filtered_stores(actor, args).options(selectinload(Store.contacts))
    if "near_lat" not in args:
        items, total = paginate(stmt.order_by(Store.name, Store.id), args["page"], args["per_page"])
        return items, total
    stmt, squared = _near(stmt, args["near_lat"], args["near_lng"], args.get("radius_m"))
    rows, total = paginate(stmt.order_by(squared, Store.id), args["page"], args["per_page"])
    stores = []
    for store, sq_deg in rows:
        store.distance_m = round(math.sqrt(sq_deg) * METRES_PER_DEGREE)
        stores.append(store)
    return stores, total


def filtered_stores(actor: User, args: dict[str, Any]) -> Select[tuple[Store]]:
    """The caller's stores with the list filters (tier, channel, rep, team, active, customer
    status, q) applied."""
    stmt = scoped_select(actor, Store)
    stmt = where_equal(stmt, Store, args, ("tier", "channel", "rep_id", "team_id", "active"))
    if "customer_status" in args:
        stmt = stmt.where(status_condition(args["customer_status"]))
    if "q" in args:
        text = args["q"].strip()
        stmt = stmt.where(
            Store.name.icontains(text, autoescape=True)
            | Store.address.icontains(text, autoescape=True)
            | Store.code.icontains(text, autoescape=True)
        )
    return stmt


def _near(
    stmt: Select[Any], lat: float, lng: float, radius_m: float | None
) -> tuple[Select[Any], Any]:
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    squared = ((Store.lng - lng) * cos_lat) * ((Store.lng - lng) * cos_lat) + (Store.lat - lat) * (
        Store.lat - lat
    )
    stmt = stmt.add_columns(squared.label("sq_deg"))
    if radius_m is not None:
        deg = radius_m / METRES_PER_DEGREE
        # The bounding box lets the (lat, lng) index do the coarse cut.
        stmt = stmt.where(
            Store.lat.between(lat - deg, lat + deg),
            Store.lng.between(lng - deg / cos_lat, lng + deg / cos_lat),
            squared <= deg * deg,
        )
    return stmt, squared


def get_store(actor: User, store_id: int) -> Store:
    return get_in_scope(actor, Store, store_id)


def create_store(actor: User, data: dict[str, Any]) -> Store:
    """Create a store in the caller's scope (a supervisor: in their own team)."""
    data = dict(data)
    check_code_free(data["code"])
    hours = data.pop("hours", [])
    team_id, rep_id = resolve_assignment(actor, data.pop("team_id", None), data.pop("rep_id", None))
    store = Store(**data, team_id=team_id, rep_id=rep_id, active=True)
    store.hours = [StoreHours(**window) for window in hours]
    db.session.add(store)
    db.session.flush()
    return store


def update_store(actor: User, store_id: int, changes: dict[str, Any]) -> Store:
    """Change a store in scope; `active: False` deactivates it (stores are never deleted)."""
    store = get_in_scope(actor, Store, store_id)
    changes = dict(changes)
    if changes.get("code", store.code) != store.code:
        check_code_free(changes["code"])
    if "hours" in changes:
        store.hours = [StoreHours(**window) for window in changes.pop("hours")]
    before = {store.id: store.rep_id}
    if "team_id" in changes or "rep_id" in changes:
        store.team_id, store.rep_id = resolve_assignment(
            actor,
            changes.pop("team_id", store.team_id if "rep_id" not in changes else None),
            changes.pop("rep_id", store.rep_id),
        )
    for key, value in changes.items():
        setattr(store, key, value)
    db.session.flush()
    if store.rep_id != before[store.id]:
        _record_reassign(actor, [store], before)
    return store


def check_code_free(code: str) -> None:
    """ConflictError on `code` if any store has it, in or out of the caller's scope."""
    if db.session.scalar(select(Store.id).where(Store.code == code).limit(1)) is not None:
        raise ConflictError(CODE_UNAVAILABLE, {"json": {"code": [CODE_UNAVAILABLE]}})


def reassign_stores(
    actor: User, store_ids: Iterable[int], rep_id: int | None, dry_run: bool = False
) -> tuple[int, list[dict[str, Any]]]:
    """Give every listed store to `rep_id` (or unassign); all stores must be in scope.

    Returns how many stores move and each affected rep's load before and after (`rep_loads`);
    a dry run checks and measures the same but changes nothing.
    """
    wanted = set(store_ids)
    stores = list(db.session.scalars(scoped_select(actor, Store).where(Store.id.in_(wanted))))
    missing = wanted - {s.id for s in stores}
    if missing:
        raise NotFoundError(
            "Stores not found: " + ", ".join(str(i) for i in sorted(missing)),
            {"json": {"store_ids": [f"Not found: {sorted(missing)}"]}},
        )
    rep = rep_in_scope(actor, rep_id) if rep_id is not None else None
    loads = rep_loads(actor, stores, rep)
    if not dry_run:
        before = {store.id: store.rep_id for store in stores}
        for store in stores:
            store.rep_id = rep.id if rep else None
            if rep is not None:
                store.team_id = rep.team_id
        db.session.flush()
        _record_reassign(actor, stores, before)
    return len(stores), loads


def _record_reassign(actor: User, stores: list[Store], before: dict[int, int | None]) -> None:
    """One entry per reassignment: each store's rep before and after."""
    moves = [
        {"store_id": s.id, "code": s.code, "from_rep_id": before[s.id], "to_rep_id": s.rep_id}
        for s in sorted(stores, key=lambda s: s.id)
    ]
    subject_id = stores[0].id if len(stores) == 1 else None
    audit.record(
        audit.Action.REASSIGN,
        actor=actor,
        subject_type="store",
        subject_id=subject_id,
        detail={"stores": moves},
    )


def rep_loads(actor: User, moving: list[Store], rep: User | None) -> list[dict[str, Any]]:
    """Each rep losing or gaining stores: active stores and weekly visits (7 ÷ the store's
    visit frequency) before and after `moving` go to `rep`; by username."""
    reps = {s.rep_id for s in moving if s.rep_id is not None} | ({rep.id} if rep else set())
    if not reps:
        return []
    held = db.session.scalars(
        scoped_select(actor, Store).where(Store.rep_id.in_(reps), Store.active.is_(True))
    )
    pool = {s.id: s for s in held} | {s.id: s for s in moving if s.active}
    moved = {s.id for s in moving}
    tally = {r: {"stores": [0, 0], "visits": [0.0, 0.0]} for r in reps}
    for store in pool.values():
        after = (rep.id if rep else None) if store.id in moved else store.rep_id
        for when, owner in enumerate((store.rep_id, after)):
            if owner is not None:
                tally[owner]["stores"][when] += 1
                tally[owner]["visits"][when] += 7 / frequency_days(store)
    users = db.session.scalars(select(User).where(User.id.in_(reps)).order_by(User.username))
    return [
        {
            "rep_id": u.id,
            "username": u.username,
            "stores_before": tally[u.id]["stores"][0],
            "stores_after": tally[u.id]["stores"][1],
            "weekly_visits_before": round(tally[u.id]["visits"][0], 2),
            "weekly_visits_after": round(tally[u.id]["visits"][1], 2),
        }
        for u in users
    ]


def resolve_assignment(
    actor: User, team_id: int | None, rep_id: int | None
) -> tuple[int | None, int | None]:
    """Validate a (team, rep) assignment against the caller's scope.

    The team defaults to the rep's team, then to the caller's own team; the rep must be an active
    rep of that team. Raises InvalidError naming the field.
    """
    rep = rep_in_scope(actor, rep_id) if rep_id is not None else None
    if team_id is None:
        team_id = rep.team_id if rep is not None else actor.team_id
    if team_id is not None and not ids_in_scope(actor, Team, {team_id}):
        raise InvalidError("No such team.", {"json": {"team_id": ["No such team in your scope."]}})
    if team_id is None and actor.role is not Role.ADMIN:
        raise InvalidError("A team is required.", {"json": {"team_id": ["Required."]}})
    if rep is not None and rep.team_id != team_id:
        raise InvalidError(
            "The rep is not in that team.",
            {"json": {"rep_id": [f"Rep {rep.id} is not in team {team_id}."]}},
        )
    return team_id, rep.id if rep is not None else None


def rep_in_scope(actor: User, rep_id: int) -> User:
    """An active rep the caller may see, or InvalidError naming `rep_id`."""
    rep = db.session.scalars(
        scoped_select(actor, User).where(User.id == rep_id, User.role == Role.REP, User.active)
    ).first()
    if rep is None:
        raise InvalidError(
            "No such rep.", {"json": {"rep_id": [f"No active rep {rep_id} in your scope."]}}
        )
    return rep
