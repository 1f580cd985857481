"""The forms of the issue and risk acceptance pages (web.issues, web.acceptances)."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from riskkit import vocab
from riskkit.models import Issue
from riskkit.web.forms import NumberChoice, VersionedForm, date_field, fits, options

SEVERITIES = options((value, f"{value} {words}") for value, words in vocab.ISSUE_SEVERITIES)


class IssueForm(VersionedForm):
    """Raising an issue; turning a risk into one uses its severity, owner and description."""

    register = NumberChoice("Register", "Choose a register from the list",
                            validators=[InputRequired("Choose the register")])
    title = StringField("What has happened", widget=GovTextInput(), validators=[
        InputRequired("Enter what has happened"), fits(Issue.title, "Title")])
    description = TextAreaField("Description (optional)", widget=GovTextArea())
    owner = NumberChoice("Issue owner", "Choose an owner from the list",
                         validators=[InputRequired("Choose the issue owner")])
    severity = RadioField("Severity: its impact now", widget=GovRadioInput(), choices=SEVERITIES,
                          coerce=int, validators=[InputRequired("Choose the severity")],
                          description="An issue has happened, so it has no likelihood.")
    incident = NumberChoice("Raised from an incident (optional)",
                            "Choose an incident from the list")
    exempt = BooleanField("Exempt: leave its detail out of the published committee appendix",
                          widget=GovCheckboxInput())
    submit = SubmitField("Raise issue", widget=GovSubmitInput())


class IssueReviewForm(VersionedForm):
    reviewed_on = date_field("Date of review", required=True)
    severity = RadioField("Severity now", widget=GovRadioInput(), choices=SEVERITIES, coerce=int,
                          validators=[InputRequired("Choose the severity")])
    comment = TextAreaField("Review comment", widget=GovTextArea())
    submit = SubmitField("Record review", widget=GovSubmitInput())
    merge_fields = ("severity",)


class ResolveForm(VersionedForm):
    resolution = TextAreaField("How was the issue resolved?", widget=GovTextArea())
    reopen_risk = BooleanField("Reopen the risk it came from: it returns to the register, due"
                               " for review", widget=GovCheckboxInput())
    submit = SubmitField("Resolve issue", widget=GovSubmitInput())
    merge_fields = ()


class AcceptanceRequestForm(VersionedForm):
    rationale = TextAreaField("Why should the risk be tolerated above appetite?",
                              widget=GovTextArea())
    expires_on = date_field("Accepted until", required=True)
    submit = SubmitField("Ask for acceptance", widget=GovSubmitInput())
    merge_fields = ()


class DecisionForm(VersionedForm):
    decision = RadioField("Decision", widget=GovRadioInput(), choices=options(
        (("approve", "Approve: tolerate the risk above appetite until the expiry"),
         ("decline", "Decline"))), validators=[InputRequired("Choose approve or decline")])
    dmt_meeting_on = date_field("Date of the DMT meeting that decided (if the DMT decided)")
    note = TextAreaField("Note (needed to decline)", widget=GovTextArea())
    submit = SubmitField("Record decision", widget=GovSubmitInput())
    merge_fields = ()
