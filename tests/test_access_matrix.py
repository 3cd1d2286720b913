"""The access-control matrix: every endpoint, called by every kind of caller, on objects inside
and outside their scope, answers as this table says. An endpoint missing from the table fails
`test_every_endpoint_is_in_the_matrix`.

Callers, in column order:
    rep1   rep-n1a, a rep of team N1 (owns store n1-a and the plan)
    rep2   rep-n2a, a rep of team N2
    sup1   sup-n1, supervisor of team N1
    sup2   sup-n2, supervisor of team N2
    mgr    mgr-south, manager of another area (South)
    admin
plus "anon" (no token) and "expired" (an expired token): 401 on every non-public endpoint.
The objects (store n1-a, rep-n1a, team N1, the plan, the job...) all belong to team N1.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from backend.extensions import db
from backend.job_runner import wait_for_local_jobs
from backend.models import (
    AgreedPrice,
    Brand,
    ContactRole,
    DemandUplift,
    Job,
    PlannedStop,
    PlanStatus,
    Product,
    Promotion,
    RoutePlan,
    StoreContact,
    User,
)
from tests.api.plan_helpers import next_monday
from tests.api.visit_helpers import image_bytes

CALLERS = ("rep1", "rep2", "sup1", "sup2", "mgr", "admin")
USERNAMES = {
    "rep1": "rep-n1a",
    "rep2": "rep-n2a",
    "sup1": "sup-n1",
    "sup2": "sup-n2",
    "mgr": "mgr-south",
    "admin": "admin",
}
PUBLIC = "public"
DAY = next_monday().isoformat()  # the plan's day: a past day's plan no longer changes
NEXT_DAY = (next_monday() + timedelta(days=1)).isoformat()


NEW_STORE = {
    "code": "M-1",
    "name": "Matrix",
    "channel": "modern",
    "tier": "A",
    "lat": 35.66,
    "lng": 139.77,
    "team_id": "{team}",
}

AGREED_PRICE = {"product_id": "{product}", "price": "2.00", "valid_from": DAY}
PROMOTION = {
    "name": "Summer",
    "product_id": "{product}",
    "promo_price": "1.80",
    "starts_on": DAY,
    "ends_on": NEXT_DAY,
}
UPLIFT = {"starts_on": DAY, "ends_on": NEXT_DAY, "factor": "1.20", "reason": "Festival"}
CONTACT = {"name": "Ms Buyer", "role": "buyer", "phone": "1"}


# (method, path, body, expected statuses for rep1 rep2 sup1 sup2 mgr admin | PUBLIC)
MATRIX = [
    ("POST", "/api/auth/login", {"username": "nobody", "password": "x"}, PUBLIC),
    ("GET", "/api/health", None, PUBLIC),
    ("GET", "/api/ready", None, PUBLIC),
    ("POST", "/api/auth/logout", None, "204 204 204 204 204 204"),
    ("POST", "/api/auth/logout-all", None, "204 204 204 204 204 204"),
    (
        "POST",
        "/api/auth/password",
        {"current_password": "correct horse battery", "new_password": "a fresh pass phrase"},
        "200 200 200 200 200 200",
    ),
    ("GET", "/api/auth/me", None, "200 200 200 200 200 200"),
    ("GET", "/api/users", None, "200 200 200 200 200 200"),
    (
        "POST",
        "/api/users",
        {
            "username": "new-user",
            "full_name": "N",
            "role": "admin",
            "password": "long enough password",
        },
        "403 403 403 403 403 201",
    ),
    ("GET", "/api/users/{rep}", None, "200 404 200 404 404 200"),
    ("PATCH", "/api/users/{rep}", {"phone": "1"}, "403 403 403 403 403 200"),
    ("GET", "/api/settings", None, "200 200 200 200 200 200"),
    ("GET", "/api/areas", None, "200 200 200 200 200 200"),
    ("POST", "/api/areas", {"name": "West"}, "403 403 403 403 403 201"),
    ("GET", "/api/teams", None, "200 200 200 200 200 200"),
    ("POST", "/api/teams", {"name": "N3", "area_id": "{area}"}, "403 403 403 403 403 201"),
    ("GET", "/api/teams/{team}", None, "200 404 200 404 404 200"),
    ("GET", "/api/stores", None, "200 200 200 200 200 200"),
    ("POST", "/api/stores", NEW_STORE, "403 403 201 422 403 201"),
    ("GET", "/api/stores/{store}", None, "200 404 200 404 404 200"),
    ("PATCH", "/api/stores/{store}", {"notes": "x"}, "403 403 200 404 403 200"),
    (
        "POST",
        "/api/stores/reassign",
        {"store_ids": ["{store}"], "rep_id": None},
        "403 403 200 404 403 200",
    ),
    ("POST", "/api/stores/import", "IMPORT", "403 403 200 422 403 200"),
    ("GET", "/api/stores/export.csv", None, "403 403 200 200 200 200"),
    ("GET", "/api/audit", None, "403 403 403 403 403 200"),
    ("GET", "/api/audit/{audit}", None, "403 403 403 403 403 200"),
    ("GET", "/api/brands", None, "200 200 200 200 200 200"),
    ("POST", "/api/brands", {"name": "New brand"}, "403 403 403 403 403 201"),
    ("GET", "/api/products", None, "200 200 200 200 200 200"),
    (
        "POST",
        "/api/products",
        {"sku": "NEW", "name": "N", "brand_id": "{brand}", "category": "tea", "pack_size": "1"},
        "403 403 403 403 403 201",
    ),
    ("GET", "/api/products/{product}", None, "200 200 200 200 200 200"),
    ("PATCH", "/api/products/{product}", {"name": "Renamed"}, "403 403 403 403 403 200"),
    ("GET", "/api/plans", None, "200 200 200 200 200 200"),
    (
        "POST",
        "/api/plans",
        {"rep_id": "{rep}", "plan_date": NEXT_DAY, "seconds": 0.2},
        "403 403 201 422 403 201",
    ),
    ("GET", "/api/plans/{plan}", None, "200 404 200 404 404 200"),
    ("PUT", "/api/plans/{plan}", {"stops": [{"store_id": "{store}"}]}, "403 403 200 404 403 200"),
    ("DELETE", "/api/plans/{plan}", None, "403 403 409 404 403 409"),
    ("POST", "/api/plans/{plan}/optimise", {"seconds": 0.2}, "403 403 200 404 403 200"),
    ("POST", "/api/plans/{plan}/publish", None, "403 403 409 404 403 409"),
    (
        "POST",
        "/api/plans/publish",
        {"team_id": "{team}", "plan_date": DAY},
        "403 403 200 422 403 200",
    ),
    (
        "POST",
        "/api/plans/{plan}/move",
        {"store_id": "{store}", "to_plan_id": "{plan}"},
        "403 403 422 404 403 422",
    ),
    ("GET", "/api/plans/{plan}/candidates", None, "403 403 200 404 403 200"),
    ("GET", "/api/plans/{plan}/revisions", None, "403 403 200 404 404 200"),
    (
        "POST",
        "/api/plans/{plan}/replan",
        {"lat": 35.66, "lng": 139.77, "at": "10:00"},
        "200 404 200 404 403 200",
    ),
    (
        "POST",
        "/api/planning-jobs",
        {"team_id": "{team}", "date_from": DAY, "date_to": DAY, "seconds": 0.2},
        "403 403 202 422 422 202",
    ),
    ("GET", "/api/jobs/{job}", None, "404 404 200 404 404 200"),
    ("POST", "/api/jobs/{job}/cancel", None, "404 404 200 404 404 200"),
    ("GET", "/api/visits", None, "200 200 200 200 200 200"),
    (
        "POST",
        "/api/visits",
        {"store_id": "{store}", "lat": 35.66, "lng": 139.77, "device_time": "{now}"},
        "409 422 403 403 403 403",
    ),
    ("GET", "/api/visits/{visit}", None, "200 404 200 404 404 200"),
    ("POST", "/api/visits/{visit}/checkout", {"device_time": "{now}"}, "200 404 403 403 403 403"),
    *[
        ("PUT", f"/api/visits/{{visit}}/{kind}", {"items": []}, "200 404 403 403 403 403")
        for kind in ("display-checks", "stock", "near-expiry", "returns", "competitors")
    ],
    (
        "PUT",
        "/api/visits/{visit}/order",
        {"lines": [{"product_id": "{product}", "quantity": 2}]},
        "200 404 403 403 403 403",
    ),
    ("POST", "/api/visits/{visit}/photos", "PHOTO", "201 404 403 403 403 403"),
    # The matrix's visit is not held for review: in scope, a decision answers 409.
    ("GET", "/api/visits/{visit}/review", None, "200 404 200 404 404 200"),
    ("POST", "/api/visits/{visit}/review", {"decision": "accepted"}, "403 403 409 404 403 409"),
    ("GET", "/api/photos/{photo}", None, "200 404 200 404 404 200"),
    ("GET", "/api/photos/{photo}/image", None, "200 404 200 404 404 200"),
    ("GET", "/api/photos/{photo}/url", None, "200 404 200 404 404 200"),
    ("GET", "/api/photos/{photo}/review", None, "200 404 200 404 404 200"),
    ("PUT", "/api/photos/{photo}/review", {"status": "approved"}, "403 403 200 404 403 200"),
    ("POST", "/api/sync", "SYNC", "200 200 403 403 403 403"),
    ("POST", "/api/sync/multipart", "SYNC_MULTIPART", "200 200 403 403 403 403"),
    *[
        ("GET", f"/api/reports/{name}{ext}?team_id={{team}}", None, expected)
        for name, expected in (
            ("kpis", "200 404 200 404 404 200"),
            ("photos", "200 404 200 404 404 200"),
            ("exceptions", "403 403 200 404 404 200"),
            ("competitor-prices", "403 403 200 404 404 200"),
            ("display-compliance", "403 403 200 404 404 200"),
            ("near-expiry", "403 403 200 404 404 200"),
        )
        for ext in ("", ".csv", ".xlsx")
    ],
    *[
        ("GET", f"/api/reports/{name}{ext}?team_id={{team}}", None, "403 403 200 404 404 200")
        for name in ("orders", "price-deviations", "returns", "complaints", "tier-proposals")
        for ext in ("", ".csv", ".xlsx")
    ],
    # Admins keep the price list, promotions and demand uplifts; leads read them.
    *[
        row
        for path, key, body, change in (
            ("agreed-prices", "agreed_price", AGREED_PRICE, {"price": "1.50"}),
            ("promotions", "promotion", PROMOTION, {"name": "Renamed"}),
            ("demand-uplifts", "uplift", UPLIFT, {"reason": "Heat wave"}),
        )
        for row in (
            ("GET", f"/api/{path}", None, "403 403 200 200 200 200"),
            ("POST", f"/api/{path}", body, "403 403 403 403 403 201"),
            ("GET", f"/api/{path}/{{{key}}}", None, "403 403 200 200 200 200"),
            ("PATCH", f"/api/{path}/{{{key}}}", change, "403 403 403 403 403 200"),
            ("DELETE", f"/api/{path}/{{{key}}}", None, "403 403 403 403 403 204"),
        )
    ],
    ("GET", "/api/returns", None, "200 200 200 200 200 200"),
    ("PATCH", "/api/returns/{return}", {"status": "approved"}, "403 403 200 404 404 200"),
    ("GET", "/api/stores/{store}/expiry-followups", None, "200 404 200 404 404 200"),
    ("PUT", "/api/visits/{visit}/expiry-followups", {"items": []}, "200 404 403 403 403 403"),
    ("PUT", "/api/visits/{visit}/shelf-facings", {"items": []}, "200 404 403 403 403 403"),
    ("GET", f"/api/stores/{{store}}/suggested-order?date={DAY}", None, "200 404 200 404 404 200"),
    ("GET", "/api/stores/{store}/contacts", None, "200 404 200 404 404 200"),
    ("POST", "/api/stores/{store}/contacts", CONTACT, "201 404 201 404 404 201"),
    ("PATCH", "/api/stores/{store}/contacts/{contact}", {"phone": "2"}, "200 404 200 404 404 200"),
    ("DELETE", "/api/stores/{store}/contacts/{contact}", None, "204 404 204 404 404 204"),
    (
        "POST",
        "/api/visits/{visit}/complaints",
        {"uuid": "{uuid}", "category": "delivery", "text": "Late"},
        "201 404 403 403 403 403",
    ),
    ("GET", "/api/complaints", None, "200 200 200 200 200 200"),
    (
        "POST",
        "/api/complaints",
        {"store_id": "{store}", "category": "pricing", "text": "Too dear"},
        "403 403 201 422 422 201",
    ),
    ("GET", "/api/complaints/{complaint}", None, "200 404 200 404 404 200"),
    (
        "PATCH",
        "/api/complaints/{complaint}",
        {"status": "in_progress"},
        "403 403 200 404 404 200",
    ),
    # Area managers and admins accept tier proposals; supervisors only read them.
    (
        "POST",
        "/api/tier-proposals/accept",
        {"as_of": DAY, "team_id": "{team}"},
        "403 403 403 403 404 200",
    ),
]


@pytest.fixture
def world(app, client, org, tokens):
    """The org fixture plus a product, rep-n1a's published plan and a job of team N1."""
    with app.app_context():
        rep = db.session.get(User, org.user["rep-n1a"])
        rep.home_lat, rep.home_lng = 35.662, 139.772
        rep.shift_start, rep.shift_end = time(8, 30), time(17, 30)
        brand = Brand(name="Ours", is_own=True)
        product = Product(sku="P-1", name="Tea", brand=brand, category="tea", pack_size="500 ml")
        plan = RoutePlan(
            rep_id=rep.id,
            team_id=rep.team_id,
            plan_date=date.fromisoformat(DAY),
            status=PlanStatus.PUBLISHED,
            created_by_id=org.user["sup-n1"],
        )
        plan.stops = [PlannedStop(store_id=org.store["n1-a"], sequence=1)]
        job = Job(
            id="job-1",
            kind="plan_team",
            params={},
            created_by_id=org.user["sup-n1"],
            team_id=org.team["N1"],
        )
        price = AgreedPrice(product=product, price=Decimal("2.00"), valid_from=date(2026, 1, 1))
        promotion = Promotion(
            name="Spring",
            product=product,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31),
        )
        uplift = DemandUplift(
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31),
            factor=Decimal("1.50"),
            reason="Fair",
        )
        contact = StoreContact(store_id=org.store["n1-a"], name="Owner", role=ContactRole.OWNER)
        db.session.add_all([brand, product, plan, job, price, promotion, uplift, contact])
        db.session.commit()
        ids = {
            "rep": rep.id,
            "team": org.team["N1"],
            "area": org.area["North"],
            "store": org.store["n1-a"],
            "brand": brand.id,
            "product": product.id,
            "plan": plan.id,
            "job": job.id,
            "agreed_price": price.id,
            "promotion": promotion.id,
            "uplift": uplift.id,
            "contact": contact.id,
        }
    ids["now"] = datetime.now(UTC).isoformat()
    ids["uuid"] = str(uuid.uuid4())
    ids.update(_open_visit_with_reviewed_photo(client, tokens, ids))
    ids.update(_return_and_complaint(client, tokens, ids))
    ids.update(_audit_entry(app))
    yield ids
    wait_for_local_jobs(app)


def _open_visit_with_reviewed_photo(client, tokens, ids) -> dict:
    """rep-n1a's open visit at store n1-a, with a photo sup-n1 approved."""
    headers = tokens.headers("rep-n1a")
    checkin = {"store_id": ids["store"], "lat": 35.66, "lng": 139.77, "device_time": ids["now"]}
    visit = client.post("/api/visits", json=checkin, headers=with_key(headers))
    assert visit.status_code == 201, visit.json
    photo = client.post(
        f"/api/visits/{visit.json['id']}/photos",
        data={"file": (io.BytesIO(image_bytes(seed=1)), "p.jpg"), "kind": "shelf"},
        headers=with_key(headers),
    )
    assert photo.status_code == 201, photo.json
    review = client.put(
        f"/api/photos/{photo.json['id']}/review",
        json={"status": "approved"},
        headers=with_key(tokens.headers("sup-n1")),
    )
    assert review.status_code == 200, review.json
    return {"visit": visit.json["id"], "photo": photo.json["id"]}


def _return_and_complaint(client, tokens, ids) -> dict:
    """A return request and a complaint recorded at rep-n1a's open visit."""
    headers = tokens.headers("rep-n1a")
    item = {"product_id": ids["product"], "quantity": 3, "reason": "damaged"}
    returns = client.put(
        f"/api/visits/{ids['visit']}/returns", json={"items": [item]}, headers=with_key(headers)
    )
    assert returns.status_code == 200, returns.json
    complaint = client.post(
        f"/api/visits/{ids['visit']}/complaints",
        json={"uuid": str(uuid.uuid4()), "category": "service", "text": "Rude driver"},
        headers=with_key(headers),
    )
    assert complaint.status_code == 201, complaint.json
    return {"return": returns.json["items"][0]["id"], "complaint": complaint.json["id"]}


def _audit_entry(app) -> dict:
    """An audit entry for GET /api/audit/{id} (AUDIT)."""
    from backend.services import audit
    from backend.writes import execute

    with app.app_context():
        entry = execute(lambda: audit.record(audit.Action.EXPORT, actor=None, detail={}))
        return {"audit": entry.id}


def with_key(headers: dict) -> dict:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def fill(value, ids):
    if isinstance(value, str):
        match = re.fullmatch(r"\{(\w+)\}", value)
        return ids[match.group(1)] if match else value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def sync_batch(ids) -> dict:
    """A one-operation batch: a check-in at store n1-a (answered per item inside the batch)."""
    body = {"store_id": ids["store"], "lat": 35.66, "lng": 139.77, "device_time": ids["now"]}
    return {"operations": [{"key": str(uuid.uuid4()), "op": "check_in", "body": body}]}


def call(client, method, path, body, ids, headers):
    url = fill(path, ids)
    headers = with_key(headers)
    if body == "SYNC":
        return client.open(url, method=method, headers=headers, json=sync_batch(ids))
    if body == "SYNC_MULTIPART":
        data = {"batch": json.dumps(sync_batch(ids))}
        return client.open(url, method=method, headers=headers, data=data)
    if body == "PHOTO":
        data = {"file": (io.BytesIO(image_bytes(seed=2)), "p.jpg"), "kind": "shelf"}
        return client.open(url, method=method, headers=headers, data=data)
    if body == "IMPORT":
        team = "N1"
        csv = f"code,name,channel,tier,lat,lng,team\nIMP-1,Imported,modern,A,35.6,139.7,{team}\n"
        return client.open(
            url, method=method, headers=headers, data={"file": (io.BytesIO(csv.encode()), "s.csv")}
        )
    return client.open(url, method=method, headers=headers, json=fill(body, ids))


CASES = [
    pytest.param(method, path, body, caller, expected.split()[k], id=f"{method} {path} {caller}")
    for method, path, body, expected in MATRIX
    if expected != PUBLIC
    for k, caller in enumerate(CALLERS)
]


@pytest.mark.parametrize(("method", "path", "body", "caller", "status"), CASES)
def test_matrix(client, tokens, world, method, path, body, caller, status):
    response = call(client, method, path, body, world, tokens.headers(USERNAMES[caller]))
    assert response.status_code == int(status), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [(m, p, b) for m, p, b, expected in MATRIX if expected != PUBLIC],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_anonymous_and_expired_callers_get_401(client, tokens, world, method, path, body):
    expired = tokens.headers("admin", ttl=timedelta(seconds=-1))
    for headers in ({}, expired):
        response = call(client, method, path, body, world, headers)
        assert response.status_code == 401, (headers, response.get_data(as_text=True)[:200])
        assert response.json["code"] == 401


def test_every_endpoint_is_in_the_matrix(app):
    in_matrix = {(m, p) for m, p, _, _ in MATRIX}
    routes = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", "{x}", rule.rule)
        if not path.startswith("/api/") or path.startswith(("/api/docs", "/api/openapi")):
            continue
        routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    normalised = {(m, re.sub(r"\{\w+\}", "{x}", p.split("?")[0])) for m, p in in_matrix}
    assert routes - normalised == set(), "endpoints missing from the access matrix"
    assert normalised - routes == set(), "matrix rows for endpoints that do not exist"
