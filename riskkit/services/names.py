"""Finding a record by a name or number someone typed, whatever its case."""

from sqlalchemy import func

from riskkit.models.base import LARGEST_INT


def as_number(text) -> int | None:
    """What was typed, as a record's number when it is one: ASCII digits within the range
    the database holds. Anything else is None, to be looked up as a name: "²" is a digit
    to Python but no number, and 99999999999999999999 is past every column's range."""
    text = str(text if text is not None else "").strip()
    if text.isascii() and text.isdigit() and int(text) <= LARGEST_INT:
        return int(text)
    return None


def as_numbers(text: str | None) -> list[int]:
    """The record numbers in a comma-separated list (a form's hidden field of the ids it
    was opened with); anything else in it is left out."""
    return [n for part in (text or "").split(",") if (n := as_number(part)) is not None]


def same_name(column, value: str | None):
    """SQL: `column` equals `value` (trimmed), case ignored. Both sides are folded by the
    database's own lower(): SQLite folds only A to Z, so a value folded by Python ("Łukasz"
    to "łukasz") would never match the stored "Łukasz" however it was typed."""
    return func.lower(column) == func.lower((value or "").strip())
