"""The shapes of operational pressure indicators and their readings, as the API answers
them and as a reading is sent (conventions as in api.schemas)."""

from marshmallow import Schema, fields, validate

from riskkit.api.event_schemas import enum
from riskkit.api.schemas import Strict, iso_date, text
from riskkit.models.base import LARGEST_INT, TEXT_LIMIT
from riskkit.models.indicators import DIRECTIONS, TRIGGER_STATES


class TriggerBand(Schema):
    level = fields.String(metadata={"description": "The level in words, like OPEL 2 (Amber)"})
    rank = fields.Integer(metadata={"description": "1 for the least severe level"})
    lower = fields.Float(allow_none=True, metadata={"description": "Included; null is open"})
    upper = fields.Float(allow_none=True, metadata={"description": "Not included; null is open"})
    words = fields.String(metadata={"description": "The band as the plan words it"})


class Reading(Schema):
    id = fields.Integer()
    indicator = fields.Integer(metadata={"description": "The indicator's id"})
    date = iso_date()
    area = text(description="The area's name; null for an indicator measured as a whole")
    value = fields.Float()
    note = fields.String()
    level = text(description="The level this value puts the indicator at; null while its"
                             " triggers are under development")
    recorded_by = text()
    recorded_at = fields.String(metadata={"format": "date-time"})
    version = fields.Integer(metadata={"description": "Send it back to change the reading"})


class Standing(Schema):
    """An indicator in one area today: its latest reading and the level it gives."""

    area = text()
    level = text(description="The level of the latest reading, or null")
    rank = fields.Integer(allow_none=True)
    state = fields.String(metadata={"description": "The level, or why there is none"})
    stale = fields.Boolean(metadata={"description": "No reading within its frequency"})
    trend = fields.String(metadata={"enum": ["up", "down", "same", ""],
                                    "description": "The latest value against the one before"})
    latest = fields.Nested(Reading, allow_none=True)


class IndicatorSummary(Schema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    direction = fields.String(metadata=enum(DIRECTIONS))
    scheme = fields.String(metadata={"description": "The level scheme's code, like opel"})
    triggers_state = fields.String(metadata=enum(TRIGGER_STATES))
    frequency_days = fields.Integer(metadata={"description": "Days a reading lasts before stale"})
    min_value = fields.Float(allow_none=True)
    max_value = fields.Float(allow_none=True)
    owner = fields.String()
    team = text()
    areas = fields.List(fields.String())
    risks = fields.List(fields.String(), metadata={"description": "References of the risks"
                                                                 " it warns about"})
    archived = fields.Boolean()
    bands = fields.List(fields.Nested(TriggerBand))
    levels = fields.List(fields.Nested(Standing))


class IndicatorList(Schema):
    items = fields.List(fields.Nested(IndicatorSummary))


class Indicator(IndicatorSummary):
    description = fields.String()
    readings = fields.List(fields.Nested(Reading), metadata={
        "description": "The latest readings, newest first"})


class IndicatorQuery(Strict):
    as_of = fields.Date(metadata={"description": "The day the levels are for (default today)"})


class ReadingIn(Strict):
    date = fields.Date(required=True, metadata={"example": "2026-01-05"})
    area = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200),
                         metadata={"description": "The area's name, for an indicator measured"
                                                  " in areas", "example": "Ashford patch"})
    value = fields.Float(required=True, allow_nan=False, metadata={"example": 62})
    note = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    version = fields.Integer(validate=validate.Range(1, LARGEST_INT), metadata={
        "description": "To change a reading already there: the version read (or If-Match)"})
