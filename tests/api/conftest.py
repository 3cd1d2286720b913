"""Report histories shared by the report and export tests, written straight into the tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.models import Channel, FlagKind, Tier
from tests.reports_factory import MON, NEXT_MON, TUE, WED, History


@pytest.fixture
def history(app, org):
    """The KPI tests' week, of MON (2026-11-16). rep-n1a (team N1 until Tuesday, N2 on Wednesday):

    - Mon: plan n1-a, x1, x2. Visits x1 09:00-09:20 (order), n1-a 09:30-10:00, x3 11:00-11:15
      (not planned: an order off route), n1-a again 14:00-14:10 (order). x2 missed.
    - Tue: no plan. x2 10:00-10:30 (planned Monday, so unplanned today; order off route).
    - Wed (moved to team N2): plan n2-a, x1. Visits n2-a 09:00-09:20, x1 10:00-10:10 (order).
    rep-s1a (South): Mon plan s1-a, visited 09:00-09:30 with an order.
    """
    with app.app_context():
        h = History(org)
        h.store("x1", "rep-n1a", tier=Tier.A)
        h.store("x2", "rep-n1a")
        h.store("x3", "rep-n1a", visit_frequency_days=3)
        stops = h.plan("rep-n1a", MON, ["n1-a", "x1", "x2"])
        x1 = h.visit("rep-n1a", "x1", MON, "09:00", 20, ordered=True, stop=stops["x1"])
        h.visit("rep-n1a", "n1-a", MON, "09:30", 30, stop=stops["n1-a"])
        h.visit("rep-n1a", "x3", MON, "11:00", 15, ordered=True)
        h.visit("rep-n1a", "n1-a", MON, "14:00", 10, ordered=True)
        h.visit("rep-n1a", "x2", TUE, "10:00", 30, ordered=True)
        stops = h.plan("rep-n1a", WED, ["n2-a", "x1"], team="N2")
        h.visit("rep-n1a", "n2-a", WED, "09:00", 20, team="N2", stop=stops["n2-a"])
        h.visit("rep-n1a", "x1", WED, "10:00", 10, ordered=True, team="N2", stop=stops["x1"])
        stops = h.plan("rep-s1a", MON, ["s1-a"])
        h.visit("rep-s1a", "s1-a", MON, "09:00", 30, ordered=True, stop=stops["s1-a"])
        photos = [h.photo(x1), h.photo(x1)]
        h.commit()
        return photos


@pytest.fixture
def records(app, org):
    """The area-manager reports' records: competitor prices, display checks, near-expiry notes
    and a flag, in the week of MON and the Monday after; returns the catalogue."""
    with app.app_context():
        h = History(org)
        cat = h.catalogue()
        h.store("t1", "rep-n1a", channel=Channel.TRADITIONAL)
        mon_n1 = h.visit("rep-n1a", "n1-a", MON, "09:00", 20)
        wed_n1 = h.visit("rep-n1a", "t1", WED, "09:00", 20)
        h.flag(wed_n1, FlagKind.OUTSIDE_GEOFENCE)
        wed_n2 = h.visit("rep-n2a", "n2-a", WED, "10:00", 20)
        next_n1 = h.visit("rep-n1a", "n1-a", NEXT_MON, "09:00", 20)
        south = h.visit("rep-s1a", "s1-a", MON, "09:00", 20)
        fuji, tea = cat["fuji"], cat["fuji-tea"]
        # Fuji tea at modern stores this week: regular 100, 120, 130, 150; one promo at 90.
        h.competitor(mon_n1, fuji, product_id=tea, regular_price=Decimal("100.00"))
        h.competitor(mon_n1, fuji, product_id=tea, regular_price=Decimal("150.00"),
                     promo_price=Decimal("90.00"), promo_type="discount")  # fmt: skip
        h.competitor(wed_n2, fuji, product_id=tea, regular_price=Decimal("120.00"))
        h.competitor(wed_n2, fuji, product_id=tea, regular_price=Decimal("130.00"))
        # A product not in the catalogue, new, at a traditional store: 1.25 and 1.30.
        h.competitor(wed_n1, fuji, product_name="Fuji cola", new_product=True,
                     regular_price=Decimal("1.25"))  # fmt: skip
        h.competitor(wed_n1, fuji, product_name="Fuji cola", regular_price=Decimal("1.30"))
        h.competitor(next_n1, fuji, product_id=tea, regular_price=Decimal("110.00"))
        h.competitor(south, fuji, product_id=tea, regular_price=Decimal("10.00"))
        # Display: at team N1 one perfect and one failed own check, a rival check (6 facings).
        h.display(mon_n1, cat["tea-1"], facings=4, shelf_level=2, fifo_ok=True,
                  price_tag_present=True, price_tag_correct=True, shelf_clean=True,
                  pop_present=True)  # fmt: skip
        h.display(mon_n1, cat["tea-2"], on_shelf=False, facings=0, out_of_stock=True,
                  price_tag_present=False, shelf_clean=False)  # fmt: skip
        h.display(mon_n1, tea, facings=6)
        h.display(wed_n2, cat["tea-1"], facings=2, fifo_ok=False, price_tag_present=True,
                  price_tag_correct=False, shelf_clean=True, pop_present=False)  # fmt: skip
        h.display(south, cat["tea-1"], facings=9, shelf_level=2)
        # Near expiry: tea-1 at n1-a noted 10 on Monday, then 4 the next Monday (the latest).
        h.expiry(mon_n1, cat["tea-1"], 10, date(2026, 11, 20))
        h.expiry(mon_n1, cat["tea-2"], 5, date(2026, 12, 10))
        h.expiry(mon_n1, cat["tea-2"], 7, date(2027, 1, 30))
        h.expiry(mon_n1, cat["tea-2"], 3, date(2026, 11, 10))
        h.expiry(wed_n2, cat["tea-1"], 6, date(2026, 11, 24))
        h.expiry(next_n1, cat["tea-1"], 4, date(2026, 11, 20))
        h.expiry(south, cat["tea-1"], 50, date(2026, 11, 20))
        h.commit()
        return cat
