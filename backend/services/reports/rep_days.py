"""Keep the report tables of rep-days (`rep_day_kpis`, `rep_day_display`) equal to what the raw
tables say.

Every flush notes the rep-days its writes touch: plans, stops (and baseline stops), visits, photos,
reviews, display checks and shelf facings, and a store's channel or tier, a product's brand or
category or a brand's `is_own` changing. Before the transaction commits (once, whatever savepoints
it went through), those rep-days are recomputed from the raw rows in SQL (delete, then insert the
fresh counts), in the tables whose queries read what changed (`change_sets`).
Recomputing rather than adding deltas keeps the rows right whatever the write was. On PostgreSQL a
transaction-level advisory lock per rep makes concurrent writers to one rep's rows take turns, so
the later one counts the earlier one's rows (one statement a write, whatever days, weeks and
months it touches); SQLite has one writer at a time anyway. What each table
counts: `kpi_counts` and `display_counts`; orders and their lines feed `order_counts` and
`order_totals` (`rep_day_orders`, `rep_day_order_totals`); competitor observations, price
deviations and return requests are copied by `competitor_rows`, `deviation_rows`, `return_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from types import ModuleType
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from ...models import (
    Brand,
    CompetitorObservation,
    DisplayCheck,
    Order,
    OrderLine,
    Photo,
    PhotoReview,
    PlanBaselineStop,
    PlannedStop,
    PriceDeviation,
    Product,
    ReturnRequest,
    RoutePlan,
    ShelfFacing,
    Store,
    Visit,
    VisitFlag,
)
from . import (
    competitor_rows,
    deviation_rows,
    display_counts,
    flag_counts,
    kpi_counts,
    order_counts,
    order_months,
    order_totals,
    period_sums,
    photo_counts,
    return_rows,
    store_orders,
    store_visits,
)
from .change_sets import on_row_changes, rollup_reads

RepDay = tuple[int, date]
# Picks rows by their rep and day columns: (rep column, day column) -> condition.
Selection = Callable[[Any, Any], Any]
ROLLUPS: tuple[ModuleType, ...] = (
    kpi_counts,
    display_counts,
    order_counts,
    order_totals,
    order_months.ORDER_MONTHS,
    order_months.ORDER_TOTAL_MONTHS,
    competitor_rows,
    deviation_rows,
    return_rows,
    photo_counts,
    flag_counts,
    store_orders,
    store_visits,
    period_sums.KPI_MONTHS,
    period_sums.DISPLAY_MONTHS,
    period_sums.DISPLAY_WEEKS,
)


def everything(rep: Any, day: Any) -> Any:
    return true()


def one_rep_day(rep: Any, day: Any) -> Any:
    """The rep-day given as the parameters `rep` and `day`."""
    return (rep == bindparam("rep")) & (day == bindparam("day"))


def one_rep_period(rep: Any, day: Any) -> Any:
    """The days of a rep's week or month: the parameters `rep`, `start` and `end`."""
    return (rep == bindparam("rep")) & day.between(bindparam("start"), bindparam("end"))


def _period(rollup: Any) -> Callable[[date], tuple[date, date]] | None:
    """For a table with rows per rep and week or month (`day` its first day; `PERIOD`): the
    first and last day of a day's period."""
    return getattr(rollup, "PERIOD", None)


def _fresh(rollup: ModuleType, where: Selection, from_raw: bool = False) -> Any:
    """The rollup's rows recomputed; `from_raw`: for a table summed from another's rows
    (`period_sums`), from the raw rows rather than that table's."""
    query = getattr(rollup, "from_raw", rollup.fresh) if from_raw else rollup.fresh
    rows = query(where).subquery("fresh")
    return select(*(rows.c[name] for name in (*rollup.KEYS, *rollup.COUNTS)))


def _stored(rollup: ModuleType) -> Any:
    return select(*(rollup.TABLE.__table__.c[n] for n in (*rollup.KEYS, *rollup.COUNTS)))


def _refresh_statements(where: Selection, rollups: tuple[ModuleType, ...] = ROLLUPS) -> list[Any]:
    """Per report table: delete the selected rep-days' rows, insert them recomputed."""
    statements = []
    for rollup in rollups:
        table = rollup.TABLE
        columns = [*rollup.KEYS, *rollup.COUNTS]
        statements += [
            delete(table).where(where(table.rep_id, table.day)),
            insert(table).from_select(columns, _fresh(rollup, where)),
        ]
    return statements


# Built once: a refresh runs in every write transaction, and building these is the slow part.
_REFRESH_ONE = {
    rollup: _refresh_statements(one_rep_period if _period(rollup) else one_rep_day, (rollup,))
    for rollup in ROLLUPS
}
# Timed apart (backend.timings): a wait here is another writer of the same rep's report rows.
# The lock's second key: the space of the report refresh's per-rep locks.
REP_LOCK_SPACE = 1
_LOCK = select(func.pg_advisory_xact_lock(bindparam("rep"), REP_LOCK_SPACE))
_LOCK = _LOCK.execution_options(timing_phase="lock")


def refresh(
    connection: Connection, where: Selection, rollups: tuple[ModuleType, ...] = ROLLUPS
) -> None:
    """Recompute the rep-days `where` selects, in every report table (a rebuild) or in those
    of `rollups` (a migration's: the tables that exist at its revision)."""
    for statement in _refresh_statements(where, rollups):
        connection.execute(statement)


def refresh_rep_days(
    connection: Connection, keys: Iterable[RepDay], rollups: Iterable[ModuleType] = ROLLUPS
) -> None:
    """Recompute these rep-days in `rollups`' tables, under their reps' advisory locks on
    PostgreSQL."""
    days = sorted(set(keys))
    rollups = list(rollups)
    if not days or not rollups:
        return
    params = {rollup: [{"rep": rep, "day": day} for rep, day in days] for rollup in rollups}
    for rollup in filter(_period, rollups):
        found = {(rep, *_period(rollup)(day)) for rep, day in days}
        params[rollup] = [{"rep": r, "start": s, "end": e} for r, s, e in sorted(found)]
    if connection.dialect.name == "postgresql":
        # One lock per rep covers its days and the weeks and months they sum into (taken in
        # rep order, so two writers never wait on each other in a circle).
        for rep in sorted({rep for rep, _ in days}):
            connection.execute(_LOCK, {"rep": rep})
    # In ROLLUPS order: a table summed from another's rows (`SOURCE`) comes after it.
    for rollup in rollups:
        for statement in _REFRESH_ONE[rollup]:
            connection.execute(statement, params[rollup])


def stale_rep_days(connection: Connection) -> list[Any]:
    """What differs between the report tables and a recomputation: rows only stored, rows
    only recomputed, and keys stored twice (nothing when the tables are right)."""
    found: list[Any] = []
    for rollup in ROLLUPS:
        stored, fresh = _stored(rollup), _fresh(rollup, everything, from_raw=True)
        only_stored = stored.except_(fresh).subquery("only_stored")
        only_fresh = fresh.except_(stored).subquery("only_fresh")
        name = rollup.TABLE.__tablename__
        rows = union_all(
            select(literal_column(f"'{name} stored'").label("side"), *only_stored.c),
            select(literal_column(f"'{name} fresh'").label("side"), *only_fresh.c),
        )
        keys = [rollup.TABLE.__table__.c[n] for n in rollup.KEYS]
        twice = select(literal_column(f"'{name} twice'"), *keys).group_by(*keys)
        found += [*connection.execute(rows), *connection.execute(twice.having(func.count() > 1))]
    return found


# --- change tracking -------------------------------------------------------------------------

# Per report table, the changes that can alter its rows (read off its query: never out of date).
# A table summed from another's rows reads what that one reads.
READS = {
    rollup: rollup_reads(getattr(rollup, "SOURCE", rollup).fresh(one_rep_day)) for rollup in ROLLUPS
}

PENDING = "terminus_rep_days"


@dataclass
class _Touched:
    changes: set[str] = field(default_factory=set)  # what changed: see `rollup_reads`
    keys: set[RepDay] = field(default_factory=set)
    visits: set[int] = field(default_factory=set)
    plans: set[int] = field(default_factory=set)
    photos: set[int] = field(default_factory=set)
    stores: set[int] = field(default_factory=set)
    products: set[int] = field(default_factory=set)
    brands: set[int] = field(default_factory=set)
    orders: set[int] = field(default_factory=set)


def _values(obj: Any, name: str) -> list[Any]:
    """The attribute's loaded value and, if it changed in this flush, its old ones."""
    state = inspect(obj)
    found = [state.dict[name]] if name in state.dict else []
    return [v for v in (*found, *state.attrs[name].history.deleted) if v is not None]


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return state.persistent and any(state.attrs[n].history.has_changes() for n in names)


# What reps record at a visit that a report table copies (`*_rows`).
_RECORDS = CompetitorObservation | PriceDeviation | ReturnRequest


def _note(obj: Any, touched: _Touched) -> None:
    if isinstance(obj, Visit | RoutePlan):
        day = "visit_date" if isinstance(obj, Visit) else "plan_date"
        touched.keys.update((r, d) for r in _values(obj, "rep_id") for d in _values(obj, day))
        ids = touched.visits if isinstance(obj, Visit) else touched.plans
        ids.update(_values(obj, "id"))
    elif isinstance(obj, PlannedStop | PlanBaselineStop):
        touched.plans.update(_values(obj, "plan_id"))
    elif isinstance(obj, Photo | VisitFlag | DisplayCheck | ShelfFacing | Order | _RECORDS):
        touched.visits.update(_values(obj, "visit_id"))
    elif isinstance(obj, PhotoReview):
        touched.photos.update(_values(obj, "photo_id"))
    elif isinstance(obj, OrderLine):
        touched.orders.update(_values(obj, "order_id"))
    elif isinstance(obj, Store) and _changed(obj, "channel", "tier"):
        touched.stores.add(obj.id)
    elif isinstance(obj, Product) and _changed(obj, "brand_id", "category"):
        touched.products.add(obj.id)
    elif isinstance(obj, Brand) and _changed(obj, "is_own"):
        touched.brands.add(obj.id)


# What a bulk UPDATE or DELETE (which the flush events never see) notes of the rows it is about
# to change, by table: the `_Touched` set, the column whose values go there, and for a table
# with its own rep-day the day column (a deleted row's rep-day cannot be found later).
_BULK: dict[str, tuple[str, str, str | None]] = {
    Visit.__tablename__: ("visits", "id", "visit_date"),
    RoutePlan.__tablename__: ("plans", "id", "plan_date"),
    PlannedStop.__tablename__: ("plans", "plan_id", None),
    PlanBaselineStop.__tablename__: ("plans", "plan_id", None),
    Photo.__tablename__: ("visits", "visit_id", None),
    DisplayCheck.__tablename__: ("visits", "visit_id", None),
    ShelfFacing.__tablename__: ("visits", "visit_id", None),
    PhotoReview.__tablename__: ("photos", "photo_id", None),
    Order.__tablename__: ("visits", "visit_id", None),
    CompetitorObservation.__tablename__: ("visits", "visit_id", None),
    PriceDeviation.__tablename__: ("visits", "visit_id", None),
    ReturnRequest.__tablename__: ("visits", "visit_id", None),
    VisitFlag.__tablename__: ("visits", "visit_id", None),
    # A line deleted alone has its order still there; one deleted with it, its order's visit.
    OrderLine.__tablename__: ("orders", "order_id", None),
    Store.__tablename__: ("stores", "id", None),
    Product.__tablename__: ("products", "id", None),
    Brand.__tablename__: ("brands", "id", None),
}


def _before_bulk(state: ORMExecuteState) -> None:
    """Note the rep-days of the rows a bulk UPDATE/DELETE on a counted table will change, and
    that a bulk INSERT (which fires no mapper event) adds rows to its table."""
    if state.is_insert:
        touched = state.session.info.setdefault(PENDING, _Touched())
        touched.changes.add(f"{state.statement.table.name}+")
        return
    if not (state.is_update or state.is_delete) or state.statement.table.name not in _BULK:
        return
    table = state.statement.table
    target, column, day = _BULK[table.name]
    touched = state.session.info.setdefault(PENDING, _Touched())
    touched.changes.add(f"{table.name}-")  # any column of any of its rows, as if deleted
    given = _only_value(state.statement.whereclause, column) if state.is_delete else None
    if given is not None and day is None:
        # DELETE ... WHERE visit_id = :id (a visit's records replaced): the id is in the
        # statement, no query needed (at worst a rep-day with nothing deleted is recomputed).
        getattr(touched, target).add(given)
        return
    columns = [table.c[column]] + ([table.c.rep_id, table.c[day]] if day else [])
    query = select(*columns)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    for row in state.session.connection().execute(query):
        getattr(touched, target).add(row[0])
        if day:
            touched.keys.add((row[1], row[2]))


def _only_value(where: Any, column: str) -> Any:
    """The value of `where` when it is `<column> = <a bound value>`, else None."""
    if not isinstance(where, BinaryExpression) or where.operator is not operators.eq:
        return None
    if not isinstance(where.left, Column) or where.left.name != column:
        return None
    return where.right.effective_value if isinstance(where.right, BindParameter) else None


def _after_flush(session: Session, _context: Any) -> None:
    touched = session.info.setdefault(PENDING, _Touched())
    for obj in chain(session.new, session.dirty, session.deleted):
        _note(obj, touched)


def _rep_days_of(connection: Connection, touched: _Touched) -> set[RepDay]:
    sources = []
    if touched.visits:
        sources.append(select(Visit.rep_id, Visit.visit_date).where(Visit.id.in_(touched.visits)))
    if touched.plans:
        sources.append(
            select(RoutePlan.rep_id, RoutePlan.plan_date).where(RoutePlan.id.in_(touched.plans))
        )
    if touched.photos:
        sources.append(
            select(Visit.rep_id, Visit.visit_date)
            .join(Photo, Photo.visit_id == Visit.id)
            .where(Photo.id.in_(touched.photos))
        )
    if touched.orders:
        sources.append(
            select(Visit.rep_id, Visit.visit_date)
            .join(Order, Order.visit_id == Visit.id)
            .where(Order.id.in_(touched.orders))
        )
    if touched.stores:
        sources.append(
            select(Visit.rep_id, Visit.visit_date).where(Visit.store_id.in_(touched.stores))
        )
    if touched.products or touched.brands:
        checked = Product.id.in_(touched.products) | Product.brand_id.in_(touched.brands)
        sources.append(
            select(Visit.rep_id, Visit.visit_date)
            .join(DisplayCheck, DisplayCheck.visit_id == Visit.id)
            .join(Product, Product.id == DisplayCheck.product_id)
            .where(checked)
        )
    if touched.brands:
        sources.append(
            select(Visit.rep_id, Visit.visit_date)
            .join(ShelfFacing, ShelfFacing.visit_id == Visit.id)
            .where(ShelfFacing.brand_id.in_(touched.brands))
        )
    found = set(touched.keys)
    if sources:
        found.update((rep, day) for rep, day in connection.execute(union(*sources)))
    return found


def _before_commit(session: Session) -> None:
    # SQLAlchemy calls this before a savepoint's release too: refresh once, before the real
    # commit, whatever savepoints (a batch's items) the transaction went through.
    if session.in_nested_transaction():
        return
    session.flush()
    touched = session.info.pop(PENDING, None)
    if touched is None:
        return
    # Only the tables whose rows read what changed: a stock count refreshes none, an order the
    # order tables. Most commits touch no rep-day (a login, a token): no query at all for them.
    rollups = [rollup for rollup in ROLLUPS if READS[rollup] & touched.changes]
    if rollups and any(vars(touched).values()):
        connection = session.connection()
        refresh_rep_days(connection, _rep_days_of(connection, touched), rollups)


def _note_change(session: Session, change: str) -> None:
    session.info.setdefault(PENDING, _Touched()).changes.add(change)


def note_rows_added(session: Session, table: str) -> None:
    """Rows written to `table` past SQLAlchemy (COPY, which no event sees): the report tables
    that read it are refreshed at commit, for the rep-days the rest of the write touched."""
    _note_change(session, f"{table}+")


def track(session: Any) -> None:
    """Keep the report tables current for every commit of `session` (a session, sessionmaker or
    scoped session); registering twice is harmless."""
    listeners = (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("do_orm_execute", _before_bulk),
    )
    for name, listener in listeners:
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)
    on_row_changes(_note_change)
