"""Text a spreadsheet would run as a formula (CSV or formula injection), and how every
file riskkit writes keeps it as text.

A register holds text anyone with an owner's role typed or imported: a title like
`=HYPERLINK("http://evil.example","click")` is run by Excel when it opens a CSV file
holding it. Every CSV writer passes each cell through `neutralise`, which puts a single
quote before such text, as OWASP advises; the workbooks mark such cells as text with
Excel's own quote prefix (reports/workbook.py). The import takes the quote off again
(`restore`), so an export imports back as it was.
"""

from __future__ import annotations

import re

#: What Excel, LibreOffice and Google Sheets take as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A plain negative number ("-3", "-0.5") is data, not a formula: it stays a number.
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:\.\d+)?")


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet opening this text in a cell would run it."""
    return text.startswith(FORMULA_STARTS) and not _NEGATIVE_NUMBER.fullmatch(text)


def neutralise(value):
    """A cell for a CSV file: text that would run as a formula with a single quote before
    it, and text that already starts with a quote before such text with one more, so
    `restore` gives back exactly what was written. Anything else as it is."""
    if isinstance(value, str) and (runs_as_formula(value) or _quoted(value)):
        return "'" + value
    return value


def restore(text: str) -> str:
    """A cell read from a CSV file riskkit wrote: without the quote `neutralise` added."""
    return text[1:] if _quoted(text) else text


def _quoted(text: str) -> bool:
    """Quotes, then text that would run as a formula."""
    rest = text.lstrip("'")
    return len(rest) < len(text) and runs_as_formula(rest)
