"""One place for each vocabulary, so that forms, filters, exports and imports agree.
Each is a tuple of (stored value, words shown to people)."""

REGISTER_LEVELS = (("corporate", "Corporate"), ("directorate", "Directorate"),
                   ("operational", "Operational"))
RISK_STATUSES = (("open", "Open"), ("escalated", "Escalated"), ("closed", "Closed"))
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
         ("owner", "Risk owner"), ("viewer", "Viewer"))


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
