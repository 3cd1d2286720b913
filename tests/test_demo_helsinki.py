"""The Helsinki demo territory: stores made from the OpenStreetMap extract (channels, the tier
rule, stable codes, names and hours from the tags), and `flask demo load --territory helsinki`
on its road tiles: reps in several travel modes, four weeks of history the reports read,
today's plans published along the streets, the top-up, and the refusal in another time zone."""

from __future__ import annotations

import re
from collections import Counter
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Channel, PlanStatus, Role, RoutePlan, Store, Tier, User, Visit
from backend.services.demo import DEMO_PASSWORD, HISTORY_DAYS, helsinki, opening_hours
from backend.services.demo.helsinki_stores import clean, store_rows
from backend.services.demo.osm_places import read_extract
from backend.services.reports.ranges import today as business_today
from tests.roads.conftest import helsinki_tiles  # noqa: F401

pytest.importorskip("osmium")

HELSINKI = {"TIMEZONE": "Europe/Helsinki", "CURRENCY": "EUR"}
LOADED = re.compile(r"Demo loaded in ([\d.]+) s")
# Generous for a loaded test machine; the command prints the real time.
LOAD_SECONDS_BOUND = 150


@pytest.fixture(scope="module")
def extract():
    return read_extract(helsinki.PBF)


@pytest.fixture(scope="module")
def rows(extract):
    return store_rows(extract)


def test_stores_by_kind_channel_and_tier_rule(rows):
    assert len(rows) == 423  # the named places of the eight kinds
    assert Counter(r.channel for r in rows) == {
        Channel.MODERN: 6, Channel.TRADITIONAL: 21, Channel.SPECIAL: 396,
    }  # fmt: skip
    kinds = {(r.kind, r.channel) for r in rows}
    assert kinds == {("supermarket", Channel.MODERN), ("convenience", Channel.TRADITIONAL),
                     ("kiosk", Channel.TRADITIONAL), ("cafe", Channel.SPECIAL),
                     ("restaurant", Channel.SPECIAL), ("bar", Channel.SPECIAL),
                     ("pub", Channel.SPECIAL), ("hotel", Channel.SPECIAL)}  # fmt: skip
    by_name = {r.name: r for r in rows}
    # Every supermarket and hotel is A; a chain moves a kind up one tier.
    assert {r.tier for r in rows if r.kind in ("supermarket", "hotel")} == {Tier.A}
    assert (
        by_name["Robert's Coffee Netcup"].chain and by_name["Robert's Coffee Netcup"].tier == Tier.B
    )
    hanko = [r for r in rows if r.name.startswith("Hanko Sushi")]
    assert len(hanko) == 5 and {r.tier for r in hanko} == {Tier.A}
    independent = [r for r in rows if r.kind == "cafe" and not r.chain]
    assert independent and {r.tier for r in independent} == {Tier.C}
    assert {r.tier for r in rows if r.kind == "restaurant" and not r.chain} == {Tier.B}
    assert Counter(r.tier for r in rows) == {Tier.A: 60, Tier.B: 225, Tier.C: 138}


def test_store_codes_are_stable_in_osm_id_order(extract, rows):
    assert [r.code for r in rows] == [f"HEL-{k:04d}" for k in range(1, len(rows) + 1)]
    ids = [(r.osm_id[0], int(r.osm_id[1:])) for r in rows]
    assert ids == sorted(ids)
    assert rows[0].code == "HEL-0001" and rows[0].name == "Hilton Helsinki Strand"
    assert store_rows(read_extract(helsinki.PBF)) == rows


def test_names_addresses_and_hours_come_from_the_tags(extract, rows):
    tags = {p.osm_id: p.tags for p in extract.places}
    first = rows[0]
    assert first.address == "John Stenbergin ranta 4, 00530 Helsinki"
    assert first.phone == "+358-9-39351"
    # A name two places share carries its street; others are the tag as it is.
    shared = [r for r in rows if " – " in r.name]
    assert shared and all(r.name.startswith(tags[r.osm_id]["name"]) for r in shared)
    plain = [r for r in rows if " – " not in r.name]
    assert all(r.name == tags[r.osm_id]["name"].strip() for r in plain)
    assert all(r.address.endswith("Helsinki") for r in rows)
    pupu = next(r for r in rows if r.hours_from_osm and tags[r.osm_id].get("opening_hours") ==
                "Mo-Fr 09:00-21:00; Sa 09:00-19:00; Su 11:00-18:00")  # fmt: skip
    assert pupu.hours[0] == [(time(9), time(21))] and pupu.hours[6] == [(time(11), time(18))]
    defaults = [r for r in rows if not r.hours_from_osm and r.kind == "bar"]
    assert defaults and all(sorted(r.hours) == [0, 1, 2, 3, 4] for r in defaults)


def test_opening_hours_forms():
    assert opening_hours.parse("24/7") == {d: [(time(0), time(23, 59))] for d in range(7)}
    week = opening_hours.parse("Mo-Fr 11:00-14:00,17:00-24:00; Sa, Su 12:00-02:00; We off")
    assert week[0] == [(time(11), time(14)), (time(17), time(23, 59))]
    assert 2 not in week and week[5] == week[6] == [(time(12), time(23, 59))]
    # A comma between rules, as often written; a later rule wins for its days.
    week = opening_hours.parse("Mo-Th 10:30-21:00, Fr 10:30-22:00; Fr 12:00-18:00")
    assert week[3] == [(time(10, 30), time(21))] and week[4] == [(time(12), time(18))]
    for unread in ("Seasonal, only summer time", "Mon - Fri 11am - 11pm", "Mo-Fr 16:00-", ""):
        assert opening_hours.parse(unread) is None


def test_clean_names_are_one_bounded_line():
    assert clean("  Café\u0000 <b>Pupu</b>\n\u200b &amp; ", 200) == "Café <b>Pupu</b> &amp;"
    assert clean("x" * 300, 200) == "x" * 200


def test_rep_homes_are_on_residential_streets(extract, rows):
    homes = helsinki.rep_homes([(r.lat, r.lng) for r in rows], extract.streets)
    residential = {}
    for street in (s for s in extract.streets if s.residential):
        residential.setdefault(street.name, set()).update(street.points)
    assert len(homes) == 8 and len({h.street for h in homes}) == 8
    assert all((h.lat, h.lng) in residential[h.street] for h in homes)


# --- the territory in a database --------------------------------------------------------------


@pytest.fixture
def helsinki_cli(database, helsinki_tiles, tmp_path, monkeypatch):  # noqa: F811
    settings = {**HELSINKI, "ROAD_TILES": str(helsinki_tiles), "ROAD_CACHE_DIR": str(tmp_path)}
    for key, value in settings.items():
        monkeypatch.setitem(database.config, key, value)
    monkeypatch.setitem(database.config, "PHOTO_DIR", str(tmp_path / "photos"))
    runner = database.test_cli_runner()

    def invoke(*args):
        result = runner.invoke(args=["demo", "load", "--territory", "helsinki", *args])
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def login(client, username):
    response = client.post(
        "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['token']}"}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_load_refuses_another_time_zone(database):
    result = database.test_cli_runner().invoke(
        args=["demo", "load", "--territory", "helsinki", "--if-empty"]
    )
    assert result.exit_code != 0
    assert (
        "TERMINUS_TIMEZONE=Europe/Helsinki TERMINUS_CURRENCY=EUR flask --app backend demo load "
        "--territory helsinki --if-empty"
    ) in result.output
    with database.app_context():
        assert count(User) == 0


def test_helsinki_demo_on_its_streets(app, client, helsinki_cli):
    with app.app_context():
        today = business_today()  # in Helsinki: the fixture set the time zone
    output = helsinki_cli("--today", today.isoformat())
    assert float(LOADED.search(output).group(1)) < LOAD_SECONDS_BOUND
    with app.app_context():
        reps = db.session.scalars(select(User).where(User.role == Role.REP)).all()
        assert len(reps) == 8 and count(Store) == 423
        assert Counter(r.travel_mode for r in reps) == {
            "car": 2, "scooter": 2, "bicycle": 2, "foot": 2,
        }  # fmt: skip
        todays = db.session.scalars(
            select(RoutePlan).where(
                RoutePlan.plan_date == today, RoutePlan.status == PlanStatus.PUBLISHED
            )
        ).all()
        assert len(todays) == 8 and min(len(p.stops) for p in todays) >= 8
        assert count(Visit, Visit.visit_date < today) > 500
        rep_1 = next(p for p in todays if p.rep.username == "rep-1")
    plan = client.get(f"/api/plans/{rep_1.id}", headers=login(client, "rep-1")).json
    assert plan["travel_source"] == "roads" and plan["travel_mode"] == rep_1.rep.travel_mode
    assert all(stop["geometry"] for stop in plan["stops"]) and plan["return_geometry"]
    sup = login(client, "sup-east")
    first, last = today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)
    query = f"period=custom&date_from={first}&date_to={last}&group_by=rep"
    report = client.get(f"/api/reports/kpis?{query}", headers=sup).json
    completion = {g["name"]: g["completion_rate"]["rate"] for g in report["groups"]}
    assert len(completion) == 4 and all(0.5 <= r <= 1 for r in completion.values()), completion
    manager = login(client, "manager")
    period = f"period=custom&date_from={first}&date_to={last}"
    prices = client.get(f"/api/reports/competitor-prices?{period}", headers=manager).json
    cold_brew = {
        p["regular"]["median"]
        for p in prices["prices"]
        if p["product"].startswith("Kaski Cold Brew") and p["channel"] == "special"
    }
    assert len(cold_brew) >= 2  # the price cut
    check = app.test_cli_runner().invoke(args=["reports", "check"])
    assert check.exit_code == 0, check.output
    assert "already up to date" in helsinki_cli("--if-empty", "--today", today.isoformat())
    assert (
        "demo not loaded"
        in app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"]).output
    )
