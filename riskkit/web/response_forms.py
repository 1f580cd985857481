"""The forms of the response to a declared level: a card step done, a decision for the
log, a role's holders."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from riskkit.services.names import as_number
from riskkit.web.event_forms import checkboxes
from riskkit.web.forms import Form


class StepDoneForm(Form):
    note = TextAreaField("Note (optional)", widget=GovTextArea(),
                         description="What was done, by whom, or why it could not be: it goes in the decision log.")
    submit = SubmitField("Mark done", widget=GovSubmitInput())


class DecisionForm(Form):
    text = TextAreaField("Decision", widget=GovTextArea(), validators=[InputRequired("Enter a decision")],
                         description="Timed now and logged under your name; the log is never edited.")
    area = SelectField("Area", widget=GovSelect(), coerce=as_number,
                       validate_choice=False)
    submit = SubmitField("Log the decision", widget=GovSubmitInput())


class HoldersForm(Form):
    holders = checkboxes("Holders", description="Each holder sees the role's card at the declared level on"
                                                " their dashboard and is emailed its steps.")
    # The holder ids the page was opened with: a save over someone else's change is a 409.
    holders_were = HiddenField()
    submit = SubmitField("Save holders", widget=GovSubmitInput())
