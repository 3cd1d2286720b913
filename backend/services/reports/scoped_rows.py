"""Rows of a report table of rep-days that a report reads: in its period and the caller's
scope, filtered by rep, team or area."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select

from ...models import Team, User
from ...scoping import scope_filter
from .common import where_org


def in_period(
    stmt: Select[Any], table: Any, actor: User, args: dict[str, Any], first: Any, last: Any
) -> Select[Any]:
    """`stmt` (reading `table`) kept to the rows of days `first`..`last` the caller may see; the
    team's area is joined only for an area filter, as a year of rows joins slowly."""
    if args.get("area_id"):
        stmt = stmt.outerjoin(Team, Team.id == table.team_id)
    org = SimpleNamespace(rep_id=table.rep_id, team_id=table.team_id, area_id=Team.area_id)
    return stmt.where(
        table.day.between(first, last), scope_filter(actor, table), *where_org(org, args)
    )
