"""Real share of shelf: competitor facings per brand and category at a visit (PUT, replace),
and the display report's share of shelf and eye-level share of shelf by team, channel, tier and
week, from known visits with hand-computed numbers. After every write `rep_day_display` equals
a rebuild from the raw rows."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import Brand, Channel, Product, RepDayDisplay, ShelfFacing, Tier
from backend.models.visits import VisitReview
from backend.services.reports import rep_days
from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago
from tests.reports_factory import MON, NEXT_MON, WED, History


def rate(n, d):
    return {"numerator": n, "denominator": d, "rate": round(n / d, 4) if d else None}


def assert_consistent(app) -> None:
    with app.app_context():
        assert rep_days.stale_rep_days(db.session.connection()) == []


def report(client, tokens, user="mgr-north", **params):
    period = {"period": "custom", "date_from": MON.isoformat(), "date_to": NEXT_MON.isoformat()}
    response = client.get(
        "/api/reports/display-compliance",
        query_string={**period, **params},
        headers=tokens.headers(user),
    )
    assert response.status_code == 200, response.json
    return response.json


def shares(block) -> tuple[dict, dict]:
    return block["share_of_shelf"], block["eye_level_share_of_shelf"]


def by_group(body) -> dict[str, tuple[dict, dict]]:
    return {g["group"]: shares(g) for g in body["groups"]}


# --- the report, from known visits ------------------------------------------------------------


@pytest.fixture
def shelves(app, org):
    """Five visits over ISO weeks 2026-W47 and W48 (facings: own | competitor products checked
    | competitor brands counted; eye level in brackets):

    V1 rep-n1a, n1-a (modern, B, N1), Mon W47: own 4 [4] + 2; Fuji tea checked 5 [5] but also
       counted per brand, Fuji tea 6 [3], so the check is not counted again; Kawa tea 4 [1].
       share 6/16, eye 4/8
    V2 rep-n1a, t1 (traditional, B, N1), Wed W47: own 3 [3]; Fuji tea checked 2 (top shelf);
       Kawa tea 5 [not counted]. share 3/10, eye 3/3
    V3 rep-n2a, c2 (special, C, N2), Mon W48: own 2 [2]; Fuji tea 8 [2], Kawa water 2 [0].
       share 2/12, eye 2/4
    V4 rep-n1a, t1, Mon W48: own 1 (bottom); Fuji tea checked 3 [3]. share 1/4, eye 0/3
    V5 like V1, held for review: Kawa tea 50 [50], not counted.
    """
    with app.app_context():
        h = History(org)
        cat = h.catalogue()
        kawa = Brand(name="Kawa", is_own=False)
        water = Product(sku="SK-W", name="Sakura water", brand_id=cat["sakura"],
                        category="water", pack_size="1 l")  # fmt: skip
        db.session.add_all([kawa, water])
        db.session.flush()
        h.store("t1", "rep-n1a", channel=Channel.TRADITIONAL, tier=Tier.B)
        h.store("c2", "rep-n2a", channel=Channel.SPECIAL, tier=Tier.C)
        fuji, tea1, tea2, fuji_tea = cat["fuji"], cat["tea-1"], cat["tea-2"], cat["fuji-tea"]

        def facing(visit, brand, category, facings, eye):
            db.session.add(ShelfFacing(visit_id=visit.id, brand_id=brand, category=category,
                                       facings=facings, eye_level_facings=eye))  # fmt: skip

        v1 = h.visit("rep-n1a", "n1-a", MON, "09:00", 20)
        h.display(v1, tea1, facings=4, shelf_level=2)
        h.display(v1, tea2, facings=2, shelf_level=3)
        h.display(v1, fuji_tea, facings=5, shelf_level=2)
        facing(v1, fuji, "tea", 6, 3)
        facing(v1, kawa.id, "tea", 4, 1)
        v2 = h.visit("rep-n1a", "t1", WED, "10:00", 20)
        h.display(v2, tea1, facings=3, shelf_level=2)
        h.display(v2, fuji_tea, facings=2, shelf_level=1)
        facing(v2, kawa.id, "tea", 5, None)
        v3 = h.visit("rep-n2a", "c2", NEXT_MON, "09:00", 20)
        h.display(v3, tea2, facings=2, shelf_level=2)
        facing(v3, fuji, "tea", 8, 2)
        facing(v3, kawa.id, "water", 2, 0)
        v4 = h.visit("rep-n1a", "t1", NEXT_MON, "11:00", 20)
        h.display(v4, tea1, facings=1, shelf_level=4)
        h.display(v4, fuji_tea, facings=3, shelf_level=2)
        v5 = h.visit("rep-n1a", "n1-a", MON, "15:00", 20)
        v5.review = VisitReview.PENDING
        facing(v5, kawa.id, "tea", 50, 50)
        h.commit()
        return {**cat, "kawa": kawa.id, "v1": v1.id}


def test_share_of_shelf_by_team_and_in_total(app, client, tokens, shelves):
    assert_consistent(app)
    body = report(client, tokens)
    assert by_group(body) == {
        "N1": (rate(10, 30), rate(7, 14)),
        "N2": (rate(2, 12), rate(2, 4)),
    }
    assert shares(body["total"]) == (rate(12, 42), rate(9, 18))
    # A supervisor sees their own team only.
    assert shares(report(client, tokens, "sup-n1")["total"]) == (rate(10, 30), rate(7, 14))


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        (
            "channel",
            {
                "modern": (rate(6, 16), rate(4, 8)),
                "special": (rate(2, 12), rate(2, 4)),
                "traditional": (rate(4, 14), rate(3, 6)),
            },
        ),
        ("tier", {"B": (rate(10, 30), rate(7, 14)), "C": (rate(2, 12), rate(2, 4))}),
        ("week", {"2026-W47": (rate(9, 26), rate(7, 11)), "2026-W48": (rate(3, 16), rate(2, 7))}),
    ],
)
def test_share_of_shelf_by_channel_tier_and_week(client, tokens, shelves, group_by, expected):
    body = report(client, tokens, group_by=group_by)
    assert body["group_by"] == group_by
    assert by_group(body) == expected
    assert shares(body["total"]) == (rate(12, 42), rate(9, 18))


def test_share_of_shelf_by_week_in_csv(client, tokens, shelves):
    period = {"period": "custom", "date_from": MON.isoformat(), "date_to": NEXT_MON.isoformat()}
    response = client.get(
        "/api/reports/display-compliance.csv",
        query_string={**period, "group_by": "week"},
        headers=tokens.headers("mgr-north"),
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    w48 = next(r for r in rows if r["section"] == "groups" and r["group"] == "2026-W48")
    assert (w48["share_of_shelf_numerator"], w48["share_of_shelf_denominator"]) == ("3", "16")
    assert w48["eye_level_share_of_shelf_rate"] == "0.2857"


def test_brand_and_category_changes_regroup_the_counts(app, client, tokens, shelves):
    """Kawa taken over (now our own brand): its counted facings leave the competitors'. Fuji
    tea moved to another category: its checks are no longer covered by Fuji's tea count."""
    with app.app_context():
        db.session.get(Brand, shelves["kawa"]).is_own = True
        db.session.commit()
    assert_consistent(app)
    # Kawa's 4 (V1), 5 (V2) and 2 (V3) facings leave the denominators, 1 of them at eye level.
    assert shares(report(client, tokens)["total"]) == (rate(12, 31), rate(9, 17))
    with app.app_context():
        db.session.get(Product, shelves["fuji-tea"]).category = "juice"
        db.session.commit()
    assert_consistent(app)
    # V1's Fuji tea check (5, at eye level) counts now.
    assert shares(report(client, tokens)["total"]) == (rate(12, 36), rate(9, 22))


# --- writing the facings at a visit -----------------------------------------------------------


@pytest.fixture
def visit(app, client, org, tokens):
    response = check_in(client, tokens.headers("rep-n1a"), app, org.store["n1-a"], minutes_ago(9))
    assert response.status_code == 201, response.json
    return response.json


def put_facings(client, tokens, visit, items, user="rep-n1a"):
    return client.put(
        f"/api/visits/{visit['id']}/shelf-facings",
        json={"items": items},
        headers=tokens.headers(user),
    )


def today_row(app, rep_id: int) -> dict:
    with app.app_context():
        row = db.session.scalars(
            select(RepDayDisplay).where(
                RepDayDisplay.rep_id == rep_id, RepDayDisplay.day == local_today()
            )
        ).one()
        names = ("checks", "own_facings", "all_facings", "rival_facings", "own_eye_facings",
                 "eye_facings")  # fmt: skip
        return {name: getattr(row, name) for name in names}


def test_facings_replace_the_list_and_show_on_the_visit(app, client, org, tokens, visit):
    cat = catalogue(app)
    checks = {"items": [
        {"product_id": cat.products[0], "on_shelf": True, "facings": 3, "shelf_level": 2},
        {"product_id": cat.rival_product, "on_shelf": True, "facings": 2, "shelf_level": 2},
    ]}  # fmt: skip
    rep = tokens.headers("rep-n1a")
    put = client.put(f"/api/visits/{visit['id']}/display-checks", json=checks, headers=rep)
    assert put.status_code == 200, put.json
    first = put_facings(client, tokens, visit, [
        {"brand_id": cat.rival, "category": "tea", "facings": 7, "eye_level_facings": 2},
    ])  # fmt: skip
    assert first.status_code == 200, first.json
    assert [
        (i["brand_id"], i["brand_name"], i["category"], i["facings"], i["eye_level_facings"])
        for i in first.json["items"]
    ] == [(cat.rival, "Fuji", "tea", 7, 2)]
    assert_consistent(app)
    # Fuji's tea count stands for its checked tea product: 3 own of 3 + 7, at eye level 3 of 5.
    assert today_row(app, org.user["rep-n1a"]) == {
        "checks": 1, "own_facings": 3, "all_facings": 3, "rival_facings": 7,
        "own_eye_facings": 3, "eye_facings": 5,
    }  # fmt: skip

    again = put_facings(client, tokens, visit, [
        {"brand_id": cat.rival, "category": "tea", "facings": 4, "eye_level_facings": None},
    ])  # fmt: skip
    assert again.status_code == 200, again.json
    assert today_row(app, org.user["rep-n1a"])["rival_facings"] == 4
    detail = client.get(f"/api/visits/{visit['id']}", headers=rep).json
    assert [(f["facings"], f["eye_level_facings"]) for f in detail["shelf_facings"]] == [(4, None)]

    assert put_facings(client, tokens, visit, []).status_code == 200
    assert_consistent(app)
    # No competitor brand counted: the checked Fuji product counts again (3 of 3 + 2).
    assert today_row(app, org.user["rep-n1a"]) == {
        "checks": 1, "own_facings": 3, "all_facings": 5, "rival_facings": 0,
        "own_eye_facings": 3, "eye_facings": 5,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("item", "field", "says"),
    [
        ({"brand": "own", "category": "tea", "facings": 1}, "brand_id", "our own brand"),
        ({"brand": 999999, "category": "tea", "facings": 1}, "brand_id", "no such brand"),
        ({"brand": "rival", "category": "cola", "facings": 1}, "category", "not a category"),
        (
            {"brand": "rival", "category": "tea", "facings": 2, "eye_level_facings": 3},
            "eye_level_facings",
            "cannot exceed",
        ),
        ({"brand": "rival", "category": "tea", "facings": -1}, "facings", "greater than"),
    ],
)
def test_bad_facings_are_422_and_write_nothing(app, client, tokens, visit, item, field, says):
    cat = catalogue(app)
    brand = {"own": cat.own, "rival": cat.rival}.get(item.pop("brand"), 999999)
    good = {"brand_id": cat.rival, "category": "tea", "facings": 1}
    response = put_facings(client, tokens, visit, [good, {"brand_id": brand, **item}])
    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"]["items"]
    assert list(errors) == ["1"], errors
    assert says in " ".join(errors["1"][field]).lower(), errors
    with app.app_context():
        assert db.session.scalars(select(ShelfFacing)).all() == []


def test_one_count_per_brand_and_category(app, client, tokens, visit):
    cat = catalogue(app)
    item = {"brand_id": cat.rival, "category": "tea", "facings": 1}
    response = put_facings(client, tokens, visit, [item, {**item, "facings": 2}])
    assert response.status_code == 422, response.json
    assert "listed twice" in str(response.json["errors"])


def test_only_the_visits_rep_while_it_is_open(app, client, tokens, visit):
    cat = catalogue(app)
    items = [{"brand_id": cat.rival, "category": "tea", "facings": 1}]
    assert put_facings(client, tokens, visit, items, user="rep-n1b").status_code == 404
    assert put_facings(client, tokens, visit, items, user="sup-n1").status_code == 403
    checkout = {"device_time": minutes_ago(1).isoformat()}
    rep = tokens.headers("rep-n1a")
    done = client.post(f"/api/visits/{visit['id']}/checkout", json=checkout, headers=rep)
    assert done.status_code == 200, done.json
    assert put_facings(client, tokens, visit, items).status_code == 409


def test_facings_in_an_offline_batch(app, client, org, tokens):
    cat = catalogue(app)
    visit = str(uuid.uuid4())
    lat, lng = 35.660, 139.770
    ops = [
        {"key": str(uuid.uuid4()), "op": "check_in",
         "body": {"store_id": org.store["n1-a"], "device_time": minutes_ago(5).isoformat(),
                  "lat": lat, "lng": lng, "accuracy_m": 10.0, "uuid": visit}},
        {"key": str(uuid.uuid4()), "op": "shelf_facings", "visit": visit,
         "body": {"items": [{"brand_id": cat.rival, "category": "tea", "facings": 6,
                             "eye_level_facings": 1}]}},
    ]  # fmt: skip
    response = client.post("/api/sync", json={"operations": ops}, headers=tokens.headers("rep-n1a"))
    assert response.status_code == 200, response.json
    assert [r["status"] for r in response.json["results"]] == [201, 200]
    assert_consistent(app)
    assert today_row(app, org.user["rep-n1a"])["rival_facings"] == 6
