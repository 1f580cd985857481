"""Reading the change history: of a risk (with its children), of one record, or what
changed since a form was opened (shown on a conflict)."""

from __future__ import annotations

from datetime import datetime
from math import ceil

from sqlalchemy import func, select

from riskkit.extensions import db
from riskkit.models import HistoryEntry


def entries(*, risk_id: int | None = None, entity: str | None = None,
            entity_id: int | None = None, after: datetime | None = None,
            newest_first: bool = True, limit: int | None = 200) -> list[HistoryEntry]:
    """History rows of a risk and its children (risk_id), or of one record (entity and
    entity_id), optionally only those after a moment."""
    statement = _scope(select(HistoryEntry), risk_id, entity, entity_id)
    if after is not None:
        statement = statement.where(HistoryEntry.at > after)
    statement = statement.order_by(HistoryEntry.id.desc() if newest_first else HistoryEntry.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def changed_since(opened_at: str | None, **record) -> list[HistoryEntry]:
    """What others changed on a record since a form was opened (`opened_at` is the
    form's ISO timestamp; an unreadable one gives nothing), oldest first."""
    try:
        opened = datetime.fromisoformat(opened_at or "")
    except ValueError:
        return []
    return entries(after=opened, newest_first=False, limit=None, **record)



def removed(risk_id: int, entity: str, entity_id: int) -> dict[str, str | None]:
    """The fields of a control or action of this risk as they were when it was removed
    (field -> value as text, people by name), read from its removal's history rows; empty
    if this risk has no such removal."""
    rows = db.session.scalars(_scope(select(HistoryEntry), risk_id, entity, entity_id)
                              .where(HistoryEntry.change == "delete"))
    return {row.field: row.old_value for row in rows}


def _scope(statement, risk_id: int | None, entity: str | None, entity_id: int | None):
    if risk_id is not None:
        statement = statement.where(HistoryEntry.risk_id == risk_id)
    if entity is not None:
        statement = statement.where(HistoryEntry.entity == entity,
                                    HistoryEntry.entity_id == entity_id)
    return statement


def saves(*, risk_id: int | None = None, entity: str | None = None,
          entity_id: int | None = None, page: int = 1,
          per_page: int = 20) -> tuple[list[HistoryEntry], int]:
    """One page of history rows, paged by save (every row one save wrote shares its
    moment), newest save first and each save's rows in the order written; and the number
    of pages (a page past the last gives the last). Three statements whatever the length
    of the history."""
    moments = _scope(select(HistoryEntry.at).distinct(), risk_id, entity, entity_id)
    total = db.session.scalar(select(func.count()).select_from(moments.subquery()))
    pages = max(ceil(total / per_page), 1)
    page = min(max(page, 1), pages)
    shown = db.session.scalars(moments.order_by(HistoryEntry.at.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    if not shown:
        return [], pages
    rows = _scope(select(HistoryEntry), risk_id, entity, entity_id).where(
        HistoryEntry.at.in_(shown)).order_by(HistoryEntry.at.desc(), HistoryEntry.id)
    return list(db.session.scalars(rows)), pages
