"""A page of a list that grows with the organisation: the rows of one page and how many
there are in all, in two statements whatever the size of the list."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

from riskkit.extensions import db


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
