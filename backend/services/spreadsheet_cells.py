"""Cells a spreadsheet will not run: every CSV and XLSX writer passes its values through here.

A spreadsheet reads a cell whose text starts with `=`, `+`, `-` or `@` as a formula, and skips a
leading tab or carriage return before looking: a product name typed as `=HYPERLINK(...)` would be
a live link in Excel. Such text gets a leading apostrophe (OWASP's advice), which spreadsheets
read as "this is text". Text that already starts with apostrophes before a trigger gets one more,
so `restore` (the store import) strips exactly the one an export added: every text round-trips.
Numbers written as numbers (int, float, Decimal) are not text and stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Japanese, Chinese names) only after this mark
# Characters XML 1.0 cannot hold (openpyxl refuses them): shown as U+FFFD, not a failed export.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# XML reads a raw carriage return as a line feed; OOXML writes it `_x000D_` (and so an
# underscore that would start such an escape as `_x005F_`), as Excel does.
_OOXML_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _starts_with_trigger(text: str) -> bool:
    return text.lstrip("'").startswith(TRIGGERS)


def neutralise(value: Any) -> Any:
    """The value, with an apostrophe before text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and _starts_with_trigger(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text an export neutralised, as it was (other text unchanged)."""
    return text[1:] if text.startswith("'") and _starts_with_trigger(text) else text


def xlsx_value(value: Any) -> Any:
    """A value fit for an openpyxl cell: neutralised (openpyxl would turn text starting with `=`
    into a formula), carriage returns kept, characters XML cannot hold replaced."""
    value = neutralise(value)
    if not isinstance(value, str):
        return value
    value = _OOXML_ESCAPE_LIKE.sub("_x005F_", value).replace("\r", "_x000D_")
    return _NOT_XML.sub("\ufffd", value)


def xlsx_text(text: str) -> str:
    """A workbook cell's text as a spreadsheet shows it: OOXML's `_xHHHH_` escapes decoded
    (openpyxl leaves them as they are)."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as CSV text: the byte-order mark first, every cell neutralised, None empty."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([("" if v is None else neutralise(v)) for v in row] for row in rows)
    return out.getvalue()
