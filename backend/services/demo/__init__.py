"""The demo: an organisation on real Tokyo stores (`org`) and its last four weeks of work, kept
current (`history`).

`load_demo` fills an empty database: the organisation, then, for every rep, the published plans
of the last four weeks worked through and today's published plan. `top_up` brings a demo loaded
on an earlier day up to today without touching the days it holds. "Today" is the business day
(config TIMEZONE); both take another for testing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models import RoutePlan
from ..plan_building import local_now
from ..team_planning import working_days
from .history import Territory, add_days, finish_day
from .org import DEMO_PASSWORD, DemoLogin, create_organisation, is_demo, is_empty

__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "DemoLogin", "is_demo", "is_empty", "load_demo",
           "top_up"]  # fmt: skip

DEFAULT_SEED = 12
HISTORY_DAYS = 28


def load_demo(
    seed: int = DEFAULT_SEED, today: date | None = None, history: bool = True
) -> list[DemoLogin]:
    """Create the demo (the caller commits it as one write); returns the logins. Without
    `history`, only the organisation, stores and catalogue."""
    logins = create_organisation()
    if history:
        today = today or local_now().date()
        first = today - timedelta(days=HISTORY_DAYS)
        add_days(Territory.load(seed, first), _past(first, today), today)
    db.session.flush()
    return logins


def top_up(seed: int = DEFAULT_SEED, today: date | None = None) -> list[date]:
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
    territory = Territory.load(seed, first or start)
    if last is not None:
        finish_day(territory, last, today)
        start = max(start, last + timedelta(days=1))
    past = _past(start, today)
    add_days(territory, past, today)
    db.session.flush()
    return [*past, today]


def _past(first: date, today: date) -> list[date]:
    """The working days from `first` to yesterday (today is planned even on a day off)."""
    return working_days(first, today - timedelta(days=1))
