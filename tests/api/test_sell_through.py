"""Sell-through per day from a known history of stock counts and orders
(tests/sell_through_history.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.services.sell_through import SellThrough, sell_through
from tests.sell_through_history import DAY, build


@pytest.fixture
def catalogue(app, org):
    with app.app_context():
        return build(org)


def test_rate_from_consecutive_counts_and_the_orders_between(app, ctx, org, catalogue):
    """tea-1 at n1-a, intervals in the 91 days to Nov 30 (Aug 1 is outside; the held Nov 25
    visit is not counted): Nov 16 → 20: 15 + 20 − 15 = 20 in 4 days; Nov 20 → 27: 15 + 6 − 8 =
    13 in 7 days (the Nov 23 order); Nov 27 → 30: 8 + 10 − 5 = 13 in 3 days: 46 ÷ 14 = 3.29.
    tea-2: Nov 16 → 23: 5 − 20 < 0 → 0 in 7 days; Nov 23 → 27 09:00: 20 − 16 = 4 in 4 days; the
    15:00 count the same day adds no interval: 4 ÷ 11 = 0.36. Ume was never counted."""
    found = sell_through(org.store["n1-a"], catalogue.values(), DAY)
    tea1, tea2 = found[catalogue["tea-1"]], found[catalogue["tea-2"]]
    assert tea1 == SellThrough(intervals=3, days_observed=14, units_sold=46)
    assert tea1.daily_rate == Decimal("3.29")
    assert tea2 == SellThrough(intervals=2, days_observed=11, units_sold=4)
    assert tea2.daily_rate == Decimal("0.36")
    assert found[catalogue["ume"]] == SellThrough() and found[catalogue["ume"]].daily_rate is None


def test_lookback_and_the_day_bound_the_intervals(app, ctx, org, catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "SELL_THROUGH_LOOKBACK_DAYS", 7)
    # Only Nov 23 .. Nov 30: tea-1's Nov 27 → 30 (13 in 3 days).
    tea1 = sell_through(org.store["n1-a"], [catalogue["tea-1"]], DAY)[catalogue["tea-1"]]
    assert (tea1.intervals, tea1.units_sold, tea1.daily_rate) == (1, 13, Decimal("4.33"))
    monkeypatch.setitem(app.config, "SELL_THROUGH_LOOKBACK_DAYS", 91)
    # As of Nov 26 only Nov 16 → 20 has both counts on or before the day.
    early = sell_through(org.store["n1-a"], [catalogue["tea-1"]], DAY.replace(day=26))
    assert early[catalogue["tea-1"]] == SellThrough(intervals=1, days_observed=4, units_sold=20)


def test_another_store_has_its_own_counts(app, ctx, org, catalogue):
    """n1-b: tea-1 50 on Nov 20, 0 on Nov 27, no orders: 50 in 7 days = 7.14 a day."""
    found = sell_through(org.store["n1-b"], [catalogue["tea-1"]], DAY)[catalogue["tea-1"]]
    assert (found.units_sold, found.days_observed, found.daily_rate) == (50, 7, Decimal("7.14"))
