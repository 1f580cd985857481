"""The forms of the indicator pages: defining an indicator and its bands, a reading, a
reading changed, a CSV file of readings, and a level declared."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange

from riskkit.models import Area, Indicator
from riskkit.models.indicators import DIRECTIONS, TRIGGER_STATES
from riskkit.web.event_forms import checkboxes
from riskkit.web.forms import (
    Form,
    NumberChoice,
    SubForm,
    VersionedForm,
    date_field,
    fits,
    options,
)


def _measure(label: str, description: str = "") -> StringField:
    """A number typed as text: the service parses it and names the field if it is not one."""
    return StringField(label, widget=GovTextInput(), description=description)


class BandForm(SubForm):
    """One level's band: lower bound (inclusive) to upper bound (exclusive)."""

    level_id = HiddenField()
    lower = _measure("From (this value and above)")
    upper = _measure("Up to (below this value)")


class IndicatorForm(VersionedForm):
    name = StringField("Name", widget=GovTextInput(), validators=[
        InputRequired("Enter the indicator's name"), fits(Indicator.name, "Name")])
    description = TextAreaField("What it measures and where the figure comes from",
                                widget=GovTextArea())
    unit = StringField("Unit (like %, beds or people)", widget=GovTextInput(),
                       validators=[fits(Indicator.unit, "Unit")])
    direction = RadioField("Direction", widget=GovRadioInput(), choices=options(DIRECTIONS),
                           validators=[InputRequired("Choose the direction")])
    owner = NumberChoice("Owner", "Choose an owner from the list",
                         validators=[InputRequired("Choose the owner")])
    team = NumberChoice("Team that records it (optional)", "Choose a team from the list")
    frequency_days = IntegerField(
        "Days between readings", widget=GovTextInput(), default=1,
        validators=[InputRequired("Enter the days between readings"),
                    NumberRange(1, 366, "Days between readings must be from 1 to 366")],
        description="Without a reading for longer than this, the latest is shown as stale.")
    min_value = _measure("Smallest value a reading may take (optional)")
    max_value = _measure("Largest value a reading may take (optional)")
    triggers_state = RadioField("Trigger levels", widget=GovRadioInput(),
                                choices=options(TRIGGER_STATES), default="set")
    bands = FieldList(FormField(BandForm))
    areas = checkboxes("Areas it is measured for")
    risks = checkboxes("Risks it warns about")
    plans = checkboxes("Business continuity plans it bears on")
    submit = SubmitField("Save indicator", widget=GovSubmitInput())
    merge_fields = ("name", "description", "unit", "direction", "frequency_days",
                    "triggers_state")


class ReadingForm(Form):
    area = NumberChoice("Area", "Choose an area from the list")
    reading_date = date_field("Date of the reading", required=True)
    value = _measure("Value")
    note = TextAreaField("Note (optional)", widget=GovTextArea())
    submit = SubmitField("Record reading", widget=GovSubmitInput())


class ReadingEditForm(VersionedForm):
    value = _measure("Value")
    note = TextAreaField("Note (optional)", widget=GovTextArea())
    submit = SubmitField("Save reading", widget=GovSubmitInput())
    merge_fields = ("note",)


class ArchiveForm(VersionedForm):
    """Archiving an indicator, or restoring one: a step, not an edit of its values."""

    submit = SubmitField("Archive indicator", widget=GovSubmitInput())
    merge_fields = ()


class UploadForm(Form):
    file = FileField("CSV file of readings", widget=GovFileInput(),
                     description="Columns date (YYYY-MM-DD), indicator, area, value and,"
                                 " optionally, note. All the rows are recorded, or none.")
    submit = SubmitField("Record readings", widget=GovSubmitInput())


class DeclareForm(Form):
    # The id of the declaration current when the form was opened (0: none).
    seen = HiddenField()
    level = RadioField("Level to declare", widget=GovRadioInput(), coerce=int,
                       validators=[InputRequired("Choose the level to declare")])
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           description="Why this level: it is kept with the declaration and"
                                       " in the decision log.")
    submit = SubmitField("Declare level", widget=GovSubmitInput())


class AreaForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=[
        InputRequired("Enter the area's name"), fits(Area.name, "Name")])
    submit = SubmitField("Add area", widget=GovSubmitInput())
