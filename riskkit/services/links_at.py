"""Which lessons each action answered at the end of a day, rebuilt from the history as
services.as_of rebuilds records: the links as they are now, then every link made or
broken after the day undone, newest first.

The history keeps a link on both sides (the lesson's "actions", named "action 12"; the
action's "lessons", named "L0003"): a row's new value names the links it made, its old
value those it broke. As in services.as_of, what a load wrote is where riskkit's record
begins and is never undone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, or_, select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import HistoryEntry
from riskkit.models.lessons import lesson_actions
from riskkit.services.as_of import is_load

#: (lesson id, action id)
Link = tuple[int, int]


def lessons_of_actions(day: date, action_ids: Iterable[int]) -> dict[int, list[int]]:
    """The ids of the lessons each of these actions answered at the end of `day`, by
    action id, in lesson order; an action that answered none is left out."""
    wanted = set(action_ids)
    links: set[Link] = set()
    ids = list(wanted)
    for start in range(0, len(ids), 1000):
        links |= {(lesson_id, action_id) for lesson_id, action_id in db.session.execute(
            select(lesson_actions.c.lesson_id, lesson_actions.c.action_id)
            .where(lesson_actions.c.action_id.in_(ids[start:start + 1000])))}
    for row in db.session.scalars(
            select(HistoryEntry).where(
                HistoryEntry.at >= clock.end_of(day),
                or_(and_(HistoryEntry.entity == "lesson", HistoryEntry.field == "actions"),
                    and_(HistoryEntry.entity == "action", HistoryEntry.field == "lessons")))
            .order_by(HistoryEntry.id.desc())):
        if is_load(row.actor):
            continue
        links -= _named(row, row.new_value)
        links |= _named(row, row.old_value)
    found: dict[int, list[int]] = {}
    for lesson_id, action_id in sorted(links):
        if action_id in wanted:
            found.setdefault(action_id, []).append(lesson_id)
    return found


def _named(row: HistoryEntry, text: str | None) -> set[Link]:
    """The links a history value names: "action 12, action 14" on a lesson's row,
    "L0003, L0007" on an action's."""
    links = set()
    for label in (text or "").split(", "):
        number = label.removeprefix("action ") if row.entity == "lesson" else label.removeprefix("L")
        if number.isdigit():
            links.add((row.entity_id, int(number)) if row.entity == "lesson" else (int(number), row.entity_id))
    return links
