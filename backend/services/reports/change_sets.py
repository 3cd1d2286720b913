"""Which writes can change a report table of rep-days: what a flush changed, as names, and what a
table's query reads, in the same names, so a commit refreshes only the tables it can change.

A change is `table+` (a row inserted), `table-` (a row deleted; a bulk UPDATE or DELETE counts
as this) or `table.column` (a row's column updated). A query reads `table+` and `table-` of every
table it selects from and `table.column` of every column it mentions: its rows are a function
of those alone, so a change it does not read leaves them as they are. One refinement: a query
built on another table's rows with `visits` only joined above them (an order line's visit) has
no row for a visit alone, so a check-in, which inserts the bare visit, does not concern it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, Table, event, inspect
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.selectable import Join

VISITS = "visits"


def rollup_reads(query: Select[Any]) -> frozenset[str]:
    """The changes that can alter the rows of `query`."""
    elements = list(visitors.iterate(query))
    tables = {e.name for e in elements if isinstance(e, Table)}
    # Through every proxy (a label, a subquery's or an alias's column) to the table's own.
    columns = {
        f"{base.table.name}.{base.name}"
        for e in elements
        if isinstance(e, ColumnElement)
        for base in e.proxy_set
        if isinstance(base, Column) and isinstance(base.table, Table)
    }
    reads = {*columns, *(f"{t}+" for t in tables), *(f"{t}-" for t in tables)}
    if _visits_only_joined_above(query, elements):
        reads.discard(f"{VISITS}+")
    return frozenset(reads)


def _visits_only_joined_above(query: Select[Any], elements: list[Any]) -> bool:
    """Whether every row of `query` comes from a row of its leftmost table, that table is not
    `visits`, and no subquery could read visits apart from that join (conservative: a union of
    parts, a subquery or a full join answers no)."""
    if any(isinstance(e, Select) and e is not query for e in elements):
        return False
    froms = query.get_final_froms()
    if len(froms) != 1:
        return False
    node = froms[0]
    while isinstance(node, Join):
        if node.full:
            return False
        node = node.left
    return isinstance(node, Table) and node.name != VISITS


def on_row_changes(record: Callable[[Session, str], None]) -> None:
    """Call `record(session, change)` for every row a flush writes: mapper events, so rows a
    flush deletes on its own (an orphaned plan stop) count too. Registering twice is harmless."""

    def changed(kind: str) -> Callable[..., None]:
        def listener(_mapper: Any, _connection: Any, target: Any) -> None:
            if (session := object_session(target)) is not None:
                for change in _row_changes(target, kind):
                    record(session, change)

        return listener

    for kind in ("insert", "update", "delete"):
        if kind not in _LISTENERS:
            _LISTENERS[kind] = changed(kind)
            event.listen(Mapper, f"before_{kind}", _LISTENERS[kind])


_LISTENERS: dict[str, Callable[..., None]] = {}


def _row_changes(target: Any, kind: str) -> Iterator[str]:
    state = inspect(target)
    table = state.mapper.local_table.name
    if kind == "insert":
        yield f"{table}+"
    elif kind == "delete":
        yield f"{table}-"
    else:
        for prop in state.mapper.column_attrs:
            if state.attrs[prop.key].history.has_changes():
                yield from (f"{table}.{c.name}" for c in prop.columns if isinstance(c, Column))
