"""WTForms for the register pages, drawn with GOV.UK Frontend widgets. Forms check
the shape of input; the services check the rules and their errors are put back on
the field they name.

Every form is a `Form`: whatever a page defines, its text boxes refuse control
characters and more text than can be kept, and its number selects refuse a number
that was not offered, so hostile input is turned back beside the field it came in."""

import json

from flask import render_template
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
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
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from riskkit import vocab
from riskkit.errors import Conflict, ValidationError
from riskkit.models import MatrixDefinition, Register, Risk, User
from riskkit.models.base import LARGEST_INT, check_date, clean_text, utcnow
from riskkit.services.names import as_number
from riskkit.services.risks import commit
from riskkit.web.merging import OriginalValues, as_form_value, comparable, conflict, label

DATE_FORMAT = "%d %m %Y"  # GovDateInput posts day, month and year as three values
#: The most a one-line box without a column length of its own takes: an email address's
#: limit, more than any name, reason or colour needs.
LINE_LIMIT = 254


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choice objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def fits(column, label: str) -> Length:
    """No longer than the column the value is saved in."""
    limit = column.type.length
    return Length(max=limit, message=f"{label} must be {limit} characters or fewer")


def _plain_text(form, field) -> None:
    """The rules every text box shares (models.base.clean_text): no control characters,
    line breaks only in a text area, and no longer than its own Length, LINE_LIMIT or,
    for a text area, TEXT_LIMIT."""
    if field.errors or not isinstance(field.data, str):
        return
    lengths = [v.max for v in field.validators if isinstance(v, Length) and v.max > 0]
    limit = None if isinstance(field, TextAreaField) else (lengths or [LINE_LIMIT])[0]
    try:
        clean_text(field.data, label(field), limit=limit)
    except ValidationError as error:
        raise StopValidation(str(error)) from None


class _TextRules:
    """Adds the shared text rules to every text box (hidden fields aside) of a form."""

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, StringField) and not isinstance(field, HiddenField):
                extra.setdefault(name, []).append(_plain_text)
                if field.data is None:  # a box left out of the post is an empty box
                    field.data = ""
        return super().validate(extra)


class Form(_TextRules, FlaskForm):
    """The base of every riskkit form (see the module's docstring)."""


class SubForm(_TextRules, PlainForm):
    """A form repeated inside another (a matrix's bands), with the same text rules."""


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


def _sane_date(form, field) -> None:
    try:
        check_date(field.data, label(field))
    except ValidationError as error:
        raise StopValidation(str(error)) from None


def date_field(label: str, required: bool = False, **kwargs) -> DateField:
    validators = [InputRequired(f"Enter the {label.lower()}")] if required else [Optional()]
    return GovDateField(label, format=DATE_FORMAT, widget=GovDateInput(),
                        validators=validators + [_sane_date], **kwargs)


def _int_or_none(value):
    """A posted id or score as a number the database can hold; None for blank. Anything
    else is left as it came, for the view's or the service's check to refuse."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return number if -LARGEST_INT <= number <= LARGEST_INT else value


class NumberChoice(SelectField):
    """A select of numbers: the id of a person or register, or a score. A posted value
    that is not one of the numbers offered is refused with `message` (where {most} is the
    highest number offered); data is an int or None, never the text that was posted."""

    def __init__(self, label: str, message: str, **kwargs):
        super().__init__(label, widget=GovSelect(), coerce=_int_or_none, validate_choice=False,
                         **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if not isinstance(self.data, int):
            self.data = None

    def pre_validate(self, form):
        raw = self.raw_data[0] if self.raw_data else ""
        offered = {str(choice.value) for choice in self.iter_choices()}
        if raw not in ("", "None") and raw not in offered:
            numbers = [n for value in offered if (n := as_number(value)) is not None]
            raise StopValidation(self.message.format(most=max(numbers, default=0)))


def score_field(label: str, required: bool = True) -> SelectField:
    """A likelihood or impact: choices are filled from the register's matrix."""
    validators = [InputRequired(f"Choose the {label.lower()}")] if required else [Optional()]
    return NumberChoice(label, f"{label} must be a whole number from 1 to {{most}}",
                        validators=validators)


def set_score_choices(form, matrix, blank_first=(), choose_first=()) -> None:
    """Fill the score selects from the matrix. blank_first: a score that may be left
    "Not assessed"; choose_first: a required score with no level chosen until the person
    chooses one (a new risk: no silent 1 x 1)."""
    for name in ("likelihood", "impact", "target_likelihood", "target_impact",
                 "inherent_likelihood", "inherent_impact"):
        field = getattr(form, name, None)
        if field is None:
            continue
        labels = matrix.impact if name.endswith("impact") else matrix.likelihood
        choices = [(n, f"{n} – {label}") for n, label in enumerate(labels, 1)]
        if name in blank_first:
            choices = [("", "Not assessed")] + choices
        elif name in choose_first:
            choices = [("", f"Choose the {'impact' if name.endswith('impact') else 'likelihood'}")
                       ] + choices
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


class VersionedForm(Form):
    """Carries the version the user read, and when, for optimistic locking, and the
    values the user started from, for merging on a conflict. A form that changes a
    record that exists must carry that version: without one there is nothing to check
    another person's save against, and the post is refused. Only a new record's form
    (stamp(form, None)) has none."""

    version = HiddenField()
    opened_at = HiddenField()
    original = OriginalValues()
    changes_existing = True
    #: The fields that hold one of the record's values, merged on a conflict: None for
    #: every field named after an attribute of the record; () for a form that takes a
    #: step (a status change) rather than editing values.
    merge_fields: tuple[str, ...] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.original.snapshot = lambda: json.dumps(
                {field.name: comparable(field.data) for field in self.merged()})

    def validate_version(self, field):
        if self.changes_existing and expected(self) is None:
            raise StopValidation(MISSING_VERSION)

    def merged(self) -> list:
        """The fields a conflict merges, in the form's order."""
        if self.merge_fields is not None:
            return [self[name] for name in self.merge_fields if name in self]
        return [field for field in self if not isinstance(field, HiddenField | SubmitField)]

    def record_values(self, record) -> dict:
        """The record's values as the merged fields hold them: a person or register as
        its id, linked records as a list of ids. A form whose fields are not named after
        the record's attributes overrides this."""
        return {field.name: as_form_value(getattr(record, field.name))
                for field in self.merged() if hasattr(record, field.name)}


class RiskForm(VersionedForm):
    register = NumberChoice("Register", "Choose a register from the list")
    title = StringField("Risk title", widget=GovTextInput(), validators=[
        InputRequired("Enter a risk title"), fits(Risk.title, "Title")])
    description = TextAreaField("Event: what could happen", widget=GovTextArea())
    cause = TextAreaField("Cause", widget=GovTextArea())
    consequence = TextAreaField("Consequence", widget=GovTextArea())
    category = StringField("Category", widget=GovTextInput(),
                           validators=[fits(Risk.category, "Category")])
    owner = NumberChoice("Risk owner", "Choose an owner from the list",
                         validators=[InputRequired("Choose the risk owner")])
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
    exempt_paragraph = RadioField(
        "If exempt, the paragraph of Schedule 12A to the Local Government Act 1972 that applies",
        widget=GovRadioInput(), choices=options(vocab.EXEMPTION_PARAGRAPHS), coerce=int,
        default=vocab.DEFAULT_EXEMPTION_PARAGRAPH,
        description="Printed on the risk's pages of the committee appendix.")
    # Ticked ids; the service refuses one the risk's register may not use.
    objectives = SelectMultipleField("Objectives this risk threatens", widget=GovCheckboxesInput(),
                                     coerce=int, validate_choice=False)
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
    merge_fields = ("likelihood", "impact")  # the rest describes this review, not the risk


class ControlForm(VersionedForm):
    description = TextAreaField("Control", widget=GovTextArea(),
                                validators=[InputRequired("Describe the control")])
    owner = NumberChoice("Owner", "Choose an owner from the list",
                         validators=[InputRequired("Choose the owner")])
    effectiveness = RadioField("Effectiveness", widget=GovRadioInput(),
                               choices=options(vocab.EFFECTIVENESS), default="not_tested",
                               description="How well the control worked when last tested or"
                                           " exercised.")
    last_tested = date_field("Last tested")
    submit = SubmitField("Save control", widget=GovSubmitInput())


class AssuranceForm(VersionedForm):
    """An assurance opinion on a control. Its choices are checked by the service, which
    names the field of one that is not on the list."""

    line = RadioField("Line of assurance", widget=GovRadioInput(), validate_choice=False,
                      choices=options((str(v), w) for v, w in vocab.ASSURANCE_LINES))
    source = RadioField("Source", widget=GovRadioInput(), validate_choice=False,
                        choices=options(vocab.ASSURANCE_SOURCES), default="audit_report")
    reference = StringField("Reference (the report or review, like IA 2026/14)",
                            widget=GovTextInput(), validators=[Length(max=200, message=(
                                "Reference must be 200 characters or fewer"))])
    assured_on = date_field("Date of the opinion", required=True)
    opinion = RadioField("Opinion", widget=GovRadioInput(), validate_choice=False,
                         choices=options(vocab.ASSURANCE_OPINIONS))
    next_due = date_field("Next assurance due")
    submit = SubmitField("Save assurance", widget=GovSubmitInput())


class ObjectiveForm(VersionedForm):
    name = StringField("Objective", widget=GovTextInput(), validators=[
        InputRequired("Enter the objective"), Length(max=300, message=(
            "Objective must be 300 characters or fewer"))])
    description = TextAreaField("What it means (optional)", widget=GovTextArea())
    submit = SubmitField("Save objective", widget=GovSubmitInput())


class ActionForm(VersionedForm):
    description = TextAreaField("Action", widget=GovTextArea(),
                                validators=[InputRequired("Describe the action")])
    owner = NumberChoice("Owner", "Choose an owner from the list",
                         validators=[InputRequired("Choose the owner")])
    target_date = date_field("Target date")
    status = RadioField("Status", widget=GovRadioInput(), choices=options(vocab.ACTION_STATUSES),
                        default="planned",
                        description="An action marked done records today as its completion date.")
    submit = SubmitField("Save action", widget=GovSubmitInput())


class StepForm(VersionedForm):
    """A step confirmed on a page of its own: closing, reopening, escalating or returning
    a risk, removing a control or action, marking an action done. The view names the
    reason box for the step, or drops it where the step takes none."""

    reason = TextAreaField("Reason", widget=GovTextArea())
    submit = SubmitField("Confirm", widget=GovSubmitInput())
    merge_fields = ()


class UserForm(Form):
    name = StringField("Full name", widget=GovTextInput(), validators=[
        InputRequired("Enter the person's name"), fits(User.name, "Full name")])
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[fits(User.email, "Email address")])
    role = RadioField("Role", widget=GovRadioInput(), choices=options(vocab.ROLES), default="viewer")
    active = BooleanField("Can sign in", widget=GovCheckboxInput(), default=True)
    password = StringField("New password (10 characters or more; leave blank to keep)",
                           widget=GovTextInput())
    submit = SubmitField("Save", widget=GovSubmitInput())


class RegisterForm(Form):
    code = StringField("Code (reference prefix, like AH)", widget=GovTextInput(),
                       validators=[InputRequired("Enter a code"), fits(Register.code, "Code")])
    name = StringField("Name", widget=GovTextInput(), validators=[
        InputRequired("Enter a name"), fits(Register.name, "Name")])
    level = RadioField("Level", widget=GovRadioInput(), choices=options(vocab.REGISTER_LEVELS),
                       default="directorate")
    parent = NumberChoice("Parent register", "Choose a parent register from the list")
    escalate_at = IntegerField(
        "Escalation threshold (optional)", widget=GovTextInput(),
        validators=[Optional(), NumberRange(1, 10_000, "Enter the escalation threshold as a"
                                                       " score of 1 or more")],
        description="A current score at or above which a risk is proposed for escalation to"
                    " the parent register, like 15. For a band, enter its lowest score. Leave"
                    " blank for none.")
    matrix = NumberChoice("Scoring matrix", "Choose a scoring matrix from the list",
                          validators=[InputRequired("Choose a scoring matrix")])
    owner = NumberChoice("Register owner", "Choose a register owner from the list")
    submit = SubmitField("Save register", widget=GovSubmitInput())


class BandForm(SubForm):
    """One band of a matrix: its range and review interval are what organisations tune."""

    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter a name")])
    colour = StringField("Colour (like #d4351c)", widget=GovTextInput())
    colour_name = StringField("Colour word used in summaries", widget=GovTextInput())
    min = IntegerField("Lowest score", widget=GovTextInput(), validators=[
        Optional(), NumberRange(0, 100, "Lowest score must be 0 to 100")])
    max = IntegerField("Highest score", widget=GovTextInput(), validators=[
        Optional(), NumberRange(0, 100, "Highest score must be 0 to 100")])
    review_months = IntegerField("Review every (months)", widget=GovTextInput(), validators=[
        InputRequired("Enter the review interval"),
        NumberRange(1, 60, "Review interval must be 1 to 60 months")])


class MatrixForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=[
        InputRequired("Enter a name"), fits(MatrixDefinition.name, "Name")])
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


def page(template, form=None, conflict=None, page_errors=None, **context):
    """Render a page with its form: 409 on a conflict, 400 with errors, else 200."""
    errors = bool(page_errors) or bool(form is not None and form.errors)
    status = 409 if conflict else 400 if errors else 200
    return render_template(template, form=form, conflict=conflict,
                           page_errors=page_errors or {}, **context), status


def save(form, change, record=None, place=put_error, **history_of):
    """The one way a form is saved: run the service calls in `change`, and commit.
    Returns (result, conflict, page_errors). `result` is what `change` returned (True if
    nothing), or None when nothing was saved. A refused value is put where `place` puts
    it: on its field, or in the page errors `place` returns. A stale version, or a race
    lost to another save at any point, is the conflict to show with a 409 (see
    conflict())."""
    try:
        result = commit(change)
    except Conflict as error:
        return None, conflict(form, error, record, history_of), {}
    except ValidationError as error:
        return None, None, place(form, error) or {}
    return (True if result is None else result), None, {}
