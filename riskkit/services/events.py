"""Exercises and incidents: plan, record, hold, rate, and trace to the risks and
controls they test. Each function takes the acting user, checks permission and the
version counter, and leaves its history through the session hook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from riskkit import clock, permissions, scoring, vocab
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import (
    ContinuityPlan,
    Control,
    Debrief,
    Event,
    Lesson,
    Objective,
    Observation,
    Register,
    Risk,
    User,
)
from riskkit.models.base import utcnow
from riskkit.models.events import event_controls, event_risks
from riskkit.services.packs import Pack
from riskkit.services.paging import check_key, key_date, keyset_page
from riskkit.services.risks import LIVE, check_version
from riskkit.services.testability import not_testable_clause

#: How far back an exercise or incident still counts as evidence for a risk.
EVIDENCE_MONTHS = 12


def list_events(kind: str | None = None, status: str | None = None) -> list[Event]:
    return list(db.session.scalars(events_statement(kind, status)))


def events_statement(kind: str | None = None, status: str | None = None):
    """Exercises and incidents, newest first, with their leads: to read whole, or a page at
    a time (services.paging)."""
    statement = select(Event).options(joinedload(Event.lead)).order_by(
        Event.start_date.desc(), Event.id.desc())
    if kind:
        statement = statement.where(Event.kind == vocab.check(vocab.EVENT_KINDS, kind, "kind"))
    if status:
        statement = statement.where(
            Event.status == vocab.check(vocab.EVENT_STATUSES, status, "status"))
    return statement


def event_page(kind: str | None, status: str | None, after: list | None, size: int
               ) -> tuple[list[Event], list | None]:
    """A page of events_statement() by key (services.paging.keyset_page), newest first:
    the events after the key `after` ([start date, id]; None: from the start), and the
    next page's key."""
    condition = None
    if after is not None:
        day, event_id = check_key(after, (str, int))
        day = key_date(day)
        condition = or_(Event.start_date < day, and_(Event.start_date == day, Event.id < event_id))
    return keyset_page(events_statement(kind, status), condition, size,
                       lambda last: [last.start_date.isoformat(), last.id])


def get_event(event_id: int) -> Event:
    """One event whole: its objectives, links, debriefs, observations (with themes and
    lessons) and lessons, in a fixed number of statements."""
    event = db.session.scalar(select(Event).where(Event.id == event_id).options(
        joinedload(Event.lead), selectinload(Event.objectives), selectinload(Event.plans),
        selectinload(Event.risks), selectinload(Event.controls).joinedload(Control.risk),
        selectinload(Event.debriefs).selectinload(Debrief.observations)
        .selectinload(Observation.themes),
        selectinload(Event.debriefs).selectinload(Debrief.observations)
        .selectinload(Observation.lessons),
        selectinload(Event.lessons).joinedload(Lesson.owner)))
    if event is None:
        raise NotFound(f"No exercise or incident number {event_id}")
    return event


def find_event(name: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.name == (name or "").strip()))
    if event is None:
        raise NotFound(f"No exercise or incident called {name!r}")
    return event


def save_event(by: User | None, event: Event | None, *, kind: str, name: str, event_type: str,
               start_date: date | None, end_date: date | None = None, lead: User | None = None,
               scenario: str = "", description: str = "", services_affected: str = "",
               participants: str = "", multi_agency: bool = False,
               objectives: list[str] | None = None, plans: list[ContinuityPlan] | None = None,
               risks: list[Risk] | None = None, controls: list[Control] | None = None,
               status: str | None = None, improvement_plan_agreed: date | None = None,
               lead_organisation: str = "", partner_report_date: date | None = None,
               pack: str = "", expected_version: int | None = None) -> Event:
    """Create or edit an exercise or incident. An incident is recorded once it has
    happened, so it starts as held; an exercise starts planned. Objectives given
    replace the unrated ones (rated objectives are kept: they are the record)."""
    permissions.require_unless_operator(by, "edit_exercises")
    with acting_as(by):
        if event is None:
            event = Event(kind=kind, status=status or ("held" if kind == "incident" else "planned"),
                          pack=pack)
            db.session.add(event)
        else:
            check_version(event, expected_version, event.name)
            if status:
                event.status = status
        event.kind = kind
        event.name, event.event_type = name, event_type
        event.start_date, event.end_date = start_date, end_date or start_date
        event.lead = lead
        event.scenario, event.description = scenario or "", description or ""
        event.services_affected, event.participants = services_affected or "", participants or ""
        event.multi_agency = bool(multi_agency)
        event.improvement_plan_agreed = improvement_plan_agreed
        event.lead_organisation = lead_organisation
        event.partner_report_date = partner_report_date
        if improvement_plan_agreed and start_date and improvement_plan_agreed < start_date:
            raise ValidationError("The improvement plan cannot be agreed before the event",
                                  field="improvement_plan_agreed")
        if objectives is not None:
            kept = [o for o in event.objectives if o.rating]
            texts = [t.strip() for t in objectives if t and t.strip()]
            event.objectives = kept + [Objective(text=t) for t in texts
                                       if t not in {o.text for o in kept}]
            for position, objective in enumerate(event.objectives):
                objective.position = position
        if plans is not None:
            event.plans = plans
        if risks is not None:
            event.risks = risks
        if controls is not None:
            check_controls_belong(controls, event.risks)
            event.controls = controls
        event.check()
        db.session.flush()
    return event


def record_lead(event: Event, by: User | None, *, lead_organisation: str,
                partner_report_date: date | None, expected_version: int | None = None) -> Event:
    """Say who led an event (empty: we did) and, for a partner, when its report came."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(event, expected_version, event.name)
    with acting_as(by):
        event.lead_organisation = lead_organisation
        event.partner_report_date = partner_report_date
        event.check()
        db.session.flush()
    return event


def check_controls_belong(controls: list[Control] | None, risks: list[Risk]) -> None:
    """A control is tested, or concerned, only together with its risk."""
    strays = sorted({c.risk.reference for c in controls or [] if c.risk not in risks})
    if strays:
        raise ValidationError(f"Tick the risk of each control chosen: {', '.join(strays)}",
                              field="controls")


def create_from_pack(by: User | None, pack: Pack, *, name: str, start_date: date | None,
                     end_date: date | None = None, lead: User | None = None,
                     risks: list[Risk] | None = None) -> Event:
    """A planned exercise with the pack's scenario and objectives."""
    return save_event(by, None, kind="exercise", name=name, event_type=pack.type,
                      start_date=start_date, end_date=end_date, lead=lead,
                      scenario=pack.scenario, objectives=list(pack.objectives), risks=risks,
                      pack=pack.slug)


def record_outcome(event: Event, by: User | None, *, ratings: dict[int, tuple[str, str]],
                   control_results: dict[int, str | None], as_of: date | None = None,
                   expected_version: int | None = None) -> Event:
    """Record how an exercise went: each objective's rating and note, and for each
    control it tested, its effectiveness (None keeps it) with this event as the
    evidence; every tested control's last tested date becomes the event's end date.
    A planned exercise becomes held."""
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(event, expected_version, event.name)
    if event.status == "planned" and event.start_date > (as_of or clock.today()):
        raise ValidationError(f"{event.name} is planned for {event.start_date:%d/%m/%Y}:"
                              " record its outcome once it has been held", field="status")
    with acting_as(by):
        for objective in event.objectives:
            rating, note = ratings.get(objective.id, (objective.rating, objective.note))
            objective.rating = rating or None
            objective.note = (note or "").strip()
        tested = {control.id: control for control in event.controls}
        for control_id, effectiveness in control_results.items():
            if control_id not in tested:
                raise ValidationError("That control is not one this event tests",
                                      field="controls")
            if effectiveness:
                tested[control_id].effectiveness = vocab.check(
                    vocab.EFFECTIVENESS, effectiveness, "effectiveness")
        for control in tested.values():
            if control.last_tested is None or control.last_tested <= event.end_date:
                control.last_tested = event.end_date
                control.tested_by_event = event
        if event.status == "planned":
            event.status = "held"
        # The ratings are part of the event: touching it bumps its version, so two
        # people recording the same outcome cannot silently overwrite each other.
        event.updated_at = utcnow()
        db.session.flush()
    return event


def set_status(event: Event, by: User | None, status: str, as_of: date | None = None,
               expected_version: int | None = None) -> Event:
    permissions.require_unless_operator(by, "edit_exercises")
    check_version(event, expected_version, event.name)
    vocab.check(vocab.EVENT_STATUSES, status, "status")
    if status != "planned" and event.start_date > (as_of or clock.today()):
        raise ValidationError(f"{event.name} has not happened yet (it starts on"
                              f" {event.start_date:%d/%m/%Y})", field="status")
    with acting_as(by):
        event.status = status
        db.session.flush()
    return event


def events_for_risk(risk: Risk) -> list[Event]:
    """Exercises and incidents that test or concern the risk or one of its controls."""
    control_ids = select(Control.id).where(Control.risk_id == risk.id)
    linked = select(event_risks.c.event_id).where(event_risks.c.risk_id == risk.id).union(
        select(event_controls.c.event_id).where(event_controls.c.control_id.in_(control_ids)))
    return list(db.session.scalars(select(Event).where(Event.id.in_(linked))
                                   .order_by(Event.start_date.desc())))


def evidence_since(as_of: date) -> date:
    return as_of - relativedelta(months=EVIDENCE_MONTHS)


def _evidenced(as_of: date):
    """The ids of risks tested by a held exercise or incident (directly or through a
    control) that ended in the EVIDENCE_MONTHS before as_of: a subquery."""
    recent = select(Event.id).where(Event.status != "planned",
                                    Event.end_date > evidence_since(as_of),
                                    Event.start_date <= as_of)
    return select(event_risks.c.risk_id).where(event_risks.c.event_id.in_(recent)).union(
        select(Control.risk_id).join(event_controls, event_controls.c.control_id == Control.id)
        .where(event_controls.c.event_id.in_(recent)))


def exercised_risk_ids(risk_ids: list[int], as_of: date) -> set[int]:
    """Of these risks, those with exercise or incident evidence as of the day."""
    evidenced = _evidenced(as_of).subquery()
    return set(db.session.scalars(select(evidenced.c.risk_id).where(
        evidenced.c.risk_id.in_(risk_ids))))


@dataclass(frozen=True)
class Unexercised:
    """Top-rated risks without exercise evidence: the first few, how many in all, and how
    many more were set aside as not testable by exercise."""

    risks: list[Risk]
    count: int
    set_aside: int


def unexercised_top_risks(registers: list[Register], as_of: date,
                          limit: int = 10) -> Unexercised:
    """Live risks rated in their matrix's top band with no exercise or incident evidence
    (on the risk or a control) in the EVIDENCE_MONTHS before as_of: the first `limit`
    by reference, and how many there are. Risks not testable by exercise (marked so
    themselves, or in a category marked so) are counted apart. Read in three statements
    by cell, not per risk."""
    by_matrix: dict[str, list[Register]] = {}
    for register in registers:
        by_matrix.setdefault(register.matrix.slug, []).append(register)
    in_top_band = []
    for matrix_registers in by_matrix.values():
        matrix = matrix_registers[0].matrix
        register_ids = [r.id for r in matrix_registers]
        # One (registers, likelihood, impacts) term per likelihood: each term an index
        # search on (register, likelihood, impact), not a pass over every risk.
        for lk in matrix.levels("likelihood"):
            impacts = [im for im in matrix.levels("impact")
                       if scoring.rating(matrix, lk, im) == matrix.top_band]
            if impacts:
                in_top_band.append(Risk.register_id.in_(register_ids) & (Risk.likelihood == lk)
                                   & Risk.impact.in_(impacts))
    if not in_top_band:
        return Unexercised([], 0, 0)
    where = (Risk.status.in_(LIVE), or_(*in_top_band), Risk.id.not_in(_evidenced(as_of)))
    untestable = not_testable_clause()
    set_aside = db.session.scalar(select(func.count(Risk.id)).where(*where, untestable))
    where = (*where, ~untestable)
    count = db.session.scalar(select(func.count(Risk.id)).where(*where))
    risks = list(db.session.scalars(select(Risk).where(*where).options(joinedload(Risk.owner))
                                    .order_by(Risk.reference).limit(limit)))
    return Unexercised(risks, count, set_aside)


def search_controls(risks: list[Risk]) -> list[Control]:
    """The controls an event may test: those on the risks it tests."""
    if not risks:
        return []
    return list(db.session.scalars(select(Control).where(
        Control.risk_id.in_([r.id for r in risks])).order_by(Control.risk_id, Control.id)))
