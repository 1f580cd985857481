"""What is overdue, or due soon, as of a date: the one answer the nightly cron job,
the web page and the reminder emails all give.

Reviews are due on a risk's (or an open issue's) next review date, actions (a risk's or
an open issue's) on their target date, lessons on their due date until implemented, and
the exercise programme as services.programme says; an item is overdue from the day after.
Reads plain columns, not whole risks, so a register of 100,000 risks is one pass.

As of a past day the risks, issues, their actions and lessons are as they stood at the end of it: those
recorded otherwise since (services.as_of.changed_after: reviewed, done, closed, added...)
are rebuilt from the history and merged in, the rest read as they are.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import func, literal, select, true
from sqlalchemy.orm import aliased

from riskkit import clock, permissions, vocab
from riskkit.audit import AUDITED
from riskkit.extensions import db
from riskkit.models import Action, Event, Issue, IssueAction, Lesson, Register, Risk, User
from riskkit.models.lessons import lesson_reference
from riskkit.services import programme
from riskkit.services.as_of import changed_after, records_by_id
from riskkit.services.risks import LIVE

KINDS = ("review", "action", "issue review", "issue action", "lesson", "exercise")


class Item(NamedTuple):
    """One item due. A named tuple, not a dataclass: the whole organisation's report is
    tens of thousands of them, and a tuple is made several times faster."""

    kind: str  # one of KINDS
    reference: str  # a risk's or an issue's reference, a lesson's, or the programme rule's name
    title: str  # the risk's or issue's title, the lesson's event, or what the programme has due
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
        if self.kind in ("action", "issue action", "step"):  # "step": an action card's step
            return f"{self.kind}:{self.action_id}"
        if self.kind == "exercise":
            return f"exercise:{self.reference}:{self.title}:{self.due_date.isoformat()}"
        return f"{self.kind}:{self.reference}"

    def as_json(self) -> dict:
        data = self._asdict()
        data["due_date"] = self.due_date.isoformat()
        del data["owner_email"], data["register_owner_email"]
        return data


@dataclass(frozen=True)
class Scope:
    """Which items a report asks for (as the CLI's options and the page's filters)."""

    as_of: date
    register_ids: list[int] | None = None
    owner: User | None = None
    due_within: int = 0
    kinds: tuple[str, ...] = KINDS
    #: The owner asked for and the teams they belong to: a team's items are its members'
    #: to do (permissions.owns). Read when the scope is made, while the owner is in the
    #: session: a streamed download reads its items after the request's session closed.
    owner_ids: list[int] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "owner_ids", permissions.owner_ids(self.owner) if self.owner else [])

    @property
    def cutoff(self) -> date:
        return self.as_of + timedelta(days=self.due_within)

    def due_before_cutoff(self, column):
        """SQL for a due date column, or the answer for a date."""
        return column <= self.cutoff if self.due_within else column < self.cutoff

    @cached_property
    def changed(self) -> dict[type, list[int]]:
        """The ids of the risks, issues, actions and lessons that stood otherwise at the end of
        the as-of day than now, by model: `rebuilt` reads them as they stood, and the
        queries of the records as they are leave them out. Empty for a day not yet over."""
        if clock.end_of(self.as_of) > clock.utcnow():
            return {}
        models = {AUDITED[model]: model for model in CHANGING}
        found: dict[type, list[int]] = {}
        for entity, entity_id in db.session.execute(changed_after(CHANGING, self.as_of)):
            found.setdefault(models[entity], []).append(entity_id)
        return found

    def unchanged(self, model, column) -> list:
        """SQL: only the rows whose `model` record (by `column`, its id) is as it stood."""
        if model not in self.changed:
            return []
        return [column.not_in(select(changed_after([model], self.as_of).subquery().c.entity_id))]

    @cached_property
    def rebuilt(self) -> list[Item]:
        """The reviews, actions and lessons due of the records changed since the as-of
        day (risks, issues, their actions, lessons), as they stood at its end, sorted."""
        return sorted(_rebuilt(self), key=sort_key) if self.changed else []

    @cached_property
    def unregistered(self) -> list[Item]:
        """The lessons and programme items asked for (they belong to no register, so a
        register filter leaves them out), sorted: read once for a page and its counts."""
        items = []
        if self.register_ids is None and "lesson" in self.kinds:
            items.extend(_lessons_due(self))
        if self.register_ids is None and "exercise" in self.kinds:
            items.extend(_programme_due(self))
        return sorted(items, key=sort_key)

    @cached_property
    def issues(self) -> list[Item]:
        """The issues' reviews and actions asked for, sorted: a register holds a few
        dozen issues where it holds thousands of risks, so they are read whole."""
        return sorted(_issues_due(self), key=sort_key)


#: What the report reads as it stood on a past day (Scope.changed).
CHANGING = (Risk, Action, Lesson, Issue, IssueAction)

#: The order of every report: most overdue first, then reference, kind and action.
Key = tuple[date, str, str, int]


def sort_key(item: Item) -> Key:
    return item.due_date, item.reference, item.kind, item.action_id or 0


def due_items(as_of: date, register_ids: list[int] | None = None, owner: User | None = None,
              due_within: int = 0, kinds: tuple[str, ...] = KINDS) -> list[Item]:
    """Reviews and actions (of risks and of issues), lessons and programme items due
    before `as_of` (overdue), or
    also within `due_within` days after it, most overdue first. Lessons and the
    programme belong to no register, so a register filter leaves them out."""
    return list(iter_items(Scope(as_of, register_ids, owner, due_within, kinds)))


def iter_items(scope: Scope, after: Key | None = None, limit: int | None = None):
    """The items of due_items() in its order, read as they are used (for a page, or a
    download streamed row by row): reviews and actions each in one ordered statement,
    starting after the key `after` and reading at most `limit` rows, merged with the
    issues, the lessons and the programme (a few hundred at most, each sorted here)."""
    streams = []
    if "review" in scope.kinds:
        streams.append(_reviews(scope, after, limit))
    if "action" in scope.kinds:
        streams.append(_actions(scope, after, limit))
    # Each list is sorted on its own: heapq.merge takes sorted streams, not their sum.
    streams += [[i for i in few if after is None or sort_key(i) > after]
                for few in (scope.issues, scope.unregistered, scope.rebuilt)]
    merged = heapq.merge(*streams, key=sort_key)
    return merged if limit is None else itertools.islice(merged, limit)


#: What the dashboard lists of a person's own work, and how far ahead it looks.
PERSONAL_KINDS = ("review", "action", "issue review", "issue action", "lesson")
DUE_SOON_DAYS = 30


@dataclass
class Due:
    """One kind of a person's items: the first few and how many there are."""

    kind: str
    items: list[Item]
    count: int


def person_due(person: User, as_of: date, within: int = DUE_SOON_DAYS,
               shown: int = 10) -> list[Due]:
    """What one person must do: the reviews of the risks and issues they own, their
    actions (on risks and issues) and their lessons, overdue or due within `within` days
    of `as_of`, each kind's first `shown` (most overdue first) and how many: the overdue
    report filtered to them, two statements a kind whatever the size of the register."""
    due = []
    for kind in PERSONAL_KINDS:
        scope = Scope(as_of, owner=person, due_within=within, kinds=(kind,))
        items, _ = page(scope, None, shown)
        due.append(Due(kind, items, summarise_due(scope).total))
    return due


def page(scope: Scope, after: Key | None, size: int) -> tuple[list[Item], Key | None]:
    """One page of the report after the key `after` (None: the first page), and the key
    to ask for the next page with (None on the last). Keyed, not numbered, so that an
    item added or dealt with meanwhile neither repeats nor skips another."""
    items = list(iter_items(scope, after, size + 1))
    return items[:size], (sort_key(items[size - 1]) if len(items) > size else None)


def _after(after: Key | None, kind: str, due, reference, row_id):
    """SQL for 'sorts after the key' in a stream of one kind."""
    if after is None:
        return true()
    day, ref, after_kind, after_id = after
    if kind == after_kind:
        tie = (reference > ref) | ((reference == ref) & (row_id > after_id))
    else:
        tie = reference >= ref if kind > after_kind else reference > ref
    # The first term repeats what the rest says, as a range the index can start from.
    return (due >= day) & ((due > day) | ((due == day) & tie))


def _stream(statement, limit: int | None, make):
    """A page's rows (LIMIT), or all of them read in batches (yield_per: a server-side
    cursor on PostgreSQL) so that a download never holds them at once. The result is
    closed however the reading stops."""
    if limit is None:
        statement = statement.execution_options(yield_per=1000)
    # Plain columns through the session's connection: the ORM would only add per-row work.
    with db.session.connection().execute(statement.limit(limit)) as rows:
        for row in rows:
            yield make(*row)


def _reviews(scope: Scope, after: Key | None, limit: int | None):
    owner_user, register_owner = aliased(User), aliased(User)
    statement = select(
        Risk.reference, Risk.title, owner_user.name, owner_user.email, Register.code,
        register_owner.name, register_owner.email, Risk.next_review_date,
    ).join(owner_user, Risk.owner_id == owner_user.id).join(Register, Risk.register_id == Register.id) \
        .outerjoin(register_owner, Register.owner_id == register_owner.id) \
        .where(*_risk_scope(scope), scope.due_before_cutoff(Risk.next_review_date),
               *scope.unchanged(Risk, Risk.id),
               _after(after, "review", Risk.next_review_date, Risk.reference, literal(0))) \
        .order_by(Risk.next_review_date, Risk.reference)
    if scope.owner is not None:
        statement = statement.where(Risk.owner_id.in_(scope.owner_ids))
    return _stream(statement, limit, lambda ref, title, name, email, code, r_name, r_email, due: Item(
        "review", ref, title, name, email, code, r_name, r_email, due, (scope.as_of - due).days))


def _actions(scope: Scope, after: Key | None, limit: int | None):
    owner_user, register_owner = aliased(User), aliased(User)
    # The owner is joined LEFT (every action has one): an inner join would let the
    # database walk the people and each one's actions by the owner index, then sort
    # them all, instead of reading the actions in date order and stopping at the page.
    statement = select(
        Risk.reference, Risk.title, owner_user.name, owner_user.email, Register.code,
        register_owner.name, register_owner.email, Action.target_date, Action.description,
        Action.id,
    ).join(Risk, Action.risk_id == Risk.id).outerjoin(owner_user, Action.owner_id == owner_user.id) \
        .join(Register, Risk.register_id == Register.id) \
        .outerjoin(register_owner, Register.owner_id == register_owner.id) \
        .where(*_risk_scope(scope), *_action_scope(scope),
               _after(after, "action", Action.target_date, Risk.reference, Action.id)) \
        .order_by(Action.target_date, Risk.reference, Action.id)
    return _stream(statement, limit, lambda ref, title, name, email, code, r_name, r_email, due,
                   words, action_id: Item("action", ref, title, name, email, code, r_name,
                                          r_email, due, (scope.as_of - due).days, words, action_id))


def _risk_scope(scope: Scope) -> list:
    where = [Risk.status.in_(LIVE)]
    if scope.register_ids is not None:
        where.append(Risk.register_id.in_(scope.register_ids))
    return where


def _action_scope(scope: Scope) -> list:
    where = [Action.status.in_(vocab.ACTION_OPEN), scope.due_before_cutoff(Action.target_date),
             *scope.unchanged(Action, Action.id), *scope.unchanged(Risk, Action.risk_id)]
    if scope.owner is not None:
        where.append(Action.owner_id.in_(scope.owner_ids))
    return where


def _issues_due(scope: Scope) -> list[Item]:
    """The open issues' reviews and their open actions due, of issues as they are (those
    changed since the as-of day are in Scope.rebuilt)."""
    items = []
    for kind, owner_column, due, extra, where in (
            ("issue review", Issue.owner_id, Issue.next_review_date, (), ()),
            ("issue action", IssueAction.owner_id, IssueAction.target_date,
             (IssueAction.description, IssueAction.id),
             (IssueAction.status.in_(vocab.ACTION_OPEN), *scope.unchanged(IssueAction, IssueAction.id)))):
        if kind not in scope.kinds:
            continue
        owner_user, register_owner = aliased(User), aliased(User)
        statement = select(
            Issue.reference, Issue.title, owner_user.name, owner_user.email, Register.code,
            register_owner.name, register_owner.email, due, *extra,
        ).select_from(IssueAction if extra else Issue)
        if extra:
            statement = statement.join(Issue, IssueAction.issue_id == Issue.id)
        statement = statement.join(owner_user, owner_column == owner_user.id) \
            .join(Register, Issue.register_id == Register.id) \
            .outerjoin(register_owner, Register.owner_id == register_owner.id) \
            .where(Issue.status == "open", scope.due_before_cutoff(due), *where,
                   *scope.unchanged(Issue, Issue.id))
        if scope.register_ids is not None:
            statement = statement.where(Issue.register_id.in_(scope.register_ids))
        if scope.owner is not None:
            statement = statement.where(owner_column.in_(scope.owner_ids))
        items += [Item(kind, *row[:8], (scope.as_of - row[7]).days, *row[8:])
                  for row in db.session.execute(statement)]
    return items


def _lessons_due(scope: Scope) -> list[Item]:
    columns = select(Lesson.id, Event.name, User.name, User.email, Lesson.due_date,
                     Lesson.statement).join(Event, Lesson.event_id == Event.id) \
        .join(User, Lesson.owner_id == User.id) \
        .where(Lesson.open_clause(), scope.due_before_cutoff(Lesson.due_date),
               *scope.unchanged(Lesson, Lesson.id))
    if scope.owner is not None:
        columns = columns.where(Lesson.owner_id.in_(scope.owner_ids))
    return [Item("lesson", lesson_reference(lesson_id), event, name, email, "", None, None, due,
                 (scope.as_of - due).days, statement)
            for lesson_id, event, name, email, due, statement in db.session.execute(columns)]


def _programme_due(scope: Scope) -> list[Item]:
    return [Item("exercise", d.rule, d.subject, d.owner, d.owner_email, "", None, None,
                 d.due_date, d.days_overdue, f"{d.rule}: {d.subject} ({d.note})")
            # "Never held" is due now, not overdue: it is listed by
            # `riskkit exercises due` and the programme page.
            for d in programme.due(scope.as_of, scope.due_within, scope.owner)
            if scope.due_within or d.days_overdue > 0]


def _rebuilt(scope: Scope) -> list[Item]:
    """The items of Scope.rebuilt: the changed risks and issues, their actions and the
    changed actions and lessons as they stood (people's emails and register owners as
    they are)."""
    day = scope.as_of
    risk_ids, actions, risks = _with_actions(scope, Risk, Action, Action.risk_id, "action")
    issue_ids, issue_actions, issues = _with_actions(scope, Issue, IssueAction, IssueAction.issue_id,
                                                     "issue action")
    lessons = (records_by_id(Lesson, day, scope.changed.get(Lesson, []))
               if scope.register_ids is None and "lesson" in scope.kinds else {})
    people = {p.name: p for p in db.session.scalars(select(User).where(User.name.in_(
        {r.owner for r in [*risks.values(), *actions.values(), *issues.values(),
                           *issue_actions.values(), *lessons.values()]})))}
    owners = {people[name].id for name in people} & set(scope.owner_ids) if scope.owner else None
    registers = {r.code: r for r in db.session.scalars(select(Register))}
    codes = ({r.code for r in registers.values() if r.id in scope.register_ids}
             if scope.register_ids is not None else set(registers))

    def item(kind, risk, owner, due, words=None, action_id=None):
        person, register = people.get(owner), registers.get(risk.register)
        keeper = register.owner if register else None
        return Item(kind, risk.reference, risk.title, owner or "", person.email if person else None,
                    risk.register, keeper.name if keeper else None, keeper.email if keeper else None,
                    due, (day - due).days, words, action_id)

    def wanted(status, statuses, owner, due) -> bool:
        return (status in statuses and due is not None and scope.due_before_cutoff(due)
                and (owners is None or (owner in people and people[owner].id in owners)))

    items = []
    for kind, ids, parents, children, parent_of, live in (
            ("review", risk_ids, risks, actions, "risk_id", LIVE),
            ("issue review", issue_ids, issues, issue_actions, "issue_id", ("open",))):
        if kind in scope.kinds:
            items += [item(kind, parent, parent.owner, parent.next_review_date)
                      for parent in (parents[i] for i in ids if i in parents)
                      if parent.register in codes
                      and wanted(parent.status, live, parent.owner, parent.next_review_date)]
        for action in children.values():
            parent = parents.get(getattr(action, parent_of))
            if (parent is not None and parent.register in codes and parent.status in live
                    and wanted(action.status, vocab.ACTION_OPEN, action.owner, action.target_date)):
                items.append(item(kind.replace("review", "action"), parent, action.owner,
                                  action.target_date, action.description, action.id))
    events = dict(db.session.execute(select(Event.id, Event.name)).all()) if lessons else {}
    for lesson in lessons.values():
        # A partner's lesson is noted only; one removed before the column existed lacks it.
        for_partner = getattr(lesson, "for_partner", False)
        if not for_partner and wanted(lesson.status, vocab.LESSON_OPEN, lesson.owner, lesson.due_date):
            person = people.get(lesson.owner)
            items.append(Item("lesson", lesson_reference(lesson.id), events.get(lesson.event_id, ""),
                              lesson.owner or "", person.email if person else None, "", None, None,
                              lesson.due_date, (day - lesson.due_date).days, lesson.statement))
    return items


def _with_actions(scope: Scope, model, action_model, parent_column, kind: str):
    """The changed records of `model` (risks or issues) and, as they stood, the actions
    asked for (`kind`) that changed or hang off one that did, and the records they hang
    off (changed or not): (the changed ids, actions by id, records by id)."""
    day = scope.as_of
    ids = set(scope.changed.get(model, []))
    action_ids = set(scope.changed.get(action_model, []))
    if ids and kind in scope.kinds:
        action_ids |= set(db.session.scalars(select(action_model.id).where(parent_column.in_(list(ids)))))
    actions = records_by_id(action_model, day, action_ids) if kind in scope.kinds else {}
    parent = parent_column.key
    return ids, actions, records_by_id(model, day, ids | {getattr(a, parent) for a in actions.values()})


@dataclass
class Summary:
    """How many items a report holds, by kind and by register (reviews and actions)."""

    by_kind: dict[str, int]
    by_register: list[tuple[str, int, int]]  # code, risk reviews, risk actions; registers with any

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def summarise_due(scope: Scope) -> Summary:
    """The counts of the whole report: risks' reviews and actions by GROUP BY in the
    database, the few issues' items, lessons and programme items as read for the page. What the page shows above
    its first page of items."""
    by_kind = dict.fromkeys(scope.kinds, 0)
    per_register: dict[str, list[int]] = {}
    if "review" in scope.kinds:
        statement = select(Register.code, func.count()).join(Risk.register).where(
            *_risk_scope(scope), scope.due_before_cutoff(Risk.next_review_date),
            *scope.unchanged(Risk, Risk.id))
        if scope.owner is not None:
            statement = statement.where(Risk.owner_id.in_(scope.owner_ids))
        for code, n in db.session.execute(statement.group_by(Register.code)):
            per_register.setdefault(code, [0, 0])[0] = n
            by_kind["review"] += n
    if "action" in scope.kinds:
        statement = select(Register.code, func.count()).select_from(Action).join(Action.risk) \
            .join(Risk.register).where(*_risk_scope(scope), *_action_scope(scope))
        for code, n in db.session.execute(statement.group_by(Register.code)):
            per_register.setdefault(code, [0, 0])[1] = n
            by_kind["action"] += n
    for item in scope.unregistered + scope.issues:
        by_kind[item.kind] += 1
    for item in scope.rebuilt:
        by_kind[item.kind] += 1
        if item.kind in ("review", "action"):
            per_register.setdefault(item.register, [0, 0])[item.kind == "action"] += 1
    return Summary(by_kind, [(code, *counts) for code, counts in sorted(per_register.items())])


KIND_LABELS = {"review": "Review", "action": "Action", "issue review": "Issue review",
               "issue action": "Issue action", "lesson": "Lesson", "exercise": "Exercise programme"}


def path_of(item: Item) -> str:
    """Where the item is dealt with in the web app (a path, for pages and emails)."""
    if item.kind == "lesson":
        return f"/lessons/{int(item.reference[1:])}"
    if item.kind == "exercise":
        return "/programme"
    if item.kind.startswith("issue"):
        return f"/issues/{item.reference}"
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
