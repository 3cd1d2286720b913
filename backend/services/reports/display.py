"""Display compliance by team, channel, store tier or ISO week.

Over the display checks of our own products (brands marked `is_own`) at visits in the period,
summed from `rep_day_display` (kept current by `rep_days`; counts defined in `display_counts`),
over whole weeks or months from its sums per week or month (`period_sums`):

- eye-level share: checks on the shelf at eye level (shelf level `EYE_LEVEL_SHELF`) ÷ checks
  with the product on the shelf
- out-of-stock rate: checks finding it out of stock ÷ checks
- FIFO issues: checks with rotation not respected ÷ checks where FIFO was assessed
- price-tag issues: tag missing or wrong ÷ checks where the tag was assessed
- cleanliness issues: shelf not clean ÷ checks where cleanliness was assessed
- share of shelf: own facings ÷ all facings counted: our own products', the competitor
  products checked, and the competitor brands' facings counted per brand and category
  (`shelf_facings`, which stand in for that brand's checked products in the category)
- eye-level share of shelf: own facings at eye level ÷ all facings at eye level (of the same)
- perfect-store score: per own-product check, the weighted checklist (PERFECT_STORE_WEIGHTS:
  on the shelf and in stock, eye level, FIFO, price tag present and correct, clean shelf, POP
  material) ÷ the maximum; numerator and denominator are sums of points over the checks.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, literal_column, null, select, union_all

from ...errors import InvalidError
from ...extensions import db
from ...models import DISPLAY_COUNTS, RepDayDisplay, RepMonthDisplay, RepWeekDisplay, User
from . import ranges
from .common import begin_report, labels, period_rows, rate, where_org
from .sql import week_start

# Each checklist item of the perfect-store score, and the count of checks that meet it.
CHECKLIST = {
    "in_stock": "in_stock",
    "eye_level": "eye_level",
    "fifo": "fifo_ok",
    "price_tag": "tag_ok",
    "clean": "clean_ok",
    "pop": "pop_present",
}
GROUPS = {"team": "team_id", "channel": "channel", "tier": "tier", "week": "day"}


def perfect_store_weights() -> dict[str, int]:
    """PERFECT_STORE_WEIGHTS, "item=points,...": whole points for each checklist item."""
    raw = current_app.config.get("PERFECT_STORE_WEIGHTS", "")
    weights = dict.fromkeys(CHECKLIST, 0)
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, points = part.partition("=")
        if name.strip() not in weights or not points.strip().isdigit():
            raise InvalidError(f"PERFECT_STORE_WEIGHTS: bad item {part!r}.")
        weights[name.strip()] = int(points)
    return weights


def display_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "team")
    weights = perfect_store_weights()
    rows = _sums(actor, args, first, last, GROUPS[group_by])
    total = next(r for r in rows if r.level == "total")  # an aggregate: always one row
    groups = [r for r in rows if r.level == "group"]
    names = labels(group_by, {r.key for r in groups})
    found = []
    for row in groups:
        name = names.get(row.key) if group_by == "team" else getattr(row.key, "value", row.key)
        if group_by == "week":
            name = ranges.iso_week(row.key)
        found.append(
            {"group": name if name is not None else str(row.key), **_metrics(row, weights)}
        )
    found.sort(key=lambda g: g["group"])
    return {
        "period": {"from": first, "to": last},
        "group_by": group_by,
        "weights": weights,
        "groups": found,
        "total": _metrics(total, weights),
    }


def _sums(actor: User, args: dict[str, Any], first: Any, last: Any, key: str) -> list[Any]:
    """The counts per group and, from those, in total: one statement over `rep_day_display`."""
    facts = _rows(actor, first, last, key).subquery("display_days")
    scoped = select(facts).where(*where_org(facts.c, args)).subquery("scoped_display")
    group = week_start(scoped.c.day) if key == "day" else scoped.c[key]
    by_key = (
        select(
            group.label("key"),
            *(func.coalesce(func.sum(scoped.c[n]), 0).label(n) for n in DISPLAY_COUNTS),
        )
        .group_by(group)
        .cte("by_key")
    )
    totals = [func.coalesce(func.sum(by_key.c[n]), 0).label(n) for n in DISPLAY_COUNTS]
    stmt = union_all(
        select(literal_column("'group'").label("level"), by_key),
        select(literal_column("'total'"), null().label("key"), *totals),
    )
    return list(db.session.execute(stmt))


def _rows(actor: User, first: Any, last: Any, key: str) -> Any:
    """The display counts of the period: per week over its whole weeks (no channel or tier
    there), or per month over its whole months by channel or tier, else per day."""
    if key in ("channel", "tier"):
        coarse, whole = RepMonthDisplay, ranges.whole_months(first, last)
    else:
        coarse, whole = RepWeekDisplay, ranges.whole_weeks(first, last)
    return period_rows(actor, RepDayDisplay, first, last, coarse, whole)


def _metrics(row: Any, weights: dict[str, int]) -> dict[str, Any]:
    c = {n: int(getattr(row, n) or 0) for n in DISPLAY_COUNTS}
    points = sum(weights[item] * c[count] for item, count in CHECKLIST.items())
    return {
        "checks": c["checks"],
        "eye_level_share": rate(c["eye_level"], c["on_shelf"]),
        "out_of_stock_rate": rate(c["out_of_stock"], c["checks"]),
        "fifo_issue_rate": rate(c["fifo_issues"], c["fifo_assessed"]),
        "price_tag_issue_rate": rate(c["tag_issues"], c["tag_assessed"]),
        "cleanliness_issue_rate": rate(c["clean_issues"], c["clean_assessed"]),
        "share_of_shelf": rate(c["own_facings"], c["all_facings"] + c["rival_facings"]),
        "eye_level_share_of_shelf": rate(c["own_eye_facings"], c["eye_facings"]),
        "perfect_store_score": rate(points, c["checks"] * sum(weights.values())),
    }
