"""Reading the change history: of a risk (with its children), of one record, or what
changed since a form was opened (shown on a conflict); and, for the API, a page of it
by key, for a record that the person asking may read."""

from __future__ import annotations

from datetime import datetime
from math import ceil

from sqlalchemy import func, select

from riskkit import permissions
from riskkit.audit import AUDITED
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import HistoryEntry, User
from riskkit.services.paging import check_key, keyset_page

#: The records whose history is the administrators', as their pages are.
ADMIN_RECORDS = ("register", "appetite", "team member", "token", "response role")
#: The records whose history anyone signed in may read, as their web pages show it (an
#: event is an exercise or incident): every other audited record, so a new one is never
#: left out of the API's description.
OPEN_RECORDS = tuple(name for name in AUDITED.values() if name not in ADMIN_RECORDS)


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


def record_page(by: User, entity: str, entity_id: int | None = None, *, risk_id: int | None = None,
                after: list | None = None, size: int = 100) -> tuple[list[HistoryEntry], list | None]:
    """A page of one record's history rows (or, with risk_id, a risk's and its children's),
    newest first, by key (services.paging.keyset_page): the rows after `after` ([row id];
    None: from the start), and the next page's key. Refused (403) a record whose history is
    the administrators' to someone else; NotFound for a record with no history at all."""
    if entity in ADMIN_RECORDS:
        permissions.require(by, "administer")
    elif entity not in OPEN_RECORDS:
        raise ValidationError(f"{entity!r} is not a kind of record with a history: choose one of"
                              f" {', '.join(OPEN_RECORDS + ADMIN_RECORDS)}", "record")
    own = (None, None) if risk_id is not None else (entity, entity_id)
    statement = _scope(select(HistoryEntry), risk_id, *own).order_by(HistoryEntry.id.desc())
    condition = None if after is None else HistoryEntry.id < check_key(after, (int,))[0]
    rows, next_key = keyset_page(statement, condition, size, lambda last: [last.id])
    if not rows and after is None:
        raise NotFound(f"No history of {entity} {entity_id if risk_id is None else risk_id}")
    return rows, next_key
