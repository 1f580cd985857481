"""Lessons and recommendations, from identified to closed.

A lesson moves one step on at a time (identified, action planned, in progress,
implemented, validated, closed) or back to any earlier step. It becomes validated
only when none of its actions is still open and a later exercise or incident is
recorded as evidence that the change worked: that is what turns a lesson
identified into a lesson learned. It is closed only once validated.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from riskkit import permissions, vocab
from riskkit.audit import acting_as, because
from riskkit.errors import Conflict, NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, Event, Lesson, Observation, Risk, User
from riskkit.models.base import clean_text
from riskkit.models.lessons import lesson_actions, lesson_controls, lesson_reference, lesson_risks
from riskkit.services.events import check_controls_belong
from riskkit.services.paging import ascending_nulls_last, check_key, keyset_page
from riskkit.services.risks import check_version

ORDER = vocab.values(vocab.LESSON_STATUSES)


def get_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(f"No lesson number {lesson_id}")
    return lesson


def find_lesson(reference: str) -> Lesson:
    """A lesson by its reference (L0012, in any case) or its number."""
    found = re.fullmatch(r"L?0*(\d{1,9})", (reference or "").strip().upper())
    if found is None:
        raise ValidationError(f"{reference[:40]!r} is not a lesson: give its reference, like L0012",
                              field="lesson")
    lesson = db.session.get(Lesson, int(found[1]))
    if lesson is None:
        raise NotFound(f"No lesson {lesson_reference(int(found[1]))}")
    return lesson


def list_lessons(status: str | None = None, owner: User | None = None,
                 open_only: bool = False, event: Event | None = None) -> list[Lesson]:
    return list(db.session.scalars(lessons_statement(status, owner, open_only, event)))


def lessons_statement(status: str | None = None, owner: User | None = None,
                      open_only: bool = False, event: Event | None = None):
    """The lessons list, soonest due first, with owner and event: to read whole, or a page
    at a time (services.paging)."""
    statement = select(Lesson).options(joinedload(Lesson.owner), joinedload(Lesson.event)) \
        .order_by(Lesson.due_date.asc().nulls_last(), Lesson.id)
    if status:
        statement = statement.where(Lesson.status == vocab.check(
            vocab.LESSON_STATUSES, status, "status"))
    if open_only:
        statement = statement.where(Lesson.open_clause())
    if owner is not None:
        statement = statement.where(Lesson.owner_id == owner.id)
    if event is not None:
        statement = statement.where(Lesson.event_id == event.id)
    return statement


def lesson_page(status: str | None, owner: User | None, open_only: bool, after: list | None,
                size: int) -> tuple[list[Lesson], list | None]:
    """A page of lessons_statement() by key (services.paging.keyset_page), soonest due
    first, with the event that evidences each: the lessons after the key `after` ([due
    date or None, id]; None: from the start), and the next page's key."""
    statement = lessons_statement(status, owner, open_only).options(
        joinedload(Lesson.evidence_event))
    condition = None if after is None else ascending_nulls_last(
        Lesson.due_date, Lesson.id, check_key(after, ((str, type(None)), int)))
    return keyset_page(statement, condition, size, lambda last: [
        last.due_date.isoformat() if last.due_date else None, last.id])


def save_lesson(by: User | None, lesson: Lesson | None, *, event: Event,
                observation: Observation | None = None, statement: str,
                recommendation: str = "", owner: User, due_date: date | None,
                priority: str = "medium", risks: list[Risk] | None = None,
                controls: list[Control] | None = None, for_partner: bool = False,
                expected_version: int | None = None) -> Lesson:
    """Create or edit a lesson (its status moves only through move_lesson). A lesson
    for the partner that led the event is noted only: it is never open or overdue."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_controls_belong(controls, risks if risks is not None else (lesson.risks if lesson else []))
    if observation is not None and observation.debrief.event_id != event.id:
        raise ValidationError("That observation belongs to another event", field="observation")
    if lesson is None and observation is not None and observation.lessons:
        # Two people (or one double click) turning the same observation into a lesson
        # would track one lesson twice; the one already made is the one to change.
        raise Conflict(f"This observation is already lesson {observation.lessons[0].reference}:"
                       " change that lesson rather than making it again")
    with acting_as(by):
        if lesson is None:
            lesson = Lesson(event=event, observation=observation, status="identified")
            db.session.add(lesson)
            if observation is not None:
                # Moves the observation's version on, so that of two people making a
                # lesson of it at once the second is refused at commit, not saved twice.
                flag_modified(observation, "updated_at")
        else:
            check_version(lesson, expected_version, lesson.reference)
        lesson.statement, lesson.recommendation = statement, (recommendation or "").strip()
        lesson.owner, lesson.due_date, lesson.priority = owner, due_date, priority
        _check_partner(event, for_partner)
        lesson.for_partner = bool(for_partner)
        if risks is not None:
            lesson.risks = risks
        if controls is not None:
            lesson.controls = controls
        db.session.flush()
    return lesson


def mark_for_partner(lesson: Lesson, by: User | None, for_partner: bool, note: str = "",
                     expected_version: int | None = None) -> Lesson:
    """Say whether a lesson is for the partner that led its event (noted only: never open
    or overdue) or ours to track, as the lesson form's box does; `note` says why, on the
    history."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(lesson, expected_version, lesson.reference)
    _check_partner(lesson.event, for_partner)
    with acting_as(by), because(clean_text(note, "note")):
        lesson.for_partner = for_partner
        db.session.flush()
    return lesson


def _check_partner(event: Event, for_partner: bool) -> None:
    if for_partner and not event.partner_led:
        raise ValidationError(f"{event.name} was not led by a partner: a lesson from it is"
                              " ours to track", field="for_partner")


def allowed_moves(lesson: Lesson) -> list[str]:
    """The statuses a lesson may move to now: any earlier one, or the next."""
    here = ORDER.index(lesson.status)
    return ORDER[:here] + ORDER[here + 1:here + 2]


def move_lesson(lesson: Lesson, by: User | None, status: str, *,
                evidence_event: Event | None = None, evidence_note: str = "",
                expected_version: int | None = None) -> Lesson:
    permissions.require_unless_operator(by, "progress_lesson", lesson)
    check_version(lesson, expected_version, lesson.reference)
    vocab.check(vocab.LESSON_STATUSES, status, "status")
    if status == lesson.status:
        return lesson
    if status not in allowed_moves(lesson):
        raise ValidationError(
            f"{lesson.reference} is {vocab.label(vocab.LESSON_STATUSES, lesson.status).lower()}:"
            f" it can move to {_words(allowed_moves(lesson))}, not"
            f" {vocab.label(vocab.LESSON_STATUSES, status).lower()}", field="status")
    with acting_as(by):
        if status == "validated":
            check_validation(lesson, evidence_event)
            lesson.evidence_event = evidence_event
            lesson.evidence_note = (evidence_note or "").strip()
        elif ORDER.index(status) < ORDER.index("validated"):
            lesson.evidence_event, lesson.evidence_note = None, ""
        lesson.status = status
        db.session.flush()
    return lesson


def check_validation(lesson: Lesson, evidence: Event | None) -> None:
    """Refuse validation while an action is open or without a later, held event as evidence."""
    still_open = [a for a in lesson.actions if a.is_open]
    if still_open:
        raise ValidationError(
            f"{lesson.reference} cannot be validated while {len(still_open)} of its actions"
            f" {'is' if len(still_open) == 1 else 'are'} not done", field="status")
    if evidence is None:
        raise ValidationError("Choose the later exercise or incident that showed the change"
                              " worked", field="evidence_event")
    source = lesson.event
    if evidence.id == source.id or evidence.start_date <= source.end_date:
        raise ValidationError(f"The evidence must be an exercise or incident after {source.name}"
                              f" (which ended on {source.end_date:%d/%m/%Y})",
                              field="evidence_event")
    if not evidence.has_happened:
        raise ValidationError(f"{evidence.name} is still planned: it can be evidence once held",
                              field="evidence_event")


def evidence_candidates(lesson: Lesson) -> list[Event]:
    """Events that could show this lesson's change worked: held, and after its event."""
    return list(db.session.scalars(select(Event).where(
        Event.status != "planned", Event.start_date > lesson.event.end_date)
        .order_by(Event.start_date.desc())))


def raise_action(lesson: Lesson, by: User | None, *, risk: Risk, description: str, owner: User,
                 target_date: date | None) -> Action:
    """Add a mitigating action to a risk that remembers it answers this lesson. The
    lesson then names the risk, and an identified lesson has its action planned."""
    permissions.require_unless_operator(by, "edit_exercises")
    if target_date is None:
        raise ValidationError("Enter the action's target date", field="target_date")
    with acting_as(by):
        action = Action(risk=risk, description=description, owner=owner,
                        target_date=target_date, status="planned")
        db.session.add(action)
        lesson.actions.append(action)
        if risk not in lesson.risks:
            lesson.risks.append(risk)
        if lesson.status == "identified":
            lesson.status = "action_planned"
        db.session.flush()
    return action


def link_action(lesson: Lesson, by: User | None, action: Action) -> None:
    """Record that an existing action (perhaps raised for another event's lesson) also
    answers this one."""
    permissions.require_unless_operator(by, "edit_exercises")
    with acting_as(by):
        if action not in lesson.actions:
            lesson.actions.append(action)
        if action.risk not in lesson.risks:
            lesson.risks.append(action.risk)
        if lesson.status == "identified":
            lesson.status = "action_planned"
        db.session.flush()


def _concerning(risk_ids):
    """Ids of the lessons that name one of these risks or their controls, or that an
    action on one of them answers (risk_ids: a list or a subquery)."""
    controls = select(Control.id).where(Control.risk_id.in_(risk_ids))
    actions = select(Action.id).where(Action.risk_id.in_(risk_ids))
    return select(lesson_risks.c.lesson_id).where(lesson_risks.c.risk_id.in_(risk_ids)).union(
        select(lesson_controls.c.lesson_id).where(lesson_controls.c.control_id.in_(controls)),
        select(lesson_actions.c.lesson_id).where(lesson_actions.c.action_id.in_(actions)))


def _listed(condition) -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).where(condition).options(
        joinedload(Lesson.event), joinedload(Lesson.owner))
        .order_by(Lesson.due_date.asc().nulls_last(), Lesson.id)))


def lessons_for_risk(risk: Risk) -> list[Lesson]:
    """Lessons that concern the risk, soonest due first."""
    return _listed(Lesson.id.in_(_concerning([risk.id])))


def lessons_owned_or_on_risks_of(person: User) -> list[Lesson]:
    """What an owner sees first: lessons they own or that concern their risks, in person
    or through a team."""
    owners = permissions.owner_ids(person)
    their_risks = select(Risk.id).where(Risk.owner_id.in_(owners))
    return _listed(or_(Lesson.owner_id.in_(owners), Lesson.id.in_(_concerning(their_risks))))


def _words(statuses: list[str]) -> str:
    labels = [vocab.label(vocab.LESSON_STATUSES, s).lower() for s in statuses]
    return " or ".join(labels) if len(labels) < 3 else ", ".join(labels[:-1]) + " or " + labels[-1]
