"""Bulk store import from CSV or XLSX with a per-row error report.

Rows are matched to existing stores by `code` (update) or create new ones. A file with any bad
row imports nothing, unless `valid_only` is asked for; then the good rows go in and the bad ones
are reported. A dry run reports the same and writes nothing. Row numbers are the file's: the
header is row 1. A cell's formula-neutralising apostrophe (`spreadsheet_cells`, added by the
export) is stripped, so an exported file re-imports to the same values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import IO, Any

import marshmallow as ma
from defusedxml import DefusedXmlException
from flask import current_app
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import WorkSheetParser
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import InvalidError
from ..extensions import db
from ..models import Role, Store, StoreHours, Team, User
from ..schemas.common import CODE, LABEL, NAME, SHORT_NOTE, MaxLength
from ..schemas.stores import StoreSchema, check_hours
from ..scoping import scoped_select
from . import audit
from .spreadsheet_cells import restore, xlsx_text
from .store_contacts import primary_contact, set_primary_contact
from .store_table import COLUMNS, REQUIRED_COLUMNS, STORE_FIELDS, parse_hours
from .stores import CODE_UNAVAILABLE, resolve_assignment

# The cells the store schema does not read, bounded like the fields they name (a team, a rep's
# username, a week of hours, a flag): an over-long one is refused, neither looked up nor echoed.
EXTRA_CELL_LIMITS = {
    "team": NAME,
    "rep": LABEL,
    "hours": SHORT_NOTE,
    "active": LABEL,
    "contact_name": NAME,
    "contact_phone": CODE,
}
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e["row"] for e in self.errors})


def read_table(stream: IO[bytes], filename: str) -> list[dict[str, str]]:
    """The file's rows as dicts of cell text keyed by lower-cased header; validates the header.

    Reading stops at the first row over STORE_IMPORT_MAX_ROWS: a huge file is refused before
    the rest of it is read.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(stream)
    elif name.endswith(".csv"):
        rows = _csv_rows(stream)
    else:
        raise InvalidError("Upload a .csv or .xlsx file.", {"files": {"file": ["Unknown type."]}})
    limit = current_app.config["STORE_IMPORT_MAX_ROWS"]
    with closing(rows):
        header = _header(next(rows, None))
        table: list[dict[str, str]] = []
        for cells in rows:
            if len(table) == limit:
                raise InvalidError(
                    f"At most {limit} rows per file.", {"files": {"file": ["Too long."]}}
                )
            table.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)})
    return table


def _header(cells: list[str] | None) -> list[str]:
    if cells is None:
        raise InvalidError("The file is empty.", {"files": {"file": ["No header row."]}})
    header = [h.strip().lower() for h in cells]
    problems = [
        {"row": 1, "column": h or f"#{i + 1}", "message": "Unknown column."}
        for i, h in enumerate(header)
        if h not in COLUMNS
    ]
    problems += [
        {"row": 1, "column": c, "message": "Required column missing."}
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    if len(set(header)) != len(header):
        problems.append({"row": 1, "column": "", "message": "A column appears twice."})
    if problems:
        raise InvalidError("The header row is not valid.", {"rows": problems})
    return header


def _csv_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    """The non-empty rows, one at a time."""
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidError("CSV files must be UTF-8.", {"files": {"file": ["Not UTF-8"]}}) from None
    try:
        for row in csv.reader(io.StringIO(text)):
            if any(row):
                yield [restore(c.strip()) for c in row]
    except csv.Error as exc:
        raise InvalidError(
            f"Not a readable CSV file ({exc}).", {"files": {"file": ["Corrupt."]}}
        ) from None


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    """The first sheet's non-empty rows, one at a time, streamed from its XML.

    Not through `load_workbook`: in read-only mode it reads every sheet to its end when the
    sheet does not declare its dimension, before the first row is handed out (a 400k-row
    sheet took 17 s). openpyxl parses with defusedxml, which refuses XML entity declarations
    (billion laughs, external entities) instead of expanding them.
    """
    try:
        reader = ExcelReader(io.BytesIO(stream.read()), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # the date formats, to read dates as dates
        _, first = next(reader.parser.find_sheets())
        source = reader.archive.open(first.target)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise _unreadable_xlsx(exc) from None
    book = reader.wb
    sheet = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=book.epoch,
                            date_formats=book._date_formats,
                            timedelta_formats=book._timedelta_formats)  # fmt: skip
    try:
        for _, cells in sheet.parse():
            values = _row_values(cells)
            if any(v not in (None, "") for v in values):
                yield [_cell_text(v) for v in values]
    except Exception as exc:  # the sheet's XML is read only now, row by row
        raise _unreadable_xlsx(exc) from None
    finally:
        source.close()
        reader.archive.close()


def _row_values(cells: list[dict[str, Any]]) -> list[Any]:
    """A row's values by column (a sheet leaves out empty cells)."""
    values: list[Any] = [None] * max((c["column"] for c in cells), default=0)
    for cell in cells:
        values[cell["column"] - 1] = cell["value"]
    return values


def _unreadable_xlsx(exc: BaseException | None) -> InvalidError:
    cause = exc
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__ or cause.__context__  # openpyxl re-raises as a ValueError
    if cause is not None:
        message = "The XLSX file declares XML entities (a DTD); such files are refused unread."
        return InvalidError(message, {"files": {"file": ["XML entities."]}})
    return InvalidError("Not a readable XLSX file.", {"files": {"file": ["Corrupt."]}})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time | datetime):
        return value.strftime("%H:%M")
    return restore(xlsx_text(str(value)).strip())


def import_stores(
    actor: User, rows: list[dict[str, str]], valid_only: bool, dry_run: bool = False
) -> ImportReport:
    """Validate every row, then import all of them, or (`valid_only`) just the valid ones.
    `rows` come from `read_table`, which has refused a file over STORE_IMPORT_MAX_ROWS.

    A dry run only validates: it reports every row's errors and counts the valid rows it would
    create or update, and writes nothing.
    """
    report = ImportReport(rows=len(rows))
    teams = {t.name.lower(): t.id for t in db.session.scalars(scoped_select(actor, Team))}
    reps = {
        u.username.lower(): u.id
        for u in db.session.scalars(scoped_select(actor, User).where(User.role == Role.REP))
    }
    codes = [r.get("code", "") for r in rows]
    in_scope = {
        s.code: s
        for s in db.session.scalars(
            scoped_select(actor, Store)
            .where(Store.code.in_(codes))
            .options(selectinload(Store.contacts))
        )
    }
    taken = set(db.session.scalars(select(Store.code).where(Store.code.in_(codes))))
    schema = StoreSchema(only=STORE_FIELDS)
    seen: dict[str, int] = {}
    valid: list[tuple[dict[str, Any], Store | None]] = []
    for number, row in enumerate(rows, start=2):
        errors: list[tuple[str, str]] = []
        data = _load_row(schema, row, errors)
        code = row.get("code", "")
        if code in seen:
            errors.append(("code", f"Duplicate of row {seen[code]}."))
        seen.setdefault(code, number)
        existing = in_scope.get(code)
        if code in taken and existing is None:
            errors.append(("code", CODE_UNAVAILABLE))
        data.update(_load_extras(actor, row, existing, teams, reps, errors))
        if errors:
            report.errors += [{"row": number, "column": c, "message": m} for c, m in errors]
        else:
            valid.append((data, existing))
    if report.errors and not (valid_only or dry_run):
        raise InvalidError(
            f"{report.rejected} of {report.rows} rows have errors; nothing was imported.",
            {"rows": report.errors},
        )
    report.created = sum(existing is None for _, existing in valid)
    report.updated = len(valid) - report.created
    if not dry_run:
        for data, existing in valid:
            _apply(data, existing)
        db.session.flush()
        _record_import(actor, report, valid_only)
    return report


def _record_import(actor: User, report: ImportReport, valid_only: bool) -> None:
    detail = {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "rejected": report.rejected,
        "valid_only": valid_only,
    }
    audit.record(audit.Action.IMPORT, actor=actor, subject_type="stores", detail=detail)


def _load_row(schema: ma.Schema, row: dict[str, str], errors: list[tuple[str, str]]) -> dict:
    """The row's store fields, loaded by the store schema; an over-long extra cell is an error
    and is emptied in `row`, so nothing later reads it."""
    for column, limit in EXTRA_CELL_LIMITS.items():
        try:
            MaxLength(limit)(row.get(column, ""))
        except ma.ValidationError as exc:
            errors.extend((column, m) for m in exc.messages)  # type: ignore[union-attr]
            row[column] = ""
    raw = {k: v for k, v in row.items() if k in STORE_FIELDS and v != ""}
    try:
        return schema.load(raw)
    except ma.ValidationError as exc:
        for column, messages in exc.messages.items():  # type: ignore[union-attr]
            errors.extend((column, m) for m in messages)
        return {}


def _load_extras(
    actor: User,
    row: dict[str, str],
    existing: Store | None,
    teams: dict[str, int],
    reps: dict[str, int],
    errors: list[tuple[str, str]],
) -> dict[str, Any]:
    """team, rep, active, hours and the primary contact: the cells that need lookups, their
    own notation or another table. An empty contact cell leaves that part of the contact."""
    extras: dict[str, Any] = {}
    name, phone = row.get("contact_name") or None, row.get("contact_phone") or None
    if name or phone:
        if name is None and (existing is None or primary_contact(existing) is None):
            errors.append(("contact_name", "Required with contact_phone (no contact yet)."))
        extras["contact"] = (name, phone)
    team_id = existing.team_id if existing else None
    rep_id = existing.rep_id if existing else None
    if row.get("team"):
        team_id = teams.get(row["team"].lower())
        if team_id is None:
            errors.append(("team", f"No team '{row['team']}' in your scope."))
    if "rep" in row:
        rep_id = reps.get(row["rep"].lower()) if row["rep"] else None
        if row["rep"] and rep_id is None:
            errors.append(("rep", f"No rep '{row['rep']}' in your scope."))
    if not any(c in ("team", "rep") for c, _ in errors):
        try:
            extras["team_id"], extras["rep_id"] = resolve_assignment(actor, team_id, rep_id)
        except InvalidError as exc:
            field_name = next(iter((exc.errors or {}).get("json", {"team_id": None})))
            errors.append((field_name.removesuffix("_id"), exc.message))
    if row.get("active"):
        flag = row["active"].lower()
        if flag not in _TRUE | _FALSE:
            errors.append(("active", "Use true or false."))
        extras["active"] = flag in _TRUE
    if "hours" in row:
        try:
            windows = parse_hours(row["hours"])
            check_hours([{"weekday": d, "opens": o, "closes": c} for d, o, c in windows])
            extras["hours"] = windows
        except ValueError as exc:
            errors.append(("hours", str(exc)))
        except ma.ValidationError as exc:
            errors.append(("hours", " ".join(exc.messages)))  # type: ignore[arg-type]
    return extras


def _apply(data: dict[str, Any], existing: Store | None) -> None:
    hours = data.pop("hours", None)
    contact = data.pop("contact", None)
    store = existing or Store(active=True)
    for key, value in data.items():
        setattr(store, key, value)
    if hours is not None:
        store.hours = [StoreHours(weekday=d, opens=o, closes=c) for d, o, c in hours]
    if contact is not None:
        set_primary_contact(store, *contact)
    if existing is None:
        db.session.add(store)
