"""The register as an Excel workbook or a CSV file: plain rows in, bytes out.

The workbook is written in openpyxl's write-only mode, which streams each row to a
temporary file, so memory does not grow with the number of rows (only with the
distinct strings, which the file format shares between cells).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:  # a renderer needs only the shape of a sheet, not the service
    from riskkit.services.exports import Sheet

DATE_FORMAT = "dd/mm/yyyy"  # as the committee papers write dates
#: What spreadsheet programs take as the start of a formula when it begins a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(sheets: Iterable[Sheet], title: str) -> bytes:
    """One worksheet per sheet: bold header row, frozen, with filters on every column;
    dates are real dates shown dd/mm/yyyy."""
    book = Workbook(write_only=True)
    book.properties.title = title
    book.properties.creator = "riskkit"
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        # Write-only sheets take their columns and panes before the first row.
        for number, width in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(number)].width = width
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        header = []
        for name in sheet.headers:
            cell = WriteOnlyCell(ws, name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        count = 0
        for row in sheet.rows:
            ws.append([_cell(ws, value) for value in row])
            count += 1
        # The filter range is written after the rows, so it can cover them all.
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{count + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(ws, value):
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        # Control characters (pasted from other programs) are not allowed in the file format.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # openpyxl would store text starting "=" as a formula: keep it as the text it is.
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"
            return cell
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to read the text as UTF-8;
    dates ISO 8601, which Excel and LibreOffice both read as dates."""
    out = io.BytesIO()
    # Encoded as it goes, so the text is held once (as bytes), not twice.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    text.flush()
    data = out.getvalue()
    text.close()
    return data


def _csv_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # A spreadsheet opening the file would run such text as a formula (CSV injection):
        # a leading apostrophe makes it text.
        return "'" + value
    return value
