"""Pieces every report shares: rates, filters on the org columns, labels for group keys."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, select, text, union_all

from ...errors import NotFoundError
from ...extensions import db
from ...models import Area, Brand, Product, Store, Team, User, Visit
from ...scoping import ids_in_scope, scope_filter

WORK_MEM = "128MB"
FILTERS = (("rep_id", User), ("team_id", Team), ("area_id", Area))


def rate(numerator: int, denominator: int, digits: int = 4) -> dict[str, Any]:
    """A rate with its parts; `rate` is null when there is nothing to divide by."""
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    value = round(numerator / denominator, digits) if denominator else None
    return {"numerator": numerator, "denominator": denominator, "rate": value}


def begin_report(actor: User, args: dict[str, Any]) -> None:
    """Check the filters and give PostgreSQL room for this transaction's sorts and hashes.

    Report queries sort and hash up to millions of rows: with the default 4 MB work_mem they
    spill to disk, and JIT compilation costs more than it saves on them."""
    check_filters(actor, args)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        db.session.execute(text("SET LOCAL jit = off"))


def check_filters(actor: User, args: dict[str, Any]) -> None:
    """A rep, team or area filter outside the caller's scope is a 404, like any other object."""
    for name, model in FILTERS:
        if args.get(name) is not None and not ids_in_scope(actor, model, {args[name]}):
            raise NotFoundError(f"{model.__name__} {args[name]} not found.")


def where_org(columns: Any, args: dict[str, Any]) -> list[ColumnElement[bool]]:
    """Conditions for the rep/team/area filters on a subquery with those columns."""
    return [getattr(columns, name) == args[name] for name, _ in FILTERS if args.get(name)]


def period_rows(
    actor: User, daily: type, first: date, last: date, coarse: type | None = None, whole: Any = None
) -> Select[Any]:
    """The rows of a report table of rep-days in [first, last] that the caller may see, with
    their team's area: over `whole` (the first and last day of whole weeks or months, if any)
    those of `coarse` (the table summed per week or month, `period_sums`), else the daily ones.
    Both give the columns of `coarse` (of `daily` without it)."""
    names = [c.name for c in (coarse or daily).__table__.c if c.name != "id"]

    def part(table: Any, *conditions: Any) -> Select[Any]:
        columns = (table.__table__.c[name] for name in names)
        return select(*columns).where(*conditions, scope_filter(actor, table))

    days = daily.day.between(first, last)
    parts = []
    if coarse is not None and whole:
        parts.append(part(coarse, coarse.day.between(*whole)))
        days &= ~daily.day.between(*whole)
    parts.append(part(daily, days))
    rows = union_all(*parts).subquery("period_rows")
    return select(rows, Team.area_id).outerjoin(Team, Team.id == rows.c.team_id)


def rep_days_in(
    actor: User, table: type, first: date, last: date, args: dict[str, Any]
) -> Subquery:
    """`period_rows` of a report table of rep-days, the rep/team/area filters applied."""
    rows = period_rows(actor, table, first, last).subquery("rep_days")
    return select(rows).where(*where_org(rows.c, args)).subquery("scoped_rep_days")


LABEL_SOURCES = {
    "rep": (User.id, User.full_name),
    "team": (Team.id, Team.name),
    "area": (Area.id, Area.name),
    "brand": (Brand.id, Brand.name),
    "product": (Product.id, Product.name),
}


def labels(kind: str, ids: set[Any]) -> dict[Any, str]:
    """Names for the rep, team, area, brand or product ids of a grouping."""
    if kind not in LABEL_SOURCES or not ids:
        return {}
    key, name = LABEL_SOURCES[kind]
    return {k: v for k, v in db.session.execute(select(key, name).where(key.in_(ids)))}


class VisitOrg:
    """The rep, team and area columns of a visit, for `where_org`."""

    rep_id = Visit.rep_id
    team_id = Visit.team_id
    area_id = Team.area_id


def visit_place() -> tuple[Any, ...]:
    """The columns that place a record joined by `at_visits`: its store, rep, team (that day's)
    and area, under the names `where_org` and the report groups use."""
    return (
        Visit.store_id,
        Store.name.label("store_name"),
        Visit.rep_id,
        Visit.team_id,
        Team.name.label("team_name"),
        Team.area_id,
    )


def at_visits(
    stmt: Select[Any], visit_id: Any, actor: User, *conditions: ColumnElement[bool]
) -> Select[Any]:
    """Join records to their visit, its store and the visit's team (that day's), keeping the
    visits the caller may see that meet `conditions`."""
    return (
        stmt.join(Visit, Visit.id == visit_id)
        .join(Store, Store.id == Visit.store_id)
        .outerjoin(Team, Team.id == Visit.team_id)
        .where(scope_filter(actor, Visit), *conditions)
    )
