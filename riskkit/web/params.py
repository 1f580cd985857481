"""Reading filters from the query string, so every list can be shared as a link, and
what every address must be before a view sees it: no control characters in the query
string (a 400 naming the parameter) or in the path, and no id PostgreSQL cannot hold
(a 404: no such page)."""

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import abort, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from riskkit import clock
from riskkit.errors import ValidationError
from riskkit.models.base import LARGEST_INT, control_character
from riskkit.services.query_args import date_arg, whole_number


def today() -> date:
    return clock.today()


def int_arg(args, name: str, low: int = 1, high: int = LARGEST_INT,
            message: str | None = None) -> int | None:
    """A whole-number query parameter (services.query_args.whole_number); anything else
    is refused with a 400 page naming the parameter."""
    try:
        return whole_number(args, name, low, high, message)
    except ValidationError as error:
        refuse(str(error))


def as_of_arg() -> date:
    """?as_of=YYYY-MM-DD: the day a page or download is as of (today when absent), as
    `--as-of` is for the commands. A bad one is refused with the 400 page naming it:
    every page that takes it reads it here."""
    errors: dict[str, str] = {}
    as_of = date_arg(request.args, "as_of", today(), errors)
    if errors:
        refuse(f"The as_of date in the address is wrong: {errors['as_of']}")
    return as_of


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
