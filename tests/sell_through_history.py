"""A known history of stock counts and orders at store n1-a, for the sell-through and
suggested-order tests (the numbers are worked out in their docstrings)."""

from __future__ import annotations

from datetime import date

from backend.extensions import db
from backend.models import Brand, Order, OrderLine, Product, StockCount
from backend.models.visits import VisitReview
from tests.reports_factory import History

DAY = date(2026, 11, 30)  # the order day (a Monday)


def count(visit, product_id: int, shelf: int, back: int) -> None:
    db.session.add(StockCount(visit_id=visit.id, product_id=product_id, shelf_qty=shelf,
                              backroom_qty=back))  # fmt: skip


def order(visit, **lines: int) -> None:
    db.session.add(Order(visit_id=visit.id, lines=[
        OrderLine(product_id=pid, quantity=qty, unit_price=db.session.get(Product, pid).unit_price)
        for pid, qty in ((int(k[1:]), v) for k, v in lines.items())
    ]))  # fmt: skip
    visit.successful = True


def build(org) -> dict[str, int]:
    """Counts (shelf + back) and orders at n1-a; the catalogue's ids ("ume": own, unsold).

    tea-1: Aug 1 100 (before the 91-day window); Nov 16 15, order 20; Nov 23 (no count) order 6;
    Nov 25 a held visit counts 0 (not counted); Nov 20 15; Nov 27 8, order 10; Nov 30 5.
    tea-2: Nov 16 5; Nov 23 20 (stock from elsewhere); Nov 27 09:00 16, and 15:00 16 again.
    At n1-b: tea-1 counted 50 then 0 (another store).
    """
    h = History(org)
    cat = h.catalogue()
    ume = Product(sku="UM-1", name="Ume soda", brand=Brand(name="Ume", is_own=True),
                  category="soda", pack_size="350 ml")  # fmt: skip
    db.session.add(ume)
    db.session.flush()
    cat["ume"] = ume.id
    t1, t2 = cat["tea-1"], cat["tea-2"]

    def visit(day, clock="09:00", store="n1-a"):
        return h.visit("rep-n1a", store, day, clock, 20)

    count(visit(date(2026, 8, 1)), t1, 90, 10)
    v = visit(date(2026, 11, 16))
    count(v, t1, 10, 5)
    count(v, t2, 5, 0)
    order(v, **{f"p{t1}": 20})
    count(visit(date(2026, 11, 20)), t1, 12, 3)
    v = visit(date(2026, 11, 23), "10:00")
    order(v, **{f"p{t1}": 6})
    count(v, t2, 20, 0)
    held = visit(date(2026, 11, 25))
    held.review = VisitReview.PENDING
    count(held, t1, 0, 0)
    v = visit(date(2026, 11, 27))
    count(v, t1, 8, 0)
    count(v, t2, 10, 6)
    order(v, **{f"p{t1}": 10})
    count(visit(date(2026, 11, 27), "15:00"), t2, 16, 0)
    count(visit(DAY), t1, 4, 1)
    count(visit(date(2026, 11, 20), store="n1-b"), t1, 50, 0)
    count(visit(date(2026, 11, 27), store="n1-b"), t1, 0, 0)
    h.commit()
    return cat
