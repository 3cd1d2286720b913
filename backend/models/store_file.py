"""The store's file: the people to talk to there, and the complaints the store has made."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow, value_enum
from .org import User
from .stores import Store


class ContactRole(enum.StrEnum):
    OWNER = "owner"
    BUYER = "buyer"
    DECISION_MAKER = "decision_maker"
    FRONT_DESK = "front_desk"
    OTHER = "other"


class ComplaintCategory(enum.StrEnum):
    PRODUCT_QUALITY = "product_quality"
    DELIVERY = "delivery"
    PRICING = "pricing"
    SERVICE = "service"
    REP_CONDUCT = "rep_conduct"
    OTHER = "other"


class ComplaintStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


_PRIMARY = text("is_primary")


class StoreContact(TimestampMixin, db.Model):
    """A person at a store; at most one per store is the primary contact (the one to call)."""

    __tablename__ = "store_contacts"
    __table_args__ = (
        # The database keeps "one primary per store" even when two edits race.
        Index(
            "uq_store_contacts_primary",
            "store_id",
            unique=True,
            sqlite_where=_PRIMARY,
            postgresql_where=_PRIMARY,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[ContactRole] = mapped_column(value_enum(ContactRole, "store_contact_role"))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(String(300))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Complaint(TimestampMixin, db.Model):
    """A complaint the store made: to the rep at a visit, or taken by a lead."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_status_opened_at", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-generated id: a complaint sent again from the outbox is the same complaint.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[ComplaintCategory] = mapped_column(
        value_enum(ComplaintCategory, "complaint_category")
    )
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        value_enum(ComplaintStatus, "complaint_status"), default=ComplaintStatus.OPEN
    )
    resolution: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    store: Mapped[Store] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


# The people to talk to, the primary contact first: declared here so that the store model need
# not import this module (which imports it).
Store.contacts = relationship(  # type: ignore[attr-defined]
    StoreContact,
    cascade="all, delete-orphan",
    passive_deletes=True,
    order_by=(StoreContact.is_primary.desc(), StoreContact.id),
)
