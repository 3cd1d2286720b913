"""Area-manager reports on known records: competitor prices, display compliance, near expiry."""

from __future__ import annotations

from tests.reports_factory import WEEK


def get(client, tokens, user, name, **params):
    response = client.get(f"/api/reports/{name}", query_string=params, headers=tokens.headers(user))
    assert response.status_code == 200, response.json
    return response.json


def stats(count, low, median, high):
    return {"count": count, "min": low, "median": median, "max": high}


def test_competitor_prices_min_median_max(client, tokens, records):
    body = get(client, tokens, "mgr-north", "competitor-prices", **WEEK)
    rows = {(r["product"], r["channel"], r["week"]): r for r in body["prices"]}
    assert set(rows) == {
        ("Fuji cola", "traditional", "2026-W47"),
        ("Fuji tea", "modern", "2026-W47"),
    }
    tea = rows[("Fuji tea", "modern", "2026-W47")]
    assert tea["brand"] == "Fuji" and tea["week_start"] == "2026-11-16"
    assert tea["regular"] == stats(4, 100.0, 125.0, 150.0)
    assert tea["promo"] == stats(1, 90.0, 90.0, 90.0)
    cola = rows[("Fuji cola", "traditional", "2026-W47")]
    assert cola["regular"] == stats(2, 1.25, 1.28, 1.3)  # 1.275 rounds half up
    assert cola["promo"] == stats(0, None, None, None)
    assert body["promotions"] == [
        {
            "brand": "Fuji",
            "product": "Fuji tea",
            "channel": "modern",
            "promo_type": "discount",
            "observations": 1,
            "stores": 1,
            "lowest_promo_price": 90.0,
            "first_seen": "2026-11-16",
            "last_seen": "2026-11-16",
        }
    ]
    assert body["new_products"] == [
        {
            "brand": "Fuji",
            "product": "Fuji cola",
            "observations": 1,
            "stores": 1,
            "first_seen": "2026-11-18",
            "last_seen": "2026-11-18",
        }
    ]


def test_competitor_trend_by_week_and_scope(client, tokens, org, records):
    custom = {"period": "custom", "date_from": "2026-11-16", "date_to": "2026-11-29"}
    body = get(client, tokens, "sup-n1", "competitor-prices", channel="modern", **custom)
    weeks = [(r["week"], r["regular"]) for r in body["prices"]]
    assert weeks == [("2026-W47", stats(2, 100.0, 125.0, 150.0)),
                     ("2026-W48", stats(1, 110.0, 110.0, 110.0))]  # fmt: skip
    odd = get(client, tokens, "mgr-north", "competitor-prices", channel="modern", **WEEK)
    south = get(client, tokens, "mgr-south", "competitor-prices", **WEEK)
    assert [r["regular"] for r in south["prices"]] == [stats(1, 10.0, 10.0, 10.0)]
    assert all(r["regular"]["min"] >= 100 for r in odd["prices"])
    three = get(client, tokens, "mgr-north", "competitor-prices", team_id=org.team["N2"], **WEEK)
    assert three["prices"][0]["regular"] == stats(2, 120.0, 125.0, 130.0)


def rate(n, d):
    return {"numerator": n, "denominator": d, "rate": round(n / d, 4) if d else None}


def test_display_compliance_by_team(client, tokens, records):
    body = get(client, tokens, "mgr-north", "display-compliance", **WEEK)
    assert body["weights"] == {
        "in_stock": 3, "eye_level": 2, "fifo": 1, "price_tag": 2, "clean": 1, "pop": 1
    }  # fmt: skip
    groups = {g["group"]: g for g in body["groups"]}
    assert set(groups) == {"N1", "N2"}
    assert groups["N1"] == {
        "group": "N1",
        "checks": 2,
        "eye_level_share": rate(1, 1),
        "out_of_stock_rate": rate(1, 2),
        "fifo_issue_rate": rate(0, 1),
        "price_tag_issue_rate": rate(1, 2),
        "cleanliness_issue_rate": rate(1, 2),
        "share_of_shelf": rate(4, 10),
        "eye_level_share_of_shelf": rate(4, 4),  # the rival's 6 facings: no shelf level
        "perfect_store_score": rate(10, 20),
    }
    assert groups["N2"]["perfect_store_score"] == rate(4, 10)
    assert groups["N2"]["fifo_issue_rate"] == rate(1, 1)
    assert groups["N2"]["price_tag_issue_rate"] == rate(1, 1)
    assert body["total"]["perfect_store_score"] == rate(14, 30)
    assert body["total"]["share_of_shelf"] == rate(6, 12)


def test_display_by_channel_tier_and_weights(client, tokens, app, records):
    by_channel = get(client, tokens, "admin", "display-compliance", group_by="channel", **WEEK)
    assert [g["group"] for g in by_channel["groups"]] == ["modern"]
    assert by_channel["groups"][0]["checks"] == 4
    by_tier = get(client, tokens, "sup-n1", "display-compliance", group_by="tier", **WEEK)
    assert [(g["group"], g["checks"]) for g in by_tier["groups"]] == [("B", 2)]
    app.config["PERFECT_STORE_WEIGHTS"] = "in_stock=1"
    try:
        weighted = get(client, tokens, "sup-n1", "display-compliance", **WEEK)
    finally:
        app.config["PERFECT_STORE_WEIGHTS"] = (
            "in_stock=3,eye_level=2,fifo=1,price_tag=2,clean=1,pop=1"
        )
    assert weighted["total"]["perfect_store_score"] == rate(1, 2)


def exposure(q7, v7, q30, v30):
    return {"within_7_days": {"quantity": q7, "value": v7},
            "within_30_days": {"quantity": q30, "value": v30},
            "expired_on_shelf": {"quantity": 0, "value": 0.0}}  # fmt: skip


def test_near_expiry_latest_note_counts(client, tokens, records):
    body = get(client, tokens, "admin", "near-expiry", as_of="2026-11-18", area_id=1)
    products = {g["name"]: g for g in body["groups"]}
    # n1-a: tea-1 10 (Mon) -> 2026-11-20; n2-a: tea-1 6 -> 11-24; tea-2 5 -> 12-10.
    assert products["Sakura tea 1"] == {"id": records["tea-1"], "name": "Sakura tea 1",
                                        **exposure(16, 2400.0, 16, 2400.0)}  # fmt: skip
    assert products["Sakura tea 2"] == {"id": records["tea-2"], "name": "Sakura tea 2",
                                        **exposure(0, 0.0, 5, 755.0)}  # fmt: skip
    later = get(client, tokens, "admin", "near-expiry", as_of="2026-11-23", group_by="store")
    stores = {g["name"]: g for g in later["groups"]}
    # The 2026-11-23 note of 4 supersedes Monday's 10 at n1-a; it expired before then anyway.
    assert stores["Store n1-a"] == {**stores["Store n1-a"], **exposure(0, 0.0, 5, 755.0)}
    assert stores["Store n2-a"]["within_7_days"] == {"quantity": 6, "value": 900.0}
    assert later["total"]["within_30_days"] == {"quantity": 11, "value": 1655.0}


def test_near_expiry_by_team_and_scope(client, tokens, records):
    teams = get(client, tokens, "mgr-north", "near-expiry", as_of="2026-11-18", group_by="team")
    assert [(g["name"], g["within_30_days"]["quantity"]) for g in teams["groups"]] == [
        ("N1", 15),
        ("N2", 6),
    ]
    south = get(client, tokens, "mgr-south", "near-expiry", as_of="2026-11-18")
    assert south["total"]["within_7_days"] == {"quantity": 50, "value": 7500.0}
    assert (
        client.get("/api/reports/near-expiry", headers=tokens.headers("rep-n1a")).status_code == 403
    )
