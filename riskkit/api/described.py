"""Exercises, incidents, lessons and history rows as the API answers them: plain
dictionaries in the shapes of api.event_schemas, dates as ISO 8601 text."""

from riskkit.clock import aware
from riskkit.models import Event, HistoryEntry, Lesson
from riskkit.services.history_words import field_label


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def event_ref(event: Event | None) -> dict | None:
    if event is None:
        return None
    return {"id": event.id, "kind": event.kind, "name": event.name,
            "start_date": _iso(event.start_date)}


def event_summary(event: Event) -> dict:
    return {**event_ref(event), "event_type": event.event_type, "type_label": event.type_label,
            "end_date": _iso(event.end_date), "status": event.status,
            "lead": event.lead.name if event.lead else None, "multi_agency": event.multi_agency}


def event_whole(event: Event) -> dict:
    """An exercise or incident whole (read with services.events.get_event)."""
    return {
        **event_summary(event), "scenario": event.scenario, "description": event.description,
        "services_affected": event.services_affected, "participants": event.participants,
        "improvement_plan_agreed": _iso(event.improvement_plan_agreed), "version": event.version,
        "objectives": [{"text": o.text, "rating": o.rating, "note": o.note} for o in event.objectives],
        "plans": [plan.service for plan in event.plans],
        "risks": [linked_risk(risk) for risk in event.risks],
        "controls": [linked_control(control) for control in event.controls],
        "debriefs": [{"id": d.id, "kind": d.kind, "held_on": _iso(d.held_on),
                      "multi_agency": d.multi_agency, "facilitator": d.facilitator,
                      "observations": [{"id": o.id, "prompt": o.prompt, "kind": o.kind,
                                        "text": o.text, "themes": [t.name for t in o.themes],
                                        "lessons": [lesson.reference for lesson in o.lessons]}
                                       for o in d.observations]}
                     for d in event.debriefs],
        "lessons": [linked_lesson(lesson) for lesson in event.lessons],
    }


def linked_risk(risk) -> dict:
    return {"reference": risk.reference, "title": risk.title}


def linked_control(control) -> dict:
    return {"id": control.id, "description": control.description, "risk": control.risk.reference}


def linked_lesson(lesson: Lesson) -> dict:
    """A lesson as a risk or an event lists it."""
    return {"id": lesson.id, "reference": lesson.reference, "statement": lesson.statement,
            "status": lesson.status, "owner": lesson.owner.name, "due_date": _iso(lesson.due_date),
            "event": lesson.event.name}


def lesson_summary(lesson: Lesson) -> dict:
    return {"id": lesson.id, "reference": lesson.reference, "statement": lesson.statement,
            "recommendation": lesson.recommendation, "priority": lesson.priority,
            "status": lesson.status,
            "owner": lesson.owner.name, "due_date": _iso(lesson.due_date),
            "event": event_ref(lesson.event), "evidence_event": event_ref(lesson.evidence_event),
            "evidence_note": lesson.evidence_note}


def lesson_whole(lesson: Lesson) -> dict:
    return {**lesson_summary(lesson), "version": lesson.version,
            "risks": [linked_risk(risk) for risk in lesson.risks],
            "controls": [linked_control(control) for control in lesson.controls],
            "actions": [{"id": a.id, "risk": a.risk.reference, "description": a.description,
                         "owner": a.owner.name, "status": a.status,
                         "target_date": _iso(a.target_date), "completed_date": _iso(a.completed_date)}
                        for a in lesson.actions],
            "themes": [theme.name for theme in lesson.themes]}


def change(entry: HistoryEntry) -> dict:
    """One history row: who, when, which record, which field, old and new."""
    return {"id": entry.id, "at": aware(entry.at).isoformat(), "actor": entry.actor,
            "record": entry.entity.replace(" ", "-"), "record_id": entry.entity_id,
            "change": entry.change, "field": entry.field,
            "label": field_label(entry.entity, entry.field), "old": entry.old_value,
            "new": entry.new_value, "reason": entry.reason}
