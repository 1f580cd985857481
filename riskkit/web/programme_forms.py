"""WTForms for the exercise programme, business continuity plans and themes. As in
forms.py, the forms check only the shape of input; the services check the rules, and
their refusals are put back on the field they name."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from riskkit import vocab
from riskkit.web.forms import Form, VersionedForm, _int_or_none, date_field, options

#: The most a rule's interval (or its not-before days) may be: enough for any cadence,
#: and small enough that a date that far ahead can still be worked out.
MOST = 999
INTERVAL_MESSAGE = "The interval must be a whole number greater than zero"  # as the model says
NOT_BEFORE_MESSAGE = "Not before must be a whole number of days, zero or more"


class WholeNumberField(IntegerField):
    """A whole number typed in a text box. Text that is not one is refused with the
    field's own words, not WTForms' "Not a valid integer value"."""

    def __init__(self, label, message: str, **kwargs):
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(self.message) from None
        else:
            self.data = None


def between(low: int, high: int, too_low: str, too_high: str):
    """Refuse a number outside low to high. The model refuses the same (with too_low's
    words); checking here too lets the page name every mistake at once."""

    def check(form, field):
        if field.data is not None and field.data < low:
            raise StopValidation(too_low)
        if field.data is not None and field.data > high:
            raise StopValidation(too_high)

    return check


class RuleForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=[
        InputRequired("Enter a name for the rule"),
        Length(max=120, message="Name must be 120 characters or fewer")])
    kind = RadioField("What it schedules", widget=GovRadioInput(),
                      choices=options(vocab.CADENCE_KINDS), default="exercise",
                      validate_choice=False)
    event_type = SelectField(
        "Type of exercise", widget=GovSelect(), validate_choice=False,
        choices=options([("", "Not an exercise rule")] + list(vocab.EXERCISE_TYPES)),
        description="Needed when the rule schedules an exercise of a type.")
    interval = WholeNumberField(
        "Interval", INTERVAL_MESSAGE,
        description="A whole number. For exercises and plans: how often. For debriefs and"
                    " improvement plans: how soon after the event ends.",
        validators=[InputRequired(INTERVAL_MESSAGE),
                    between(1, MOST, INTERVAL_MESSAGE, f"The interval must be {MOST} or fewer")])
    unit = RadioField("Unit", widget=GovRadioInput(), choices=options(vocab.CADENCE_UNITS),
                      default="months", validate_choice=False)
    not_before_days = WholeNumberField(
        "Not before (days after the event, optional)",
        NOT_BEFORE_MESSAGE,
        description="For a follow-up that should not be done too early: a cold debrief"
                    " from 14 days after the event.",
        validators=[Optional(), between(0, MOST, NOT_BEFORE_MESSAGE,
                                        f"Not before must be {MOST} days or fewer")])
    incident_types = SelectMultipleField(
        "Incidents that meet it", widget=GovCheckboxesInput(), validate_choice=False,
        choices=options(vocab.INCIDENT_TYPES),
        description="For an exercise rule: a real response to an incident of a type ticked,"
                    " with a debrief held and lessons recorded, counts as holding the exercise.")
    active = BooleanField("Active: include this rule in the programme",
                          widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def validate_event_type(self, field):
        if self.kind.data == "exercise" and not field.data:
            raise StopValidation("Choose the type of exercise the rule schedules")


class PlanForm(VersionedForm):
    service = StringField("Service", widget=GovTextInput(), validators=[
        InputRequired("Enter the service the plan covers"),
        Length(max=200, message="Service must be 200 characters or fewer")])
    owner = SelectField("Plan owner", widget=GovSelect(), coerce=_int_or_none,
                        validate_choice=False, validators=[InputRequired("Choose the plan owner")])
    last_reviewed = date_field("Last reviewed")
    next_review = date_field("Next review")
    submit = SubmitField("Save plan", widget=GovSubmitInput())


class NewThemeForm(Form):
    name = StringField("Theme name", widget=GovTextInput(), validators=[
        InputRequired("Enter a name for the theme"),
        Length(max=80, message="Name must be 80 characters or fewer")])
    submit = SubmitField("Add theme", widget=GovSubmitInput())


class ThemeForm(NewThemeForm):
    active = BooleanField("Active: offered when tagging observations",
                          widget=GovCheckboxInput(), default=True,
                          description="A theme no longer in use keeps its past observations.")
    submit = SubmitField("Save theme", widget=GovSubmitInput())
