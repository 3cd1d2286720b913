"""A store's customer status, from the visit dates of its first and latest order: a prospect
has never ordered, a lapsed store's latest order is more than LAPSED_AFTER_DAYS days before
today (the organisation's), any other store is active. The dates live on the store, kept here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..models import CustomerStatus, Order, Store, Visit
from .reports.ranges import today


def lapsed_before(day: date) -> date:
    """Stores whose latest order is before this day are lapsed on `day`."""
    return day - timedelta(days=current_app.config["LAPSED_AFTER_DAYS"])


def status_of(store: Store, day: date | None = None) -> CustomerStatus:
    """The store's status on `day` (default today) from its stored order dates."""
    if store.last_order_on is None:
        return CustomerStatus.PROSPECT
    if store.last_order_on < lapsed_before(day or today()):
        return CustomerStatus.LAPSED
    return CustomerStatus.ACTIVE


def status_condition(status: CustomerStatus) -> ColumnElement[bool]:
    """SQL for "the store has `status` today" (the store list filter)."""
    if status is CustomerStatus.PROSPECT:
        return Store.last_order_on.is_(None)
    cutoff = lapsed_before(today())
    if status is CustomerStatus.LAPSED:
        return Store.last_order_on < cutoff
    return Store.last_order_on >= cutoff


def note_orders(store_ids: Iterable[int]) -> None:
    """Recompute the first and latest order dates of `store_ids` from their orders: computed
    again, not extended, since an order can be withdrawn."""
    ids = set(store_ids)
    if not ids:
        return
    dates = {
        store_id: (first, last)
        for store_id, first, last in db.session.execute(
            select(Visit.store_id, func.min(Visit.visit_date), func.max(Visit.visit_date))
            .join(Order, Order.visit_id == Visit.id)
            .where(Visit.store_id.in_(ids))
            .group_by(Visit.store_id)
        )
    }
    stores = select(Store).where(Store.id.in_(ids)).options(lazyload(Store.hours))
    for store in db.session.scalars(stores):
        store.first_order_on, store.last_order_on = dates.get(store.id, (None, None))
    db.session.flush()
