"""The NHS EPRR core standards training-and-exercising evidence for a period: for each
exercise rule of the programme (by default a communications test every 6 months, a
tabletop every year, a live exercise and a command post exercise every 3 years), whether
it was met in each of its intervals and by what, exercise or credited incident; the
exercises and incidents of the period with their participants and lessons; the lessons
and their status; and what the programme has owing at the period's end.

The period is cut into the rule's intervals counted back from its end (so the last one
is whole): a 6-monthly rule over a year has two, a 3-yearly rule one, reaching back before
the period. Each interval is met by an occasion (services.programme.occasions) that
ended within it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models import CadenceRule, Event, Lesson
from riskkit.services import programme
from riskkit.services.as_of import records_at
from riskkit.services.evidence.pack import TITLES, Pack, Section, period, yes_no

OUR_OWN = "Us"


def intervals(rule: CadenceRule, start: date, end: date) -> list[tuple[date, date]]:
    """The rule's intervals covering start to end, counted back from the day after end (so
    six months to 31 December start on 1 July), oldest first."""
    step = relativedelta(months=rule.interval) if rule.unit == "months" else \
        timedelta(days=rule.interval)
    after_end, found, back = end + timedelta(days=1), [], 1
    while True:
        first = after_end - step * back
        found.append((first, after_end - step * (back - 1) - timedelta(days=1)))
        if first <= start:
            return found[::-1]
        back += 1


def led_by(event: Event) -> str:
    return event.lead_organisation or OUR_OWN


def type_words(event: Event) -> str:
    kinds = vocab.EXERCISE_TYPES if event.kind == "exercise" else vocab.INCIDENT_TYPES
    return f"{vocab.label(vocab.EVENT_KINDS, event.kind)}: {vocab.label(kinds, event.event_type)}"


def every(rule: CadenceRule) -> str:
    return f"{rule.interval} {rule.unit}" if rule.interval != 1 else f"1 {rule.unit[:-1]}"


def requirements(start: date, end: date, as_of: date
                 ) -> tuple[list[tuple], dict[int, list[str]], int, int]:
    """The rows of each exercise rule's intervals, which rules each event counted toward,
    and how many intervals were met of those ended by as_of."""
    rows, counted, met, judged = [], defaultdict(list), 0, 0
    for rule in programme.list_rules(active_only=True):
        if rule.kind != "exercise":
            continue
        spans = intervals(rule, start, end)
        held = programme.occasions(rule, spans[0][0], as_of)
        for first, last in spans:
            within = [e for e in held if first <= e.end_date <= last]
            for event in within:
                counted[event.id].append(rule.name)
            if within:
                answer = "Yes"
            elif last > as_of:
                answer = f"Not yet: the interval ends {last:%d/%m/%Y}"
            else:
                answer = "No"
            judged += not answer.startswith("Not yet")
            met += bool(within)
            newest = within[-1] if within else None
            rows.append((rule.name, every(rule), first, last, answer,
                         _by(newest), newest.end_date if newest else None,
                         led_by(newest) if newest else None))
    return rows, counted, met, judged


def _by(event: Event | None) -> str | None:
    if event is None:
        return None
    return f"Incident: {event.name}" if event.kind == "incident" else event.name


def build(start: date | None, end: date | None, today: date) -> Pack:
    start, end, as_of = period(start, end, today)
    rows, counted, met, judged = requirements(start, end, as_of)
    events = list(db.session.scalars(
        select(Event).where(Event.status != "planned", Event.end_date >= start,
                            Event.end_date <= as_of,
                            (Event.kind == "exercise") | Event.id.in_(list(counted) or [0]))
        .options(joinedload(Event.lessons)).order_by(Event.end_date, Event.id)).unique())
    lessons = [lesson for event in events for lesson in event.lessons]
    then = records_at(as_of, lessons)
    lessons = [lesson for lesson in lessons if lesson.id in then]
    ours = [lesson for lesson in lessons if not lesson.for_partner]
    open_ids = {lesson.id for lesson in ours if then[lesson.id].status in vocab.LESSON_OPEN}
    owing = [item for item in programme.due(as_of, due_within=366 * 3)
             if item.kind == "exercise"]
    summary = [
        ("Requirement intervals met", f"{met} of {judged}"),
        ("Exercises held", sum(e.kind == "exercise" for e in events)),
        ("Exercises led by a partner", sum(bool(e.lead_organisation) for e in events)),
        ("Incidents credited in place of an exercise", sum(e.kind == "incident" for e in events)),
        ("Lessons identified for us", len(ours)),
        (f"Of them open on {as_of:%d/%m/%Y}", len(open_ids)),
        (f"Requirements overdue on {as_of:%d/%m/%Y}", sum(i.days_overdue > 0 or i.never
                                                          for i in owing)),
    ]
    sections = [
        Section("Requirements met", "Each exercise rule of the programme, in"
                " intervals of its length counted back from the period's end; met by an"
                " exercise of its type, or by an incident the rule credits (debriefed, with"
                " lessons), that ended within the interval.",
                ("Requirement", "Every", "Interval from", "Interval to", "Met",
                 "Met by (latest)", "Held on", "Led by"), rows,
                "The programme has no exercise rules."),
        Section("Exercises and incidents", "Every exercise held in the period, and"
                " each incident that met a requirement; partner-led exercises count as ours.",
                ("Event", "Type", "From", "To", "Led by", "Participants", "Counts toward",
                 "Lessons for us", "Of them open"),
                [(e.name, type_words(e), e.start_date, e.end_date, led_by(e), e.participants,
                  "; ".join(counted.get(e.id, [])),
                  sum(not lesson.for_partner for lesson in e.lessons if lesson.id in then),
                  sum(lesson.id in open_ids for lesson in e.lessons))
                 for e in events], "No exercise was held in the period."),
        Section("Lessons identified", f"The lessons recorded from those events, with their"
                f" status on {as_of:%d/%m/%Y}; a partner's lessons are noted only.",
                ("Lesson", "Event", "Lesson identified", "Owner", "Due", "Status"),
                [(lesson.reference, lesson.event.name, lesson.statement, then[lesson.id].owner,
                  then[lesson.id].due_date, _status(lesson, then[lesson.id].status))
                 for lesson in lessons], "No lesson was recorded."),
        Section(f"What is owing on {as_of:%d/%m/%Y}", "Each exercise rule's next due date from"
                " the last occasion that met it, and by how many days it was overdue.",
                ("Requirement", "Type", "Next due", "Days overdue", "From", "Overdue"),
                [(i.rule, i.subject, i.due_date, max(i.days_overdue, 0), i.note,
                  yes_no(i.days_overdue > 0 or i.never)) for i in owing],
                "Nothing is owing."),
    ]
    return Pack("eprr", TITLES["eprr"], start, end, as_of, summary, sections)


def _status(lesson: Lesson, status: str) -> str:
    words = vocab.label(vocab.LESSON_STATUSES, status)
    return f"{words} (for the partner: noted only)" if lesson.for_partner else words
