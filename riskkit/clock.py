"""The one clock riskkit reads: every timestamp written (history, created and updated
times, published papers) and the day the commands and pages call today.

Time is read here and nowhere else so that a past quarter can be replayed: tests (and
anyone rebuilding a register's history) freeze it with `frozen`, and every record made
inside the block carries that moment, as if it had been made then.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta

_frozen: ContextVar[datetime | None] = ContextVar("riskkit_frozen_clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC (or the frozen moment)."""
    return _frozen.get() or datetime.now(UTC)


def today() -> date:
    """Today's date where riskkit runs (the day a person at the council would name)."""
    return utcnow().astimezone().date()


def end_of(day: date) -> datetime:
    """The first moment after `day` ends where riskkit runs, in UTC: what was recorded
    before it stood at the end of that day."""
    return datetime.combine(day + timedelta(days=1), time.min).astimezone().astimezone(UTC)


def aware(moment: datetime) -> datetime:
    """A stored moment with its time zone, UTC (SQLite gives back the naive UTC stored)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local(moment: datetime) -> datetime:
    """A stored moment in riskkit's time zone."""
    return aware(moment).astimezone()


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Read `moment` as now inside the block (a naive moment is taken as UTC)."""
    moment = aware(moment)
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _frozen.reset(token)
