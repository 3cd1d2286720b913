"""The demo: an organisation on real stores and its last four weeks of work, kept current
(`history`), in one of two territories — Tokyo (`org`: convenience stores from the project's
field benchmark; the default) or Helsinki (`helsinki`: shops and food-and-drink places of an
OpenStreetMap extract, planned on its streets).

`load_demo` fills an empty database: the organisation, then, for every rep, the published plans
of the last four weeks worked through and today's published plan. `top_up` brings a demo loaded
on an earlier day up to today without touching the days it holds. "Today" is the business day
(config TIMEZONE, which must be the territory's: `wrong_settings`); both take another for
testing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from ...extensions import db
from ...models import RoutePlan
from ..plan_building import local_now
from ..team_planning import working_days
from . import helsinki, market, org
from .history import Territory, add_days, finish_day
from .org import DEMO_PASSWORD, DemoLogin, is_demo, is_empty
from .tiles import ensure_tiles

__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "TERRITORIES", "DemoLogin", "TerritorySpec",
           "ensure_tiles", "is_empty", "load_demo", "loaded_territory", "top_up",
           "wrong_settings"]  # fmt: skip

DEFAULT_SEED = 12
HISTORY_DAYS = 28


@dataclass(frozen=True)
class TerritorySpec:
    """A demo territory: how to find it in a database, the settings it works in, its prices
    and how to create it (`create`); `pbf`, when set, is the extract its road tiles come from."""

    name: str
    area: str
    first_store: str
    settings: dict[str, str]
    prices: market.Market
    create: Callable[[], list[DemoLogin]]
    pbf: Path | None = None


TERRITORIES = {
    "tokyo": TerritorySpec(
        "tokyo", org.AREA_NAME, org.FIRST_STORE, {"TIMEZONE": "Asia/Tokyo", "CURRENCY": "JPY"},
        market.TOKYO, org.create_organisation,
    ),
    "helsinki": TerritorySpec(
        "helsinki", helsinki.AREA_NAME, helsinki.FIRST_STORE,
        {"TIMEZONE": helsinki.TIMEZONE, "CURRENCY": helsinki.CURRENCY},
        market.HELSINKI, helsinki.create_organisation, helsinki.PBF,
    ),
}  # fmt: skip


def loaded_territory() -> TerritorySpec | None:
    """The demo territory the database holds, if any."""
    return next((t for t in TERRITORIES.values() if is_demo(t.area, t.first_store)), None)


def wrong_settings(territory: TerritorySpec, if_empty: bool = False) -> str | None:
    """Why `flask demo load` refuses `territory` with the app's settings, and the command to
    run instead; None when the settings are the territory's."""
    cfg = current_app.config
    needed = {key: value for key, value in territory.settings.items() if cfg[key] != value}
    if not needed:
        return None
    env = " ".join(f"TERMINUS_{key}={value}" for key, value in needed.items())
    flags = f" --territory {territory.name}" * (territory.name != "tokyo")
    flags += " --if-empty" * if_empty
    works_in = ", ".join(f"{key} {value}" for key, value in needed.items())
    return (
        f"The {territory.name} demo works in {works_in}. Run it, and the app that serves it, "
        f"with those settings:\n  {env} flask --app backend demo load{flags}"
    )


def load_demo(
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    history: bool = True,
    territory: TerritorySpec = TERRITORIES["tokyo"],
) -> list[DemoLogin]:
    """Create the demo (the caller commits it as one write); returns the logins. Without
    `history`, only the organisation, stores and catalogue."""
    logins = territory.create()
    if history:
        today = today or local_now().date()
        first = today - timedelta(days=HISTORY_DAYS)
        add_days(Territory.load(seed, first, territory.prices), _past(first, today), today)
    db.session.flush()
    return logins


def top_up(
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    territory: TerritorySpec = TERRITORIES["tokyo"],
) -> list[date]:
    """Add the days from the demo's last planned day to today (at most four weeks back); the
    last day, planned as an earlier today, is worked for the reps with no visit on it.

    Returns the days planned (none when the demo is current)."""
    today = today or local_now().date()
    first, last = db.session.execute(
        select(func.min(RoutePlan.plan_date), func.max(RoutePlan.plan_date))
    ).one()
    if last is not None and last >= today:
        return []
    start = today - timedelta(days=HISTORY_DAYS)
    state = Territory.load(seed, first or start, territory.prices)
    if last is not None:
        finish_day(state, last, today)
        start = max(start, last + timedelta(days=1))
    past = _past(start, today)
    add_days(state, past, today)
    db.session.flush()
    return [*past, today]


def _past(first: date, today: date) -> list[date]:
    """The working days from `first` to yesterday (today is planned even on a day off)."""
    return working_days(first, today - timedelta(days=1))
