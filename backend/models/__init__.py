"""All tables; importing this package registers them on the metadata."""

from .base import TimestampMixin, UTCDateTime, utcnow
from .idempotency import IdempotencyKey
from .jobs import Job, JobStatus
from .org import Area, Role, Team, TravelMode, User
from .photos import Photo, PhotoKind
from .plan_history import REASON_LENGTH, PlanBaselineStop, PlanRevision, RevisionKind
from .plans import ACCESS_METRES, DroppedReason, DroppedStore, PlannedStop, PlanStatus, RoutePlan
from .products import Brand, Product
from .reviews import PhotoReview, ReviewStatus
from .rollups import DISPLAY_COUNTS, REP_DAY_COUNTS, RepDayDisplay, RepDayKpi
from .stores import Channel, Store, StoreHours, Tier
from .tokens import AccessToken
from .visits import (
    CompetitorObservation,
    DisplayCheck,
    FlagKind,
    NearExpiry,
    Order,
    OrderLine,
    ReturnRequest,
    StockCount,
    Visit,
    VisitFlag,
    VisitStatus,
)

__all__ = [
    "ACCESS_METRES",
    "DISPLAY_COUNTS",
    "REASON_LENGTH",
    "REP_DAY_COUNTS",
    "AccessToken",
    "Area",
    "Brand",
    "Channel",
    "CompetitorObservation",
    "DisplayCheck",
    "DroppedReason",
    "DroppedStore",
    "FlagKind",
    "IdempotencyKey",
    "Job",
    "JobStatus",
    "NearExpiry",
    "Order",
    "OrderLine",
    "Photo",
    "PhotoKind",
    "PhotoReview",
    "PlanBaselineStop",
    "PlanRevision",
    "PlanStatus",
    "PlannedStop",
    "Product",
    "RepDayDisplay",
    "RepDayKpi",
    "ReturnRequest",
    "ReviewStatus",
    "RevisionKind",
    "Role",
    "RoutePlan",
    "StockCount",
    "Store",
    "StoreHours",
    "Team",
    "Tier",
    "TimestampMixin",
    "TravelMode",
    "UTCDateTime",
    "User",
    "Visit",
    "VisitFlag",
    "VisitStatus",
    "utcnow",
]
