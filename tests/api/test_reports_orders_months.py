"""The orders report over whole months reads their sums per rep-month (`rep_month_orders`,
`rep_month_order_totals`) and the days outside them from the rep-days: every number the same
as summing the rep-days alone, for every grouping and in a manager's scope."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.models import RepMonthOrders, RepMonthOrderTotals
from backend.services.reports import ranges
from tests.api.test_reports_orders import orders  # noqa: F401

# November whole, with a half month on either side (the known history is in November).
SPAN = {"period": "custom", "date_from": "2026-10-15", "date_to": "2026-12-15"}
GROUPS = ("product", "brand", "channel", "tier", "rep", "team")


def report(client, tokens, user, **params):
    response = client.get("/api/reports/orders", query_string={**SPAN, **params},
                          headers=tokens.headers(user))  # fmt: skip
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("user", ["admin", "mgr-north", "sup-n1"])
def test_whole_months_give_the_same_numbers(app, client, tokens, orders, monkeypatch, user):  # noqa: F811
    with app.app_context():
        assert db.session.query(RepMonthOrders).count() > 0
        assert db.session.query(RepMonthOrderTotals).count() > 0
    by_month = {g: report(client, tokens, user, group_by=g) for g in GROUPS}
    monkeypatch.setattr(ranges, "whole_months", lambda first, last: None)
    by_day = {g: report(client, tokens, user, group_by=g) for g in GROUPS}
    assert by_month == by_day
    assert by_month["product"]["total"]["orders"] > 0
