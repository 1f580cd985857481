"""What is overdue, or due soon, as of a date: the one answer the nightly cron job,
the web page and the reminder emails all give.

Reviews are due on a risk's next review date, actions on their target date, lessons on
their due date until implemented, and the exercise programme as services.programme
says; an item is overdue from the day after. Reads plain columns, not whole risks, so a
register of 100,000 risks is one pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models import Action, Event, Lesson, Register, Risk, User
from riskkit.models.lessons import lesson_reference
from riskkit.services import programme
from riskkit.services.risks import LIVE

KINDS = ("review", "action", "lesson", "exercise")


@dataclass(frozen=True)
class Item:
    kind: str  # one of KINDS
    reference: str  # a risk's reference, a lesson's, or the programme rule's name
    title: str  # the risk's title, the lesson's event, or what the programme has due
    owner: str
    owner_email: str | None
    register: str
    register_owner: str | None
    register_owner_email: str | None
    due_date: date
    days_overdue: int  # negative: falls due in that many days
    action: str | None = None  # the words of the action, lesson or programme item
    action_id: int | None = None

    @property
    def key(self) -> str:
        """Identifies the item in the reminder log."""
        if self.kind == "action":
            return f"action:{self.action_id}"
        if self.kind == "exercise":
            return f"exercise:{self.reference}:{self.title}:{self.due_date.isoformat()}"
        return f"{self.kind}:{self.reference}"

    def as_json(self) -> dict:
        data = asdict(self)
        data["due_date"] = self.due_date.isoformat()
        del data["owner_email"], data["register_owner_email"]
        return data


def due_items(as_of: date, register_ids: list[int] | None = None, owner: User | None = None,
              due_within: int = 0, kinds: tuple[str, ...] = KINDS) -> list[Item]:
    """Reviews, actions, lessons and programme items due before `as_of` (overdue), or
    also within `due_within` days after it, most overdue first. Lessons and the
    programme belong to no register, so a register filter leaves them out."""
    cutoff = as_of + timedelta(days=due_within) if due_within else as_of
    items: list[Item] = []
    owner_user, register_owner = aliased(User), aliased(User)
    common = [Risk.status.in_(LIVE)]
    if register_ids is not None:
        common.append(Risk.register_id.in_(register_ids))
    if "review" in kinds:
        columns = select(
            Risk.reference, Risk.title, owner_user.name, owner_user.email, Register.code,
            register_owner.name, register_owner.email, Risk.next_review_date,
        ).join(owner_user, Risk.owner_id == owner_user.id).join(Register, Risk.register_id == Register.id) \
            .outerjoin(register_owner, Register.owner_id == register_owner.id) \
            .where(*common, Risk.next_review_date < cutoff if not due_within
                   else Risk.next_review_date <= cutoff)
        if owner is not None:
            columns = columns.where(Risk.owner_id == owner.id)
        for ref, title, name, email, code, r_name, r_email, due in db.session.execute(columns):
            items.append(Item("review", ref, title, name, email, code, r_name, r_email, due,
                              (as_of - due).days))
    if "action" in kinds:
        columns = select(
            Risk.reference, Risk.title, owner_user.name, owner_user.email, Register.code,
            register_owner.name, register_owner.email, Action.target_date, Action.description,
            Action.id,
        ).join(Risk, Action.risk_id == Risk.id).join(owner_user, Action.owner_id == owner_user.id) \
            .join(Register, Risk.register_id == Register.id) \
            .outerjoin(register_owner, Register.owner_id == register_owner.id) \
            .where(*common, Action.status.in_(vocab.ACTION_OPEN),
                   Action.target_date < cutoff if not due_within else Action.target_date <= cutoff)
        if owner is not None:
            columns = columns.where(Action.owner_id == owner.id)
        for ref, title, name, email, code, r_name, r_email, due, words, action_id in \
                db.session.execute(columns):
            items.append(Item("action", ref, title, name, email, code, r_name, r_email, due,
                              (as_of - due).days, words, action_id))
    if register_ids is None and "lesson" in kinds:
        items.extend(_lessons_due(as_of, cutoff, due_within, owner))
    if register_ids is None and "exercise" in kinds:
        items.extend(Item("exercise", d.rule, d.subject, d.owner, d.owner_email, "", None, None,
                          d.due_date, d.days_overdue, f"{d.rule}: {d.subject} ({d.note})")
                     # "Never held" is due now, not overdue: it is listed by
                     # `riskkit exercises due` and the programme page.
                     for d in programme.due(as_of, due_within, owner)
                     if due_within or d.days_overdue > 0)
    items.sort(key=lambda i: (-i.days_overdue, i.reference, i.kind, i.action_id or 0))
    return items


def _lessons_due(as_of: date, cutoff: date, due_within: int, owner: User | None) -> list[Item]:
    columns = select(Lesson.id, Event.name, User.name, User.email, Lesson.due_date,
                     Lesson.statement).join(Event, Lesson.event_id == Event.id) \
        .join(User, Lesson.owner_id == User.id) \
        .where(Lesson.status.in_(vocab.LESSON_OPEN),
               Lesson.due_date < cutoff if not due_within else Lesson.due_date <= cutoff)
    if owner is not None:
        columns = columns.where(Lesson.owner_id == owner.id)
    return [Item("lesson", lesson_reference(lesson_id), event, name, email, "", None, None, due,
                 (as_of - due).days, statement)
            for lesson_id, event, name, email, due, statement in db.session.execute(columns)]


KIND_LABELS = {"review": "Review", "action": "Action", "lesson": "Lesson",
               "exercise": "Exercise programme"}


def path_of(item: Item) -> str:
    """Where the item is dealt with in the web app (a path, for pages and emails)."""
    if item.kind == "lesson":
        return f"/lessons/{int(item.reference[1:])}"
    if item.kind == "exercise":
        return "/programme"
    return f"/risks/{item.reference}"


def by_owner(items: list[Item]) -> dict[str, list[Item]]:
    """Items grouped by owner name, owners in alphabetical order."""
    groups: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: i.owner.lower()):
        groups.setdefault(item.owner, []).append(item)
    return groups


def describe_due(item: Item) -> str:
    """'47 days overdue', 'due today', 'due in 5 days'."""
    days = item.days_overdue
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} overdue"
    if days == 0:
        return "due today"
    return f"due in {-days} day{'s' if days != -1 else ''}"
