"""The report tables of issue 19 for the visit reports (`rep_day_photos`, `rep_day_flags`,
`rep_day_store_orders`, `rep_month_store_visits`): what they hold after writes (a held visit
included), that they follow edits and deletes (`stale_rep_days` finds nothing), that the KPIs
and display reports are the same read from whole weeks or months as from the days
(`rep_month_kpis`, `rep_month_display`, `rep_week_display`), and that migration 0021 rebuilds
them all from the raw rows to the same rows the write path kept. SQLite, or PostgreSQL with
TERMINUS_TEST_DATABASE_URL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, update

from backend.extensions import db
from backend.models import (
    Area,
    FlagKind,
    OrderLine,
    PhotoReview,
    RepDayFlags,
    RepDayPhotos,
    RepDayStoreOrders,
    RepMonthDisplay,
    RepMonthKpi,
    RepMonthStoreVisits,
    RepWeekDisplay,
    ReviewStatus,
    Role,
    Team,
    User,
    Visit,
    VisitFlag,
)
from backend.models.visits import VisitReview
from backend.services.reports import display, kpis, rep_days
from tests.org_factory import make_store
from tests.reports_factory import MON, TUE, History
from tests.test_migration_display_checks import scratch_app  # noqa: F401

TABLES = (RepDayPhotos, RepDayFlags, RepDayStoreOrders, RepMonthStoreVisits, RepMonthKpi,
          RepMonthDisplay, RepWeekDisplay)  # fmt: skip


def rows(model) -> set[tuple]:
    """The table's rows (team, day, then its own columns): no ids, no rep (always rep n1a)."""
    rest = [c.name for c in model.__table__.c if c.name not in ("id", "rep_id", "team_id", "day")]
    names = ["team_id", "day", *rest]
    return {tuple(row) for row in db.session.execute(select(*model.__table__.c[*names]))}


def history(org) -> dict:
    """Rep n1a's Monday: an ordered visit with two photos (one approved) and a flag, a held
    visit with a photo and a time-travel flag; Tuesday: one more ordered visit."""
    h = History(org)
    products = h.catalogue()
    first = h.visit("rep-n1a", "n1-a", MON, "09:00", 20, ordered=True)
    h.display(first, products["tea-1"], facings=3, shelf_level=2)
    photos = [h.photo(first), h.photo(first)]
    reviewer = org.user["sup-n1"]
    db.session.add(PhotoReview(photo_id=photos[0], status=ReviewStatus.APPROVED,
                               reviewer_id=reviewer))  # fmt: skip
    h.flag(first, FlagKind.SHORT_VISIT)
    held = h.visit("rep-n1a", "n1-free", MON, "10:00", 15)
    held.review = VisitReview.PENDING
    h.photo(held)
    h.flag(held, FlagKind.TIME_TRAVEL)
    tuesday = h.visit("rep-n1a", "n1-a", TUE, "09:00", 20, ordered=True)
    h.display(tuesday, products["tea-2"], facings=2, fifo_ok=False)
    h.commit()
    return {"first": first.id, "held": held.id, "photos": photos}


def test_tables_hold_the_visit_reports_counts_and_follow_edits(app, org):
    with app.app_context():
        ids = history(org)
        team, store = org.team["N1"], org.store["n1-a"]
        assert rows(RepDayPhotos) == {(team, MON, 3, 1, 0)}
        assert rows(RepDayFlags) == {
            (team, MON, FlagKind.SHORT_VISIT, 1),
            (team, MON, FlagKind.TIME_TRAVEL, 1),
        }
        # one line of 2 × tea-1 at 150.00 per order
        value = Decimal("300.00")
        assert rows(RepDayStoreOrders) == {
            (team, MON, store, 1, value),
            (team, TUE, store, 1, value),
        }
        # the held visit counts once accepted
        free = org.store["n1-free"]
        assert rows(RepMonthStoreVisits) == {(team, MON.replace(day=1), store, 2)}

        db.session.add(PhotoReview(photo_id=ids["photos"][1], status=ReviewStatus.REJECTED,
                                   reviewer_id=org.user["sup-n1"], comment="Blurry"))  # fmt: skip
        db.session.execute(delete(VisitFlag).where(VisitFlag.visit_id == ids["held"]))
        db.session.execute(update(OrderLine).values(quantity=3))
        db.session.execute(update(Visit).where(Visit.id == ids["first"]).values(visit_date=TUE))
        held = update(Visit).where(Visit.id == ids["held"])
        db.session.execute(held.values(review=VisitReview.ACCEPTED))
        db.session.commit()
        assert rows(RepDayPhotos) == {(team, MON, 1, 0, 0), (team, TUE, 2, 1, 1)}
        assert rows(RepDayFlags) == {(team, TUE, FlagKind.SHORT_VISIT, 1)}
        assert rows(RepDayStoreOrders) == {(team, TUE, store, 2, Decimal("900.00"))}
        month = MON.replace(day=1)
        assert rows(RepMonthStoreVisits) == {(team, month, store, 2), (team, month, free, 1)}
        assert rep_days.stale_rep_days(db.session.connection()) == []
        db.session.commit()


def test_kpis_read_whole_months_and_the_days_around_them(app, org):
    with app.app_context():
        history(org)
        admin = db.session.get(User, org.user["admin"])
        first, last = MON.replace(day=1), date(2026, 11, 30)
        periods = [
            {"period": "month", "date": MON},  # the month table alone
            {"period": "custom", "date_from": first + timedelta(1), "date_to": last},  # visits
            {"period": "custom", "date_from": first - timedelta(3), "date_to": last + timedelta(3)},
        ]
        found = []
        for args in periods:
            report = kpis.kpi_report(admin, {**args, "group_by": "rep"})
            found.append((report["total"], report["groups"]))
            for key in ("team", "channel", "tier", "week"):
                shown = display.display_report(admin, {**args, "group_by": key})
                found.append((shown["total"], shown["groups"]))
            db.session.rollback()
        assert found[0][0]["coverage"]["numerator"] == 1  # n1-a; the held visit's store: no
        assert found[0][0]["visits"] == 2
        assert found[1][0]["checks"] == 2  # display by team
        assert found[5:] == found[:5] + found[:5]


def test_migration_rebuilds_the_tables_from_the_raw_rows(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade()
        org = _org()
        history(org)
        kept = {model: rows(model) for model in TABLES}
        assert all(kept.values())
        db.session.close()
        downgrade(revision="0020")
        upgrade()
        assert {model: rows(model) for model in TABLES} == kept
        assert rep_days.stale_rep_days(db.session.connection()) == []
        db.session.rollback()


class _Org:
    """The parts of the suite's `org` that `history` uses, on the scratch database."""

    def __init__(self, user: dict, team: dict, store: dict):
        self.user, self.team, self.store = user, team, store


def _org() -> _Org:
    team = Team(name="N1", area=Area(name="North"))
    users = {name: User(username=name, full_name=name, role=role, team=team, password_hash="x")
             for name, role in (("rep-n1a", Role.REP), ("sup-n1", Role.SUPERVISOR))}  # fmt: skip
    stores = {"n1-a": make_store("n1-a", team, users["rep-n1a"]),
              "n1-free": make_store("n1-free", team, None)}  # fmt: skip
    db.session.add_all([team, *users.values(), *stores.values()])
    db.session.commit()
    return _Org({n: u.id for n, u in users.items()}, {"N1": team.id},
                {n: s.id for n, s in stores.items()})  # fmt: skip
