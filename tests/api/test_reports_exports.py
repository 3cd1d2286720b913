"""Every report as CSV and XLSX carries exactly the numbers of its JSON."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from backend.services.reports.exports import sections

REPORTS = {
    "kpis": {"period": "week", "date": "2026-11-18", "group_by": "team"},
    "exceptions": {"period": "week", "date": "2026-11-18"},
    "photos": {"period": "week", "date": "2026-11-18"},
    "competitor-prices": {"period": "week", "date": "2026-11-18"},
    "display-compliance": {"period": "week", "date": "2026-11-18"},
    "near-expiry": {"as_of": "2026-11-18", "group_by": "store"},
}


def text(value):
    return "" if value is None else str(value)


def csv_rows(response) -> list[dict[str, str]]:
    """A CSV export's rows by header; it starts with the UTF-8 byte-order mark."""
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


@pytest.mark.parametrize("name", REPORTS)
def test_exports_equal_the_json(client, tokens, history, records, name):
    headers = tokens.headers("mgr-north")
    query = REPORTS[name]
    report = client.get(f"/api/reports/{name}", query_string=query, headers=headers).json
    expected = sections(report)
    assert any(expected.values()), "the history should give the report rows"

    response = client.get(f"/api/reports/{name}.csv", query_string=query, headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    for section, table in expected.items():
        got = [r for r in rows if r["section"] == section]
        assert [{k: g[k] for k in row} for g, row in zip(got, table, strict=True)] == [
            {k: text(v) for k, v in row.items()} for row in table
        ]
    assert len(rows) == sum(len(table) for table in expected.values())

    response = client.get(f"/api/reports/{name}.xlsx", query_string=query, headers=headers)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert sorted(book.sheetnames) == sorted(expected)
    for section, table in expected.items():
        values = list(book[section].values)
        header, body = list(values[0]), values[1:]
        assert [dict(zip(header, line, strict=True)) for line in body] == table


def test_kpi_csv_total_matches_by_name(client, tokens, history):
    headers = tokens.headers("sup-n1")
    query = {"period": "week", "date": "2026-11-18"}
    total = client.get("/api/reports/kpis", query_string=query, headers=headers).json["total"]
    rows = csv_rows(client.get("/api/reports/kpis.csv", query_string=query, headers=headers))
    row = next(r for r in rows if r["section"] == "total")
    assert row["completion_rate_numerator"] == str(total["completion_rate"]["numerator"]) == "2"
    assert row["completion_rate_denominator"] == "3"
    assert row["success_rate_rate"] == "1.0"


def test_exports_are_scoped_and_validated(client, tokens, org, history):
    headers = tokens.headers("sup-n1")
    bad = client.get("/api/reports/kpis.xlsx", query_string={"period": "x"}, headers=headers)
    assert bad.status_code == 422
    other = client.get(
        "/api/reports/kpis.csv", query_string={"team_id": org.team["N2"]}, headers=headers
    )
    assert other.status_code == 404
    assert client.get("/api/reports/display-compliance.csv").status_code == 401


def test_paged_lists_export_every_row(client, tokens, history):
    headers = tokens.headers("admin")
    query = {"period": "week", "date": "2026-11-18", "per_page": 1}
    page = client.get("/api/reports/photos", query_string=query, headers=headers).json
    assert page["meta"]["total"] == 2 and len(page["items"]) == 1
    body = client.get("/api/reports/photos.csv", query_string=query, headers=headers)
    rows = csv_rows(body)
    assert [r["section"] for r in rows] == ["items", "items"]
