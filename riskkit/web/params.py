"""Reading filters from the query string, so every list can be shared as a link."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from riskkit.errors import NotFound


def today() -> date:
    return date.today()


def date_arg(args, name: str, default: date, errors: dict) -> date:
    """A YYYY-MM-DD query parameter; a bad one is reported and the default used."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        errors[name] = f"{raw!r} is not a date: use the form 2021-09-29"
        return default


def int_arg(args, name: str) -> int | None:
    try:
        return int(args.get(name, ""))
    except ValueError:
        return None


def last_month(as_of: date) -> date:
    return as_of - relativedelta(months=1)


def owner_arg(args, errors: dict):
    """The person named by ?owner=: a name or email as typed in the filter, or an id as
    the dashboard's links give it. An unknown one is reported and not filtered on."""
    from riskkit.extensions import db
    from riskkit.models import User
    from riskkit.services.people import find_person

    raw = (args.get("owner") or "").strip()
    if not raw:
        return None
    person = db.session.get(User, int(raw)) if raw.isdigit() else None
    if person is None:
        try:
            person = find_person(raw)
        except NotFound:
            errors["owner"] = f"No person called {raw!r}: give their name or email address"
    return person
