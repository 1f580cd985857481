"""Errors from the API as RFC 9457 problem details (application/problem+json): type,
title, status, detail, and for a refused value (422) the field it names; a conflict
(409) also carries the record as it is now. The site's one set of error handlers
(web.errors) answers with these for any address under the API's prefix."""

from http import HTTPStatus

from flask import current_app, json, request

from riskkit.errors import ValidationError

#: Every address the API answers: its errors are problem details, never pages.
PREFIX = "/api/v1"
CONTENT_TYPE = "application/problem+json"


def wanted() -> bool:
    """Whether this request is the API's (so an error is answered as a problem)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def response(status: int, detail: str | None = None, headers=(), field: str | None = None,
             current: dict | None = None):
    """A problem details response; `detail` defaults to what the status means."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {"type": "about:blank", "title": phrase, "status": status,
            "detail": detail or _DETAILS.get(status, phrase)}
    if field:
        body["field"] = field
    if current is not None:
        body["current"] = current
    result = current_app.response_class(json.dumps(body), status=status, mimetype=CONTENT_TYPE)
    for name, value in headers:
        if name.lower() != "content-type":
            result.headers[name] = value
    return result


def from_error(status: int, error: Exception | None, message: str | None, headers=()):
    """The problem for an error the site's handlers caught: a refused value is a 422
    naming its field; what the request parser refused names the first field it found."""
    if isinstance(error, ValidationError):
        return response(422, str(error), headers, field=error.field)
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        field, detail = _first(messages)
        return response(status, f"{field}: {detail}" if field else detail, headers, field=field)
    return response(status, message, headers)


def _first(messages) -> tuple[str | None, str]:
    """(field, message) first in webargs' {location: {field: [message, ...]}}; a nested
    field is named with dots (items.0.likelihood)."""
    path = []
    while isinstance(messages, dict) and messages:
        key, messages = next(iter(messages.items()))
        path.append(str(key))
    while isinstance(messages, list) and messages:
        messages = messages[0]
    # The first key is where the value was: query, json, headers.
    field = ".".join(path[1:]) or None
    if field == "_schema":
        field = None
    return field, str(messages)


_DETAILS = {
    401: "Send a valid API token in the Authorization header: Bearer rk_...",
    403: "The token's person or scope does not allow this",
    404: "There is nothing at this address",
    405: "This address does not take that method",
    429: "Too many requests from this token: wait and try again",
}
