"""The shapes the API reads and writes, as marshmallow schemas: the OpenAPI description
is generated from these, so what it promises is what the code does. Answers are the
dictionaries the services already give the CLI's JSON (services.risks.summarise and
describe_whole, services.overdue.Item.as_json), dates as ISO 8601 text."""

from marshmallow import RAISE, Schema, fields, validate

from riskkit import vocab
from riskkit.models.base import LARGEST_INT, TEXT_LIMIT
from riskkit.services.overdue import KINDS
from riskkit.services.risks import SORTS


def iso_date(**kwargs):
    """A date given as ISO 8601 text (YYYY-MM-DD), or null."""
    return fields.String(allow_none=True, metadata={"format": "date", **kwargs})


def text(**kwargs):
    return fields.String(allow_none=True, metadata=kwargs)


class Strict(Schema):
    class Meta:
        unknown = RAISE  # a misspelt parameter is refused, not silently ignored


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(metadata={"description": "about:blank: the status says what kind"})
    title = fields.String(metadata={"description": "What the status means"})
    status = fields.Integer()
    detail = fields.String(metadata={"description": "What was wrong, for a person to read"})
    field = fields.String(metadata={"description": "The field or parameter refused (422)"})
    current = fields.Dict(metadata={"description": "The record as it is now (409)"})


class Rated(Schema):
    likelihood = fields.Integer()
    impact = fields.Integer()
    score = fields.Integer(metadata={"description": "likelihood x impact"})
    rating = fields.String(metadata={"description": "The matrix's band name, like High"})
    colour_name = fields.String(metadata={"description": "Red, Amber or Green, as RAG summaries say"})
    label = fields.String(metadata={"description": "The score in words"})


class Register(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String(metadata={"enum": vocab.values(vocab.REGISTER_LEVELS)})
    parent = text(description="The parent register's code")
    matrix = fields.String(metadata={"description": "The scoring matrix's slug"})
    owner = text()
    escalate_at = fields.Integer(allow_none=True)


class RiskSummary(Schema):
    reference = fields.String()
    title = fields.String()
    register = fields.String(metadata={"description": "The register's code"})
    owner = fields.String()
    category = fields.String()
    status = fields.String(metadata={"enum": vocab.values(vocab.RISK_STATUSES)})
    current = fields.Nested(Rated)
    previous = fields.Nested(Rated, allow_none=True)
    target = fields.Nested(Rated)
    target_date = iso_date()
    trend = fields.String(metadata={"enum": ["up", "down", "unchanged", "new"]})
    last_review_date = iso_date()
    next_review_date = iso_date()
    appetite = fields.Integer(allow_none=True, metadata={"description": "Highest tolerated score"
                                                                        " for its category"})
    above_appetite = fields.Boolean()


def page_of(item: type[Schema]) -> type[Schema]:
    """The schema of a keyed page of `item`s: {items, next} (api.paging)."""
    return type(f"{item.__name__.removesuffix('Summary')}Page", (Schema,), {
        "items": fields.List(fields.Nested(item)),
        "next": fields.String(allow_none=True, metadata={
            "format": "uri", "description": "The next page's address; null on the last page"})})


RiskPage = page_of(RiskSummary)


class Control(Schema):
    id = fields.Integer()
    description = fields.String()
    owner = fields.String()
    effectiveness = fields.String(metadata={"enum": vocab.values(vocab.EFFECTIVENESS)})
    effectiveness_words = fields.String()
    last_tested = iso_date()
    version = fields.Integer(metadata={"description": "Send it back (If-Match or version) to update it"})


class Action(Schema):
    id = fields.Integer()
    description = fields.String()
    owner = fields.String()
    target_date = iso_date()
    status = fields.String(metadata={"enum": vocab.values(vocab.ACTION_STATUSES)})
    completed_date = iso_date()
    version = fields.Integer(metadata={"description": "Send it back (If-Match or version) to update it"})


class Review(Schema):
    id = fields.Integer(metadata={"description": "Its history: /history/review/{id}"})
    reviewed_on = iso_date()
    reviewer = fields.String()
    comment = fields.String()
    before = fields.Nested(Rated)
    after = fields.Nested(Rated)
    next_review_date = iso_date()
    next_review_reason = fields.String()


class LinkedLesson(Schema):
    id = fields.Integer(metadata={"description": "Read it whole at /lessons/{id}"})
    reference = fields.String(metadata={"description": "Like L0012"})
    statement = fields.String()
    status = fields.String(metadata={"enum": vocab.values(vocab.LESSON_STATUSES)})
    owner = fields.String()
    due_date = iso_date()
    event = fields.String(metadata={"description": "The exercise or incident it came from"})


class LinkedEvent(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": vocab.values(vocab.EVENT_KINDS)})
    name = fields.String()
    event_type = fields.String()
    start_date = iso_date()
    status = fields.String(metadata={"enum": vocab.values(vocab.EVENT_STATUSES)})


class Risk(RiskSummary):
    description = fields.String()
    cause = fields.String()
    consequence = fields.String()
    response = fields.String(metadata={"enum": vocab.values(vocab.RISK_RESPONSES)})
    exempt = fields.Boolean()
    inherent = fields.Nested(Rated, allow_none=True)
    escalated_from = text(description="The register it was escalated from")
    version = fields.Integer(metadata={"description": "Send it back (If-Match or version) to change the risk"})
    controls = fields.List(fields.Nested(Control))
    actions = fields.List(fields.Nested(Action))
    reviews = fields.List(fields.Nested(Review))
    lessons = fields.List(fields.Nested(LinkedLesson))
    events = fields.List(fields.Nested(LinkedEvent))


class Band(Schema):
    rating = fields.String()
    colour_name = fields.String()
    count = fields.Integer()


class Cell(Schema):
    likelihood = fields.Integer()
    impact = fields.Integer()
    score = fields.Integer()
    rating = fields.String()
    count = fields.Integer()


class HeatMap(Schema):
    register = fields.String()
    scores = fields.String(metadata={"enum": ["current", "target"]})
    registers = fields.List(fields.String(), metadata={"description": "The register and those it rolls up"})
    total = fields.Integer()
    bands = fields.List(fields.Nested(Band))
    cells = fields.List(fields.Nested(Cell))


class OverdueItem(Schema):
    kind = fields.String(metadata={"enum": list(KINDS)})
    reference = fields.String()
    title = fields.String()
    owner = fields.String()
    register = fields.String()
    register_owner = text()
    due_date = iso_date()
    days_overdue = fields.Integer(metadata={"description": "Negative: falls due in that many days"})
    action = text()
    action_id = fields.Integer(allow_none=True)


# --- what requests send -----------------------------------------------------------------

def _query_text(description: str, **kwargs):
    return fields.String(validate=validate.Length(max=200), metadata={"description": description},
                         **kwargs)


def _version():
    return fields.Integer(validate=validate.Range(1, LARGEST_INT), metadata={
        "description": "The version as read; or send If-Match with its ETag", "example": 1})


class PageQuery(Strict):
    """A keyed page of a list (api.paging): how long, and where it starts."""

    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500),
                           metadata={"description": "Items per page"})
    after = fields.String(validate=validate.Length(max=400), metadata={
        "description": "Where the page starts: take it from the previous page's next link"})


class RiskQuery(PageQuery):
    register = _query_text("A register's code")
    rollup = fields.Boolean(load_default=False, metadata={
        "description": "With register: the registers below it too"})
    owner = _query_text("The owner's name or email")
    status = fields.String(load_default="live", validate=validate.OneOf(
        ["live", "all"] + vocab.values(vocab.RISK_STATUSES)), metadata={
        "description": "live (open or escalated, the default), all, or one status"})
    rating = _query_text("A band name of the matrix, like High")
    above_appetite = fields.Boolean(metadata={"description": "true: only risks above their"
                                                             " category's appetite; false: only those within"})
    next_review_before = fields.Date(metadata={"description": "Only risks whose next review is"
                                                              " before this date (overdue on it)"})
    objective = fields.Integer(validate=validate.Range(1, LARGEST_INT), metadata={
        "description": "Only risks threatening this register objective (its id)"})
    sort = fields.String(load_default="score", validate=validate.OneOf(list(SORTS)))


class HeatMapQuery(Strict):
    scores = fields.String(load_default="current", validate=validate.OneOf(["current", "target"]))
    owner = _query_text("Only risks this person owns (name or email)")


class OverdueQuery(Strict):
    as_of = fields.Date(metadata={"description": "The day to report for (default today)"})
    register = _query_text("Only this register's reviews and actions (its code)")
    owner = _query_text("Only items this person owns (name or email)")
    due_within = fields.Integer(load_default=0, validate=validate.Range(0, 366), metadata={
        "description": "Also what falls due in this many days"})


class ReviewIn(Strict):
    reviewed_on = fields.Date(required=True, metadata={"example": "2021-10-01"})
    likelihood = fields.Integer(required=True, validate=validate.Range(1, LARGEST_INT),
                                metadata={"example": 5})
    impact = fields.Integer(required=True, validate=validate.Range(1, LARGEST_INT),
                            metadata={"example": 4})
    comment = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT), metadata={
        "description": "Required when the rating band changes", "example": "Reviewed at DMT"})
    next_review_date = fields.Date(allow_none=True, load_default=None, metadata={
        "description": "Leave out to schedule from the new rating"})
    next_review_reason = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT),
                                       metadata={"description": "Why, when next_review_date is"
                                                                " not the scheduled one"})
    confirm_lower = fields.Boolean(load_default=False, metadata={
        "description": "Confirm a lower score although no control or action changed"})
    version = _version()


class ActionProgress(Strict):
    """An action's progress: what is left out stays as it is."""

    status = fields.String(validate=validate.OneOf(vocab.values(vocab.ACTION_STATUSES)),
                           metadata={"example": "in_progress"})
    target_date = fields.Date(allow_none=True, metadata={"example": "2022-03-31"})
    completed_date = fields.Date(allow_none=True, metadata={
        "description": "With status done (default: today); cleared otherwise"})
    version = _version()


class ControlProgress(Strict):
    """A control's effectiveness and when it was last tested: what is left out stays."""

    effectiveness = fields.String(validate=validate.OneOf(vocab.values(vocab.EFFECTIVENESS)),
                                  metadata={"example": "effective"})
    last_tested = fields.Date(allow_none=True, metadata={"example": "2021-09-01"})
    version = _version()
