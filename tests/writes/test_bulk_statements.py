"""A bulk UPDATE or DELETE on a counted table, which the flush events never see, still keeps
the report tables right: the `do_orm_execute` hook notes the rows' rep-days before it runs."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from backend.extensions import db
from backend.models import Brand, Photo, PlannedStop, Product, Store, Tier, Visit
from backend.writes import execute
from tests.writes.write_helpers import assert_fresh, in_app, report_counts, report_tables

STATEMENTS = {
    "visit marked successful": lambda d: (
        update(Visit).where(Visit.id == d.visit).values(successful=True)
    ),
    "unvisited stop deleted": lambda d: delete(PlannedStop).where(
        PlannedStop.plan_id == d.plan, PlannedStop.store_id == d.stores[1]
    ),
    "store moved to tier C": lambda d: (
        update(Store).where(Store.id == d.stores[0]).values(tier=Tier.C)
    ),
    "product moved to the rival": lambda d: (
        update(Product).where(Product.id == d.cat.products[0]).values(brand_id=d.cat.rival)
    ),
    "own brand no longer own": lambda d: (
        update(Brand).where(Brand.id == d.cat.own).values(is_own=False)
    ),
    "photo deleted": lambda d: delete(Photo).where(Photo.id == d.photo),
}


@pytest.mark.parametrize("name", STATEMENTS)
def test_a_bulk_statement_in_a_write_keeps_the_report_tables_right(app, day, name):
    before = report_counts(in_app(app, report_tables))
    statement = STATEMENTS[name](day)
    with app.app_context():
        assert execute(lambda: db.session.execute(statement)).rowcount == 1
    assert_fresh(app)
    assert report_counts(in_app(app, report_tables)) != before, "the statement counts nowhere"
