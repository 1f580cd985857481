"""Exercises and incidents: each a list (newest first, a page at a time) and one whole,
with its objectives, debriefs, observations and lessons (services.events, as the web
pages read them)."""

from flask_smorest import Blueprint
from marshmallow import RAISE

from riskkit.api import event_schemas, paging
from riskkit.api.auth import authenticate
from riskkit.api.described import event_summary, event_whole
from riskkit.api.params import path_id
from riskkit.api.problems import PREFIX
from riskkit.errors import NotFound
from riskkit.services.events import event_page, get_event

blp = Blueprint("api_events", __name__, description="Exercises and incidents")
blp.before_request(authenticate)  # every route: a token, or a 401

EVENT_ID = [path_id("event_id", "Its id")]


def _listed(kind: str, query: dict) -> dict:
    events, next_key = event_page(kind, query.get("status"), paging.key(query.get("after")),
                                  query["limit"])
    return paging.page([event_summary(event) for event in events], next_key)


def _one(kind: str, event_id: int) -> dict:
    event = get_event(event_id)
    if event.kind != kind:
        raise NotFound(f"Number {event_id} is an {event.kind}, not an {kind}: see"
                       f" {PREFIX}/{event.kind}s/{event_id}")
    return event_whole(event)


@blp.get("/exercises")
@blp.arguments(event_schemas.EventQuery, location="query", unknown=RAISE)
@blp.response(200, event_schemas.EventPage)
def list_exercises(query):
    """Exercises, newest first, a page at a time: follow `next` until it is null."""
    return _listed("exercise", query)


@blp.route("/exercises/<int:event_id>", methods=["GET"], parameters=EVENT_ID)
@blp.response(200, event_schemas.Event)
def show_exercise(event_id):
    """One exercise whole: what it tested, its objectives, debriefs, observations and lessons."""
    return _one("exercise", event_id)


@blp.get("/incidents")
@blp.arguments(event_schemas.EventQuery, location="query", unknown=RAISE)
@blp.response(200, event_schemas.EventPage)
def list_incidents(query):
    """Incidents, newest first, a page at a time: follow `next` until it is null."""
    return _listed("incident", query)


@blp.route("/incidents/<int:event_id>", methods=["GET"], parameters=EVENT_ID)
@blp.response(200, event_schemas.Event)
def show_incident(event_id):
    """One incident whole: what happened, the risks and controls it bore on, its debriefs,
    observations and lessons."""
    return _one("incident", event_id)
