"""Values read from a query string (any mapping of text): dates, whole numbers and
people, each refused with a message naming its parameter. The web pages read their
filters with these, and so do the services that turn a page's filters into a query, so
a page and its downloads read an address the same way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from riskkit.errors import NotFound, ValidationError
from riskkit.models.base import LARGEST_INT, check_date


def date_arg(args: Mapping[str, str], name: str, default: date, errors: dict) -> date:
    """A YYYY-MM-DD query parameter; a bad one is reported and the default used."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return check_date(datetime.strptime(raw, "%Y-%m-%d").date(), name)
    except ValidationError as error:
        errors[name] = str(error)
    except ValueError:
        errors[name] = f"{raw[:40]!r} is not a date: use the form 2021-09-29"
    return default


def whole_number(args: Mapping[str, str], name: str, low: int = 1, high: int = LARGEST_INT,
                 message: str | None = None) -> int | None:
    """A whole-number query parameter from low to high, or None when it is absent;
    anything else is a ValidationError naming the parameter (or saying `message`, where
    {value} is what was sent)."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError(message.format(value=raw[:40]) if message else
                              f"The {name} in the address must be a whole number from {low} to {high}",
                              name)
    return value


def owner_arg(args: Mapping[str, str], errors: dict):
    """The person named by ?owner=: a name or email as typed in the filter, or an id as
    the dashboard's links give it. An unknown one is reported and not filtered on."""
    from riskkit.extensions import db
    from riskkit.models import User
    from riskkit.services.people import find_person

    raw = (args.get("owner") or "").strip()
    if not raw:
        return None
    person = db.session.get(User, whole_number(args, "owner")) if raw.isdigit() else None
    if person is None:
        try:
            person = find_person(raw)
        except NotFound:
            errors["owner"] = f"No person called {raw!r}: give their name or email address"
    return person


def objective_arg(args: Mapping[str, str], errors: dict) -> int | None:
    """The register objective named by ?objective= (its id, as its page links give it).
    An unknown one is reported and not filtered on."""
    from riskkit.extensions import db
    from riskkit.models import RegisterObjective

    number = whole_number(args, "objective")
    if number is not None and db.session.get(RegisterObjective, number) is None:
        errors["objective"] = f"There is no objective {number}: choose one from the list"
        return None
    return number
