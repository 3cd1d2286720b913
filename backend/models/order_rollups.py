"""Report tables of the orders taken at visits, per rep-day: kept current like `rep_day_kpis`."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import value_enum
from .rollups import _RepDay
from .stores import Channel, Tier

# What `rep_day_orders` counts per product, and `rep_day_order_totals` per rep-day.
ORDER_PRODUCT_COUNTS = ("orders", "units", "value")
ORDER_TOTAL_COUNTS = ("orders", "lines", "units", "value")


class RepDayOrders(_RepDay, db.Model):
    """A rep's orders of one day per team (at check-in), the store's channel and tier and the
    product: orders with a line of it, units and value (quantity × the line's unit price).

    Maintained by `services.reports.rep_days` (counts defined in `order_counts`)."""

    __tablename__ = "rep_day_orders"

    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"))
    tier: Mapped[Tier] = mapped_column(value_enum(Tier, "store_tier"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)


class RepDayOrderTotals(_RepDay, db.Model):
    """A rep's orders of one day per team, channel and tier: orders (visits with one), their
    lines, units and value."""

    __tablename__ = "rep_day_order_totals"

    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"))
    tier: Mapped[Tier] = mapped_column(value_enum(Tier, "store_tier"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)


class RepMonthOrders(_RepDay, db.Model):
    """A rep's orders of one month per team and product (all channels and tiers): what
    `rep_day_orders` holds summed over the month's days. `day` is the first of the month;
    `rep_days` refreshes a touched day's whole month."""

    __tablename__ = "rep_month_orders"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)


class RepMonthOrderTotals(_RepDay, db.Model):
    """A rep's orders of one month per team, channel and tier: `rep_day_order_totals` summed
    over the month's days (`day` the first of the month)."""

    __tablename__ = "rep_month_order_totals"

    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"))
    tier: Mapped[Tier] = mapped_column(value_enum(Tier, "store_tier"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
