"""The suggested order from a known stock-count and order history (tests/sell_through_history.py),
the next visit and demand uplifts; the uplifts' CRUD."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.extensions import db
from backend.models import Channel, DemandUplift, PlanStatus
from tests.reports_factory import History
from tests.sell_through_history import DAY, build


@pytest.fixture
def catalogue(app, org):
    """The history, a published plan with n1-a on Dec 3 (a draft on Dec 1 does not count), and
    uplifts: all products in modern stores Nov 28 - Dec 5 × 1.50; tea-1 Dec 2 - 10 × 1.20; tea-2
    in traditional stores × 3 (n1-a is modern); tea-1 from Dec 3 (the next visit) × 2."""
    with app.app_context():
        cat = build(org)
        h = History(org)
        h.plan("rep-n1a", date(2026, 12, 3), ["n1-b", "n1-a"])
        h.plan("rep-n1a", date(2026, 12, 1), ["n1-a"], status=PlanStatus.DRAFT)
        uplift = lambda **kw: DemandUplift(**kw)  # noqa: E731
        db.session.add_all([
            uplift(channel=Channel.MODERN, starts_on=date(2026, 11, 28),
                   ends_on=date(2026, 12, 5), factor=Decimal("1.50"), reason="Year end"),
            uplift(product_id=cat["tea-1"], starts_on=date(2026, 12, 2),
                   ends_on=date(2026, 12, 10), factor=Decimal("1.20"), reason="Tea promo"),
            uplift(product_id=cat["tea-2"], channel=Channel.TRADITIONAL,
                   starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31),
                   factor=Decimal("3.00"), reason="Traditional push"),
            uplift(product_id=cat["tea-1"], starts_on=date(2026, 12, 3),
                   ends_on=date(2026, 12, 9), factor=Decimal("2.00"), reason="Too late"),
        ])  # fmt: skip
        h.commit()
        return cat


def suggestion(client, tokens, store_id, user="rep-n1a", day=DAY):
    response = client.get(
        f"/api/stores/{store_id}/suggested-order",
        query_string={"date": day.isoformat()},
        headers=tokens.headers(user),
    )
    assert response.status_code == 200, response.json
    return response.json


def test_suggestion_from_sell_through_cover_and_uplift(client, tokens, org, catalogue):
    """Next visit Dec 3 (the published plan): 3 days + 3 safety = 6 cover days.
    tea-1: 3.29/day × 6 × (1.50 × 1.20 = 1.80) = 35.53 → 36 to hold − 5 counted today = 31.
    tea-2: 0.36 × 6 × 1.50 = 3.24 → 4 − 16 (Nov 27 15:00) → 0.
    ume (never counted): par 24 × 1.50 = 36; no stock count, so no quantity."""
    body = suggestion(client, tokens, org.store["n1-a"])
    assert {k: body[k] for k in ("store_id", "date", "next_visit_on", "cover_days",
                                 "safety_days", "lookback_days", "default_par")} == {
        "store_id": org.store["n1-a"], "date": "2026-11-30", "next_visit_on": "2026-12-03",
        "cover_days": 6, "safety_days": 3, "lookback_days": 91, "default_par": 24,
    }  # fmt: skip
    items = {i["product_name"]: i for i in body["items"]}
    assert list(items) == ["Sakura tea 1", "Sakura tea 2", "Ume soda"]  # own products only
    common = {"next_visit_on": "2026-12-03", "cover_days": 6, "safety_days": 3}
    assert items["Sakura tea 1"] == {
        "product_id": catalogue["tea-1"], "product_name": "Sakura tea 1", "basis": "history",
        "daily_rate": "3.29", "intervals": 3, "days_observed": 14, "units_sold": 46, **common,
        "uplift": "1.80", "uplift_reason": "Year end; Tea promo", "target_units": 36,
        "stock_now": 5, "suggested_qty": 31,
        "explanation": "3.29/day × 6 days × uplift 1.80 = 36 units to hold − 5 in stock = 31",
    }  # fmt: skip
    tea2 = items["Sakura tea 2"]
    assert (tea2["daily_rate"], tea2["uplift"]) == ("0.36", "1.50")
    assert tea2["uplift_reason"] == "Year end"
    assert (tea2["target_units"], tea2["stock_now"], tea2["suggested_qty"]) == (4, 16, 0)
    ume = items["Ume soda"]
    assert (ume["basis"], ume["daily_rate"], ume["intervals"], ume["target_units"]) == (
        "no_history", None, 0, 36)  # fmt: skip
    assert (ume["stock_now"], ume["suggested_qty"]) == (None, None)
    assert ume["explanation"] == (
        "no sell-through yet: 24 units × uplift 1.50 = 36 units to hold; stock not counted"
    )


def test_without_a_planned_visit_the_store_frequency_sets_the_cover(
    client, tokens, org, catalogue, app, monkeypatch
):
    """The day after the plan (Dec 4): no later plan, so Dec 4 + 14 days (tier B) = Dec 18;
    for tea-1 Year end (to Dec 5), Tea promo (to Dec 10) and, now, the one from Dec 3 overlap
    Dec 4 .. 17: 1.50 × 1.20 × 2.00 = 3.60."""
    monkeypatch.setitem(app.config, "SUGGESTED_ORDER_SAFETY_DAYS", 1)
    body = suggestion(client, tokens, org.store["n1-a"], day=date(2026, 12, 4))
    assert (body["next_visit_on"], body["cover_days"], body["safety_days"]) == (
        "2026-12-18", 15, 1)  # fmt: skip
    tea1 = body["items"][0]
    # Dec 4: the same intervals (Nov 30 is the last count); 3.29 × 15 × 3.60 = 177.66 → 178.
    assert (tea1["daily_rate"], tea1["uplift"], tea1["target_units"]) == ("3.29", "3.60", 178)
    assert (tea1["stock_now"], tea1["suggested_qty"]) == (5, 173)


def test_suggestion_follows_store_scope(client, tokens, org, catalogue):
    assert suggestion(client, tokens, org.store["n1-a"], user="sup-n1")["items"]
    other = client.get(f"/api/stores/{org.store['n1-a']}/suggested-order",
                       headers=tokens.headers("rep-n2a"))  # fmt: skip
    assert other.status_code == 404
    bad = client.get(f"/api/stores/{org.store['n1-a']}/suggested-order?date=soon",
                     headers=tokens.headers("rep-n1a"))  # fmt: skip
    assert bad.status_code == 422


UPLIFT = {"product_id": None, "channel": "modern", "starts_on": "2026-12-01",
          "ends_on": "2026-12-24", "factor": "1.25", "reason": "Christmas"}  # fmt: skip


def test_uplifts_crud_for_admins_read_by_leads(client, tokens, catalogue):
    admin = tokens.headers("admin")
    created = client.post("/api/demand-uplifts", json=UPLIFT, headers=admin)
    assert created.status_code == 201, created.json
    assert {k: v for k, v in created.json.items() if k != "id"} == UPLIFT
    uid = created.json["id"]
    assert client.post("/api/demand-uplifts", json=UPLIFT,
                       headers=tokens.headers("sup-n1")).status_code == 403  # fmt: skip
    assert client.get("/api/demand-uplifts", headers=tokens.headers("rep-n1a")).status_code == 403

    def listed(**query):
        found = client.get("/api/demand-uplifts", query_string=query,
                           headers=tokens.headers("sup-n1")).json  # fmt: skip
        assert found["meta"]["total"] == len(found["items"])
        return [u["reason"] for u in found["items"]]

    assert listed(active_on="2026-12-24") == ["Christmas", "Traditional push"]
    assert listed(active_on="2026-12-24", channel="modern") == ["Christmas"]
    assert listed(product_id=catalogue["tea-1"]) == ["Too late", "Tea promo"]
    change = {"factor": 2, "product_id": catalogue["tea-1"]}
    changed = client.patch(f"/api/demand-uplifts/{uid}", json=change, headers=admin)
    assert changed.status_code == 200
    assert (changed.json["factor"], changed.json["product_id"]) == ("2.00", catalogue["tea-1"])
    assert client.get(f"/api/demand-uplifts/{uid}", headers=tokens.headers("mgr-north")).json[
        "factor"] == "2.00"  # fmt: skip
    assert client.delete(f"/api/demand-uplifts/{uid}", headers=admin).status_code == 204
    assert client.get(f"/api/demand-uplifts/{uid}", headers=admin).status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"factor": "0"}, "factor"),
        ({"factor": "1000"}, "factor"),
        ({"ends_on": "2026-11-30"}, "starts_on"),
        ({"channel": "online"}, "channel"),
        ({"reason": ""}, "reason"),
        ({"product_id": "fuji-tea"}, "product_id"),
        ({"product_id": 999999}, "product_id"),
    ],
)
def test_uplift_input_is_checked(client, tokens, catalogue, change, field):
    if change.get("product_id") == "fuji-tea":
        change = {"product_id": catalogue["fuji-tea"]}
    response = client.post("/api/demand-uplifts", json={**UPLIFT, **change},
                           headers=tokens.headers("admin"))  # fmt: skip
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_uplift_patch_keeps_the_dates_in_order(client, tokens, catalogue):
    admin = tokens.headers("admin")
    uid = client.post("/api/demand-uplifts", json=UPLIFT, headers=admin).json["id"]
    response = client.patch(f"/api/demand-uplifts/{uid}", json={"ends_on": "2026-11-01"},
                            headers=admin)  # fmt: skip
    assert response.status_code == 422 and "starts_on" in response.json["errors"]["json"]
