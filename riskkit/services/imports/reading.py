"""A workbook (.xlsx) or CSV file read into plain rows per sheet, refusing what cannot
be read whole: not a spreadsheet, empty, password-protected, too large, a merged cell
in the data rows, a formula whose value Excel never saved."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from riskkit.errors import ValidationError
from riskkit.formulas import restore

#: Larger files are refused before they are read (the web upload has the same limit).
MAX_BYTES = 20 * 1024 * 1024
#: What a formula cell with no value saved reads as, so the importer can name it.
UNSAVED = object()
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx, or an old .xls


@dataclass
class Sheet:
    name: str
    rows: list[list] = field(default_factory=list)  # rows[0] is the sheet's row 1
    # Merged ranges, as (first row, last row, "B7:C7"): only those in data rows are errors.
    merged: list[tuple[int, int, str]] = field(default_factory=list)


def read_file(path: Path, name: str | None = None) -> list[Sheet]:
    """Every sheet of FILE.xlsx, or the one table of FILE.csv. `name` is the file's
    name as the user knows it (an upload is saved under another)."""
    name = name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError(f"{name} is not a spreadsheet riskkit reads: save it as an Excel"
                              " workbook (.xlsx) or a CSV file (.csv)", field="file")
    size = path.stat().st_size
    if size == 0:
        raise ValidationError(f"{name} is empty", field="file")
    if size > MAX_BYTES:
        raise ValidationError(f"{name} is {size / 1024 / 1024:.0f} MB; the largest file riskkit"
                              f" imports is {MAX_BYTES // 1024 // 1024} MB", field="file")
    sheets = _read_csv(path, name) if suffix == ".csv" else _read_xlsx(path, name)
    if not any(any(cell not in (None, "") for cell in row) for sheet in sheets for row in sheet.rows):
        raise ValidationError(f"{name} has no rows to import", field="file")
    return sheets


def _read_csv(path: Path, name: str) -> list[Sheet]:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise ValidationError(f"{name} is not a CSV text file", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # riskkit's own export puts ' before text a spreadsheet would run as a formula.
    rows = [[restore(cell) for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    return [Sheet(Path(name).stem, rows)]


def _read_xlsx(path: Path, name: str) -> list[Sheet]:
    with path.open("rb") as handle:
        start = handle.read(8)
    if start == _OLE:
        raise ValidationError(
            f"{name} is password-protected (or an old .xls workbook): open it in Excel, remove"
            " the password (File > Info > Protect Workbook) and save it as .xlsx", field="file")
    if not zipfile.is_zipfile(path):
        raise ValidationError(f"{name} is not an Excel workbook: it cannot be opened as .xlsx",
                              field="file")
    from openpyxl import load_workbook  # on first use: the CLI starts fast

    with warnings.catch_warnings():
        # openpyxl warns of Excel features it does not read (data validation, slicers):
        # they hold no register data.
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
            raise ValidationError(f"{name} is not an Excel workbook riskkit can read ({error})",
                                  field="file") from None
        try:
            return [_read_sheet(book, sheet) for sheet in book.worksheets]
        finally:
            book.close()


def _read_sheet(book, worksheet) -> Sheet:
    """Rows of one sheet through openpyxl's own streaming parser, which also hands back
    what read-only sheets hide: merged ranges and formulas without a saved value."""
    from openpyxl.worksheet._reader import WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(_FORMULA) is not None:
                cell["value"] = UNSAVED
            return cell

    sheet = Sheet(worksheet.title)
    with worksheet._get_source() as source:
        parser = Parser(source, worksheet._shared_strings, data_only=True, epoch=book.epoch,
                        date_formats=book._date_formats,
                        timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            while len(sheet.rows) < number - 1:
                sheet.rows.append([])
            row = []
            for cell in cells:
                row.extend([None] * (cell["column"] - 1 - len(row)))
                row.append(cell["value"])
            sheet.rows.append(row)
        merged = getattr(parser, "merged_cells", None)
        for cell_range in (merged.mergeCell if merged is not None else []):
            first, last = _rows_of(cell_range.ref)
            sheet.merged.append((first, last, cell_range.ref))
    return sheet


_FORMULA = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}f"


def _rows_of(ref: str) -> tuple[int, int]:
    from openpyxl.utils.cell import range_boundaries

    _, first, _, last = range_boundaries(ref)
    return first, last
