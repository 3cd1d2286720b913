"""Which writes can change a report table of rep-days: what a flush changed, as names, and what a
table's query reads, in the same names, so a commit refreshes only the tables it can change.

A change is `table+` (a row inserted), `table-` (a row deleted; a bulk UPDATE or DELETE counts
as this) or `table.column` (a row's column updated). A query reads `table+` and `table-` of every
table it selects from and `table.column` of every column it mentions: its rows are a function
of those alone, so a change it does not read leaves them as they are. One refinement: a query
built on other tables' rows with `visits` only joined above them on its id (an order line's
visit, in every part of a union) has no row for a visit alone, so a check-in, which inserts the
bare visit, does not concern it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, Table, event, inspect
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.selectable import Alias, Join

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
    """Whether no row of `query` can come from a visit alone: every SELECT in it (the parts of
    a union, a subquery) that selects from `visits` has one FROM, a chain of inner or left joins
    whose leftmost table is another, with `visits` joined on its id (an order line's visit).
    Conservative: anything else (a full join, visits first, visits joined on another column)
    answers no."""
    selects = [query, *(e for e in elements if isinstance(e, Select) and e is not query)]
    return all(_joined_on_its_id(s) for s in selects if VISITS in _tables_selected_from(s))


def _tables_selected_from(select: Select[Any]) -> set[str]:
    """The tables in `select`'s own FROM list, through its joins, not into subqueries (and not
    an enclosing query's tables a correlated subquery refers to)."""
    found, pending = set(), list(select.get_final_froms())
    while pending:
        node = pending.pop()
        if isinstance(node, Join):
            pending += [node.left, node.right]
        elif (name := _table_name(node)) is not None:
            found.add(name)
    return found


def _table_name(node: Any) -> str | None:
    """The name of the table `node` is, or is an alias of; None for anything else."""
    table = node.element if isinstance(node, Alias) else node
    return table.name if isinstance(table, Table) else None


def _joined_on_its_id(select: Select[Any]) -> bool:
    froms = select.get_final_froms()
    if len(froms) != 1:
        return False
    node = froms[0]
    while isinstance(node, Join):
        if node.full or isinstance(node.right, Join):
            return False
        if _table_name(node.right) == VISITS and not _on_id_of(node.right, node.onclause):
            return False
        node = node.left
    return _table_name(node) not in (None, VISITS)


def _on_id_of(visits: Any, onclause: Any) -> bool:
    """`visits.id = <a column on the left>`: each row on the left meets at most one visit."""
    if not isinstance(onclause, BinaryExpression) or onclause.operator is not operators.eq:
        return False
    # ORM-built joins hold annotated copies of the table: compare the plain ones.
    plain = visits._deannotate()
    sides = (onclause.left, onclause.right)
    ids = [c for c in sides if _plain_table(c) is plain and c.name == "id"]
    return len(ids) == 1


def _plain_table(column: Any) -> Any:
    table = getattr(column, "table", None)
    return table._deannotate() if table is not None else None


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
