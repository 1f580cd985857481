"""An exercise report (or incident debrief report) and the improvement plan, gathered
as plain data: the one place the PDF, the workbook, the command line and the web
downloads read from.

The report holds one event whole: overview, objectives and their ratings, debriefs,
strengths and areas for improvement, and the improvement plan (its lessons and the
actions they raised on risks). The improvement plan holds lessons across events, or
one event's, with the actions they raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from riskkit import vocab
from riskkit.errors import NotFound
from riskkit.extensions import db
from riskkit.models import Action, Debrief, Event, Lesson, Observation
from riskkit.models.lessons import lesson_reference
from riskkit.services.as_of import Past, records_at
from riskkit.services.events import find_event
from riskkit.services.links_at import lessons_of_actions
from riskkit.services.names import as_number


@dataclass(frozen=True)
class ObjectiveRow:
    number: int
    text: str
    rating: str  # Met, Partly met, Not met; empty when not rated
    rating_value: str  # met, partly_met, not_met or empty, for colour
    note: str


@dataclass(frozen=True)
class DebriefRow:
    kind: str  # Hot debrief, Cold debrief
    held_on: date
    facilitator: str
    attendees: str
    multi_agency: bool


@dataclass(frozen=True)
class ObservationRow:
    reference: str  # S1, S2 for strengths; A1, A2 for areas for improvement
    kind: str  # Strength, Area for improvement
    prompt: str  # What went well, ...
    text: str
    themes: list[str]
    debrief: str  # Cold debrief 07/12/2022
    lessons: list[str]  # the lessons it gave rise to: L0001


@dataclass(frozen=True)
class ActionRow:
    id: int  # the action's number, so an action answering several lessons is listed once
    lesson: str  # the lessons it answers: L0001 (or several: L0001, L0004)
    risk: str  # the risk's reference
    risk_title: str
    description: str
    owner: str
    target_date: date | None
    status: str  # in words: In progress
    overdue: bool


@dataclass(frozen=True)
class LessonRow:
    reference: str  # L0001
    event: str
    event_date: date
    themes: list[str]
    statement: str  # the issue
    recommendation: str
    owner: str
    due_date: date | None
    priority: str  # in words: High
    status: str  # in words: Action planned
    is_open: bool
    overdue: bool
    observation: str  # the observation it came from: A1, or empty
    actions: list[ActionRow] = field(default_factory=list)
    evidence_event: str = ""  # the later event that showed the change worked
    evidence_date: date | None = None
    evidence_note: str = ""


@dataclass
class ExerciseReport:
    """One exercise or incident, as its report prints it."""

    event_id: int
    is_exercise: bool
    name: str
    organisation: str
    type_label: str
    start_date: date
    end_date: date
    lead: str
    status: str  # in words
    multi_agency: bool
    participants: str
    services_affected: str
    plans: list[str]
    risks: list[tuple[str, str]]  # reference, title
    narrative: str  # the scenario of an exercise, what happened in an incident
    improvement_plan_agreed: date | None
    objectives: list[ObjectiveRow]
    debriefs: list[DebriefRow]
    strengths: list[ObservationRow]
    improvements: list[ObservationRow]
    lessons: list[LessonRow]
    # For an event a partner led: "Kent Resilience Forum; report received 20/04/2026".
    led_by: str = ""

    @property
    def title(self) -> str:
        kind = "Exercise report" if self.is_exercise else "Incident debrief report"
        return f"{kind}: {self.name}"

    @property
    def subject(self) -> str:
        what = "exercise" if self.is_exercise else "incident"
        return (f"{self.type_label} {what} of {self.dates}: overview, objectives, debriefs,"
                " strengths, areas for improvement and improvement plan")

    @property
    def dates(self) -> str:
        if self.end_date and self.end_date != self.start_date:
            return f"{self.start_date:%d/%m/%Y} to {self.end_date:%d/%m/%Y}"
        return f"{self.start_date:%d/%m/%Y}"

    @property
    def actions(self) -> list[ActionRow]:
        return _once(self.lessons)

    @property
    def summary(self) -> str:
        """One paragraph saying what the report holds, for the reader of a committee paper
        (the PDF and the accessible HTML version both lead with it)."""
        what = "exercise" if self.is_exercise else "incident"
        parts = [f"{self.type_label} {what}, {self.dates}. Status: {self.status.lower()}."]
        if self.objectives:
            rated = [o.rating.lower() for o in self.objectives if o.rating]
            counts = [f"{rated.count(word)} {word}" for word in ("met", "partly met", "not met")
                      if rated.count(word)]
            unrated = len(self.objectives) - len(rated)
            if unrated:
                counts.append(f"{unrated} not rated")
            parts.append(f"{plural(len(self.objectives), 'objective')}: {', '.join(counts)}.")
        observations = len(self.strengths) + len(self.improvements)
        if not self.debriefs:
            parts.append("No debrief has been recorded yet.")
        else:
            parts.append(f"{plural(observations, 'observation')} from"
                         f" {plural(len(self.debriefs), 'debrief')}:"
                         f" {plural(len(self.strengths), 'strength')},"
                         f" {plural(len(self.improvements), 'area')} for improvement.")
        open_lessons = sum(1 for lesson in self.lessons if lesson.is_open)
        overdue = sum(1 for lesson in self.lessons if lesson.overdue)
        lessons = f"{plural(len(self.lessons), 'lesson')} in the improvement plan, {open_lessons} open"
        if overdue:
            lessons += f" ({overdue} overdue)"
        parts.append(lessons + "." if self.lessons else "No lessons are in the improvement plan yet.")
        return " ".join(parts)


def plural(count: int, word: str, many: str | None = None) -> str:
    """3 lessons, 1 lesson."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


@dataclass
class ImprovementPlan:
    """Lessons across events (or one event's), and the actions they raised."""

    title: str
    lessons: list[LessonRow]

    @property
    def actions(self) -> list[ActionRow]:
        return _once(self.lessons)


def event_by_number_or_name(spec: str) -> Event:
    """The event named on the command line: its number (as `riskkit exercises list`
    shows it) or its exact name."""
    spec = (spec or "").strip()
    if (number := as_number(spec)) is not None:
        event = db.session.get(Event, number)
        if event is not None:
            return event
    try:
        return find_event(spec)
    except NotFound:
        raise NotFound(f"No exercise or incident numbered or called {spec!r}: `riskkit exercises"
                       " list` lists them") from None


def build_report(event: Event, organisation: str, as_of: date) -> ExerciseReport:
    """The report of one exercise or incident; lessons and actions still open after
    their date on `as_of` are marked overdue."""
    debriefs = list(db.session.scalars(
        select(Debrief).where(Debrief.event_id == event.id)
        .options(selectinload(Debrief.observations).selectinload(Observation.themes),
                 selectinload(Debrief.observations).selectinload(Observation.lessons))
        .order_by(Debrief.held_on, Debrief.id)))
    strengths: list[ObservationRow] = []
    improvements: list[ObservationRow] = []
    origin: dict[int, str] = {}  # observation id -> S1, A2
    for debrief in debriefs:
        held = f"{_words(vocab.DEBRIEF_KINDS, debrief.kind)} debrief {debrief.held_on:%d/%m/%Y}"
        for observation in debrief.observations:
            into = strengths if observation.kind == "strength" else improvements
            into.append(ObservationRow(
                reference=f"{'S' if observation.kind == 'strength' else 'A'}{len(into) + 1}",
                kind=_words(vocab.OBSERVATION_KINDS, observation.kind),
                prompt=_words(vocab.OBSERVATION_PROMPTS, observation.prompt),
                text=observation.text, themes=[t.name for t in observation.themes], debrief=held,
                lessons=[lesson.reference for lesson in observation.lessons]))
            origin[observation.id] = into[-1].reference
    rows = [replace(row, observation=origin.get(lesson.observation_id, ""))
            for lesson, row in _lessons(select(Lesson).where(Lesson.event_id == event.id), as_of)]
    types = vocab.EXERCISE_TYPES if event.is_exercise else vocab.INCIDENT_TYPES
    return ExerciseReport(
        event_id=event.id, is_exercise=event.is_exercise, name=event.name, organisation=organisation,
        type_label=_words(types, event.event_type), start_date=event.start_date,
        end_date=event.end_date or event.start_date, lead=event.lead.name if event.lead else "",
        status=_words(vocab.EVENT_STATUSES, event.status), multi_agency=event.multi_agency,
        participants=event.participants, services_affected=event.services_affected,
        plans=[plan.service for plan in event.plans],
        risks=[(risk.reference, risk.title) for risk in event.risks],
        narrative=event.scenario if event.is_exercise else (event.description or event.scenario),
        improvement_plan_agreed=event.improvement_plan_agreed,
        led_by=_led_by(event),
        objectives=[ObjectiveRow(n, o.text, _words(vocab.OBJECTIVE_RATINGS, o.rating) if o.rating else "",
                                 o.rating or "", o.note)
                    for n, o in enumerate(event.objectives, start=1)],
        debriefs=[DebriefRow(f"{_words(vocab.DEBRIEF_KINDS, d.kind)} debrief", d.held_on, d.facilitator,
                             d.attendees, d.multi_agency) for d in debriefs],
        strengths=strengths, improvements=improvements, lessons=rows,
    )


def build_improvement_plan(event: Event | None, as_of: date, open_only: bool = False) -> ImprovementPlan:
    """Every lesson (or one event's), oldest event first, then in the order recorded.
    With `open_only`, only lessons identified, with action planned or in progress."""
    statement = select(Lesson).join(Event, Lesson.event_id == Event.id)
    if event is not None:
        statement = statement.where(Lesson.event_id == event.id)
    statement = statement.order_by(Event.start_date, Event.id, Lesson.id)
    title = f"Improvement plan: {event.name}" if event else "Improvement plan: all exercises and incidents"
    if open_only:
        title += " (open lessons)"
    # Open as the lesson stood on `as_of`, not as it is now.
    return ImprovementPlan(title, [row for _, row in _lessons(statement, as_of)
                                   if row.is_open or not open_only])


def _lessons(statement, as_of: date) -> list[tuple[Lesson, LessonRow]]:
    """The lessons and their actions as they stood at the end of `as_of` (those recorded
    later left out), overdue judged against that day."""
    lessons = db.session.scalars(statement.options(
        joinedload(Lesson.owner), joinedload(Lesson.event), joinedload(Lesson.evidence_event),
        selectinload(Lesson.observation).selectinload(Observation.themes),
        selectinload(Lesson.actions).joinedload(Action.risk),
        selectinload(Lesson.actions).joinedload(Action.owner))).unique().all()
    then = records_at(as_of, list(lessons))
    actions = records_at(as_of, list({a.id: a for lesson in lessons for a in lesson.actions}.values()))
    answered = lessons_of_actions(as_of, actions)
    return [(lesson, _lesson_row(lesson, then[lesson.id], actions, answered, as_of))
            for lesson in lessons if lesson.id in then]


def _led_by(event: Event) -> str:
    if not event.partner_led:
        return ""
    return event.lead_organisation + (
        f"; report received {event.partner_report_date:%d/%m/%Y}" if event.partner_report_date
        else "; awaiting partner report")


def _lesson_row(lesson: Lesson, then: Past, actions: dict[int, Past], answered: dict[int, list[int]],
                as_of: date) -> LessonRow:
    """`answered`: the lessons each action answered then (services.links_at)."""
    evidence = lesson.evidence_event if then.evidence_event_id is not None else None
    # A lesson for the partner is noted in the report, never open or overdue here.
    is_open = then.status in vocab.LESSON_OPEN and not lesson.for_partner
    return LessonRow(
        reference=lesson.reference, event=lesson.event.name, event_date=lesson.event.start_date,
        themes=[theme.name for theme in lesson.themes], statement=then.statement,
        recommendation=then.recommendation or "", owner=then.owner, due_date=then.due_date,
        priority=_words(vocab.PRIORITIES, then.priority),
        status=_words(vocab.LESSON_STATUSES, then.status)
        + (" (for the partner: noted only)" if lesson.for_partner else ""), is_open=is_open,
        overdue=is_open and then.due_date is not None and then.due_date < as_of,
        observation="",
        actions=[ActionRow(
            id=action.id, lesson=", ".join(lesson_reference(other) for other in answered[action.id]),
            risk=action.risk.reference, risk_title=action.risk.title, description=past.description,
            owner=past.owner, target_date=past.target_date,
            status=_words(vocab.ACTION_STATUSES, past.status),
            overdue=(past.status not in vocab.ACTION_CLOSED and past.target_date is not None
                     and past.target_date < as_of),
        ) for action in lesson.actions
            if (past := actions.get(action.id)) is not None and lesson.id in answered.get(action.id, ())],
        evidence_event=evidence.name if evidence is not None else "",
        evidence_date=evidence.start_date if evidence is not None else None,
        evidence_note=then.evidence_note or "",
    )


def _once(lessons: list[LessonRow]) -> list[ActionRow]:
    """The actions the lessons raised, each once (one may answer several lessons)."""
    seen: set[int] = set()
    actions = []
    for lesson in lessons:
        for action in lesson.actions:
            if action.id not in seen:
                seen.add(action.id)
                actions.append(action)
    return actions


def _words(vocabulary, value: str) -> str:
    return vocab.label(vocabulary, value)
