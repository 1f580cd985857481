"""The conflict page's merge: a versioned form carries the values it was opened with
(OriginalValues); when its save loses the race with another person's, conflict() reads
the record as stored now, merges field by field (services.merge.three_way) and says what
the form now holds. forms.VersionedForm and forms.save use it."""

import json
from datetime import date

from sqlalchemy.orm.exc import ObjectDeletedError
from wtforms import HiddenField

from riskkit.errors import Conflict
from riskkit.models.base import utcnow
from riskkit.services import history
from riskkit.services.merge import three_way


def label(field) -> str:
    """'Code' for a field labelled 'Code (reference prefix, like AH)'."""
    return field.label.text.split(" (")[0]


class OriginalValues(HiddenField):
    """The values the form showed when it was opened, as JSON: on a conflict they are
    the common ancestor of the three-way merge (services.merge). Drawn from the form
    itself on its first display, after the view has filled it; posted back after that."""

    snapshot = None

    def _value(self):
        return self.data or (self.snapshot() if self.snapshot else "")


def as_form_value(value):
    """A record's value as a form field holds it: a record as its id, linked ones as ids."""
    if hasattr(value, "id") and hasattr(value, "__table__"):
        return value.id
    if isinstance(value, list | tuple) or hasattr(value, "_sa_adapter"):
        return [as_form_value(item) for item in value]
    return value


def comparable(value):
    """A field's value in a form that compares equal however it travelled: as posted,
    as stored, or as JSON in the form's original values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    return str(value).replace("\r\n", "\n").strip()


def conflict(form, error: Conflict, record, history_of: dict) -> dict:
    """What the conflict page shows: the message, what others changed since the form was
    opened (`history_of` says whose history, as services.history.entries takes it) and,
    field by field, their value now beside the user's. Fields only they changed are
    taken into the form, fields only the user changed stay, and fields both changed keep
    the user's value; the form then carries the version now stored, and its values as
    the new starting point, so that saving again is a choice made knowing the other
    change."""
    changes = history.changed_since(form.opened_at.data, **history_of) if history_of else []
    shown = {"message": str(error), "changes": changes, "rows": []}
    try:
        version = record.version if record is not None else None
    except ObjectDeletedError:  # removed by the other person: there is nothing to merge with
        return shown
    if version is None:
        return shown
    form.version.data = version
    form.opened_at.data = utcnow().isoformat()
    theirs = form.record_values(record)
    fields = {field.name: field for field in form.merged() if field.name in theirs}
    yours = {name: comparable(field.data) for name, field in fields.items()}
    try:
        original = json.loads(form.original.data or "{}")
    except ValueError:
        original = {}
    merge = three_way(original if isinstance(original, dict) else {}, yours,
                      {name: comparable(value) for name, value in theirs.items()})
    outcome = dict.fromkeys(merge.taken, "taken") | dict.fromkeys(merge.kept, "kept") | (
        dict.fromkeys(merge.clashes, "clash"))
    for name, field in fields.items():
        if name in outcome:
            shown["rows"].append({"id": field.id, "label": label(field), "outcome": outcome[name],
                                  "theirs": described(field, theirs[name]),
                                  "yours": described(field, field.data)})
    for name in merge.taken:
        fields[name].data, fields[name].raw_data = theirs[name], None
    form.original.data = json.dumps({name: comparable(value) for name, value in theirs.items()})
    return shown


def described(field, value) -> str:
    """A field's value in words, for the conflict table: a choice's label, a date."""
    if value in (None, "", []):
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    labels = ({str(choice.value): str(choice.label) for choice in field.iter_choices()}
              if hasattr(field, "iter_choices") else {})
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    return labels.get(str(value), str(value))
