"""Reading the API's query parameters that name things: a person or a register that does
not exist is a refused value (422 naming the parameter), not a missing page."""

from datetime import date

from riskkit.errors import NotFound, ValidationError
from riskkit.models import Register, User
from riskkit.services.people import find_person
from riskkit.services.registers import get_register


def today() -> date:
    return date.today()


def person(name_or_email: str | None, field: str = "owner") -> User | None:
    if not name_or_email:
        return None
    try:
        return find_person(name_or_email)
    except NotFound as error:
        raise ValidationError(str(error), field) from None


def register(code: str | None, field: str = "register") -> Register | None:
    if not code:
        return None
    try:
        return get_register(code)
    except NotFound as error:
        raise ValidationError(str(error), field) from None


def register_ids(code: str | None) -> list[int] | None:
    found = register(code)
    return [found.id] if found else None
