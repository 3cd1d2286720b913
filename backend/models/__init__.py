"""All tables; importing this package registers them on the metadata."""

from .base import TimestampMixin, UTCDateTime, utcnow
from .jobs import Job, JobStatus
from .org import Area, Role, Team, User
from .plans import PlannedStop, PlanStatus, RoutePlan
from .products import Brand, Product
from .stores import Channel, Store, StoreHours, Tier
from .tokens import AccessToken

__all__ = [
    "AccessToken",
    "Area",
    "Brand",
    "Channel",
    "Job",
    "JobStatus",
    "PlanStatus",
    "PlannedStop",
    "Product",
    "Role",
    "RoutePlan",
    "Store",
    "StoreHours",
    "Team",
    "Tier",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "utcnow",
]
