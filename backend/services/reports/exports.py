"""Any report as CSV or XLSX, from the same JSON the API answers, so the numbers are the same.

The report's lists (groups, trend, items, prices...) and its `total` become sections: in CSV one
table with a leading `section` column, in XLSX one sheet per section. Nested values flatten to
`parent_child` columns (e.g. `completion_rate_numerator`). Cells go through `spreadsheet_cells`:
text a spreadsheet would run as a formula is neutralised, and the CSV starts with a UTF-8 BOM.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from ..spreadsheet_cells import csv_text, xlsx_value

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, item in value.items():
        key = f"{prefix}{name}"
        if isinstance(item, dict):
            flat.update(flatten(item, f"{key}_"))
        elif not isinstance(item, list):
            flat[key] = item
    return flat


def sections(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The report's tables: every list of objects, and `total` as a one-row table."""
    tables = {
        name: [flatten(row) for row in value]
        for name, value in report.items()
        if isinstance(value, list) and all(isinstance(row, dict) for row in value)
    }
    if isinstance(report.get("total"), dict):
        tables["total"] = [flatten(report["total"])]
    return tables


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(name for row in rows for name in row))


def to_csv(report: dict[str, Any]) -> str:
    tables = sections(report)
    columns = _columns([row for rows in tables.values() for row in rows])
    lines = (
        [name, *(row.get(c) for c in columns)] for name, rows in tables.items() for row in rows
    )
    return csv_text([["section", *columns], *lines])


def to_xlsx(report: dict[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sections(report).items():
        sheet = book.create_sheet(name[:31])
        columns = _columns(rows)
        sheet.append([xlsx_value(c) for c in columns])
        for row in rows:
            sheet.append([xlsx_value(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(report: dict[str, Any], fmt: str) -> str | bytes:
    return to_csv(report) if fmt == "csv" else to_xlsx(report)
