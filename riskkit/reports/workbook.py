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
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from riskkit.formulas import neutralise, runs_as_formula

if TYPE_CHECKING:  # a renderer needs only the shape of a sheet, not the service
    from riskkit.services.exports import Sheet

DATE_FORMAT = "dd/mm/yyyy"  # as the committee papers write dates
#: Every cell wraps its text and sits at the top of its row, so a long title reads whole.
WRAP = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(sheets: Iterable[Sheet], title: str) -> bytes:
    """One worksheet per sheet, ready to print: bold header row, frozen and repeated on
    every printed page, filters on every column, set widths, wrapped text, landscape and
    one page wide; dates are real dates shown dd/mm/yyyy."""
    book = Workbook(write_only=True)
    book.properties.title = title
    book.properties.creator = "riskkit"
    for sheet in sheets:
        write_table(book.create_sheet(sheet.name), sheet.headers, sheet.widths, sheet.rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_table(ws, headers: Sequence[str], widths: Iterable[int], rows: Iterable[Sequence],
                header_fill: PatternFill | None = None) -> None:
    """Headers (bold, wrapped, on `header_fill` if given) and rows on a write-only sheet
    made ready to print, with filters on every column."""
    print_ready(ws, widths)
    bold = Font(bold=True)
    header = []
    for name in headers:
        heading = WriteOnlyCell(ws, name)
        heading.font, heading.alignment = bold, WRAP
        if header_fill is not None:
            heading.fill = header_fill
        header.append(heading)
    ws.append(header)
    count = 0
    for row in rows:
        ws.append([cell(ws, value) for value in row])
        count += 1
    # The filter range is written after the rows, so it can cover them all.
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"


def print_ready(ws, widths: Iterable[int]) -> None:
    """Column widths, the header row frozen and printed on every page, and the page
    landscape and one page wide (as long as it needs). A write-only sheet takes these
    before its first row."""
    for number, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(number)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # UK councils print on A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def cell(ws, value) -> WriteOnlyCell:
    """A wrapped cell: text without the control characters the file format refuses (pasted
    from other programs), and never run as a formula; dates shown dd/mm/yyyy."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    made = WriteOnlyCell(ws, value)
    made.alignment = WRAP
    if isinstance(value, str) and runs_as_formula(value):
        # Text, with Excel's quote prefix (what typing ' before it does), so that neither
        # opening the file nor editing the cell runs it; the value stays the text itself.
        made.data_type = "s"
        made.quotePrefix = True
    elif isinstance(value, date):
        made.number_format = DATE_FORMAT
    return made


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
    return value.isoformat() if isinstance(value, date) else neutralise(value)
