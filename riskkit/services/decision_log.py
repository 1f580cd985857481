"""The decision log, kept as a loggist would: every declaration, every card step done and
every decision written down, each with its time and author, never edited. Steps are
logged by services.action_cards, declarations by services.levels; decisions here."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import clock, permissions
from riskkit.audit import acting_as
from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import Area, DecisionLogEntry, ResponseRole, User
from riskkit.models.base import clean_text


def may_log(person: User | None) -> bool:
    """Who writes decisions in the log: managers and resilience leads, and anyone holding
    a response role (the people taking the decisions)."""
    if person is None:
        return False
    if permissions.can(person, "edit_exercises"):
        return True
    return db.session.scalar(select(ResponseRole.id).where(
        ResponseRole.holders.any(User.id == person.id)).limit(1)) is not None


def record_decision(by: User | None, text: str, area: Area | None = None,
                    author: User | None = None) -> DecisionLogEntry:
    """A free-text decision, timed now, by `by` (on the command line, `author` names whose
    decision it is)."""
    if by is not None and not may_log(by):
        raise PermissionDenied("Only managers, resilience leads and holders of a response role write in"
                               " the decision log")
    author = by or author
    if author is None:
        raise ValidationError("Say whose decision it is", "author")
    text = clean_text(text, "decision", required=True)
    with acting_as(by):
        entry = DecisionLogEntry(author=author, area=area, kind="decision", text=text)
        db.session.add(entry)
        db.session.flush()
    return entry


def entries(since: date | None = None, until: date | None = None, kind: str | None = None,
            limit: int | None = None) -> list[DecisionLogEntry]:
    """The log from the start of `since` to the end of `until` (days where riskkit runs;
    either may be open), oldest first, with authors and areas loaded."""
    statement = select(DecisionLogEntry).options(
        selectinload(DecisionLogEntry.author), selectinload(DecisionLogEntry.area))
    if since is not None:
        statement = statement.where(DecisionLogEntry.at >= clock.end_of(since - timedelta(days=1)))
    if until is not None:
        statement = statement.where(DecisionLogEntry.at < clock.end_of(until))
    if kind:
        statement = statement.where(DecisionLogEntry.kind == kind)
    statement = statement.order_by(DecisionLogEntry.at, DecisionLogEntry.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def of_day(day: date) -> list[DecisionLogEntry]:
    return entries(day, day)
