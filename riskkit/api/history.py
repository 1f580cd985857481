"""The change history of one record (who, when, which field, old and new), newest first,
a page at a time: of a risk with its controls, actions and reviews, as its history page
shows it, or of any one record (services.history says whose history who may read)."""

from flask_smorest import Blueprint
from marshmallow import RAISE

from riskkit.api import event_schemas, paging
from riskkit.api.auth import acting_user, authenticate
from riskkit.api.described import change
from riskkit.api.params import path_id
from riskkit.api.risks import REFERENCE
from riskkit.api.schemas import PageQuery
from riskkit.errors import ValidationError
from riskkit.services.history import record_page
from riskkit.services.risks import get_risk

blp = Blueprint("api_history", __name__, description="The change history")
blp.before_request(authenticate)  # every route: a token, or a 401


def _page(query: dict, entity: str, entity_id: int | None = None, risk_id: int | None = None):
    rows, next_key = record_page(acting_user(), entity, entity_id, risk_id=risk_id,
                                 after=paging.key(query.get("after")), size=query["limit"])
    return paging.page([change(row) for row in rows], next_key)


@blp.route("/risks/<reference>/history", methods=["GET"], parameters=REFERENCE)
@blp.arguments(PageQuery, location="query", unknown=RAISE)
@blp.response(200, event_schemas.ChangePage)
def risk_history(query, reference):
    """Every change to a risk and to its controls, actions and reviews, newest first."""
    return _page(query, "risk", risk_id=get_risk(reference).id)


@blp.route("/history/<record>/<int:record_id>", methods=["GET"], parameters=[
    {"in": "path", "name": "record", "required": True, "example": "control",
     "description": "The kind of record (an event is an exercise or incident; the history of"
                    " registers, appetite, team members and tokens is the administrators')",
     "schema": {"type": "string", "enum": event_schemas.RECORD_NAMES}},
    path_id("record_id", "Its id")])
@blp.arguments(PageQuery, location="query", unknown=RAISE)
@blp.response(200, event_schemas.ChangePage)
def record_history(query, record, record_id):
    """Every change to one record, newest first, including its removal."""
    if record not in event_schemas.RECORD_NAMES:  # a risk's is under its reference
        raise ValidationError(f"{record!r} is not a kind of record with a history here: choose one"
                              f" of {', '.join(event_schemas.RECORD_NAMES)} (a risk's history is"
                              " at /risks/{reference}/history)", "record")
    return _page(query, record.replace("-", " "), record_id)
