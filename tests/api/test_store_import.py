"""Bulk store import: all-or-nothing by default, valid rows only on request, CSV and XLSX."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import Workbook

HEADER = "code,name,channel,tier,address,lat,lng,visit_minutes,team,rep,hours"


def good_row(i: int) -> str:
    return (
        f"IMP-{i:04d},Store {i},modern,{'ABC'[i % 3]},Chuo {i},{35.6 + i / 10000:.5f},"
        f"{139.7 + i / 10000:.5f},15,N1,rep-n1a,mon-fri 08:00-12:00 13:00-18:00; sat 09:00-12:00"
    )


def thousand_rows_with_three_bad() -> tuple[str, list[dict]]:
    rows = [good_row(i) for i in range(1000)]
    rows[10] = rows[10].replace(",modern,", ",hypermarket,")
    rows[500] = rows[500].replace("35.65", "95.65")
    rows[998] = rows[998].replace("mon-fri 08:00-12:00", "mon-fri 8-12")
    lat_message = "Must be greater than or equal to -90 and less than or equal to 90."
    expected = [
        {
            "row": 12,
            "column": "channel",
            "message": "Must be one of: traditional, modern, special.",
        },
        {"row": 502, "column": "lat", "message": lat_message},
        {"row": 1000, "column": "hours", "message": "'8-12': expected HH:MM-HH:MM"},
    ]
    return "\n".join([HEADER, *rows]) + "\n", expected


def good_997_report(expected: list[dict]) -> dict:
    """The report on the file of 1000 rows with three bad: the good rows are created."""
    return {"rows": 1000, "created": 997, "updated": 0, "rejected": 3, "errors": expected}


def upload(client, headers, content: bytes, filename="stores.csv", **form):
    return client.post(
        "/api/stores/import",
        data={"file": (io.BytesIO(content), filename), **form},
        headers=headers,
    )


def store_total(client, headers) -> int:
    return client.get("/api/stores?per_page=1", headers=headers).json["meta"]["total"]


def test_bad_rows_are_reported_and_nothing_is_imported(client, org, tokens):
    headers = tokens.headers("admin")
    text, expected = thousand_rows_with_three_bad()
    response = upload(client, headers, text.encode())
    assert response.status_code == 422
    assert response.json["errors"]["rows"] == expected
    assert response.json["message"] == "3 of 1000 rows have errors; nothing was imported."
    assert store_total(client, headers) == 5


def test_valid_only_imports_the_997_good_rows(client, org, tokens):
    headers = tokens.headers("admin")
    text, expected = thousand_rows_with_three_bad()
    response = upload(client, headers, text.encode(), valid_only="true")
    assert response.status_code == 200
    assert response.json == good_997_report(expected)
    assert store_total(client, headers) == 5 + 997
    rep = client.get("/api/stores?q=IMP-0001", headers=tokens.headers("rep-n1a")).json["items"][0]
    assert rep["tier"] == "B" and len(rep["hours"]) == 11


def test_xlsx_import_with_native_cell_types(client, org, tokens):
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Name", "Channel", "Tier", "Lat", "Lng", "Visit_minutes", "Team"])
    sheet.append(["X-1", "Excel Store", "special", "A", 35.61, 139.71, 30, "N1"])
    sheet.append(["X-2", "Excel Store 2", "modern", "C", 35.62, 139.72, 12.0, "N1"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, tokens.headers("sup-n1"), buffer.getvalue(), "stores.xlsx")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 2
    found = client.get("/api/stores?q=Excel", headers=tokens.headers("sup-n1")).json["items"]
    assert sorted((s["code"], s["visit_minutes"]) for s in found) == [("X-1", 30), ("X-2", 12)]


def test_existing_codes_are_updated(client, org, tokens):
    headers = tokens.headers("sup-n1")
    text = "code,name,channel,tier,lat,lng\nn1-a,Renamed,modern,A,35.66,139.77\n"
    response = upload(client, headers, text.encode())
    assert response.json["updated"] == 1 and response.json["created"] == 0
    assert client.get(f"/api/stores/{org.store['n1-a']}", headers=headers).json["name"] == "Renamed"


@pytest.mark.parametrize(
    ("text", "row_errors"),
    [
        ("code,name,channel,tier,lat\n", {"column": "lng", "message": "Required column missing."}),
        (
            "code,name,channel,tier,lat,lng,colour\n",
            {"column": "colour", "message": "Unknown column."},
        ),
    ],
)
def test_header_problems_are_reported_on_row_1(client, org, tokens, text, row_errors):
    response = upload(client, tokens.headers("admin"), text.encode())
    assert response.status_code == 422 and response.json["errors"]["rows"] == [
        {"row": 1, **row_errors}
    ]


def test_row_level_lookups_and_duplicates(client, org, tokens):
    text = "\n".join(
        [
            "code,name,channel,tier,lat,lng,team,rep,active",
            "D-1,One,modern,A,35.6,139.7,N1,rep-n1a,true",
            "D-1,Again,modern,A,35.6,139.7,N1,rep-n1a,true",
            "D-2,Two,modern,A,35.6,139.7,Nowhere,,true",
            "D-3,Three,modern,A,35.6,139.7,N1,rep-n2a,maybe",
            "D-4,,modern,A,35.6,139.7,N1,,",
        ]
    )
    response = upload(client, tokens.headers("sup-n1"), text.encode())
    assert response.json["errors"]["rows"] == [
        {"row": 3, "column": "code", "message": "Duplicate of row 2."},
        {"row": 4, "column": "team", "message": "No team 'Nowhere' in your scope."},
        {"row": 5, "column": "rep", "message": "No rep 'rep-n2a' in your scope."},
        {"row": 5, "column": "active", "message": "Use true or false."},
        {"row": 6, "column": "name", "message": "Missing data for required field."},
    ]


@pytest.mark.parametrize(
    ("content", "filename"),
    [(b"\xff\xfe\x00bad", "s.csv"), (b"not a zip", "s.xlsx"), (b"a,b", "s.txt"), (b"", "s.csv")],
)
def test_unreadable_files_are_422(client, org, tokens, content, filename):
    response = upload(client, tokens.headers("admin"), content, filename)
    assert response.status_code == 422 and response.json["errors"]["files"]["file"]


def test_missing_file_and_bad_flag(client, org, tokens):
    headers = tokens.headers("admin")
    missing = client.post("/api/stores/import", data={}, headers=headers)
    assert missing.status_code == 422 and "file" in missing.json["errors"]["files"]
    flag = upload(client, headers, b"code\n", valid_only="perhaps")
    assert flag.status_code == 422 and "valid_only" in flag.json["errors"]["form"]


def test_too_many_rows(app, client, org, tokens):
    app.config["STORE_IMPORT_MAX_ROWS"] = 5
    try:
        text = "\n".join([HEADER, *(good_row(i) for i in range(6))])
        response = upload(client, tokens.headers("admin"), text.encode())
        assert response.status_code == 422 and "At most 5 rows" in response.json["message"]
    finally:
        app.config["STORE_IMPORT_MAX_ROWS"] = 20000


def test_a_dry_run_reports_every_bad_row_and_imports_nothing(client, org, tokens):
    headers = tokens.headers("admin")
    text, expected = thousand_rows_with_three_bad()
    response = upload(client, headers, text.encode(), dry_run="true")
    assert response.status_code == 200
    assert response.json == good_997_report(expected)
    assert store_total(client, headers) == 5


def test_a_dry_run_counts_updates_and_changes_nothing(client, org, tokens):
    headers = tokens.headers("sup-n1")
    text = (
        "code,name,channel,tier,lat,lng\n"
        "n1-a,Renamed,modern,A,35.66,139.77\n"
        "n1-new,New,modern,B,35.67,139.78\n"
    )
    response = upload(client, headers, text.encode(), dry_run="true")
    assert response.status_code == 200
    assert (response.json["created"], response.json["updated"]) == (1, 1)
    assert response.json["errors"] == []
    assert client.get(f"/api/stores/{org.store['n1-a']}", headers=headers).json["name"] == (
        "Store n1-a"
    )
    assert store_total(client, headers) == 3


def test_a_dry_run_does_not_spend_its_idempotency_key(client, org, tokens):
    """The check and the import may carry one key: only the import is recorded under it."""
    headers = {**tokens.headers("admin"), "Idempotency-Key": str(uuid.uuid4())}
    text = "\n".join([HEADER, good_row(1), good_row(2)]) + "\n"
    checked = upload(client, headers, text.encode(), dry_run="true")
    assert checked.status_code == 200 and checked.json["created"] == 2
    assert "Idempotent-Replayed" not in checked.headers
    imported = upload(client, headers, text.encode())
    assert imported.status_code == 200 and imported.json["created"] == 2
    assert "Idempotent-Replayed" not in imported.headers
    replayed = upload(client, headers, text.encode())
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json == imported.json
    assert store_total(client, headers) == 5 + 2


def test_a_dry_run_still_refuses_a_bad_header(client, org, tokens):
    response = upload(client, tokens.headers("admin"), b"code,name\n", dry_run="true")
    assert response.status_code == 422 and response.json["errors"]["rows"][0]["row"] == 1
