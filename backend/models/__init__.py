"""All tables; importing this package registers them on the metadata."""

from .audit import AuditEntry
from .base import TimestampMixin, UTCDateTime, utcnow
from .idempotency import IdempotencyKey
from .jobs import Job, JobStatus
from .order_rollups import (
    ORDER_PRODUCT_COUNTS,
    ORDER_TOTAL_COUNTS,
    RepDayOrders,
    RepDayOrderTotals,
    RepMonthOrders,
    RepMonthOrderTotals,
)
from .org import Area, Role, Team, TravelMode, User
from .photos import Photo, PhotoKind
from .plan_history import REASON_LENGTH, PlanBaselineStop, PlanRevision, RevisionKind
from .plans import ACCESS_METRES, DroppedReason, DroppedStore, PlannedStop, PlanStatus, RoutePlan
from .prices import AgreedPrice, DeviationKind, PriceDeviation, Promotion
from .products import Brand, Product
from .record_rollups import (
    COMPETITOR_PRICE_COUNTS,
    PRICE_DEVIATION_COUNTS,
    RETURN_COUNTS,
    RepDayCompetitorPrices,
    RepDayPriceDeviations,
    RepDayReturns,
)
from .returns import (
    RETURN_TRANSITIONS,
    ExpiryAction,
    ExpiryFollowUp,
    ExpiryOutcome,
    ReturnReason,
    ReturnStatus,
)
from .reviews import PhotoReview, ReviewStatus
from .rollups import (
    DISPLAY_COUNTS,
    REP_DAY_COUNTS,
    RepDayDisplay,
    RepDayFlags,
    RepDayKpi,
    RepDayPhotos,
    RepDayStoreOrders,
    RepMonthDisplay,
    RepMonthKpi,
    RepMonthStoreVisits,
    RepWeekDisplay,
)
from .scheduling import RunOutcome, ScheduledRun
from .shelf import ShelfFacing
from .store_file import Complaint, ComplaintCategory, ComplaintStatus, ContactRole, StoreContact
from .stores import Channel, CustomerStatus, Store, StoreHours, Tier
from .tokens import AccessToken
from .uplifts import DemandUplift
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
    "COMPETITOR_PRICE_COUNTS",
    "DISPLAY_COUNTS",
    "ORDER_PRODUCT_COUNTS",
    "ORDER_TOTAL_COUNTS",
    "PRICE_DEVIATION_COUNTS",
    "REASON_LENGTH",
    "REP_DAY_COUNTS",
    "RETURN_COUNTS",
    "RETURN_TRANSITIONS",
    "AccessToken",
    "AgreedPrice",
    "Area",
    "AuditEntry",
    "Brand",
    "Channel",
    "CompetitorObservation",
    "Complaint",
    "ComplaintCategory",
    "ComplaintStatus",
    "ContactRole",
    "CustomerStatus",
    "DemandUplift",
    "DeviationKind",
    "DisplayCheck",
    "DroppedReason",
    "DroppedStore",
    "ExpiryAction",
    "ExpiryFollowUp",
    "ExpiryOutcome",
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
    "PriceDeviation",
    "Product",
    "Promotion",
    "RepDayCompetitorPrices",
    "RepDayDisplay",
    "RepDayFlags",
    "RepDayKpi",
    "RepDayOrderTotals",
    "RepDayOrders",
    "RepDayPhotos",
    "RepDayPriceDeviations",
    "RepDayReturns",
    "RepDayStoreOrders",
    "RepMonthDisplay",
    "RepMonthKpi",
    "RepMonthOrderTotals",
    "RepMonthOrders",
    "RepMonthStoreVisits",
    "RepWeekDisplay",
    "ReturnReason",
    "ReturnRequest",
    "ReturnStatus",
    "ReviewStatus",
    "RevisionKind",
    "Role",
    "RoutePlan",
    "RunOutcome",
    "ScheduledRun",
    "ShelfFacing",
    "StockCount",
    "Store",
    "StoreContact",
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
