"""Hostile cells: every report export and the store export with every free-text column holding
text a spreadsheet would run (`=HYPERLINK(...)`, `+1`, `-2+3`, `@SUM(A1)`, tab or CR first) or
that needs the byte-order mark (Japanese, Chinese). Read back with csv and openpyxl: no cell
starts with a trigger, CSVs start with the BOM, every text is the JSON's once the one
neutralising apostrophe is taken off, and the store export re-imports to the same values."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from backend.extensions import db
from backend.models import ContactRole, StoreContact
from backend.services import demo
from backend.services.reports.exports import sections
from backend.services.reports.ranges import today
from backend.services.spreadsheet_cells import (
    TRIGGERS,
    neutralise,
    restore,
    xlsx_text,
    xlsx_value,
)
from backend.writes import execute

HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "東京駅前店",
    "北京路便利店",
)
# Every text a person types that a report or the store export can show. The other text columns
# (codes the app writes, hashes, ids, audit and scheduler rows) are listed apart, so a new
# column has to be placed in one or the other.
FREE_TEXT = {
    "areas": ("name",),
    "brands": ("name",),
    "teams": ("name",),
    "users": ("username", "full_name", "phone"),
    "products": ("sku", "name", "category", "pack_size"),
    "stores": ("code", "name", "address", "notes"),
    "store_contacts": ("name", "phone", "email", "note"),
    "competitor_observations": ("product_name", "display_notes"),
    "shelf_facings": ("category",),
    "agreed_promotions": ("name",),
    "demand_uplifts": ("reason",),
    "plan_revisions": ("reason",),
    "planned_stops": ("note",),
    "visits": ("note",),
    "complaints": ("text", "resolution"),
    "display_checks": ("note",),
    "orders": ("note",),
    "photos": ("note",),
    "return_requests": ("note", "status_note"),
    "photo_reviews": ("comment",),
    "visit_flags": ("message",),
    # The competitor-price report table's copy of the observation's product name.
    "rep_day_competitor_prices": ("product_text",),
}
NOT_FREE_TEXT = {
    "rate_limit_counters": ("key",),
    "scheduled_runs": ("task", "host", "outcome", "detail"),
    "users": ("password_hash",),
    "access_tokens": ("token_hash",),
    "audit_entries": (
        *("actor_username", "action", "subject_type", "subject_id"),
        *("remote_addr", "user_agent", "request_id"),
    ),
    "idempotency_keys": ("key", "operation", "fingerprint"),
    "jobs": ("id", "kind", "stage", "error"),
    "route_plans": ("travel_source", "return_geometry"),
    "plan_dropped_stores": ("detail",),
    "planned_stops": ("geometry",),
    "visits": ("uuid",),
    "complaints": ("uuid",),
    "photos": ("sha256", "phash", "source_format"),
    "return_requests": ("reason",),  # one of RETURN_REASONS
    "competitor_observations": ("promo_type",),  # one of PROMO_TYPES
    "rep_day_competitor_prices": ("promo_type",),
    "rep_day_returns": ("reason",),
}

# Each report's free-text columns (as exported): all of them hold hostile text in the test.
REPORT_TEXT = {
    "kpis": ("name",),
    "exceptions": ("message", "rep_name", "store_name"),
    "photos": ("rep_name", "store_name"),
    "competitor-prices": ("brand", "product"),
    "display-compliance": ("group",),
    "near-expiry": ("name",),
    "returns": ("name",),
    "tier-proposals": ("store_code", "store_name"),
    "orders": ("brand_name", "name", "product_name"),
    "price-deviations": (
        *("name", "product_name", "promotion_name"),
        *("rep_name", "store_name", "team_name"),
    ),
    "complaints": ("name", "store_name", "team_name", "text"),
}


def text_columns() -> set[tuple[str, str]]:
    return {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)
    }


def test_every_text_column_is_placed(app):
    placed = {(t, c) for group in (FREE_TEXT, NOT_FREE_TEXT) for t, cs in group.items() for c in cs}
    assert text_columns() - placed == set()


def hostile_text() -> dict[str, str]:
    """Every free-text value in the database replaced by a hostile one; equal texts stay equal
    (a category on a product and on a shelf facing) and distinct ones distinct (codes)."""
    originals = sorted(
        {
            value
            for table, columns in FREE_TEXT.items()
            for column in columns
            for value in db.session.scalars(sa.text(f"SELECT DISTINCT {column} FROM {table}"))
            if value
        }
    )
    mapping = {old: f"{HOSTILE[i % len(HOSTILE)]}{i}" for i, old in enumerate(originals)}
    for table, columns in FREE_TEXT.items():
        for column in columns:
            db.session.execute(
                sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                [{"old": old, "new": new} for old, new in mapping.items()],
            )
    db.session.commit()
    return mapping


def assert_safe(cell) -> None:
    if isinstance(cell, str):
        assert not cell.startswith(TRIGGERS), repr(cell)


def test_cells_are_neutralised_and_restored():
    for value in HOSTILE:
        out = neutralise(value)
        assert_safe(out)
        assert restore(out) == value
    for value in ("'=1", "''+2", "'plain", "plain", "'", "", "a=1"):
        assert restore(neutralise(value)) == value
    assert neutralise("'plain") == "'plain" and neutralise("東京") == "東京"
    # Numbers are not text: a negative number stays a number.
    for number in (-2, -2.5, Decimal("-3.10"), 0):
        assert neutralise(number) == number
    assert xlsx_value("a\x07b") == "a\ufffdb"
    # Excel's escapes in a workbook: a carriage return, and text that looks like an escape.
    for value in ("\r=1", "a_x000D_b", "_x005F_"):
        assert restore(xlsx_text(xlsx_value(value))) == value


@pytest.fixture
def hostile_demo(database, tokens, tmp_path, monkeypatch):
    """Three days of the demo (every kind of record, a fraction of the four weeks' load time)
    with every free text hostile; returns an admin's headers and the business day."""
    monkeypatch.setattr(demo, "HISTORY_DAYS", 3)
    monkeypatch.setitem(database.config, "PHOTO_DIR", str(tmp_path / "photos"))
    monkeypatch.setitem(database.config, "MAX_PAGE_SIZE", 100_000)  # the JSON holds every row
    with database.app_context():
        execute(lambda: demo.load_demo(demo.DEFAULT_SEED, None, True, demo.TERRITORIES["tokyo"]))
    headers = tokens.headers("admin")
    with database.app_context():
        hostile_text()
        return headers, today()


def report_queries(client, last) -> list[tuple[str, dict[str, str]]]:
    """Every exported report (from the OpenAPI document) with each of its groupings, over the
    demo's days."""
    span = {"period": "custom", "date_from": str(last - timedelta(days=7)), "date_to": str(last)}
    queries = []
    for path, operations in client.get("/api/openapi.json").json["paths"].items():
        if not (path.startswith("/api/reports/") and path.endswith(".csv")):
            continue
        name = path.removeprefix("/api/reports/").removesuffix(".csv")
        params = {p["name"]: p for p in operations["get"].get("parameters", [])}
        query = {**(span if "period" in params else {})}
        if "as_of" in params:
            query["as_of"] = str(last)
        if "per_page" in params:
            query["per_page"] = "100000"
        groups = params.get("group_by", {}).get("schema", {}).get("enum", [None])
        queries += [(name, {**query, **({"group_by": g} if g else {})}) for g in groups]
    return queries


def hostile(value) -> bool:
    return isinstance(value, str) and value.startswith(HOSTILE)


def test_every_report_export_is_safe_and_intact(client, hostile_demo):
    (headers, last), covered = hostile_demo, set()
    queries = report_queries(client, last)
    assert {name for name, _ in queries} == set(REPORT_TEXT)
    for name, query in queries:
        where = f"{name} {query.get('group_by', '')}"
        report = client.get(f"/api/reports/{name}", query_string=query, headers=headers)
        assert report.status_code == 200, (where, report.json)
        expected = sections(report.json)
        covered |= {(name, c, v) for rows in expected.values() for r in rows for c, v in r.items()
                    if hostile(v)}  # fmt: skip
        body = client.get(f"/api/reports/{name}.csv", query_string=query, headers=headers)
        assert body.status_code == 200, where
        assert_csv_matches(body.get_data(as_text=True), expected, where)
        book = client.get(f"/api/reports/{name}.xlsx", query_string=query, headers=headers)
        assert book.status_code == 200, where
        assert_xlsx_matches(book.data, expected, where)
    for name, columns in REPORT_TEXT.items():
        assert {c for n, c, _ in covered if n == name} == set(columns), name
    assert {h for h in HOSTILE for *_, v in covered if v.startswith(h)} == set(HOSTILE)


def assert_csv_matches(body: str, expected, where: str) -> None:
    assert body.startswith("\ufeff"), where
    lines = list(csv.reader(io.StringIO(body[1:])))
    for cell in (c for line in lines for c in line):
        assert_safe(cell)
    header = [restore(c) for c in lines[0]]
    rows = [dict(zip(header, (restore(c) for c in line), strict=True)) for line in lines[1:]]
    for section, table in expected.items():
        got = [r for r in rows if r["section"] == section]
        want = [{k: "" if v is None else str(v) for k, v in row.items()} for row in table]
        assert [{k: g[k] for k in row} for g, row in zip(got, want, strict=True)] == want, where


def excel_text(value):
    return xlsx_text(value) if isinstance(value, str) else value


def assert_xlsx_matches(data: bytes, expected, where: str) -> None:
    book = load_workbook(io.BytesIO(data))
    assert sorted(book.sheetnames) == sorted(expected), where
    for section, table in expected.items():
        values = [[excel_text(v) for v in line] for line in book[section].values]
        for cell in (c for line in values for c in line):
            assert_safe(cell)
        if not table:  # an empty list: an empty sheet
            assert values in ([], [[None]]), where
            continue
        header = [restore(c) for c in values[0]]
        got = [
            {k: restore(v) if isinstance(v, str) else v for k, v in zip(header, line, strict=True)}
            for line in values[1:]
        ]
        for g, t in zip(got, table, strict=True):
            assert g == t, (
                where,
                {k: (g.get(k), t.get(k)) for k in {*g, *t} if g.get(k) != t.get(k)},
            )


def stores_as_stored() -> list[tuple]:
    """Every store's exported fields as the database holds them."""
    rows = db.session.execute(
        sa.text(
            "SELECT s.code, s.name, s.address, s.notes, t.name, u.username, c.name, c.phone "
            "FROM stores s LEFT JOIN teams t ON t.id = s.team_id "
            "LEFT JOIN users u ON u.id = s.rep_id "
            "LEFT JOIN store_contacts c ON c.store_id = s.id AND c.is_primary ORDER BY s.code"
        )
    )
    return [tuple(row) for row in rows]


@pytest.fixture
def hostile_stores(database, org, tokens):
    """The test organisation's stores, teams, reps and primary contacts with hostile text;
    returns an admin's headers and the stores as stored."""
    headers = tokens.headers("admin")
    with database.app_context():
        for store_id in org.store.values():
            db.session.add(StoreContact(store_id=store_id, name="x", role=ContactRole.OWNER,
                                        phone="03", is_primary=True))  # fmt: skip
        db.session.commit()
        hostile_text()
        return headers, stores_as_stored()


def test_the_store_export_is_safe_and_re_imports_to_the_same_values(client, hostile_stores):
    headers, before = hostile_stores
    exported = client.get("/api/stores/export.csv", headers=headers)
    assert exported.status_code == 200
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")
    cells = [c for line in csv.reader(io.StringIO(text[1:])) for c in line]
    for cell in cells:
        assert_safe(cell)
    values = {v for row in before for v in row if hostile(v)}
    assert {h for h in HOSTILE for v in values if v.startswith(h)} == set(HOSTILE)
    assert values <= {restore(c) for c in cells}

    for name, body in (("stores.csv", text.encode()), ("stores.xlsx", as_xlsx(text))):
        answer = client.post(
            "/api/stores/import", data={"file": (io.BytesIO(body), name)}, headers=headers
        )
        assert answer.status_code == 200 and answer.json["errors"] == [], (name, answer.json)
        assert answer.json["updated"] == len(before)
        with client.application.app_context():
            assert stores_as_stored() == before, name
    again = client.get("/api/stores/export.csv", headers=headers)
    assert again.get_data(as_text=True) == text


def as_xlsx(text: str) -> bytes:
    """The exported CSV saved as a workbook, the way a spreadsheet app would keep its text."""
    book = Workbook()
    for line in csv.reader(io.StringIO(text[1:])):
        book.active.append([xlsx_value(restore(c)) if c.startswith("'") else c for c in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
