"""Display compliance by team, channel or store tier.

Over the display checks of our own products (brands marked `is_own`) at visits in the period:

- eye-level share: checks on the shelf at eye level ÷ checks with the product on the shelf
- out-of-stock rate: checks finding it out of stock ÷ checks
- FIFO issues: checks with rotation not respected ÷ checks where FIFO was assessed
- price-tag issues: tag missing or wrong ÷ checks where the tag was assessed
- cleanliness issues: shelf not clean ÷ checks where cleanliness was assessed
- share of shelf: own facings ÷ all facings counted (own and competitor products) in the
  categories of the checks
- perfect-store score: per own-product check, the weighted checklist (PERFECT_STORE_WEIGHTS:
  on the shelf and in stock, eye level, FIFO, price tag present and correct, clean shelf, POP
  material) ÷ the maximum; numerator and denominator are sums of points over the checks.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Subquery, case, func, select

from ...errors import InvalidError
from ...extensions import db
from ...models import Brand, DisplayCheck, Product, Store, Team, User, Visit
from . import ranges
from .common import at_visits, begin_report, labels, rate, where_org
from .sql import count_if

CHECKLIST = ("in_stock", "eye_level", "fifo", "price_tag", "clean", "pop")
GROUPS = {"team": "team_id", "channel": "channel", "tier": "tier"}


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
    facts = _checks(actor, args, first, last)
    key = facts.c[GROUPS[group_by]]
    stmt = select(key.label("key"), *_aggregates(facts, weights)).group_by(key)
    rows = db.session.execute(stmt).all()
    names = labels(group_by, {r.key for r in rows})
    groups = []
    for row in rows:
        name = names.get(row.key) if group_by == "team" else getattr(row.key, "value", row.key)
        groups.append({"group": name if name is not None else str(row.key), **_metrics(row)})
    groups.sort(key=lambda g: g["group"])
    total = db.session.execute(select(*_aggregates(facts, weights))).one()
    return {
        "period": {"from": first, "to": last},
        "group_by": group_by,
        "weights": weights,
        "groups": groups,
        "total": _metrics(total),
    }


def _checks(actor: User, args: dict[str, Any], first: Any, last: Any) -> Subquery:
    stmt = at_visits(
        select(
            DisplayCheck,
            Brand.is_own,
            Visit.rep_id,
            Visit.team_id,
            Team.area_id,
            Store.channel,
            Store.tier,
        ).select_from(DisplayCheck),
        DisplayCheck.visit_id,
        actor,
        Visit.visit_date.between(first, last),
    )
    stmt = stmt.join(Product, Product.id == DisplayCheck.product_id).join(
        Brand, Brand.id == Product.brand_id
    )
    facts = stmt.subquery("display_facts")
    return select(facts).where(*where_org(facts.c, args)).subquery("scoped_display")


def _aggregates(f: Subquery, weights: dict[str, int]) -> list[Any]:
    c = f.c
    own = c.is_own.is_(True)
    in_stock = c.on_shelf.is_(True) & c.out_of_stock.is_(False)
    price_ok = c.price_tag_present.is_(True) & c.price_tag_correct.is_(True)
    items = {
        "in_stock": in_stock,
        "eye_level": c.on_shelf.is_(True) & c.eye_level.is_(True),
        "fifo": c.fifo_ok.is_(True),
        "price_tag": price_ok,
        "clean": c.shelf_clean.is_(True),
        "pop": c.pop_present.is_(True),
    }
    points = sum((case((cond, weights[name]), else_=0) for name, cond in items.items()), start=0)
    tag_assessed = c.price_tag_present.is_not(None) | c.price_tag_correct.is_not(None)
    tag_issue = c.price_tag_present.is_(False) | c.price_tag_correct.is_(False)
    return [
        count_if(own).label("checks"),
        count_if(own & c.on_shelf.is_(True)).label("on_shelf"),
        count_if(own & items["eye_level"]).label("eye_level"),
        count_if(own & c.out_of_stock.is_(True)).label("out_of_stock"),
        count_if(own & c.fifo_ok.is_not(None)).label("fifo_assessed"),
        count_if(own & c.fifo_ok.is_(False)).label("fifo_issues"),
        count_if(own & tag_assessed).label("tag_assessed"),
        count_if(own & tag_issue).label("tag_issues"),
        count_if(own & c.shelf_clean.is_not(None)).label("clean_assessed"),
        count_if(own & c.shelf_clean.is_(False)).label("clean_issues"),
        func.coalesce(func.sum(case((own, c.facings), else_=0)), 0).label("own_facings"),
        func.coalesce(func.sum(c.facings), 0).label("all_facings"),
        func.coalesce(func.sum(case((own, points), else_=0)), 0).label("points"),
    ]


def _metrics(row: Any) -> dict[str, Any]:
    maximum = sum(perfect_store_weights().values())
    return {
        "checks": row.checks,
        "eye_level_share": rate(row.eye_level, row.on_shelf),
        "out_of_stock_rate": rate(row.out_of_stock, row.checks),
        "fifo_issue_rate": rate(row.fifo_issues, row.fifo_assessed),
        "price_tag_issue_rate": rate(row.tag_issues, row.tag_assessed),
        "cleanliness_issue_rate": rate(row.clean_issues, row.clean_assessed),
        "share_of_shelf": rate(row.own_facings, row.all_facings),
        "perfect_store_score": rate(row.points, row.checks * maximum),
    }
