"""Customer data: a rep sees store contacts only for their own stores, on screen; the bulk store
export (it carries contacts) is refused to reps; report exports carry no contact names or
phones."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from backend.extensions import db
from backend.models import ContactRole, StoreContact

NAME, PHONE = "Ms Confidential", "+81 3-9999-0000"


@pytest.fixture
def contacts(app, org):
    """A contact at every store of team N1 (rep-n1a's n1-a, teammate rep-n1b's n1-b)."""
    with app.app_context():
        for code in ("n1-a", "n1-b"):
            contact = StoreContact(store_id=org.store[code], name=f"{NAME} {code}", phone=PHONE,
                                   role=ContactRole.OWNER, is_primary=True)  # fmt: skip
            db.session.add(contact)
        db.session.commit()


def test_a_rep_sees_contacts_of_their_own_stores_only(client, org, tokens, contacts):
    rep = tokens.headers("rep-n1a")
    listed = client.get("/api/stores?per_page=100", headers=rep).json["items"]
    assert [s["code"] for s in listed] == ["n1-a"]
    assert [c["name"] for c in listed[0]["contacts"]] == [f"{NAME} n1-a"]
    own = client.get(f"/api/stores/{org.store['n1-a']}", headers=rep)
    assert own.status_code == 200 and own.json["contacts"][0]["phone"] == PHONE
    mate = org.store["n1-b"]
    for url in (f"/api/stores/{mate}", f"/api/stores/{mate}/contacts"):
        response = client.get(url, headers=rep)
        assert response.status_code == 404, url
        assert NAME not in response.get_data(as_text=True)
    listed_for_lead = client.get("/api/stores?per_page=100", headers=tokens.headers("sup-n1"))
    assert {s["code"] for s in listed_for_lead.json["items"]} >= {"n1-a", "n1-b"}


def test_a_reps_bulk_export_of_stores_is_refused(client, org, tokens, contacts):
    refused = client.get("/api/stores/export.csv", headers=tokens.headers("rep-n1a"))
    assert refused.status_code == 403
    assert refused.json["code"] == 403 and NAME not in refused.get_data(as_text=True)
    lead = client.get("/api/stores/export.csv", headers=tokens.headers("sup-n1"))
    assert lead.status_code == 200 and f"{NAME} n1-b" in lead.get_data(as_text=True)


def _text(body: bytes, fmt: str) -> str:
    if fmt == "csv":
        return body.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = (row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return "\n".join(str(cell) for row in rows for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_exports_for_a_rep_carry_no_contacts(client, org, tokens, contacts, fmt):
    rep = tokens.headers("rep-n1a")
    urls = sorted(
        rule.rule
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/reports/") and rule.rule.endswith(f".{fmt}")
    )
    answered = []
    for url in urls:
        response = client.get(f"{url}?period=week", headers=rep)
        if response.status_code == 403:  # a lead's report: not the rep's to export
            continue
        assert response.status_code == 200, (url, response.data[:300])
        text = _text(response.data, fmt)
        assert NAME not in text and PHONE not in text, url
        answered.append(url)
    assert f"/api/reports/kpis.{fmt}" in answered
