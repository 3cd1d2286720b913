"""Derived tables the reports read instead of scanning every visit: kept current on each write."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# The per-day counts of a rep, in the order the KPI report sums them.
REP_DAY_COUNTS = (
    "planned",
    "visited",
    "ordered",
    "in_position",
    "visits",
    "on_route",
    "off_route_orders",
    "in_store_total",
    "in_store_count",
    "travel_total",
    "travel_count",
    "photos",
    "approved",
    "rejected",
)


class RepDayKpi(db.Model):
    """One rep's day under one team: the planned-stop counts of the rep's published plan (its
    team that day) and the counts of the rep's visits (their team at check-in).

    Maintained by `services.reports.rep_days` on every write to plans, stops, visits, photos
    and reviews; `flask reports rebuild` recomputes it from scratch."""

    __tablename__ = "rep_day_kpis"
    __table_args__ = (
        Index("ix_rep_day_kpis_rep_day", "rep_id", "day"),
        Index("ix_rep_day_kpis_day_team", "day", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    day: Mapped[date] = mapped_column(Date)
    # planned stops; visited ones; visited with an order; visited in their planned position
    planned: Mapped[int] = mapped_column(Integer, default=0)
    visited: Mapped[int] = mapped_column(Integer, default=0)
    ordered: Mapped[int] = mapped_column(Integer, default=0)
    in_position: Mapped[int] = mapped_column(Integer, default=0)
    # visits; of them to a store on that day's plan; orders at the others
    visits: Mapped[int] = mapped_column(Integer, default=0)
    on_route: Mapped[int] = mapped_column(Integer, default=0)
    off_route_orders: Mapped[int] = mapped_column(Integer, default=0)
    # seconds in store over closed visits; travel seconds over legs (days all closed)
    in_store_total: Mapped[int] = mapped_column(Integer, default=0)
    in_store_count: Mapped[int] = mapped_column(Integer, default=0)
    travel_total: Mapped[int] = mapped_column(Integer, default=0)
    travel_count: Mapped[int] = mapped_column(Integer, default=0)
    # photos of the visits, and how many were approved or rejected
    photos: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
