"""One place for each vocabulary, so that forms, filters, exports and imports agree.
Each is a tuple of (stored value, words shown to people)."""

REGISTER_LEVELS = (("corporate", "Corporate"), ("directorate", "Directorate"),
                   ("operational", "Operational"))
RISK_STATUSES = (("open", "Open"), ("escalated", "Escalated"), ("closed", "Closed"),
                 ("materialised", "Materialised (now an issue)"))
#: An issue has happened: it is rated by its impact now, on the words of the council
#: matrix's impact scale, and has no likelihood.
ISSUE_SEVERITIES = ((1, "Minor"), (2, "Moderate"), (3, "Significant"), (4, "Serious"),
                    (5, "Major"))
#: How often an open issue is reviewed, in months, by severity: monthly when serious.
ISSUE_REVIEW_MONTHS = {5: 1, 4: 1, 3: 2, 2: 3, 1: 3}
ISSUE_STATUSES = (("open", "Open"), ("resolved", "Resolved"))
ACCEPTANCE_STATUSES = (("requested", "Requested"), ("approved", "Approved"),
                       ("declined", "Declined"), ("void", "Void"))
RISK_RESPONSES = (("treat", "Treat"), ("tolerate", "Tolerate"), ("transfer", "Transfer"),
                  ("terminate", "Terminate"))
EFFECTIVENESS = (("effective", "Effective"), ("partly_effective", "Partly effective"),
                 ("not_effective", "Not effective"), ("not_tested", "Not yet tested"))
ACTION_STATUSES = (("planned", "Planned"), ("in_progress", "In progress"), ("done", "Done"),
                   ("cancelled", "Cancelled"))
#: Actions in these states no longer fall due.
ACTION_CLOSED = ("done", "cancelled")
ACTION_OPEN = tuple(value for value, _ in ACTION_STATUSES if value not in ACTION_CLOSED)
ROLES = (("admin", "Administrator"), ("manager", "Manager (DMT member)"),
         ("resilience", "Resilience lead"), ("owner", "Risk owner"), ("viewer", "Viewer"))

EVENT_KINDS = (("exercise", "Exercise"), ("incident", "Incident"))
EXERCISE_TYPES = (("seminar", "Seminar"), ("workshop", "Workshop"), ("tabletop", "Tabletop"),
                  ("game", "Game"), ("drill", "Drill"),
                  ("command_post", "Functional / command post"),
                  ("full_scale", "Full-scale / live"),
                  ("comms_cascade", "Communications cascade test"))
DISCUSSION_BASED = ("seminar", "workshop", "tabletop", "game")
INCIDENT_TYPES = (("ict_outage", "ICT outage"), ("power", "Power"), ("fuel", "Fuel"),
                  ("weather", "Weather"), ("infection_outbreak", "Infection outbreak"),
                  ("evacuation", "Evacuation"), ("staffing", "Staffing"), ("other", "Other"))
EVENT_STATUSES = (("planned", "Planned"), ("held", "Held"), ("debriefed", "Debriefed"),
                  ("closed", "Closed"))
OBJECTIVE_RATINGS = (("met", "Met"), ("partly_met", "Partly met"), ("not_met", "Not met"))
DEBRIEF_KINDS = (("hot", "Hot"), ("cold", "Cold"))
OBSERVATION_PROMPTS = (("went_well", "What went well"), ("did_not_go_well", "What did not go well"),
                       ("do_differently", "What could be done differently"))
OBSERVATION_KINDS = (("strength", "Strength"), ("improvement", "Area for improvement"))
LESSON_STATUSES = (("identified", "Identified"), ("action_planned", "Action planned"),
                   ("in_progress", "In progress"), ("implemented", "Implemented"),
                   ("validated", "Validated"), ("closed", "Closed"))
#: Lessons in these states still fall due on their due date.
LESSON_OPEN = ("identified", "action_planned", "in_progress")
#: The paragraphs of Part 1 of Schedule 12A to the Local Government Act 1972 (as it applies
#: in England): the descriptions of exempt information a committee paper may withhold.
EXEMPTION_PARAGRAPHS = (
    (1, "1. Information relating to any individual"),
    (2, "2. Information which is likely to reveal the identity of an individual"),
    (3, "3. Information relating to the financial or business affairs of any particular person"
        " (including the authority holding that information)"),
    (4, "4. Information relating to consultations or negotiations in connection with a labour"
        " relations matter"),
    (5, "5. Information in respect of which a claim to legal professional privilege could be"
        " maintained in legal proceedings"),
    (6, "6. Information which reveals that the authority proposes to give a notice imposing"
        " requirements on a person, or to make an order or direction"),
    (7, "7. Information relating to action taken or to be taken in connection with the prevention,"
        " investigation or prosecution of crime"),
)
#: Most exempt risks concern the financial or business affairs of the council or others.
DEFAULT_EXEMPTION_PARAGRAPH = 3
PRIORITIES = (("high", "High"), ("medium", "Medium"), ("low", "Low"))
#: What a cadence rule schedules: an exercise type, every plan, or a follow-up of each event.
CADENCE_KINDS = (("exercise", "Exercise of a type"), ("plan", "Each business continuity plan"),
                 ("hot_debrief", "Hot debrief"), ("cold_debrief", "Cold debrief"),
                 ("improvement_plan", "Improvement plan"))
#: What was done with a committee document, as the document log records it.
DOCUMENT_ACTIONS = (("published", "Published"), ("exported", "Exported"),
                    ("downloaded", "Downloaded"))
CADENCE_UNITS = (("days", "days"), ("months", "months"))
DEFAULT_THEMES = ("Communications", "Command and control", "Staffing", "ICT and data",
                  "Power and utilities", "Fuel and transport", "Premises", "Supply chain",
                  "Partners and multi-agency", "Information sharing", "Vulnerable people")


def values(vocabulary) -> list[str]:
    return [value for value, _ in vocabulary]


def label(vocabulary, value: str) -> str:
    return dict(vocabulary).get(value, value)


def check(vocabulary, value: str, field: str) -> str:
    """Return value if it belongs to the vocabulary, else raise naming the field."""
    from riskkit.errors import ValidationError

    if value not in values(vocabulary):
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} must be one of"
            f" {', '.join(values(vocabulary))}, not {value!r}",
            field=field,
        )
    return value
#: Who gives a control's assurance: the three lines, as internal audit counts them.
ASSURANCE_LINES = ((1, "1st line: management"), (2, "2nd line: oversight functions"),
                   (3, "3rd line: internal audit or external"))
#: Where an assurance comes from; exercises and incidents recorded in riskkit count already.
ASSURANCE_SOURCES = (("audit_report", "Audit report"), ("exercise", "Exercise"),
                     ("incident", "Incident"), ("review", "Review"))
#: Internal audit's four opinions, best first.
ASSURANCE_OPINIONS = (("substantial", "Substantial"), ("reasonable", "Reasonable"),
                      ("limited", "Limited"), ("no_assurance", "No assurance"))
#: The opinions that put a control on the DMT's list of controls lacking assurance.
ASSURANCE_WEAK = ("limited", "no_assurance")
#: What an API token may do: read, or read and make the everyday updates its person may.
TOKEN_SCOPES = (("read", "Read only"), ("read-write", "Read and write"))
