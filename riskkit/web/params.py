"""Reading filters from the query string, so every list can be shared as a link."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta


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
