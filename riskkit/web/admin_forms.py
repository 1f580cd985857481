"""The forms of the administration pages added with teams and risk appetite."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from riskkit.models import Appetite, User
from riskkit.web.event_forms import checkboxes
from riskkit.web.forms import Form, VersionedForm, fits


class TeamForm(Form):
    name = StringField("Team name", widget=GovTextInput(), validators=[
        InputRequired("Enter the team's name"), fits(User.name, "Team name")])
    members = checkboxes("Members", description="Members may do what the team may as an"
                                                " owner, and are sent its reminders.")
    # The member ids the page was opened with: a save over someone else's change is a 409.
    members_were = HiddenField()
    submit = SubmitField("Save team", widget=GovSubmitInput())


class AppetiteForm(VersionedForm):
    category = StringField("Category", widget=GovTextInput(), validators=[
        InputRequired("Enter the category"), fits(Appetite.category, "Category")],
        description="As risks name it, like Financial or Safeguarding.")
    max_score = IntegerField(
        "Highest tolerated score", widget=GovTextInput(),
        validators=[InputRequired("Enter the highest tolerated score as a whole number"),
                    NumberRange(1, 10_000, "Enter a score of 1 or more")],
        description="A risk in this category whose current score is above this is shown as"
                    " above appetite.")
    statement = TextAreaField("Appetite statement", widget=GovTextArea(),
                              description="The appetite in words, as the council agreed it.")
    submit = SubmitField("Save appetite", widget=GovSubmitInput())
