"""All tables; importing this package registers them on the metadata."""

from .base import TimestampMixin, UTCDateTime, utcnow
from .org import Area, Role, Team, User
from .products import Brand, Product
from .stores import Channel, Store, StoreHours, Tier
from .tokens import AccessToken

__all__ = [
    "AccessToken",
    "Area",
    "Brand",
    "Channel",
    "Product",
    "Role",
    "Store",
    "StoreHours",
    "Team",
    "Tier",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "utcnow",
]
