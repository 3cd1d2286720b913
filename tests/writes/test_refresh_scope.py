"""A commit refreshes only the report tables its changes can alter: what each table reads is
read off its query, what a flush changed is seen row by row (rows a flush deletes on its own
too), and the tables it skips stay exactly right."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, union_all
from sqlalchemy.orm import aliased

from backend.extensions import db
from backend.models import OrderLine, RoutePlan, Visit
from backend.services.reports import rep_days
from backend.services.reports.change_sets import rollup_reads
from tests.api.visit_helpers import (
    catalogue,
    check_in,
    key,
    local_today,
    minutes_ago,
    publish_plan,
)
from tests.writes.write_helpers import assert_fresh


def refreshed(*changes: str) -> set[str]:
    """The report tables a commit with these changes refreshes."""
    return {
        rollup.TABLE.__tablename__
        for rollup, reads in rep_days.READS.items()
        if reads & set(changes)
    }


def test_what_each_write_refreshes():
    # Stock and near-expiry counts, idempotency keys, the audit log: no report table reads them.
    assert refreshed("stock_counts+", "near_expiry_items+", "idempotency_keys+") == set()
    assert refreshed("audit_entries+", "access_tokens.revoked_at", "stores.address") == set()
    # A check-out: the KPIs (time in store, success) and the flags it raises, nothing else.
    checkout = ("visits.status", "visits.checked_out_at", "visits.successful", "visit_flags+")
    assert "rep_day_kpis" in refreshed(*checkout)
    assert not refreshed(*checkout) & {"rep_day_orders", "rep_day_display", "rep_day_photos"}
    # An order: the order tables and nothing that counts visits or display checks.
    order = refreshed("orders+", "order_lines+")
    assert {"rep_day_orders", "rep_day_order_totals"} <= order
    assert not order & {"rep_day_kpis", "rep_day_display", "rep_day_flags", "rep_day_photos"}
    # A review decision changes what every table that counts accepted visits only counts.
    assert {"rep_day_kpis", "rep_day_display", "rep_day_orders"} <= refreshed("visits.review")
    # Moving a visit to another rep or day moves it in every table.
    assert refreshed("visits.rep_id") == {r.TABLE.__tablename__ for r in rep_days.ROLLUPS}


def test_a_bare_new_visit_concerns_only_the_tables_that_count_visits():
    tables = refreshed("visits+")
    assert "rep_day_kpis" in tables
    assert not tables & {"rep_day_orders", "rep_day_order_totals", "rep_day_flags"}
    # The display tables sum a union of display checks and shelf facings, each joined to its
    # visit on the visit's id: a visit without either adds no row.
    assert not tables & {"rep_day_display", "rep_month_display", "rep_week_display"}


def test_reads_are_found_through_aliases_subqueries_and_joins():
    other = aliased(Visit)
    lines = select(OrderLine.order_id, OrderLine.quantity).subquery()
    query = (
        select(lines.c.quantity, other.review)
        .select_from(lines)
        .join(other, other.id == lines.c.order_id)
    )
    reads = rollup_reads(query)
    assert {"order_lines.quantity", "order_lines.order_id", "visits.review", "visits.id"} <= reads
    assert {"order_lines+", "order_lines-", "visits-"} <= reads
    # A subquery could read visits apart from the join: a bare visit counts, to be safe.
    assert "visits+" in reads
    assert "visits+" not in rollup_reads(
        select(OrderLine.quantity).join(Visit, Visit.id == OrderLine.order_id)
    )


def test_a_bare_visit_counts_unless_every_part_joins_it_on_its_id():
    on_id = select(OrderLine.quantity).join(Visit, Visit.id == OrderLine.order_id)
    on_other = select(OrderLine.quantity).join(Visit, Visit.store_id == OrderLine.product_id)
    first = select(Visit.id).join(OrderLine, OrderLine.order_id == Visit.id)
    both = union_all(on_id, on_id.where(OrderLine.quantity > 1)).subquery()
    assert "visits+" not in rollup_reads(select(both.c.quantity))
    for part in (on_other, first):  # a visit may meet many lines, or give a row of its own
        assert "visits+" in rollup_reads(select(union_all(on_id, part).subquery().c[0]))
    # A subquery selecting visits on its own, in the WHERE clause, counts them too.
    other = aliased(Visit)
    recent = select(other.id).where(other.store_id == OrderLine.product_id).exists()
    assert "visits+" in rollup_reads(on_id.where(recent))


def test_a_stop_the_flush_deletes_on_its_own_is_seen(app, org):
    [first, *_] = publish_plan(
        app, org.user["rep-n1a"], [org.store["n1-a"], org.store["n1-b"]], local_today()
    )
    with app.app_context():
        plan = db.session.scalars(select(RoutePlan)).one()
        plan.stops = [s for s in plan.stops if s.id != first]  # an orphan: delete-orphan
        db.session.flush()
        changes = db.session.info[rep_days.PENDING].changes
        assert "planned_stops-" in changes and "rep_day_kpis" in refreshed(*changes)
        db.session.rollback()


@pytest.mark.usefixtures("photo_dir")
def test_a_stock_count_writes_no_report_table_a_display_check_its_own(app, client, org, tokens):
    cat = catalogue(app)
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, {**headers, **key()}, app, org.store["n1-a"], minutes_ago(5))
    assert visit.status_code == 201
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        items = [{"product_id": p, "shelf_qty": 5, "backroom_qty": 9} for p in cat.products[:3]]
        reply = client.put(
            f"/api/visits/{visit.json['id']}/stock",
            json={"items": items},
            headers={**headers, **key()},
        )
        assert reply.status_code == 200, reply.json
        written = [s for s in statements if "rep_day_" in s]
        assert statements and written == []
        statements.clear()
        checks = {"items": [{"product_id": cat.products[0], "on_shelf": True, "facings": 2}]}
        reply = client.put(
            f"/api/visits/{visit.json['id']}/display-checks",
            json=checks,
            headers={**headers, **key()},
        )
        assert reply.status_code == 200, reply.json
        assert any("INSERT INTO rep_day_display" in s for s in statements)
        wrong = [s for s in statements if "rep_day_orders" in s or "rep_day_flags" in s]
        assert wrong == []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert_fresh(app)
