"""SQL expressions that differ between SQLite and PostgreSQL but must give identical answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, Numeric, func, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


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


def money(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    """Read a sum of prices as an exact 2-decimal amount on both databases.

    SQLite keeps NUMERIC as binary floats; reading the result as Numeric(14, 2) rounds it back to
    cents, which is exact for sums of cent amounts."""
    return type_coerce(expression, Numeric(14, 2))


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows satisfy `condition` (0, never NULL)."""
    from sqlalchemy import case

    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
