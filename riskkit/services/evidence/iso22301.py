"""The ISO 22301 clause 8.5 (exercise programme) and 9.1 (monitoring and evaluation)
audit pack for a period: the programme's rules and whether each was met at the period's
end; the exercises held against their objectives; the post-exercise reports (hot and cold
debriefs, improvement plans: held, when, and whether late by the programme's follow-up
rules); and the corrective actions: the lessons and the actions raised from them, with
their evidence and status."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models import Action, CadenceRule, Event, Lesson
from riskkit.services import programme
from riskkit.services.as_of import records_at
from riskkit.services.evidence.eprr import every, led_by, type_words
from riskkit.services.evidence.pack import TITLES, Pack, Section, period

APPLIES_TO = {"plan": "Each business continuity plan", "hot_debrief": "Each event held",
              "cold_debrief": "Each event held", "improvement_plan": "Each event held"}


def build(start: date | None, end: date | None, today: date) -> Pack:
    start, end, as_of = period(start, end, today)
    rules = programme.list_rules(active_only=True)
    events = list(db.session.scalars(
        select(Event).where(Event.status != "planned", Event.end_date >= start,
                            Event.end_date <= as_of)
        .options(selectinload(Event.objectives), selectinload(Event.debriefs),
                 selectinload(Event.lessons).selectinload(Lesson.actions)
                 .joinedload(Action.risk))
        .order_by(Event.end_date, Event.id)).unique())
    exercises = [e for e in events if e.kind == "exercise"]
    programme_rows = _programme(rules, as_of)
    objectives = [o for e in exercises for o in e.objectives]
    follow_ups = [r for r in rules if r.kind in programme.FOLLOW_UPS]
    reports = [_report(e, follow_ups, as_of) for e in events]
    lessons = [lesson for e in events for lesson in e.lessons if not lesson.for_partner]
    lessons_then = records_at(as_of, lessons)
    lessons = [lesson for lesson in lessons if lesson.id in lessons_then]
    actions = [a for lesson in lessons for a in lesson.actions]
    actions_then = records_at(as_of, actions)
    late = sum(cell.startswith(("Late", "Overdue")) for row in reports for cell in row[4:])
    summary = [
        ("Programme rules met", f"{sum(r[3] == 'Yes' for r in programme_rows)} of"
                                f" {len(programme_rows)}"),
        ("Exercises held", len(exercises)),
        ("Exercise objectives met", _rated(objectives, "met")),
        ("Exercise objectives partly met", _rated(objectives, "partly_met")),
        ("Exercise objectives not met", _rated(objectives, "not_met")),
        ("Post-exercise reports late or overdue", late),
        ("Lessons identified for us", len(lessons)),
        (f"Of them open on {as_of:%d/%m/%Y}",
         sum(lessons_then[lesson.id].status in vocab.LESSON_OPEN for lesson in lessons)),
        ("Corrective actions raised", len({a.id for a in actions})),
        (f"Of them done on {as_of:%d/%m/%Y}",
         len({a.id for a in actions if a.id in actions_then
              and actions_then[a.id].status == "done"})),
    ]
    sections = [
        Section("Exercise programme", f"Each rule of the programme and whether it was met on"
                f" {as_of:%d/%m/%Y}: nothing it asks for was overdue that day.",
                ("Rule", "Applies to", "Every", "Met", "Overdue"), programme_rows,
                "The programme has no rules."),
        Section("Exercises against objectives", "Each exercise held in the period and"
                " each of its objectives, as rated when its outcome was recorded.",
                ("Exercise", "Type", "Held on", "Led by", "Objective", "Rating", "Note"),
                [row for e in exercises for row in _objective_rows(e)],
                "No exercise was held in the period."),
        Section("Post-exercise reports", "For each exercise and incident held in the period,"
                " its debriefs and improvement plan: when held, and whether late by the"
                " programme's follow-up rules (run from a partner's report for an event a"
                " partner led).",
                ("Event", "Ended", "Led by", "Runs from",
                 *(rule.name for rule in follow_ups)), reports,
                "No exercise or incident was held in the period."),
        Section("Corrective actions", f"The lessons for us from those events, each with the"
                f" actions raised from it and the evidence it was validated by, as they stood"
                f" on {as_of:%d/%m/%Y}.",
                ("Lesson", "Event", "Lesson identified", "Lesson status", "Evidence", "Action",
                 "Action owner", "Target date", "Action status", "Completed"),
                [row for lesson in lessons
                 for row in _corrective(lesson, lessons_then[lesson.id], actions_then)],
                "No lesson was recorded."),
    ]
    return Pack("iso22301", TITLES["iso22301"], start, end, as_of, summary, sections)


def _programme(rules: list[CadenceRule], as_of: date) -> list[tuple]:
    late: dict[str, list[programme.Due]] = {}
    for item in programme.due(as_of):
        if item.never or item.days_overdue > 0:
            late.setdefault(item.rule, []).append(item)
    return [(rule.name, APPLIES_TO.get(rule.kind) or vocab.label(vocab.EXERCISE_TYPES,
                                                                 rule.event_type),
             every(rule), "No" if late.get(rule.name) else "Yes",
             "; ".join(f"{i.subject} ({i.note})" for i in late.get(rule.name, [])))
            for rule in rules]


def _rated(objectives, rating: str) -> int:
    return sum(o.rating == rating for o in objectives)


def _objective_rows(event: Event) -> list[tuple]:
    first = (event.name, type_words(event), event.end_date, led_by(event))
    if not event.objectives:
        return [(*first, "No objectives recorded", None, None)]
    return [(*first, o.text, vocab.label(vocab.OBJECTIVE_RATINGS, o.rating) if o.rating
             else "Not rated", o.note) for o in event.objectives]


def _report(event: Event, rules: list[CadenceRule], as_of: date) -> tuple:
    """An event's row: when each follow-up was held, and whether it was late."""
    base = event.end_date
    if event.lead_organisation:
        reported = event.partner_report_date
        base = reported if reported is not None and reported <= as_of else None
    cells = [_follow_up(event, rule, base, as_of) for rule in rules]
    runs_from = ("Awaiting the partner's report" if base is None else
                 f"{event.lead_organisation}'s report" if event.lead_organisation else "Its end")
    return (event.name, event.end_date, led_by(event), runs_from, *cells)


def _follow_up(event: Event, rule: CadenceRule, base: date | None, as_of: date) -> str:
    if rule.kind == "improvement_plan":
        held = event.improvement_plan_agreed
    else:
        kind = "hot" if rule.kind == "hot_debrief" else "cold"
        held = min((d.held_on for d in event.debriefs if d.kind == kind), default=None)
    held = held if held is not None and held <= as_of else None
    due = programme.after(base, rule) if base is not None else None
    if held is not None:
        return f"Late: held {held:%d/%m/%Y}, due {due:%d/%m/%Y}" if due and held > due \
            else f"Held {held:%d/%m/%Y}"
    if due is None:
        return "Not yet due"
    if rule.kind == "hot_debrief" and any(d.kind == "cold" and d.held_on <= as_of
                                          for d in event.debriefs):
        return "Not held (a cold debrief was)"
    if event.status == "closed":
        return "Not held (the event is closed)"
    return f"Overdue since {due:%d/%m/%Y}" if due < as_of else f"Due {due:%d/%m/%Y}"


def _corrective(lesson: Lesson, then, actions_then) -> list[tuple]:
    evidence = "; ".join(filter(None, (lesson.evidence_event.name if lesson.evidence_event
                                       else "", lesson.evidence_note)))
    first = (lesson.reference, lesson.event.name, lesson.statement,
             vocab.label(vocab.LESSON_STATUSES, then.status), evidence)
    raised = [a for a in lesson.actions if a.id in actions_then]
    if not raised:
        return [(*first, "No action raised", None, None, None, None)]
    return [(*first, f"{a.risk.reference}: {a.description}", actions_then[a.id].owner,
             actions_then[a.id].target_date,
             vocab.label(vocab.ACTION_STATUSES, actions_then[a.id].status),
             actions_then[a.id].completed_date) for a in raised]
