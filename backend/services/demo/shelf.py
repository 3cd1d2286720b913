"""The competitor facings a demo rep counts at each visit: per competitor brand and category the
store carries, a stable planogram with a little day-to-day noise. Kawa Drinks widens its tea
shelf at modern stores week by week (the share-of-shelf-by-week story)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from typing import Any

from ...models import Channel, Product, Visit

GROWING = ("Kawa Drinks", "tea")


def count_facings(
    seed: int, first_day: date, visit: Visit, rivals: Iterable[Product]
) -> list[dict[str, Any]]:
    """The visit's `shelf_facings` rows for the competitor products the store keeps
    (`rivals`), drawn from their own seeds (the visit's other records stay as they were)."""
    store = visit.store
    pairs = sorted({(p.brand.name, p.brand_id, p.category) for p in rivals})
    rng = random.Random(f"{seed}/shelf/{store.code}/{visit.visit_date.isoformat()}")
    weeks = (visit.visit_date - first_day).days // 7
    rows = []
    for name, brand_id, category in pairs:
        planogram = random.Random(f"{seed}/planogram/{store.code}/{brand_id}/{category}")
        base = planogram.randint(2, 8) + (2 if store.channel is Channel.MODERN else 0)
        if (name, category) == GROWING and store.channel is Channel.MODERN:
            base += 2 * weeks
        facings = max(1, base + rng.randint(-1, 1))
        eye = min(facings, round(facings * planogram.uniform(0.2, 0.5)) + rng.randint(0, 1))
        rows.append(
            {
                "visit": visit,
                "brand_id": brand_id,
                "category": category,
                "facings": facings,
                "eye_level_facings": eye,
            }
        )
    return rows
