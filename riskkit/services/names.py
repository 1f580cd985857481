"""Finding a record by a name someone typed, whatever its case."""

from sqlalchemy import func


def same_name(column, value: str | None):
    """SQL: `column` equals `value` (trimmed), case ignored. Both sides are folded by the
    database's own lower(): SQLite folds only A to Z, so a value folded by Python ("Łukasz"
    to "łukasz") would never match the stored "Łukasz" however it was typed."""
    return func.lower(column) == func.lower((value or "").strip())
