"""The data rows of a mapped sheet: each cell under its field, from the row below the
header to the first empty row or a key or legend below the table."""

from __future__ import annotations

from collections.abc import Iterator

from riskkit.errors import ValidationError
from riskkit.services.imports import headings, values
from riskkit.services.imports.reading import UNSAVED, Sheet
from riskkit.services.imports.results import ImportResult

#: A first cell like these below the table starts a key or legend, not a risk.
LEGEND_WORDS = ("key", "legend", "notes", "note", "scoring", "risk scoring", "rating key")


def data_rows(sheet: Sheet, mapping: headings.SheetMapping,
              result: ImportResult) -> Iterator[tuple[int, dict]]:
    """(row number, {field: (heading, value)}) for each data row. Formula cells without a
    saved value and merged cells among the data rows are problems in `result`."""
    header_index = mapping.header_row - 1
    header = sheet.rows[header_index] if header_index < len(sheet.rows) else []
    groups = sheet.rows[header_index - 1] if header_index else []
    columns = {}
    for position in range(len(header)):
        key = headings.column_key(header, groups, position)
        target = mapping.columns.get(key, "ignore")
        if key and target != "ignore":
            columns[position] = (key, target)
    missing = set(mapping.columns.values()) - {t for _, t in columns.values()} - {"ignore"}
    if missing and not columns:
        raise ValidationError(f"Sheet {mapping.name!r} row {mapping.header_row} is not its"
                              " header: none of the mapped headings are there", "header_row")
    last = len(sheet.rows)
    for number in range(mapping.header_row + 1, len(sheet.rows) + 1):
        row = sheet.rows[number - 1]
        filled = [cell for cell in row if cell not in (None, "")]
        first = values.text(filled[0]).lower().rstrip(":") if filled else ""
        if not filled or first in LEGEND_WORDS:
            last = number - 1
            break
        cells = {}
        for position, (heading, target) in columns.items():
            value = row[position] if position < len(row) else None
            if value is UNSAVED:
                result.problem((mapping.name, number), heading,
                               "the formula in this cell has no saved value: open the file in"
                               " Excel and save it again, or type the value")
                value = None
            cells.setdefault(target, (heading, value))
        yield number, cells
    for first_row, last_row, ref in sheet.merged:
        if first_row <= last and last_row > mapping.header_row:
            result.problem((mapping.name, max(first_row, mapping.header_row + 1)), "",
                           f"cells {ref} are merged: unmerge them so each row has its own"
                           " values")
