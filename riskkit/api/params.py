"""Reading the API's query parameters that name things: a person or a register that does
not exist is a refused value (422 naming the parameter), not a missing page. And the
description of a path's id, which the routes share."""

from datetime import date

from riskkit.errors import NotFound, ValidationError
from riskkit.models import Register, User
from riskkit.services.people import find_person
from riskkit.services.registers import get_register


def path_id(name: str, description: str) -> dict:
    """An id in a route's path, as the OpenAPI description gives it."""
    return {"in": "path", "name": name, "required": True, "example": 1, "description": description,
            "schema": {"type": "integer", "minimum": 0}}


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
