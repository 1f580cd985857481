"""WTForms for the exercise, incident, debrief, observation and lesson pages. As in
forms.py, the forms check only the shape of input; the services check the rules,
and their refusals are put back on the field they name (place_error)."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from riskkit import vocab
from riskkit.errors import ValidationError
from riskkit.web.forms import Form, VersionedForm, _int_or_none, date_field, options

#: Where a service's field name differs from the form's.
FIELD_ALIASES = {"type": "event_type", "objective": "objectives", "observation": "text",
                 "lesson": "statement"}
#: "Leave as it is" for a control's effectiveness after an exercise.
KEEP = ""


class _NoEmptyHint:
    """GOV.UK checkboxes and radios without an empty hint for a field with no
    description (govuk-frontend-wtf always adds one, and points the fieldset at it)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        hint = params.get("hint")
        if isinstance(hint, dict) and not (hint.get("text") or hint.get("html")):
            params.pop("hint")
        return params


class Checkboxes(_NoEmptyHint, GovCheckboxesInput):
    pass


class Radios(_NoEmptyHint, GovRadioInput):
    pass


def place_error(form, error: ValidationError, page_field: str = "page") -> dict[str, str]:
    """Put a service's refusal on the form field it names. A refusal about something
    the form has no field for (an event's status, say) comes back as a page-level
    error {element id: message} for the page's own error summary."""
    name = FIELD_ALIASES.get(error.field, error.field)
    if name and name in form._fields and name not in ("csrf_token", "version", "opened_at"):
        field = form[name]
        field.errors = list(field.errors) + [str(error)]
        return {}
    return {page_field: str(error)}


def checkboxes(label: str, **kwargs) -> SelectMultipleField:
    """Ticked ids (risks, plans, controls, themes); the view fills the choices and
    looks the ids up, so an id that is not offered is refused there."""
    return SelectMultipleField(label, widget=Checkboxes(), coerce=int,
                               validate_choice=False, **kwargs)


def person(label: str, required_message: str | None = None) -> SelectField:
    validators = [InputRequired(required_message)] if required_message else [Optional()]
    return SelectField(label, widget=GovSelect(), coerce=_int_or_none, validate_choice=False,
                       validators=validators)


class EventForm(VersionedForm):
    """What exercises and incidents share. The type's choices, and the words of the
    name's message, depend on the kind and are set by the subclasses."""

    name = StringField("Name", widget=GovTextInput(), validators=[
        DataRequired("Enter a name"), Length(max=200, message="Name must be 200 characters or fewer")])
    event_type = SelectField("Type", widget=GovSelect(), validate_choice=False,
                             validators=[InputRequired("Choose the type")])
    start_date = date_field("Start date", required=True)
    end_date = date_field("End date (leave blank if it was one day)")
    lead = person("Lead")
    participants = TextAreaField("Participating teams and agencies", widget=GovTextArea())
    multi_agency = BooleanField("Multi-agency: partners outside the council took part",
                                widget=GovCheckboxInput())
    plans = checkboxes("Business continuity plans tested")
    risks = checkboxes("Risks tested")
    controls = checkboxes("Controls tested",
                          description="The controls of the ticked risks. After ticking or"
                                      " unticking a risk, choose “Show the controls of the"
                                      " ticked risks”.")
    improvement_plan_agreed = date_field("Improvement plan agreed on")
    lead_organisation = StringField(
        "Lead organisation, if a partner led it", widget=GovTextInput(),
        description="Leave blank if we led it. For a partner (the local resilience forum, an"
                    " NHS trust, a neighbouring council) our debriefs and improvement plan run"
                    " from the date of the partner's report.",
        validators=[Length(max=200, message="Lead organisation must be 200 characters or fewer")])
    partner_report_date = date_field("Date of the partner's report",
                                     description="Leave blank until the report arrives.")
    refresh = SubmitField("Show the controls of the ticked risks", widget=GovSubmitInput())
    submit = SubmitField("Save", widget=GovSubmitInput())

    def record_values(self, record) -> dict:
        """As the form shows an event: objectives one a line, and no end date for an
        event of one day."""
        values = super().record_values(record)
        if "objectives" in values:
            values["objectives"] = "\n".join(o.text for o in record.objectives)
        if record.end_date == record.start_date:
            values["end_date"] = None
        return values


class ExerciseForm(EventForm):
    name = StringField("Name of the exercise", widget=GovTextInput(), validators=[
        DataRequired("Enter a name for the exercise"),
        Length(max=200, message="Name must be 200 characters or fewer")])
    event_type = SelectField("Type of exercise", widget=GovSelect(), validate_choice=False,
                             choices=options([("", "Choose a type")] + list(vocab.EXERCISE_TYPES)),
                             validators=[InputRequired("Choose the type of exercise")])
    scenario = TextAreaField("Scenario", widget=GovTextArea())
    objectives = TextAreaField("Objectives", widget=GovTextArea(),
                               description="One objective per line. Objectives already rated"
                                           " are kept as the record of the exercise.")
    submit = SubmitField("Save exercise", widget=GovSubmitInput())


class IncidentForm(EventForm):
    name = StringField("Name of the incident", widget=GovTextInput(), validators=[
        DataRequired("Enter a name for the incident"),
        Length(max=200, message="Name must be 200 characters or fewer")])
    event_type = SelectField("Type of incident", widget=GovSelect(), validate_choice=False,
                             choices=options([("", "Choose a type")] + list(vocab.INCIDENT_TYPES)),
                             validators=[InputRequired("Choose the type of incident")])
    description = TextAreaField("What happened", widget=GovTextArea())
    services_affected = TextAreaField("Services affected", widget=GovTextArea())
    participants = TextAreaField("Teams and agencies involved", widget=GovTextArea())
    multi_agency = BooleanField("Multi-agency: partners outside the council were involved",
                                widget=GovCheckboxInput())
    plans = checkboxes("Business continuity plans activated")
    risks = checkboxes("Risks concerned")
    controls = checkboxes("Controls it tested",
                          description="The controls of the ticked risks. After ticking or"
                                      " unticking a risk, choose “Show the controls of the"
                                      " ticked risks”.")
    submit = SubmitField("Save incident", widget=GovSubmitInput())


class StatusForm(VersionedForm):
    """The small form on an event's page that moves it to another status."""

    status = SelectField("Status", widget=GovSelect(), validate_choice=False,
                         choices=options(vocab.EVENT_STATUSES))
    submit = SubmitField("Change status", widget=GovSubmitInput())
    merge_fields = ()


def outcome_form(event, exercise_words: str = "this exercise"):
    """A form with, for each objective, a rating and a note (rating_<id>, note_<id>),
    and for each control tested, its effectiveness after the event (control_<id>)."""

    class OutcomeForm(VersionedForm):
        submit = SubmitField("Record outcome", widget=GovSubmitInput())
        merge_fields = ()

    ratings = options(vocab.OBJECTIVE_RATINGS)
    for number, objective in enumerate(event.objectives, 1):
        setattr(OutcomeForm, f"rating_{objective.id}", RadioField(
            f"Objective {number}: {objective.text}", widget=Radios(), choices=ratings,
            validators=[Optional()], default=objective.rating))
        setattr(OutcomeForm, f"note_{objective.id}", TextAreaField(
            f"Note on objective {number} (optional)", widget=GovTextArea(),
            default=objective.note))
    effectiveness = options([(KEEP, "Leave as it is")] + list(vocab.EFFECTIVENESS))
    for number, control in enumerate(event.controls, 1):
        setattr(OutcomeForm, f"control_{control.id}", SelectField(
            f"Control {number} ({control.risk.reference}): effectiveness after {exercise_words}",
            widget=GovSelect(), choices=effectiveness, default=KEEP,
            description=f"{control.description} Now: "
                        f"{vocab.label(vocab.EFFECTIVENESS, control.effectiveness).lower()}."))
    return OutcomeForm()


class DebriefForm(Form):
    kind = RadioField("Kind of debrief", widget=Radios(),
                      choices=options([("hot", "Hot: straight after, while memories are fresh"),
                                       ("cold", "Cold: some weeks later, with time to reflect")]),
                      validators=[InputRequired("Choose hot or cold")])
    held_on = date_field("Date held", required=True)
    facilitator = StringField("Facilitator", widget=GovTextInput(), validators=[
        Length(max=120, message="Facilitator must be 120 characters or fewer")])
    attendees = TextAreaField("Attendees", widget=GovTextArea(),
                              description="People, teams and agencies who took part.")
    multi_agency = BooleanField("Multi-agency: partners outside the council took part",
                                widget=GovCheckboxInput())
    submit = SubmitField("Record debrief", widget=GovSubmitInput())


class _ObservationFields(Form):
    prompt = RadioField("Which question does it answer?", widget=Radios(),
                        choices=options(vocab.OBSERVATION_PROMPTS),
                        validators=[InputRequired("Choose which question it answers")])
    kind = RadioField("Strength or area for improvement?", widget=Radios(),
                      choices=options(vocab.OBSERVATION_KINDS),
                      validators=[InputRequired("Choose strength or area for improvement")])
    text = TextAreaField("Observation", widget=GovTextArea(),
                         validators=[DataRequired("Enter the observation")])
    themes = checkboxes("Themes")


class ObservationForm(_ObservationFields):
    check = SubmitField("Show earlier observations on the ticked themes",
                        widget=GovSubmitInput())
    submit = SubmitField("Add observation", widget=GovSubmitInput())


class ObservationChangeForm(VersionedForm, _ObservationFields):
    """Correcting an observation already recorded."""

    submit = SubmitField("Save observation", widget=GovSubmitInput())


class DebriefChangeForm(VersionedForm, DebriefForm):
    """Correcting a debrief already recorded."""

    submit = SubmitField("Save debrief", widget=GovSubmitInput())


class RemoveForm(VersionedForm):
    """Removing a debrief or an observation recorded in error."""

    remove = SubmitField("Remove", widget=GovSubmitInput())


class LessonForm(VersionedForm):
    statement = TextAreaField("Lesson identified", widget=GovTextArea(),
                              description="The issue, in a sentence.",
                              validators=[DataRequired("Enter the lesson")])
    recommendation = TextAreaField("Recommendation", widget=GovTextArea())
    owner = person("Owner", "Choose the owner")
    due_date = date_field("Due date")
    priority = RadioField("Priority", widget=Radios(), choices=options(vocab.PRIORITIES),
                          default="medium", validators=[InputRequired("Choose the priority")])
    for_partner = BooleanField("A lesson for the partner that led the event: noted only, not"
                               " tracked here", widget=GovCheckboxInput())
    risks = checkboxes("Risks it concerns")
    controls = checkboxes("Controls it concerns",
                          description="The controls of the ticked risks. After ticking or"
                                      " unticking a risk, choose “Show the controls of the"
                                      " ticked risks”.")
    refresh = SubmitField("Show the controls of the ticked risks", widget=GovSubmitInput())
    submit = SubmitField("Save lesson", widget=GovSubmitInput())


class MoveForm(VersionedForm):
    status = RadioField("Move to", widget=Radios(), validate_choice=False,
                        validators=[InputRequired("Choose the status to move to")])
    evidence_event = SelectField("Evidence: the later exercise or incident that showed the"
                                 " change worked", widget=GovSelect(), coerce=_int_or_none,
                                 validate_choice=False)
    evidence_note = TextAreaField("Evidence note", widget=GovTextArea(),
                                  description="What the later event showed.")
    submit = SubmitField("Move lesson", widget=GovSubmitInput())
    merge_fields = ()


class RaiseActionForm(Form):
    risk = SelectField("Risk", widget=GovSelect(), coerce=_int_or_none, validate_choice=False,
                       validators=[InputRequired("Choose the risk")])
    description = TextAreaField("Action", widget=GovTextArea(),
                                validators=[DataRequired("Describe the action")])
    owner = person("Action owner", "Choose the action owner")
    target_date = date_field("Target date", required=True)
    submit = SubmitField("Raise action", widget=GovSubmitInput())


class LinkActionForm(Form):
    action = SelectField("Action on the lesson's risks", widget=GovSelect(), coerce=_int_or_none,
                         validate_choice=False, validators=[InputRequired("Choose the action")])
    submit = SubmitField("Link action", widget=GovSubmitInput())

