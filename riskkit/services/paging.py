"""A page of a list that grows with the organisation: by number (the rows of one page and
how many there are in all, in two statements whatever the size of the list), or by key
for the API (the rows after the last one a client saw, and the key of the next page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import ceil

from sqlalchemy import and_, func, or_, select

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import LARGEST_INT


@dataclass
class Page:
    items: list
    number: int  # from 1
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)


def paginate(statement, number: int | None, per_page: int) -> Page:
    """Page `number` of an ordered select (the last page when asked for one beyond it)."""
    total = db.session.scalar(select(func.count()).select_from(
        statement.order_by(None).subquery()))
    number = min(max(number or 1, 1), max(ceil(total / per_page), 1))
    items = list(db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page))
                 .unique())
    return Page(items, number, per_page, total)


def page_of(items: list, number: int | None, per_page: int) -> Page:
    """Page `number` of a list already worked out in full (the last page when asked for
    one beyond it): for a list whose order is judged in Python, such as what the
    exercise programme has due."""
    pages = max(ceil(len(items) / per_page), 1)
    number = min(max(number or 1, 1), pages)
    return Page(items[(number - 1) * per_page:number * per_page], number, per_page, len(items))


#: What a client is told of a page key it did not take from a `next` link.
KEY_REFUSED = "The page key in 'after' is not one this list gave: start again from the first page"


def keyset_page(statement, after_condition, size: int, key_of) -> tuple[list, list | None]:
    """A page of an ordered select by key rather than number: the rows after
    `after_condition` (None: from the start), and `key_of(last row)` to ask for the next
    page with (None on the last). A row added or removed meanwhile neither repeats nor
    skips another, as a numbered page's offset would."""
    if after_condition is not None:
        statement = statement.where(after_condition)
    rows = list(db.session.scalars(statement.limit(size + 1)).unique())
    if len(rows) <= size:
        return rows, None
    return rows[:size], key_of(rows[size - 1])


def check_key(key, shapes: tuple) -> list:
    """A page key as a client sent it back: a list of as many values as `shapes` has types,
    each of its type (a tuple of types allowed), bounded as a database column holds them;
    else refused, naming `after`, the parameter that carries it."""
    if (not isinstance(key, list) or len(key) != len(shapes)
            or not all(isinstance(v, t) and not isinstance(v, bool)
                       and (not isinstance(v, int) or abs(v) <= LARGEST_INT)
                       and (not isinstance(v, str) or len(v) <= 40)
                       for v, t in zip(key, shapes, strict=True))):
        raise ValidationError(KEY_REFUSED, "after")
    return key


def key_date(value: str | None) -> date | None:
    """A date carried in a page key (ISO text, or None)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(KEY_REFUSED, "after") from None


def ascending_nulls_last(column, id_column, key: list):
    """SQL for 'comes after the key' in the order (column ascending, nulls last, then id or
    reference): key is [the column's value (None past the dated rows), the tiebreak]."""
    value, tiebreak = key_date(key[0]), key[1]
    if value is None:
        return and_(column.is_(None), id_column > tiebreak)
    return or_(column > value, column.is_(None), and_(column == value, id_column > tiebreak))
