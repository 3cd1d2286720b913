"""SQL expressions that differ between SQLite and PostgreSQL but must give identical answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    Select,
    case,
    event,
    func,
    literal_column,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from ...models import Store, Visit


class seconds_between(FunctionElement[int]):
    """Whole seconds from the first timestamp to the second (rounded)."""

    type = Integer()
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS INTEGER)"


@compiles(seconds_between)
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


class week_start(FunctionElement[Any]):
    """The Monday of a date's ISO week."""

    type = Date()
    inherit_cache = True


@compiles(week_start, "postgresql")
def _week_pg(element: week_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(week_start)
def _week_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


class month_start(FunctionElement[Any]):
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_pg(element: month_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start)
def _month_sqlite(element: month_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def money(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    """Read a sum of prices as an exact 2-decimal amount on both databases.

    SQLite keeps NUMERIC as binary floats; reading the result as Numeric(14, 2) rounds it back to
    cents, which is exact for sums of cent amounts."""
    return type_coerce(expression, Numeric(14, 2))


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows satisfy `condition` (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def summed_parts(parts: Sequence[Select[Any]], keys: Sequence[str], counts: Sequence[str]):
    """One row per key of several grouped queries, each giving some of `counts` (0 for the
    others), summed: a full outer join of the parts on their keys."""
    padded = []
    for part in parts:
        columns = part.selected_columns
        padded.append(
            part.with_only_columns(
                *(columns[name] for name in keys),
                *(
                    columns[name] if name in columns else literal_column("0").label(name)
                    for name in counts
                ),
                maintain_column_froms=True,
            )
        )
    combined = union_all(*padded).subquery("parts")
    group = [combined.c[name] for name in keys]
    sums = [func.coalesce(func.sum(combined.c[n]), 0).label(n) for n in counts]
    return select(*group, *sums).group_by(*group)


class lower_middle(FunctionElement[Any]):
    """Aggregate: the lower of the two middle values (the middle one for an odd count), NULLs
    ignored; with `upper_middle`, the median is their mean."""

    inherit_cache = True


class upper_middle(FunctionElement[Any]):
    """Aggregate: the upper of the two middle values (the middle one for an odd count)."""

    inherit_cache = True


@compiles(lower_middle, "postgresql")
def _lower_pg(element: lower_middle, compiler: Any, **kw: Any) -> str:
    return f"percentile_disc(0.5) WITHIN GROUP (ORDER BY {compiler.process(element.clauses, **kw)})"


@compiles(upper_middle, "postgresql")
def _upper_pg(element: upper_middle, compiler: Any, **kw: Any) -> str:
    # Position ceil((0.5 + 1e-10) n): n/2 + 1 for an even count, the middle one for an odd count
    # (below 5e9 values). Ascending like `lower_middle`, so the two share one sort per group.
    value = compiler.process(element.clauses, **kw)
    return f"percentile_disc(0.5000000001) WITHIN GROUP (ORDER BY {value})"


@compiles(lower_middle)
@compiles(upper_middle)
def _middle_sqlite(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    return f"{type(element).__name__}({compiler.process(element.clauses, **kw)})"


class _Middle:
    """SQLite has no ordered-set aggregates: this one collects the group's values."""

    upper = False

    def __init__(self) -> None:
        self.values: list[Any] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> Any:
        if not self.values:
            return None
        self.values.sort()
        n = len(self.values)
        return self.values[n // 2 if self.upper else (n - 1) // 2]


class _UpperMiddle(_Middle):
    upper = True


@event.listens_for(Engine, "connect")
def _sqlite_aggregates(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_aggregate("lower_middle", 1, _Middle)
        dbapi_connection.create_aggregate("upper_middle", 1, _UpperMiddle)


def at_visits(record: Any, where: Any, *columns: Any) -> Any:
    """One row per `record` (a row recorded at a visit) with its visit's rep, team, day, store
    and the store's channel, then `columns`, for the rep-days `where(rep, day)` selects."""
    return (
        select(
            Visit.rep_id,
            Visit.team_id,
            Visit.visit_date.label("day"),
            Visit.store_id,
            Store.channel,
            *columns,
        )
        .select_from(record)
        .join(Visit, Visit.id == record.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .where(where(Visit.rep_id, Visit.visit_date))
    )
