"""Derived tables the reports read instead of scanning every visit: kept current on each write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from .base import value_enum
from .stores import Channel, Tier
from .visits import FlagKind, Visit, VisitFlag


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


class _KpiCounts:
    """The KPI counts of a rep's day (or of the days of a week or month, summed)."""

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


class RepDayKpi(_RepDay, _KpiCounts, db.Model):
    """One rep's day under one team: the planned-stop counts of the rep's published plan (its
    team that day) as it stood when the day began, the stops added and removed since, and the
    counts of the rep's visits (their team at check-in).

    Maintained by `services.reports.rep_days` on every write to plans, stops, visits, photos
    and reviews; `flask reports rebuild` recomputes it from scratch."""

    __tablename__ = "rep_day_kpis"


class RepMonthKpi(_RepDay, _KpiCounts, db.Model):
    """`rep_day_kpis` summed per rep, team and month (`day` its first day): what a report over
    whole months reads (`period_sums`)."""

    __tablename__ = "rep_month_kpis"


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


class _DisplayCounts:
    """The display-check counts of a rep's day (or of the days of a week or month, summed)."""

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


class _ChannelTier:
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"))
    tier: Mapped[Tier] = mapped_column(value_enum(Tier, "store_tier"))


class RepDayDisplay(_RepDay, _ChannelTier, _DisplayCounts, db.Model):
    """A rep's display checks of one day, per team (at check-in) and the store's channel and
    tier: how many checks of our own products found each thing (`display` defines them), and
    the facings counted of our own and of all products, of competitor brands on the shelf
    (`shelf_facings`) and at eye level.

    Kept current like `rep_day_kpis`, also when a store's channel or tier or a product's brand
    changes."""

    __tablename__ = "rep_day_display"


class RepMonthDisplay(_RepDay, _ChannelTier, _DisplayCounts, db.Model):
    """`rep_day_display` summed per rep, team, month (`day` its first day), channel and tier."""

    __tablename__ = "rep_month_display"


class RepWeekDisplay(_RepDay, _DisplayCounts, db.Model):
    """`rep_day_display` summed per rep, team and ISO week (`day` its Monday): the display
    report by week reads it."""

    __tablename__ = "rep_week_display"


class RepDayPhotos(_RepDay, db.Model):
    """A rep's photos of one day per team (at check-in), held visits included (the review
    queue shows them): how many, and how many were approved or rejected (the rest are pending).

    Kept current like `rep_day_kpis` (counts defined in `photo_counts`)."""

    __tablename__ = "rep_day_photos"

    photos: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class RepDayFlags(_RepDay, db.Model):
    """A rep's integrity flags of one day per team (at check-in) and kind, held visits included:
    the counts of the exceptions report (`flag_counts`)."""

    __tablename__ = "rep_day_flags"

    kind: Mapped[FlagKind] = mapped_column(value_enum(FlagKind, "visit_flag_kind"))
    flags: Mapped[int] = mapped_column(Integer, default=0)


class RepDayStoreOrders(_RepDay, db.Model):
    """A rep's orders of one day per team (at check-in) and store, held visits included: orders
    with a line and their value, what the tier proposals weigh (`store_orders`)."""

    __tablename__ = "rep_day_store_orders"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)


class RepMonthStoreVisits(_RepDay, db.Model):
    """A rep's visits of one month per team (at check-in) and store, as the KPIs count them:
    coverage and frequency adherence over whole months (`store_visits`). `day` is the first of
    the month; `rep_days` refreshes a touched day's whole month."""

    __tablename__ = "rep_month_store_visits"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    visits: Mapped[int] = mapped_column(Integer, default=0)


# Pages of the exceptions (newest flags first) and photo reports (oldest visits first) read these
# in order and stop after a page, instead of sorting every row of the period.
Index("ix_visit_flags_created_at", VisitFlag.created_at, VisitFlag.id)
Index("ix_visits_date_checked_in", Visit.visit_date, Visit.checked_in_at)
