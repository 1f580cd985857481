"""Column helpers shared by the models, and the last check every row passes before it
is written: nothing the database would refuse (or choke on) is ever sent to it."""

import re
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from riskkit import clock
from riskkit.errors import ValidationError

#: The longest multi-line text kept (a description, a comment, an observation): pages of
#: prose, and still something the committee papers can print.
TEXT_LIMIT = 10_000
#: The dates the register deals in. Outside them a date is a typing slip (year 20211) or
#: an attack, and reviews scheduled from it could run past the calendar's end.
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)
#: PostgreSQL's integer; every id and number column is one.
LARGEST_INT = 2**31 - 1
#: Tab and line breaks: the only control characters multi-line text may hold.
LAYOUT = "\t\n\r"
#: Unicode's control characters (category Cc) and surrogates (Cs), with and without the
#: layout ones: a regular expression, as every cell of a large import passes through it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def utcnow() -> datetime:
    return clock.utcnow()


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def control_character(value: str, multiline: bool = False) -> str | None:
    """The first character text may not hold (NUL and the other control characters,
    which PostgreSQL or a printed page cannot take; unpaired surrogates, which cannot be
    encoded), or None. Multi-line text may hold tab and line breaks."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    return found.group() if found else None


def clean_text(value, field: str, required: bool = False, limit: int | None = None) -> str:
    """Strip a text field; refuse it empty (when required), too long, or holding a control
    character, naming the field. A limit (the column's length) makes it a one-line value;
    without one it is multi-line text of up to TEXT_LIMIT characters."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"Enter a {field.replace('_', ' ')}", field=field)
    bad = control_character(value, multiline=limit is None)
    if bad is not None:
        raise ValidationError(f"{_label(field)} must be one line" if bad in LAYOUT else
                              f"{_label(field)} must not contain the control character"
                              f" U+{ord(bad):04X}", field)
    limit = limit or TEXT_LIMIT
    if len(value) > limit:
        raise ValidationError(f"{_label(field)} must be {limit} characters or fewer", field)
    return value


def check_date(value: date | None, field: str) -> date | None:
    """Refuse a date outside EARLIEST to LATEST, naming the field."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(
            f"{_label(field)} must be in the years {EARLIEST.year} to {LATEST.year}", field)
    return value


# --- the last check before a row is written -------------------------------------------------


def _entity(obj) -> str:
    """'continuity plan' for a ContinuityPlan."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(obj).__name__).lower()


def _check_value(column, field: str, value) -> None:
    """What the column's type allows: text without NUL (or other control characters but
    tab and line breaks) within its length, an integer PostgreSQL can hold, a sane date."""
    if isinstance(value, str):
        bad = control_character(value, multiline=True)
        if bad is not None:
            raise ValidationError(
                f"{_label(field)} must not contain the control character U+{ord(bad):04X}", field)
        limit = column.type.length if isinstance(column.type, String) else None
        if len(value) > (limit or TEXT_LIMIT):
            raise ValidationError(
                f"{_label(field)} must be {limit or TEXT_LIMIT} characters or fewer", field)
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(
            column.type, Integer) and not -LARGEST_INT - 1 <= value <= LARGEST_INT:
        raise ValidationError(f"{_label(field)} must be a whole number from {-LARGEST_INT - 1}"
                              f" to {LARGEST_INT}", field)
    elif isinstance(value, date) and isinstance(column.type, Date):
        check_date(value, field)


@event.listens_for(Session, "before_flush")
def _check_rows(session, flush_context, instances):
    """Every changed column of every row about to be written, against its column type and
    any unique constraint; a refusal names the field, so forms, the command line and
    imports all report it like any other bad value."""
    deleted = {(type(obj), inspect(obj).identity) for obj in session.deleted}
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            added = state.attrs[attr.key].history.added
            if not added or added[0] is None:
                continue
            column, field = attr.columns[0], attr.key.removesuffix("_id")
            _check_value(column, field, added[0])
            if column.unique:
                key = state.mapper.primary_key[0]
                others = select(key).where(column == added[0])
                if state.identity:
                    others = others.where(key != state.identity[0])
                clash = session.execute(others.limit(1)).scalar()
                if clash is not None and (type(obj), (clash,)) not in deleted:
                    raise ValidationError(
                        f"There is already a {_entity(obj)} with that {field.replace('_', ' ')}",
                        field)


def check_values(model, values: dict) -> dict:
    """The checks a new row of `model` passes in the session (its validators, then every
    column as above, bar uniqueness), for rows inserted in bulk without it (an import,
    which checks its references itself). Returns the values as the validators leave them."""
    mapper = inspect(model)
    checked = dict(values)
    # The validators look only at the value they are given: an empty instance will do.
    probe = model.__new__(model)
    for key, (validator, _) in mapper.validators.items():
        if key in checked:
            checked[key] = validator(probe, key, checked[key])
    for attr in mapper.column_attrs:
        value = checked.get(attr.key)
        if value is not None:
            _check_value(attr.columns[0], attr.key.removesuffix("_id"), value)
    return checked
