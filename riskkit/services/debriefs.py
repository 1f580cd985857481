"""Debriefs after an exercise or incident, and what they observed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Debrief, Event, Observation, Theme, User
from riskkit.models.lessons import observation_themes
from riskkit.services.risks import check_version


def get_debrief(debrief_id: int) -> Debrief:
    debrief = db.session.get(Debrief, debrief_id)
    if debrief is None:
        raise NotFound(f"No debrief number {debrief_id}")
    return debrief


def get_observation(observation_id: int) -> Observation:
    observation = db.session.get(Observation, observation_id)
    if observation is None:
        raise NotFound(f"No observation number {observation_id}")
    return observation


def record_debrief(event: Event, by: User | None, *, kind: str, held_on: date | None,
                   facilitator: str = "", attendees: str = "",
                   multi_agency: bool = False) -> Debrief:
    """Record a hot or cold debrief. A cold debrief of a held event makes it debriefed."""
    permissions.require_unless_operator(by, "edit_exercises")
    if not event.has_happened:
        raise ValidationError(f"{event.name} is still planned: mark it held before"
                              " recording its debrief", field="status")
    _check_held_on(event, held_on)
    with acting_as(by):
        debrief = Debrief(event=event, kind=kind, held_on=held_on, facilitator=facilitator,
                          attendees=(attendees or "").strip(), multi_agency=bool(multi_agency))
        db.session.add(debrief)
        if kind == "cold" and event.status == "held":
            event.status = "debriefed"
        db.session.flush()
    return debrief


def _check_held_on(event: Event, held_on: date | None) -> None:
    if held_on is None:
        raise ValidationError("Enter the date the debrief was held", field="held_on")
    if held_on < event.start_date:
        raise ValidationError("The debrief date must be on or after the event's start date"
                              f" ({event.start_date:%d/%m/%Y})", field="held_on")


def update_debrief(debrief: Debrief, by: User | None, *, kind: str, held_on: date | None,
                   facilitator: str = "", attendees: str = "", multi_agency: bool = False,
                   expected_version: int | None = None) -> Debrief:
    """Correct a debrief's kind, date, facilitator, attendees or multi-agency flag."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(debrief, expected_version, "The debrief")
    _check_held_on(debrief.event, held_on)
    with acting_as(by):
        debrief.kind, debrief.held_on, debrief.facilitator = kind, held_on, facilitator
        debrief.attendees, debrief.multi_agency = (attendees or "").strip(), bool(multi_agency)
        _settle_status(debrief.event)
        db.session.flush()
    return debrief


def remove_debrief(debrief: Debrief, by: User | None,
                   expected_version: int | None = None) -> Event:
    """Remove a debrief recorded in error, with its observations (the history keeps them).
    One whose observations became lessons stays: the lessons point at it."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(debrief, expected_version, "The debrief")
    lessons = [lesson.reference for o in debrief.observations for lesson in o.lessons]
    if lessons:
        raise ValidationError(f"This debrief's observations became {', '.join(lessons)}: it stays"
                              " as their source. Correct it instead.", field="debrief")
    event = debrief.event
    with acting_as(by):
        db.session.delete(debrief)
        db.session.flush()
        db.session.expire(event, ["debriefs"])
        _settle_status(event)
        db.session.flush()
    return event


def _settle_status(event: Event) -> None:
    """A held event with a cold debrief is debriefed; a debriefed one whose cold debrief
    was corrected to hot, or removed, is held again."""
    has_cold = any(d.kind == "cold" for d in event.debriefs)
    if has_cold and event.status == "held":
        event.status = "debriefed"
    elif not has_cold and event.status == "debriefed":
        event.status = "held"


def update_observation(observation: Observation, by: User | None, *, prompt: str, kind: str,
                       text: str, themes: list[Theme],
                       expected_version: int | None = None) -> Observation:
    """Correct an observation's question, kind, words or themes."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(observation, expected_version, "The observation")
    with acting_as(by):
        observation.prompt, observation.kind, observation.text = prompt, kind, text
        observation.themes = list(themes)
        db.session.flush()
    return observation


def remove_observation(observation: Observation, by: User | None,
                       expected_version: int | None = None) -> Debrief:
    """Remove an observation recorded in error (the history keeps it). One that became a
    lesson stays: the lesson points at it."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(observation, expected_version, "The observation")
    if observation.lessons:
        raise ValidationError(f"This observation became {observation.lessons[0].reference}: it"
                              " stays as the lesson's source. Correct it instead.",
                              field="observation")
    debrief = observation.debrief
    with acting_as(by):
        db.session.delete(observation)
        db.session.flush()
    return debrief


def add_observation(debrief: Debrief, by: User | None, *, prompt: str, kind: str, text: str,
                    themes: list[Theme]) -> Observation:
    permissions.require_unless_operator(by, "edit_exercises")
    with acting_as(by):
        observation = Observation(debrief=debrief, prompt=prompt, kind=kind, text=text,
                                  themes=list(themes))
        db.session.add(observation)
        db.session.flush()
    return observation


def earlier_observations(theme_ids: list[int], exclude_event: Event | None = None,
                         limit: int = 20) -> list[Observation]:
    """Observations from other events sharing any of these themes, newest first: what
    the resilience group has seen before, shown while recording a new one."""
    if not theme_ids:
        return []
    tagged = select(observation_themes.c.observation_id).where(
        observation_themes.c.theme_id.in_(theme_ids))
    statement = (select(Observation).join(Debrief).join(Event)
                 .where(Observation.id.in_(tagged))
                 .options(selectinload(Observation.themes), selectinload(Observation.lessons))
                 .order_by(Debrief.held_on.desc(), Observation.id.desc()).limit(limit))
    if exclude_event is not None:
        statement = statement.where(Event.id != exclude_event.id)
    return list(db.session.scalars(statement))
