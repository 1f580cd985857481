"""Optimistic locking over the API: a record's ETag is its version; a change sends back
the version it read (If-Match, or a `version` field), and a stale one is answered 409
with the record as it is now, nothing saved (services check the version, as for forms)."""

from flask import request

from riskkit.api import problems
from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.services.risks import commit

#: Said in the description of each answer that carries an ETag.
ETAG = {"ETag": {"description": "The record's version: send it back in If-Match to change it",
                 "schema": {"type": "string"}}}


def etag(record) -> str:
    return f'"{record.version}"'


def expected_version(version: int | None, required: bool = True) -> int | None:
    """The version the client read: from If-Match (an ETag this API gave) or the body;
    None when neither is sent and it may be left out (a new record has none)."""
    tags = [tag.strip() for tag in request.headers.get("If-Match", "").split(",") if tag.strip()]
    if not tags:
        if version is None and required:
            raise ValidationError("Send the version you read: an If-Match header with the ETag,"
                                  " or a version field", "version")
        return version
    tag = tags[0].removeprefix("W/").strip('"')
    if len(tags) > 1 or not (tag.isascii() and tag.isdigit()) or len(tag) > 10:
        raise ValidationError("If-Match must be one ETag this API gave, like \"3\"", "If-Match")
    if version is not None and version != int(tag):
        raise ValidationError("If-Match and version disagree: send one", "version")
    return int(tag)


def save(change, current):
    """Commit `change` (service calls); None when saved, else the 409 problem carrying
    `current()`, the record as it is now."""
    try:
        commit(change)
    except Conflict as error:
        db.session.expire_all()
        return problems.response(409, str(error), current=current())
    return None
