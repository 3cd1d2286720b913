"""The SQL pieces whose SQLite and PostgreSQL forms must agree: the middle-value aggregates."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from backend.extensions import db
from backend.services.reports.sql import lower_middle, money, upper_middle


@pytest.mark.parametrize(
    ("prices", "middles"),
    [
        (["3.00", "1.00", "2.00"], ("2.00", "2.00")),
        (["4.00", "1.00", "3.00", "2.00"], ("2.00", "3.00")),
        (["1.25", None, "1.30"], ("1.25", "1.30")),
        (["9.99"], ("9.99", "9.99")),
        ([None], (None, None)),
    ],
)
def test_lower_and_upper_middle(app, prices, middles):
    rows = sa.union_all(
        *(sa.select(sa.cast(sa.literal(p), sa.Numeric(12, 2)).label("price")) for p in prices)
    ).subquery()
    stmt = sa.select(money(lower_middle(rows.c.price)), money(upper_middle(rows.c.price)))
    with app.app_context():
        got = db.session.execute(stmt).one()
    assert tuple(got) == tuple(Decimal(m) if m else None for m in middles)
