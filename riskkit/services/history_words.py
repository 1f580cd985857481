"""The change history in plain words: "Likelihood changed from 3 Possible to 4 Likely".

History rows are stored one per field (riskkit.audit). A reader wants one line per
change made, with field labels and the words the forms use, not column names and
stored codes. The risk page, its history page, the lesson page, the committee
changes table and the API all read the history through this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from riskkit import scoring, vocab
from riskkit.models import HistoryEntry, Risk
from riskkit.models.issues import severity_words
from riskkit.services import history

#: Field labels as the forms print them; a field not named here is shown as its column name
#: in words ("services_affected" -> "Services affected").
FIELD_LABELS = {
    "description": "Description", "event_type": "Type", "start_date": "Start date",
    "end_date": "End date", "last_tested": "Last tested", "target_date": "Target date",
    "completed_date": "Completed", "reviewed_on": "Reviewed on",
    "next_review_date": "Next review", "last_review_date": "Last review",
    "next_review_reason": "Reason for the next review date",
    "before_likelihood": "Likelihood before", "before_impact": "Impact before",
    "after_likelihood": "Likelihood after", "after_impact": "Impact after",
    "origin_register": "Escalated from", "exempt": "Exempt from the published appendix",
    "exempt_paragraph": "Schedule 12A paragraph",
    "held_on": "Held on", "due_date": "Due date", "prompt": "Question",
    "escalation_declined_score": "Escalation declined at score",
    "escalate_at": "Escalation threshold",
    "raised_on": "Raised on", "resolved_on": "Resolved on",
    "before_severity": "Severity before", "after_severity": "Severity after",
    "expires_on": "Expires on", "requested_on": "Requested on", "decided_on": "Decided on",
    "dmt_meeting_on": "DMT meeting", "decision_note": "Decision note", "voided_on": "Void from",
    "score": "Score when asked",
    "assured_on": "Date of the opinion", "next_due": "Next assurance due",
    "control_id": "Control",
    "not_testable_reason": "Not testable by exercise, because",
    "lead_organisation": "Lead organisation", "partner_report_date": "Partner's report",
    "for_partner": "For the partner (noted only)",
    "incident_types": "Incidents that meet it",
}
#: Where one kind of record calls a field something else (a risk's description is its event).
RECORD_FIELD_LABELS = {("risk", "description"): "Event"}
#: Stored codes shown as the forms show them.
VOCABULARIES = {
    "status": {"risk": vocab.RISK_STATUSES, "action": vocab.ACTION_STATUSES,
               "event": vocab.EVENT_STATUSES, "lesson": vocab.LESSON_STATUSES,
               "issue": vocab.ISSUE_STATUSES, "issue action": vocab.ACTION_STATUSES,
               "acceptance": vocab.ACCEPTANCE_STATUSES},
    "response": {"risk": vocab.RISK_RESPONSES},
    "effectiveness": {"control": vocab.EFFECTIVENESS},
    "kind": {"event": vocab.EVENT_KINDS, "debrief": vocab.DEBRIEF_KINDS,
             "observation": vocab.OBSERVATION_KINDS},
    "rating": {"objective": vocab.OBJECTIVE_RATINGS},
    "prompt": {"observation": vocab.OBSERVATION_PROMPTS},
    "priority": {"lesson": vocab.PRIORITIES},
    "opinion": {"assurance": vocab.ASSURANCE_OPINIONS},
    "source": {"assurance": vocab.ASSURANCE_SOURCES},
}
#: How each kind of record is named, and the field that says which one it was.
RECORDS = {"risk": ("risk", "title"), "control": ("control", "description"),
           "action": ("action", "description"), "review": ("review", "reviewed_on"),
           "event": ("exercise or incident", "name"), "objective": ("objective", "text"),
           "plan": ("plan", "service"), "debrief": ("debrief", "held_on"),
           "observation": ("observation", "text"), "lesson": ("lesson", "statement"),
           "theme": ("theme", "name"), "cadence rule": ("cadence rule", "kind"),
           "issue": ("issue", "title"), "issue action": ("action", "description"),
           "issue review": ("review", "reviewed_on"),
           "acceptance": ("acceptance", "requested_on"),
           "assurance": ("control assurance", "opinion"),
           "register objective": ("objective", "name"),
           "category": ("category not testable by exercise", "category")}
#: A value longer than this is cut, with an ellipsis, in a one-line change; a record's
#: name in a headline is cut shorter.
LONGEST, NAME_LONGEST = 120, 60


@dataclass
class Change:
    """One change to one record: who, when, a headline and the field lines."""

    at: datetime
    actor: str
    headline: str  # "Changed the risk", "Added control: Daily backups"
    lines: list[str] = field(default_factory=list)  # "Likelihood changed from 3 to 4"
    reason: str | None = None  # why, where the change asked (closing, escalating, done)
    # Which record and how, so a page can offer to add back a removed control or action.
    entity: str = ""
    entity_id: int | None = None
    change: str = ""

    @property
    def restorable(self) -> bool:
        return self.change == "delete" and self.entity in ("control", "action")


def plain_date(value: date | datetime | str | None) -> str:
    """12 Mar 2025: the timeline's and the history's form of a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {value:%b %Y}"


def field_label(entity: str, name: str) -> str:
    return (RECORD_FIELD_LABELS.get((entity, name)) or FIELD_LABELS.get(name)
            or name.replace("_", " ").capitalize())


def value_words(entity: str, name: str, value: str | None,
                matrix: scoring.Matrix | None = None) -> str:
    """A stored history value in the words a reader knows: "4 Likely", "Partly effective",
    "12 Mar 2025", "yes"; nothing becomes "blank"."""
    if value is None or value == "":
        return "blank"
    codes = VOCABULARIES.get(name, {}).get(entity)
    if codes:
        return vocab.label(codes, value)
    if name.endswith("severity") and value.isdigit():
        return severity_words(int(value))
    if matrix is not None and (name.endswith("likelihood") or name.endswith("impact")):
        labels = matrix.likelihood if name.endswith("likelihood") else matrix.impact
        if value.isdigit() and 1 <= int(value) <= len(labels):
            return f"{value} {labels[int(value) - 1]}"
    if name.endswith(("date", "_on", "tested", "reviewed", "review")) and len(value) == 10:
        return plain_date(value)
    return value if len(value) <= LONGEST else value[:LONGEST - 1].rstrip() + "…"


def field_line(entry: HistoryEntry, matrix: scoring.Matrix | None = None) -> str:
    """One field of a change in words: "Likelihood changed from 3 Possible to 4 Likely"."""
    label = field_label(entry.entity, entry.field)
    old = value_words(entry.entity, entry.field, entry.old_value, matrix)
    new = value_words(entry.entity, entry.field, entry.new_value, matrix)
    if entry.change == "create":
        return f"{label}: {new}"
    if entry.change == "delete":
        return f"{label} was {old}"
    if entry.old_value in (None, ""):
        return f"{label} set to {new}"
    if entry.new_value in (None, ""):
        return f"{label} cleared (was {old})"
    return f"{label} changed from {old} to {new}"


def describe(entries: list[HistoryEntry], matrix: scoring.Matrix | None = None,
             own_entity: str | None = None,
             names: dict[tuple[str, int], str] | None = None) -> list[Change]:
    """History rows, in the order given, as one Change per record per save.

    own_entity is the kind of record whose page this is: its changes are headed
    "Changed the risk", other records' are named ("Changed control: Daily backups"), from
    `names` ((entity, id) -> name, for records whose name the rows do not carry)."""
    changes = []
    for (at, actor, entity, entity_id, change), rows in groupby(
            entries, key=lambda e: (e.at, e.actor, e.entity, e.entity_id, e.change)):
        rows = list(rows)
        headline = _headline(entity, entity_id, change, rows, own_entity, names or {})
        naming = RECORDS.get(entity, ("", ""))[1] if entity != own_entity else ""
        lines = [field_line(row, matrix) for row in rows
                 # Ids of the record it hangs off say nothing a reader can use, and a new
                 # record's name is in its headline already.
                 if not row.field.endswith("_id")
                 and not (change != "update" and row.field == naming)]
        reason = next((row.reason for row in rows if row.reason), None)
        changes.append(Change(at, actor, headline, lines, reason, entity, entity_id, change))
    return changes


def _headline(entity: str, entity_id: int, change: str, rows: list[HistoryEntry],
              own_entity: str | None, names: dict[tuple[str, int], str]) -> str:
    noun, naming_field = RECORDS.get(entity, (entity, ""))
    verb = {"create": "Added", "update": "Changed", "delete": "Removed"}.get(change, change)
    if entity == own_entity:
        return f"{verb} the {noun}"
    name = names.get((entity, entity_id)) or next(
        (row.new_value or row.old_value for row in rows if row.field == naming_field), None)
    if not name:
        return f"{verb} {noun} {entity_id}"
    name = value_words(entity, naming_field, name)
    if len(name) > NAME_LONGEST:
        name = name[:NAME_LONGEST - 1].rstrip() + "…"
    return f"{verb} {noun}: {name}"


def risk_changes(risk: Risk, page: int = 1, per_page: int = 20) -> tuple[list[Change], int]:
    """One page of a risk's history (its own changes and its controls', actions' and
    reviews'), newest save first, in words; and the number of pages."""
    rows, pages = history.saves(risk_id=risk.id, page=page, per_page=per_page)
    names = {("control", c.id): c.description for c in risk.controls}
    names.update({("action", a.id): a.description for a in risk.actions})
    names.update({("review", r.id): plain_date(r.reviewed_on) for r in risk.reviews})
    return describe(rows, risk.register.matrix, own_entity="risk", names=names), pages
