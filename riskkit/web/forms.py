"""WTForms for the register pages, drawn with GOV.UK Frontend widgets. Forms check
the shape of input; the services check the rules and their errors are put back on
the field they name."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from riskkit import vocab
from riskkit.errors import Conflict, ValidationError
from riskkit.models.base import utcnow
from riskkit.services import history
from riskkit.services.risks import commit

DATE_FORMAT = "%d %m %Y"  # GovDateInput posts day, month and year as three values


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choice objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


class GovDateField(DateField):
    """A day-month-year date. A post that leaves the field out, or sends it as one value
    instead of day, month and year, is treated as blank, rather than breaking the GOV.UK
    widget when the form is shown again."""

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if not self.raw_data or len(self.raw_data) != 3:
            self.raw_data = None
            if formdata is not None and formdata.getlist(self.name):
                self.data = None


def date_field(label: str, required: bool = False, **kwargs) -> DateField:
    validators = [InputRequired(f"Enter the {label.lower()}")] if required else [Optional()]
    return GovDateField(label, format=DATE_FORMAT, widget=GovDateInput(), validators=validators,
                        **kwargs)


def score_field(label: str, required: bool = True) -> SelectField:
    """A likelihood or impact: choices are filled from the register's matrix."""
    validators = [InputRequired(f"Choose the {label.lower()}")] if required else [Optional()]
    return SelectField(label, coerce=_int_or_none, widget=GovSelect(), validators=validators,
                       validate_choice=False)


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # left for the matrix check to refuse, naming the field


def set_score_choices(form, matrix, blank_first=()) -> None:
    for name in ("likelihood", "impact", "target_likelihood", "target_impact",
                 "inherent_likelihood", "inherent_impact"):
        field = getattr(form, name, None)
        if field is None:
            continue
        labels = matrix.impact if name.endswith("impact") else matrix.likelihood
        choices = [(n, f"{n} – {label}") for n, label in enumerate(labels, 1)]
        if name in blank_first:
            choices = [("", "Not assessed")] + choices
        field.choices = options(choices)


def put_error(form, error: ValidationError) -> None:
    """Show a service's refusal on the field it names (or the form's first field)."""
    name = error.field if error.field in form._fields else None
    if name is None and error.field:
        # "target_likelihood" and the like come back as "target_likelihood"; scores
        # named "current_likelihood" map to the form's "likelihood".
        name = error.field.removeprefix("current_") if error.field.removeprefix(
            "current_") in form._fields else None
    field = form[name] if name else next(iter(form))
    field.errors = list(field.errors) + [str(error)]


#: Why a form that changes a record was refused without its version.
MISSING_VERSION = ("This form did not say which version of the record it changes, so"
                   " nothing was saved: reload the page and make your change again.")


class VersionedForm(FlaskForm):
    """Carries the version the user read, and when, for optimistic locking. A form that
    changes a record that exists must carry that version: without one there is nothing
    to check another person's save against, and the post is refused. Only a new
    record's form (stamp(form, None)) has none."""

    version = HiddenField()
    opened_at = HiddenField()
    changes_existing = True

    def validate_version(self, field):
        if self.changes_existing and expected(self) is None:
            raise StopValidation(MISSING_VERSION)


class RiskForm(VersionedForm):
    register = SelectField("Register", widget=GovSelect(), coerce=_int_or_none,
                           validate_choice=False)
    title = StringField("Risk title", widget=GovTextInput(), validators=[
        InputRequired("Enter a risk title"), Length(max=300, message="Title must be 300 characters or fewer")])
    description = TextAreaField("Event: what could happen", widget=GovTextArea())
    cause = TextAreaField("Cause", widget=GovTextArea())
    consequence = TextAreaField("Consequence", widget=GovTextArea())
    category = StringField("Category", widget=GovTextInput())
    owner = SelectField("Risk owner", widget=GovSelect(), coerce=_int_or_none,
                        validate_choice=False, validators=[InputRequired("Choose the risk owner")])
    likelihood = score_field("Current likelihood")
    impact = score_field("Current impact")
    target_likelihood = score_field("Target likelihood")
    target_impact = score_field("Target impact")
    target_date = date_field("Target date")
    inherent_likelihood = score_field("Inherent likelihood (before controls)", required=False)
    inherent_impact = score_field("Inherent impact (before controls)", required=False)
    response = RadioField("Response", widget=GovRadioInput(), choices=options(vocab.RISK_RESPONSES),
                          default="treat")
    exempt = BooleanField("Exempt: leave its detail out of the published committee appendix",
                          widget=GovCheckboxInput())
    submit = SubmitField("Save risk", widget=GovSubmitInput())


class ReviewForm(VersionedForm):
    reviewed_on = date_field("Date of review", required=True)
    likelihood = score_field("Likelihood now")
    impact = score_field("Impact now")
    comment = TextAreaField("Review comment", widget=GovTextArea())
    next_review_date = date_field("Next review date (leave blank to schedule from the rating)")
    next_review_reason = StringField("Reason for a different next review date",
                                     widget=GovTextInput())
    confirm_lower = BooleanField(
        "I confirm the score is lower although no control or action has changed",
        widget=GovCheckboxInput())
    submit = SubmitField("Record review", widget=GovSubmitInput())
    no_change = SubmitField("Reviewed: no change", widget=GovSubmitInput())


class ControlForm(VersionedForm):
    description = TextAreaField("Control", widget=GovTextArea(),
                                validators=[InputRequired("Describe the control")])
    owner = SelectField("Owner", widget=GovSelect(), coerce=_int_or_none, validate_choice=False,
                        validators=[InputRequired("Choose the owner")])
    effectiveness = RadioField("Effectiveness", widget=GovRadioInput(),
                               choices=options(vocab.EFFECTIVENESS), default="not_tested",
                               description="How well the control worked when last tested or"
                                           " exercised.")
    last_tested = date_field("Last tested")
    submit = SubmitField("Save control", widget=GovSubmitInput())


class ActionForm(VersionedForm):
    description = TextAreaField("Action", widget=GovTextArea(),
                                validators=[InputRequired("Describe the action")])
    owner = SelectField("Owner", widget=GovSelect(), coerce=_int_or_none, validate_choice=False,
                        validators=[InputRequired("Choose the owner")])
    target_date = date_field("Target date")
    status = RadioField("Status", widget=GovRadioInput(), choices=options(vocab.ACTION_STATUSES),
                        default="planned",
                        description="An action marked done records today as its completion date.")
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ConfirmForm(VersionedForm):
    """A button that changes a risk (close, reopen, escalate, remove a row)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class UserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the person's name")])
    email = StringField("Email address", widget=GovTextInput())
    role = RadioField("Role", widget=GovRadioInput(), choices=options(vocab.ROLES), default="viewer")
    active = BooleanField("Can sign in", widget=GovCheckboxInput(), default=True)
    password = StringField("New password (10 characters or more; leave blank to keep)",
                           widget=GovTextInput())
    submit = SubmitField("Save", widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    code = StringField("Code (reference prefix, like AH)", widget=GovTextInput(),
                       validators=[InputRequired("Enter a code")])
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter a name")])
    level = RadioField("Level", widget=GovRadioInput(), choices=options(vocab.REGISTER_LEVELS),
                       default="directorate")
    parent = SelectField("Parent register", widget=GovSelect(), coerce=_int_or_none,
                         validate_choice=False)
    matrix = SelectField("Scoring matrix", widget=GovSelect(), coerce=_int_or_none,
                         validate_choice=False)
    owner = SelectField("Register owner", widget=GovSelect(), coerce=_int_or_none,
                        validate_choice=False)
    submit = SubmitField("Save register", widget=GovSubmitInput())


class BandForm(Form):
    """One band of a matrix: its range and review interval are what organisations tune."""

    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter a name")])
    colour = StringField("Colour (like #d4351c)", widget=GovTextInput())
    colour_name = StringField("Colour word used in summaries", widget=GovTextInput())
    min = IntegerField("Lowest score", widget=GovTextInput(), validators=[Optional()])
    max = IntegerField("Highest score", widget=GovTextInput(), validators=[Optional()])
    review_months = IntegerField("Review every (months)", widget=GovTextInput(), validators=[
        InputRequired("Enter the review interval"),
        NumberRange(1, 60, "Review interval must be 1 to 60 months")])


class MatrixForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter a name")])
    bands = FieldList(FormField(BandForm))
    submit = SubmitField("Save matrix", widget=GovSubmitInput())


def stamp(form, record) -> None:
    """Say which record a versioned form changes (None: a new one), and fill its hidden
    version and opened-at fields on first display: the save is checked against the
    version, and a conflict lists what changed since it was opened."""
    form.changes_existing = record is not None
    if not form.is_submitted():
        form.version.data = record.version if record is not None else ""
        form.opened_at.data = utcnow().isoformat()


def expected(form) -> int | None:
    """The version the form was read at, or None for a new record."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def save(form, change, record=None, place=put_error, **history_of):
    """The one way a form is saved: run the service calls in `change`, and commit.
    Returns (result, conflict, page_errors). `result` is what `change` returned (True if
    nothing), or None when nothing was saved. A refused value is put where `place` puts
    it: on its field, or in the page errors `place` returns. A stale version, or a race
    lost to another save at any point, is the conflict to show with a 409: its message,
    and what changed since the form was opened (`history_of` says whose history, as
    services.history.entries takes it); the form then carries the version now stored,
    so that saving again is a choice made knowing the other change."""
    try:
        result = commit(change)
    except Conflict as error:
        if record is not None:
            form.version.data = record.version
        changes = history.changed_since(form.opened_at.data, **history_of) if history_of else []
        return None, {"message": str(error), "changes": changes}, {}
    except ValidationError as error:
        return None, None, place(form, error) or {}
    return (True if result is None else result), None, {}
