"""Report tables of what reps record at visits (competitor prices, price deviations, returns),
per rep-day: the records' report columns with their visit's rep, team, day, store and channel,
so a year's report reads them without joining a year of visits. Kept current like
`rep_day_kpis` (rows defined in `services.reports.{competitor,deviation,return}_rows`).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import value_enum
from .prices import DeviationKind
from .returns import ExpiryFollowUp, ReturnStatus
from .rollups import _RepDay
from .stores import Channel
from .visits import NearExpiry

# What each table holds apart from its keys, in the order its module lists them.
COMPETITOR_PRICE_COUNTS = ("regular_price", "promo_price")
PRICE_DEVIATION_COUNTS = ("amount",)
RETURN_COUNTS = ("requests", "quantity")


class _AtStore(_RepDay):
    """The visit's store and its channel (kept current when the channel changes)."""

    store_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"))


class RepDayCompetitorPrices(_AtStore, db.Model):
    """One row per competitor observation at a rep's visits of the day."""

    __tablename__ = "rep_day_competitor_prices"

    # Record ids without a foreign key: the row goes when its record does, at the same commit.
    observation_id: Mapped[int] = mapped_column(Integer)
    brand_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    # A product outside the catalogue, by its name as typed ('' for a catalogue product).
    product_text: Mapped[str] = mapped_column(String(200))
    promo_type: Mapped[str | None] = mapped_column(String(20))
    new_product: Mapped[bool] = mapped_column(Boolean)
    regular_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    promo_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class RepDayPriceDeviations(_AtStore, db.Model):
    """One row per own-product price deviation at a rep's visits of the day, with its amount
    (agreed − shelf price when below, else 0)."""

    __tablename__ = "rep_day_price_deviations"

    deviation_id: Mapped[int] = mapped_column(Integer)
    visit_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[DeviationKind] = mapped_column(value_enum(DeviationKind, "price_deviation_kind"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class RepDayReturns(_RepDay, db.Model):
    """A rep's return requests of one day per store, product, status and reason: how many and
    their quantity (the value is priced when read, at the product's list price)."""

    __tablename__ = "rep_day_returns"

    store_id: Mapped[int] = mapped_column(Integer)
    store_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[ReturnStatus] = mapped_column(value_enum(ReturnStatus, "return_status"))
    reason: Mapped[str] = mapped_column(String(20))
    requests: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)


# The few observations of a new product, read without the year of all the others.
_NEW = RepDayCompetitorPrices.__table__.c.new_product
Index("ix_rep_day_competitor_prices_new_day", RepDayCompetitorPrices.__table__.c.day,
      sqlite_where=_NEW, postgresql_where=_NEW)  # fmt: skip

# Near expiry is a state "as of" a day: the notes whose stock has not expired yet, found by
# expiry date, and the follow-ups that found stock expired on the shelf.
Index("ix_near_expiry_items_expiry_date", NearExpiry.__table__.c.expiry_date)
Index(
    "ix_expiry_followups_expired_visit",
    ExpiryFollowUp.__table__.c.visit_id,
    sqlite_where=ExpiryFollowUp.__table__.c.outcome == "expired_on_shelf",
    postgresql_where=ExpiryFollowUp.__table__.c.outcome == "expired_on_shelf",
)
