"""What the reports benchmark's reps record beyond the visit itself (issue 17): orders with their
lines at the successful visits, own shelf prices and the deviations they make, competitor facings
on the shelf, returns at every stage, near-expiry actions and their follow-ups at the store's next
visit, and complaints.

Drawn from its own random stream, so the rows `report_data` made before stay the same.
"""

from __future__ import annotations

import random
from bisect import bisect
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

COLUMNS = {
    "orders": "id visit_id created_at updated_at",
    "order_lines": "id order_id product_id quantity unit_price",
    "shelf_facings": "id visit_id brand_id category facings eye_level_facings",
    "price_deviations": "id visit_id product_id kind shelf_price agreed_price",
    "return_requests": "id visit_id product_id quantity reason status decided_by_id decided_at "
    "status_changed_at",
    "expiry_followups": "id visit_id near_expiry_id outcome quantity",
    "complaints": "id uuid store_id visit_id category text status opened_at resolved_at "
    "created_by_id resolved_by_id created_at updated_at",
}
REASONS = ("damaged", "expired", "near_expiry", "slow_moving", "recall")
RETURN_STAGES = (("requested", 20), ("approved", 20), ("rejected", 10), ("collected", 20),
                 ("credited", 30))  # fmt: skip
ACTIONS = ("moved_to_front", "discount_agreed", "return_requested", "removed")
OUTCOMES = (("sold", 50), ("still_on_shelf", 20), ("returned", 10), ("removed", 10),
            ("expired_on_shelf", 10))  # fmt: skip
CATEGORIES = ("product_quality", "delivery", "pricing", "service", "rep_conduct", "other")


def _cumulative(weighted: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [v for v, _ in weighted], list(accumulate(w for _, w in weighted))


RETURN_PICK, OUTCOME_PICK = _cumulative(RETURN_STAGES), _cumulative(OUTCOMES)


def _pick(rng: random.Random, picks: tuple[list[str], list[int]]) -> str:
    """A value drawn by its weight (`picks` from `_cumulative`)."""
    values, bounds = picks
    return values[bisect(bounds, rng.random() * bounds[-1])]


def _int(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)`, drawn several times faster (the generator's hot path)."""
    return low + int(rng.random() * (high - low + 1))


def uuid_text(rng: random.Random) -> str:
    """A random UUID in its usual 36-character form, as the app stores them."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Depth:
    """The issue-17 records of each generated visit; `pending` holds the near-expiry items a
    store's next visit follows up."""

    def __init__(self, org: dict[str, Any], seed: int) -> None:
        self.org = org
        self.rng = random.Random(seed + 1000)
        self.pending: dict[int, list[tuple[int, int]]] = {}

    def shelf_price(
        self, chunk: dict[str, list[tuple]], ids, visit_id: int, product: int, on_shelf: bool
    ) -> tuple[Decimal | None, bool | None]:
        """The shelf price of an own product on the shelf: 6 % below the agreed price, 3 % on a
        special price (the bench agrees no promotions, so each one deviates)."""
        agreed = self.org["agreed"].get(product)
        if agreed is None or not on_shelf:
            return None, None
        rng = self.rng
        below, special = rng.random() < 0.06, rng.random() < 0.03
        factor = Decimal(_int(rng, 85, 97) if below else _int(rng, 100, 110)) / 100
        price = (agreed * factor).quantize(Decimal("0.01"))
        if below or special:
            kind = "below_agreed" if below else "unagreed_special"
            chunk["price_deviations"].append(
                (ids.price_deviations(), visit_id, product, kind, price, agreed)
            )
        return price, special

    def near_expiry_action(self) -> str | None:
        return self.rng.choice(ACTIONS) if self.rng.random() < 0.7 else None

    def note_near_expiry(self, store_id: int, item_id: int, quantity: int) -> None:
        self.pending.setdefault(store_id, []).append((item_id, quantity))

    def records(self, chunk, ids, visit: tuple, product: int, reviewer: int) -> None:
        """Everything else recorded at `visit` (its row as `report_data` wrote it)."""
        visit_id, rep_id, store_id, end, successful = (visit[i] for i in (0, 2, 4, 14, 15))
        rng = self.rng
        if successful:
            self._order(chunk, ids, visit_id, end)
        category = self.org["categories"][product]
        for brand in self._rival_brands():
            facings = _int(rng, 0, 10)
            chunk["shelf_facings"].append(
                (ids.shelf_facings(), visit_id, brand, category, facings, _int(rng, 0, facings))
            )
        if rng.random() < 0.04:
            self._return(chunk, ids, visit_id, end, reviewer)
        self._follow_up(chunk, ids, visit_id, store_id)
        if rng.random() < 0.005:
            self._complaint(chunk, ids, visit_id, store_id, rep_id, reviewer, end)

    def _rival_brands(self) -> list[int]:
        """One or two of the rival brands (`rng.sample` of one or two, drawn faster)."""
        brands, random_ = self.org["rival_brands"], self.rng.random
        first = int(random_() * len(brands))
        if random_() < 0.5:
            return [brands[first]]
        return [
            brands[first],
            brands[(first + 1 + int(random_() * (len(brands) - 1))) % len(brands)],
        ]

    def _order(self, chunk, ids, visit_id: int, at: datetime) -> None:
        order_id = ids.orders()
        chunk["orders"].append((order_id, visit_id, at, at))
        for product in self.rng.sample(self.org["own"], _int(self.rng, 1, 4)):
            chunk["order_lines"].append(
                (ids.order_lines(), order_id, product, _int(self.rng, 1, 24),
                 self.org["prices"][product])
            )  # fmt: skip

    def _return(self, chunk, ids, visit_id: int, at: datetime, reviewer: int) -> None:
        rng = self.rng
        status = _pick(rng, RETURN_PICK)
        decided = None if status == "requested" else at + timedelta(days=_int(rng, 1, 5))
        chunk["return_requests"].append(
            (ids.return_requests(), visit_id, rng.choice(self.org["own"]), _int(rng, 1, 12),
             rng.choice(REASONS), status, reviewer if decided else None, decided, decided)
        )  # fmt: skip

    def _follow_up(self, chunk, ids, visit_id: int, store_id: int) -> None:
        still = []
        for item_id, quantity in self.pending.pop(store_id, []):
            outcome = _pick(self.rng, OUTCOME_PICK)
            counted = outcome in ("still_on_shelf", "expired_on_shelf")
            left = _int(self.rng, 0, quantity) if counted else None
            chunk["expiry_followups"].append(
                (ids.expiry_followups(), visit_id, item_id, outcome, left)
            )
            if outcome == "still_on_shelf":
                still.append((item_id, left or quantity))
        if still:
            self.pending[store_id] = still

    def _complaint(self, chunk, ids, visit_id, store_id, rep_id, reviewer, at: datetime) -> None:
        rng = self.rng
        resolved = at + timedelta(hours=_int(rng, 2, 240)) if rng.random() < 0.7 else None
        chunk["complaints"].append(
            (ids.complaints(), uuid_text(rng), store_id, visit_id,
             rng.choice(CATEGORIES), "The delivery came late.",
             "resolved" if resolved else rng.choice(("open", "in_progress")), at, resolved,
             rep_id, reviewer if resolved else None, at, resolved or at)
        )  # fmt: skip
