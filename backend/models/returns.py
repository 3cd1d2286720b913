"""Returns a lead decides on, and what became of near-expiry stock at later visits.

The return requests and near-expiry items themselves are visit records (`models/visits.py`);
this module holds their states and the follow-up table.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import value_enum


class ReturnReason(enum.StrEnum):
    DAMAGED = "damaged"
    EXPIRED = "expired"
    NEAR_EXPIRY = "near_expiry"
    SLOW_MOVING = "slow_moving"
    RECALL = "recall"
    # Rows from before the five reasons; still accepted so an old client keeps working.
    OTHER = "other"


class ReturnStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    COLLECTED = "collected"
    CREDITED = "credited"


# The moves a lead may make; any other is a conflict.
RETURN_TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    ReturnStatus.REQUESTED: frozenset({ReturnStatus.APPROVED, ReturnStatus.REJECTED}),
    ReturnStatus.APPROVED: frozenset({ReturnStatus.COLLECTED}),
    ReturnStatus.COLLECTED: frozenset({ReturnStatus.CREDITED}),
    ReturnStatus.REJECTED: frozenset(),
    ReturnStatus.CREDITED: frozenset(),
}


class ExpiryAction(enum.StrEnum):
    """What the rep did about stock close to its expiry date."""

    MOVED_TO_FRONT = "moved_to_front"
    DISCOUNT_AGREED = "discount_agreed"
    RETURN_REQUESTED = "return_requested"
    REMOVED = "removed"


class ExpiryOutcome(enum.StrEnum):
    """What became of a near-expiry item, seen at a later visit."""

    SOLD = "sold"
    STILL_ON_SHELF = "still_on_shelf"
    RETURNED = "returned"
    REMOVED = "removed"
    EXPIRED_ON_SHELF = "expired_on_shelf"


class ExpiryFollowUp(db.Model):
    """The outcome of an earlier visit's near-expiry item, recorded at a later visit.

    `quantity` is what is left (still on shelf) or what expired there; None when not counted.
    """

    __tablename__ = "expiry_followups"
    __table_args__ = (
        UniqueConstraint(
            "visit_id", "near_expiry_id", name="uq_expiry_followups_visit_near_expiry"
        ),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    near_expiry_id: Mapped[int] = mapped_column(
        ForeignKey("near_expiry_items.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[ExpiryOutcome] = mapped_column(value_enum(ExpiryOutcome, "expiry_outcome"))
    quantity: Mapped[int | None] = mapped_column(Integer)
