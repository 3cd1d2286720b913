"""Derived tables the reports read instead of scanning every visit: kept current on each write."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from .base import value_enum
from .stores import Channel, Tier


class _RepDay:
    """The key of a report table of rep-days, and its indexes: refreshed by rep and day, read
    by day and team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    day: Mapped[date] = mapped_column(Date)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        name = cls.__tablename__
        return (
            Index(f"ix_{name}_rep_day", "rep_id", "day"),
            Index(f"ix_{name}_day_team", "day", "team_id"),
        )


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
    "added",
    "removed",
)


class RepDayKpi(_RepDay, db.Model):
    """One rep's day under one team: the planned-stop counts of the rep's published plan (its
    team that day) as it stood when the day began, the stops added and removed since, and the
    counts of the rep's visits (their team at check-in).

    Maintained by `services.reports.rep_days` on every write to plans, stops, visits, photos
    and reviews; `flask reports rebuild` recomputes it from scratch."""

    __tablename__ = "rep_day_kpis"

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
    # stops added to / removed from the published plan after its day began (its baseline)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)


# The per-day display-check counts (own products unless noted), in the order the report sums them.
DISPLAY_COUNTS = (
    "checks",
    "on_shelf",
    "eye_level",
    "out_of_stock",
    "in_stock",
    "fifo_assessed",
    "fifo_ok",
    "fifo_issues",
    "tag_assessed",
    "tag_ok",
    "tag_issues",
    "clean_assessed",
    "clean_ok",
    "clean_issues",
    "pop_present",
    "own_facings",
    "all_facings",
    "rival_facings",
    "own_eye_facings",
    "eye_facings",
)


class RepDayDisplay(_RepDay, db.Model):
    """A rep's display checks of one day, per team (at check-in) and the store's channel and
    tier: how many checks of our own products found each thing (`display` defines them), and
    the facings counted of our own and of all products, of competitor brands on the shelf
    (`shelf_facings`) and at eye level.

    Kept current like `rep_day_kpis`, also when a store's channel or tier or a product's brand
    changes."""

    __tablename__ = "rep_day_display"

    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"))
    tier: Mapped[Tier] = mapped_column(value_enum(Tier, "store_tier"))
    checks: Mapped[int] = mapped_column(Integer, default=0)
    on_shelf: Mapped[int] = mapped_column(Integer, default=0)
    eye_level: Mapped[int] = mapped_column(Integer, default=0)
    out_of_stock: Mapped[int] = mapped_column(Integer, default=0)
    in_stock: Mapped[int] = mapped_column(Integer, default=0)
    fifo_assessed: Mapped[int] = mapped_column(Integer, default=0)
    fifo_ok: Mapped[int] = mapped_column(Integer, default=0)
    fifo_issues: Mapped[int] = mapped_column(Integer, default=0)
    tag_assessed: Mapped[int] = mapped_column(Integer, default=0)
    tag_ok: Mapped[int] = mapped_column(Integer, default=0)
    tag_issues: Mapped[int] = mapped_column(Integer, default=0)
    clean_assessed: Mapped[int] = mapped_column(Integer, default=0)
    clean_ok: Mapped[int] = mapped_column(Integer, default=0)
    clean_issues: Mapped[int] = mapped_column(Integer, default=0)
    pop_present: Mapped[int] = mapped_column(Integer, default=0)
    own_facings: Mapped[int] = mapped_column(Integer, default=0)
    all_facings: Mapped[int] = mapped_column(Integer, default=0)
    # competitor brands' facings counted per brand and category (`shelf_facings`); facings at
    # eye level of our own products and of all (checks and competitor brands)
    rival_facings: Mapped[int] = mapped_column(Integer, default=0)
    own_eye_facings: Mapped[int] = mapped_column(Integer, default=0)
    eye_facings: Mapped[int] = mapped_column(Integer, default=0)
