"""Reading filters from the query string, so every list can be shared as a link, and
what every address must be before a view sees it: no control characters in the query
string (a 400 naming the parameter) or in the path, and no id PostgreSQL cannot hold
(a 404: no such page)."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from flask import abort, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from riskkit import clock
from riskkit.errors import NotFound, ValidationError
from riskkit.models.base import LARGEST_INT, check_date, control_character


def today() -> date:
    return clock.today()


def date_arg(args, name: str, default: date, errors: dict) -> date:
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


def int_arg(args, name: str, low: int = 1, high: int = LARGEST_INT,
            message: str | None = None) -> int | None:
    """A whole-number query parameter from low to high, or None when it is absent;
    anything else is refused with a 400 page naming the parameter (or saying `message`,
    where {value} is what was sent)."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        refuse(message.format(value=raw[:40]) if message else
               f"The {name} in the address must be a whole number from {low} to {high}")
    return value


def refuse(message: str) -> None:
    """Stop with the 400 page saying what was wrong with the address."""
    abort(400, description=message)


def last_month(as_of: date) -> date:
    return as_of - relativedelta(months=1)


def refuse_control_characters() -> None:
    """Before every request: a query parameter holding NUL or another control character
    is refused (PostgreSQL cannot compare with it, and no filter needs one)."""
    for name, value in request.args.items(multi=True):
        if control_character(name + value) is not None:
            refuse(f"The {name[:40]!r} in the address contains a control character")


class IdConverter(IntegerConverter):
    """<int:...> in a route: a number too large for an id matches no page (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_INT)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """<reference> and the like: a path segment with a control character matches no page."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]")


#: Installed on the URL map before any route is added (web.init_app).
CONVERTERS = {"int": IdConverter, "default": TextConverter, "string": TextConverter}
def owner_arg(args, errors: dict):
    """The person named by ?owner=: a name or email as typed in the filter, or an id as
    the dashboard's links give it. An unknown one is reported and not filtered on."""
    from riskkit.extensions import db
    from riskkit.models import User
    from riskkit.services.people import find_person

    raw = (args.get("owner") or "").strip()
    if not raw:
        return None
    person = db.session.get(User, int_arg(args, "owner")) if raw.isdigit() else None
    if person is None:
        try:
            person = find_person(raw)
        except NotFound:
            errors["owner"] = f"No person called {raw!r}: give their name or email address"
    return person
