"""Reading the change history: of a risk (with its children), of one record, or what
changed since a form was opened (shown on a conflict)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import HistoryEntry


def entries(*, risk_id: int | None = None, entity: str | None = None,
            entity_id: int | None = None, after: datetime | None = None,
            newest_first: bool = True, limit: int | None = 200) -> list[HistoryEntry]:
    """History rows of a risk and its children (risk_id), or of one record (entity and
    entity_id), optionally only those after a moment."""
    statement = select(HistoryEntry)
    if risk_id is not None:
        statement = statement.where(HistoryEntry.risk_id == risk_id)
    if entity is not None:
        statement = statement.where(HistoryEntry.entity == entity,
                                    HistoryEntry.entity_id == entity_id)
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
