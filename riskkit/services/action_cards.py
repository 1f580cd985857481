"""Action cards by role: the response roles of a level scheme, who holds them, and the
steps each role takes at each level (loaded from data: services.card_data).

The cards in force are those of the level last declared for the whole organisation
(a declaration for one area changes no one's card: the plan's roles answer to the
organisation's level). Everyone holding a role sees that role's card for the level on
their dashboard and marks each step done with a note; each step done is kept in the
history and the decision log. The steps of a newly declared level are sent to the
holders through the reminder mail (services.reminders), once each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import clock, permissions
from riskkit.audit import acting_as
from riskkit.errors import Conflict, NotFound, PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import (
    CardStep,
    DecisionLogEntry,
    Declaration,
    LevelScheme,
    ResponseRole,
    StepCompletion,
    User,
)
from riskkit.models.base import clean_text
from riskkit.services.card_data import read_cards
from riskkit.services.levels import current_declaration, get_scheme
from riskkit.services.names import as_number, same_name
from riskkit.services.overdue import Item
from riskkit.services.people import check_unchanged, find_person

#: Card steps are never escalated to a register owner: they have no register.
NEVER = 10**6


@dataclass
class CardLine:
    step: CardStep
    done: StepCompletion | None = None


@dataclass
class Card:
    """One role's card at the level declared."""

    role: ResponseRole
    declaration: Declaration
    lines: list[CardLine]

    @property
    def open(self) -> list[CardLine]:
        return [line for line in self.lines if line.done is None]


# --- roles and holders -------------------------------------------------------------------


def list_roles(scheme: LevelScheme | None = None) -> list[ResponseRole]:
    """Roles by name, with their holders and steps loaded."""
    statement = select(ResponseRole).order_by(ResponseRole.name).options(
        selectinload(ResponseRole.holders), selectinload(ResponseRole.steps))
    if scheme is not None:
        statement = statement.where(ResponseRole.scheme_id == scheme.id)
    return list(db.session.scalars(statement))


def get_role(name_or_id: str | int) -> ResponseRole:
    if (number := as_number(name_or_id)) is not None:
        role = db.session.get(ResponseRole, number)
    else:
        role = db.session.scalar(select(ResponseRole).where(same_name(ResponseRole.name, name_or_id)))
    if role is None:
        raise NotFound(f"No response role called {str(name_or_id)[:120]!r}: see `riskkit indicators roles`")
    return role


def add_role(by: User | None, scheme: LevelScheme, name: str, holders: list[User] | None = None,
             steps: list[CardStep] | None = None) -> ResponseRole:
    """A new role of the scheme, with its holders and card steps if given."""
    permissions.require_unless_operator(by, "administer")
    name = clean_text(name, "name", required=True, limit=120)
    if db.session.scalar(select(ResponseRole.id).where(ResponseRole.scheme_id == scheme.id,
                                                      same_name(ResponseRole.name, name))):
        raise ValidationError(f"There is already a role called {name!r} in {scheme.name}", "name")
    with acting_as(by):
        role = ResponseRole(name=name, scheme=scheme, holders=holders or [], steps=steps or [])
        db.session.add(role)
        db.session.flush()
    return role


def set_holders(by: User | None, role: ResponseRole, people: list[User],
                expected: list[int] | None = None) -> tuple[list[User], list[User]]:
    """Make `people` the holders of the role; return (added, removed). `expected` is the
    holders' ids the form was opened with: if someone has changed them since, nothing is
    saved. The change is in the role's history."""
    permissions.require_unless_operator(by, "administer")
    now = {person.id for person in role.holders}
    check_unchanged(expected, now, f"holders of {role.name}")
    for person in people:
        if person.is_team:
            raise ValidationError(f"{person.name} is a team: a role is held by people", "holders")
    wanted = {person.id: person for person in people}
    added = [person for person_id, person in wanted.items() if person_id not in now]
    removed = [person for person in role.holders if person.id not in wanted]
    with acting_as(by):
        role.holders = sorted(wanted.values(), key=lambda p: p.name)
        db.session.flush()
    return added, removed


def load_cards(data: dict, by: User | None = None) -> Counter:
    """Add the roles, steps and holders of a cards file (seed_data/action_cards.yaml)
    that are missing: a role already there keeps its steps and holders. Holders who are
    not in the register are named in the error, and nothing is added."""
    scheme = get_scheme(str(data.get("scheme") or "")) if isinstance(data, dict) else None
    _, roles = read_cards(data, len(scheme.levels) if scheme else 0)
    levels = {level.rank: level for level in scheme.levels}
    added: Counter = Counter()
    with acting_as(by):
        for entry in roles:
            holders = [find_person(name) for name in entry.holders]
            existing = db.session.scalar(select(ResponseRole).where(
                ResponseRole.scheme_id == scheme.id, same_name(ResponseRole.name, entry.name)))
            if existing is not None:
                continue
            role = add_role(by, scheme, entry.name, holders, [
                CardStep(level=levels[rank], position=position, text=text)
                for rank, texts in sorted(entry.steps.items()) for position, text in enumerate(texts, start=1)])
            added["roles"] += 1
            added["card steps"] += len(role.steps)
            added["role holders"] += len(holders)
        db.session.flush()
    return added


# --- the cards in force ------------------------------------------------------------------


def card(role: ResponseRole, declaration: Declaration, until: datetime | None = None) -> Card:
    """The role's steps at the declared level, each with its completion (if done) under
    this declaration (before `until`, if given)."""
    steps = [step for step in role.steps if step.level_id == declaration.level_id]
    statement = select(StepCompletion).where(StepCompletion.declaration_id == declaration.id).options(
        selectinload(StepCompletion.person))
    if until is not None:
        statement = statement.where(StepCompletion.done_at < until)
    done = {c.step_id: c for c in db.session.scalars(statement)}
    return Card(role, declaration, [CardLine(step, done.get(step.id)) for step in steps])


def cards_for(person: User) -> list[Card]:
    """The cards of every role the person holds, at the organisation's declared level."""
    roles = db.session.scalars(
        select(ResponseRole).where(ResponseRole.holders.any(User.id == person.id))
        .order_by(ResponseRole.name).options(selectinload(ResponseRole.steps))).all()
    cards = []
    for role in roles:
        declaration = current_declaration(role.scheme, None)
        if declaration is not None:
            cards.append(card(role, declaration))
    return cards


def open_cards(declaration: Declaration, until: datetime | None = None) -> list[Card]:
    """Every role's card at the declared level with the steps not done (before `until`)
    yet, roles with none open left out: the sitrep's "open steps"."""
    roles = list_roles(declaration.level.scheme)
    return [c for c in (card(role, declaration, until) for role in roles) if c.open]


def may_mark(person: User | None, role: ResponseRole) -> bool:
    """A step is marked done by a holder of its role, or by a manager (for a holder who
    rang it in)."""
    return person is not None and (permissions.can(person, "declare_level")
                                   or any(h.id == person.id for h in role.holders))


def mark_done(by: User, declaration_id: int, step_id: int, note: str = "") -> StepCompletion:
    """Mark a step of the card in force done, with a note; in the history and the
    decision log. A step of a level since stood down, or already done, is a Conflict."""
    step = db.session.get(CardStep, step_id)
    declaration = db.session.get(Declaration, declaration_id)
    if step is None or declaration is None:
        raise NotFound("No such step on a card: it may have been removed")
    if not may_mark(by, step.role):
        raise PermissionDenied(f"Only a holder of {step.role.name} (or a manager) may mark its steps done")
    note = clean_text(note, "note")
    current = current_declaration(step.role.scheme, None)
    if current is None or current.id != declaration.id:
        level = current.level.label if current else "no level"
        raise Conflict(f"{declaration.level.label} is no longer the level in force ({level} was declared"
                       " since): open your dashboard for the card at the level now. Nothing was saved.")
    if step.level_id != declaration.level_id:
        raise ValidationError(f"That step is on the {step.level.label} card, not {declaration.level.label}'s",
                              "step")
    done = db.session.scalar(select(StepCompletion).where(StepCompletion.declaration_id == declaration.id,
                                                         StepCompletion.step_id == step.id))
    if done is not None:
        at = clock.local(done.done_at)
        raise Conflict(f"{done.person.name} marked that step done already, at {at:%H:%M on %d/%m/%Y}."
                       " Nothing was saved.")
    with acting_as(by):
        completion = StepCompletion(declaration=declaration, step=step, person=by, note=note)
        db.session.add(completion)
        words = f"{step.role.name}, {declaration.level.label}: {step.text} Done."
        db.session.add(DecisionLogEntry(author=by, area_id=declaration.area_id, kind="step",
                                        text=f"{words} {note}".strip(), declaration=declaration))
        db.session.flush()
    return completion


# --- the email when a level is declared ---------------------------------------------------


def declared_words(declaration: Declaration) -> str:
    """"OPEL 3 (Red) was declared for the whole organisation by Pat Owner at 09:30 on
    06/12/2026: reason"."""
    where = declaration.area.name if declaration.area else "the whole organisation"
    at = clock.local(declaration.declared_at)
    return (f"{declaration.level.label} was declared for {where} by {declaration.declared_by.name}"
            f" at {at:%H:%M} on {at:%d/%m/%Y}: {declaration.reason}")


def card_items(declaration: Declaration) -> list[Item]:
    """Each step at the declared level for each holder of its role, as items for the
    reminder mail (kind "step"): the role's name, the step, the person and the day."""
    items = []
    day: date = clock.local(declaration.declared_at).date()
    for role in list_roles(declaration.level.scheme):
        steps = [step for step in role.steps if step.level_id == declaration.level_id]
        for holder in role.holders:
            items += [Item("step", declaration.level.label, role.name, holder.name, holder.email, "", None,
                           None, day, 0, step.text, step.id) for step in steps]
    return items


@dataclass
class CardMail:
    """What came of emailing a declaration's cards, for every face to word alike."""

    sent: int = 0  # people sent their cards (or who would be, dry)
    failed: list[str] = field(default_factory=list)  # one line each: not written, or refused
    undeliverable: list[str] = field(default_factory=list)  # holders with no address
    unset: str | None = None  # the setting without which nothing was sent
    applies: bool = True  # an area's declaration changes no one's card: nothing to send

    @property
    def not_sent(self) -> list[str]:
        return self.failed + self.undeliverable

    def words(self) -> str:
        """'Action cards emailed to 6 people. Not sent: ...', or why none were; '' when
        the declaration changes no one's card."""
        if not self.applies:
            return ""
        if self.unset:
            return f"Action cards were not emailed: {self.unset} is not set."
        words = f"Action cards emailed to {self.sent} {'person' if self.sent == 1 else 'people'}."
        return words + (f" Not sent: {'; '.join(self.not_sent)}." if self.not_sent else "")


def mail_cards(declaration: Declaration, settings: dict, render, dry_run: bool = False,
               echo=print) -> CardMail:
    """Email each holder the steps of their cards at the declared level (made into an
    email by `render`, the face's renderer), through the reminder mail: one message a
    person, each step once a day however often it is sent (so a face may send after
    every declaration and a cron job may resend what failed). Nothing is sent for an
    area's declaration, nor without RISKKIT_BASE_URL (`base_url` in the SMTP settings):
    the emails link to the dashboard. The level stands whether or not the mail goes."""
    from riskkit.services.reminders import send_reminders  # mail is imported only to send

    if declaration.area is not None:
        return CardMail(applies=False)
    if not dry_run and not settings.get("base_url"):
        return CardMail(unset="RISKKIT_BASE_URL")
    items = card_items(declaration)
    day = items[0].due_date if items else clock.local(declaration.declared_at).date()
    outcome = send_reminders(items, day, settings, escalate_after=NEVER, render=render,
                             dry_run=dry_run, echo=echo)
    return CardMail(len(outcome.sent), outcome.failed, outcome.undeliverable)
