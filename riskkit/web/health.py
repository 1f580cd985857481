"""/healthz: for load balancers and monitoring. No sign-in, and no data in the answer."""

from flask import Blueprint, jsonify

from riskkit.services.health import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is current, else 503 with the reason."""
    state = health()
    body = {"status": "ok" if state.ok else "unavailable", "schema": state.schema}
    if not state.ok:
        body["problem"] = state.problem
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if state.ok else 503
