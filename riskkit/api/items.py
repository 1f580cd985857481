"""The everyday updates to a risk's controls and actions: an action's progress (status,
target date, completion) and a control's effectiveness and last test, through the
services the web forms use (services.lifecycle: same checks, permissions and history).
The owner of a control or action may update its progress as on the web."""

from flask_smorest import Blueprint

from riskkit.api import schemas
from riskkit.api.auth import authenticate, writing_user
from riskkit.api.params import path_id, today
from riskkit.api.risks import REFERENCE
from riskkit.api.versions import ETAG, etag, expected_version, save
from riskkit.errors import NotFound
from riskkit.services.appetite import appetites
from riskkit.services.lifecycle import save_action, save_control
from riskkit.services.risks import describe_whole, get_risk

blp = Blueprint("api_items", __name__, description="Progress of a risk's controls and actions")
blp.before_request(authenticate)  # every route: a token, or a 401


@blp.route("/risks/<reference>/actions/<int:action_id>", methods=["PATCH"],
           parameters=REFERENCE + [path_id("action_id", "The action's id")])
@blp.arguments(schemas.ActionProgress)
@blp.response(200, schemas.Action, headers=ETAG)
def update_action(progress, reference, action_id):
    """Update an action's progress: status, target date, completed date (with status
    done; today if not given). Send the version read (If-Match or `version`)."""
    return _update(reference, "actions", action_id, progress, lambda risk, by, action, expected: save_action(
        risk, by, action, description=action.description, owner=action.owner,
        target_date=progress.get("target_date", action.target_date),
        status=progress.get("status", action.status),
        completed_date=progress.get("completed_date", action.completed_date), as_of=today(),
        expected_version=expected))


@blp.route("/risks/<reference>/controls/<int:control_id>", methods=["PATCH"],
           parameters=REFERENCE + [path_id("control_id", "The control's id")])
@blp.arguments(schemas.ControlProgress)
@blp.response(200, schemas.Control, headers=ETAG)
def update_control(progress, reference, control_id):
    """Update a control's effectiveness and last tested date. Send the version read
    (If-Match or `version`)."""
    return _update(reference, "controls", control_id, progress, lambda risk, by, control, expected: save_control(
        risk, by, control, description=control.description, owner=control.owner,
        effectiveness=progress.get("effectiveness", control.effectiveness),
        last_tested=progress.get("last_tested", control.last_tested), expected_version=expected))


def _update(reference: str, kind: str, item_id: int, progress: dict, change):
    """Find the risk's control or action, and save `change(risk, by, item, expected
    version)`: 200 with the item as it now is, or the 409 with it as it is."""
    by = writing_user()
    risk = get_risk(reference)
    item = _find(getattr(risk, kind), item_id, kind[:-1], reference)
    expected = expected_version(progress.pop("version", None))
    conflict = save(lambda: change(risk, by, item, expected), lambda: _described(reference, kind, item_id))
    return conflict or (_described(reference, kind, item_id), 200, {"ETag": etag(item)})


def _find(items, item_id: int, kind: str, reference: str):
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound(f"{reference} has no {kind} {item_id}")


def _described(reference: str, kind: str, item_id: int) -> dict:
    """The control or action as the risk's answer gives it, read afresh."""
    return next(item for item in describe_whole(get_risk(reference), appetites())[kind]
                if item["id"] == item_id)
