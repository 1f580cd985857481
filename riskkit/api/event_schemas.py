"""The shapes of exercises and incidents, their lessons, and the change history, as the
API answers them (the risks' shapes are in api.schemas, whose conventions these share)."""

from marshmallow import Schema, fields, validate

from riskkit import vocab
from riskkit.api.schemas import LinkedLesson, PageQuery, iso_date, page_of, text
from riskkit.services.history import ADMIN_RECORDS, OPEN_RECORDS

#: Records as the API names them in /history/{record}/{id}: a space becomes a hyphen.
RECORD_NAMES = [record.replace(" ", "-") for record in (*OPEN_RECORDS, *ADMIN_RECORDS)
                if record != "risk"]


def enum(codes) -> dict:
    return {"enum": vocab.values(codes)}


class EventRef(Schema):
    id = fields.Integer(metadata={"description": "Read it whole at /exercises/{id} or /incidents/{id}"})
    kind = fields.String(metadata=enum(vocab.EVENT_KINDS))
    name = fields.String()
    start_date = iso_date()


class LinkedRisk(Schema):
    reference = fields.String()
    title = fields.String()


class LinkedControl(Schema):
    id = fields.Integer()
    description = fields.String()
    risk = fields.String(metadata={"description": "The reference of the risk it is on"})


class Objective(Schema):
    text = fields.String()
    rating = fields.String(allow_none=True, metadata=enum(vocab.OBJECTIVE_RATINGS))
    note = fields.String()


class Observation(Schema):
    id = fields.Integer()
    prompt = fields.String(metadata=enum(vocab.OBSERVATION_PROMPTS))
    kind = fields.String(metadata=enum(vocab.OBSERVATION_KINDS))
    text = fields.String()
    themes = fields.List(fields.String())
    lessons = fields.List(fields.String(), metadata={"description": "References of the lessons"
                                                                    " made from it"})


class Debrief(Schema):
    id = fields.Integer()
    kind = fields.String(metadata=enum(vocab.DEBRIEF_KINDS))
    held_on = iso_date()
    multi_agency = fields.Boolean()
    facilitator = fields.String()
    observations = fields.List(fields.Nested(Observation))


class EventSummary(EventRef):
    event_type = fields.String(metadata={"description": "Like tabletop, or flood"})
    type_label = fields.String(metadata={"description": "The type in words"})
    end_date = iso_date()
    status = fields.String(metadata=enum(vocab.EVENT_STATUSES))
    lead = text()
    multi_agency = fields.Boolean()


class Event(EventSummary):
    scenario = fields.String(metadata={"description": "An exercise's scenario"})
    description = fields.String(metadata={"description": "An incident's account of what happened"})
    services_affected = fields.String()
    participants = fields.String()
    improvement_plan_agreed = iso_date()
    objectives = fields.List(fields.Nested(Objective))
    plans = fields.List(fields.String(), metadata={"description": "The continuity plans exercised"})
    risks = fields.List(fields.Nested(LinkedRisk))
    controls = fields.List(fields.Nested(LinkedControl), metadata={"description": "Controls tested"})
    debriefs = fields.List(fields.Nested(Debrief))
    lessons = fields.List(fields.Nested(LinkedLesson))
    version = fields.Integer()


class LessonAction(Schema):
    id = fields.Integer()
    risk = fields.String(metadata={"description": "The reference of the risk it is on"})
    description = fields.String()
    owner = fields.String()
    status = fields.String(metadata=enum(vocab.ACTION_STATUSES))
    target_date = iso_date()
    completed_date = iso_date()


class LessonSummary(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"description": "Like L0012"})
    statement = fields.String()
    recommendation = fields.String()
    priority = fields.String(metadata=enum(vocab.PRIORITIES))
    status = fields.String(metadata={**enum(vocab.LESSON_STATUSES), "description": (
        "validated and closed: learned, shown to work by the evidence event")})
    owner = fields.String()
    due_date = iso_date()
    event = fields.Nested(EventRef, metadata={"description": "The exercise or incident it came from"})
    evidence_event = fields.Nested(EventRef, allow_none=True, metadata={
        "description": "The later exercise or incident that showed the change worked"})
    evidence_note = fields.String()


class Lesson(LessonSummary):
    risks = fields.List(fields.Nested(LinkedRisk))
    controls = fields.List(fields.Nested(LinkedControl))
    actions = fields.List(fields.Nested(LessonAction))
    themes = fields.List(fields.String())
    version = fields.Integer()


class Change(Schema):
    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String(metadata={"description": "Who made the change (a person, or the"
                                                   " command line)"})
    record = fields.String(metadata={"enum": ["risk", *RECORD_NAMES]})
    record_id = fields.Integer()
    change = fields.String(metadata={"enum": ["create", "update", "delete"]})
    field = fields.String(metadata={"description": "The field, as stored"})
    label = fields.String(metadata={"description": "The field as the forms name it"})
    old = text(description="The value before, as text")
    new = text(description="The value after, as text")
    reason = text(description="Why, where the change asked (closing, escalating, done)")


EventPage, LessonPage, ChangePage = (page_of(EventSummary), page_of(LessonSummary),
                                     page_of(Change))


class EventQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(vocab.values(vocab.EVENT_STATUSES)))


class LessonQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(vocab.values(vocab.LESSON_STATUSES)))
    owner = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The owner's name or email"})
    open = fields.Boolean(load_default=False, metadata={
        "description": "true: only lessons still open (identified, action planned, in progress)"})
