"""Risks: the register as a list (filtered, sorted, paged by key), one risk whole, and
recording a review of one, through the services the web pages use."""

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import RAISE

from riskkit.api import paging, schemas
from riskkit.api.auth import authenticate, writing_user
from riskkit.api.described import linked_lesson
from riskkit.api.params import person, register
from riskkit.api.versions import ETAG, etag, expected_version, save
from riskkit.services.appetite import appetites
from riskkit.services.events import events_for_risk
from riskkit.services.lessons import lessons_for_risk
from riskkit.services.reviews import record_review
from riskkit.services.risks import LIVE, RiskFilter, describe_whole, get_risk, risk_page, summarise

blp = Blueprint("api_risks", __name__, description="Risks and their reviews")
blp.before_request(authenticate)  # every route: a token, or a 401

#: A risk's reference in the description, with an example that the demo register has.
REFERENCE = [{"in": "path", "name": "reference", "required": True, "example": "AH0005",
              "description": "The risk's reference, like AH0005", "schema": {"type": "string", "minLength": 1}}]


@blp.get("/risks")
@blp.arguments(schemas.RiskQuery, location="query", unknown=RAISE)
@blp.response(200, schemas.RiskPage)
def list_risks(query):
    """Risks matching the filters, a page at a time: follow `next` until it is null."""
    found = register(query.get("register"))
    statuses = {"live": LIVE, "all": ()}.get(query["status"], (query["status"],))
    filters = RiskFilter(registers=[found] if found else [], include_children=query["rollup"],
                         owner=person(query.get("owner")), statuses=statuses,
                         rating=query.get("rating"), above_appetite=query.get("above_appetite"),
                         overdue_as_of=query.get("next_review_before"),
                         objective_id=query.get("objective"))
    risks, next_key = risk_page(filters, query["sort"], paging.key(query.get("after")), query["limit"])
    limits = appetites()
    return paging.page([summarise(risk, limits) for risk in risks], next_key)


@blp.route("/risks/<reference>", methods=["GET"], parameters=REFERENCE)
@blp.response(200, schemas.Risk, headers=ETAG)
def show_risk(reference):
    """One risk whole: scores, controls, actions, reviews, and the lessons, exercises and
    incidents that concern it. Its ETag is its version."""
    risk = get_risk(reference)
    return whole(risk), 200, {"ETag": etag(risk)}


@blp.route("/risks/<reference>/reviews", methods=["POST"], parameters=REFERENCE)
@blp.arguments(schemas.ReviewIn)
@blp.response(201, schemas.Risk, headers=ETAG)
def record(review, reference):
    """Record a review of a risk, as the web page's review form does (same checks, same
    history). Send the version read, as If-Match (its ETag) or `version`; if the risk has
    changed since, nothing is saved and the answer is 409 with the risk as it is now."""
    by = writing_user()
    risk = get_risk(reference)
    expected = expected_version(review.pop("version", None))
    conflict = save(lambda: record_review(
        risk, by, review["reviewed_on"], review["likelihood"], review["impact"],
        review["comment"], next_review_date=review["next_review_date"],
        next_review_reason=review["next_review_reason"], expected_version=expected,
        lower_confirmed=review["confirm_lower"]), lambda: whole(get_risk(reference)))
    if conflict is not None:
        return conflict
    risk = get_risk(reference)
    return whole(risk), 201, {"ETag": etag(risk),
                               "Location": url_for(".show_risk", reference=risk.reference)}


def whole(risk) -> dict:
    data = describe_whole(risk, appetites())
    data["lessons"] = [linked_lesson(lesson) for lesson in lessons_for_risk(risk)]
    data["events"] = [{"id": e.id, "kind": e.kind, "name": e.name, "event_type": e.event_type,
                       "start_date": e.start_date.isoformat(), "status": e.status}
                      for e in events_for_risk(risk)]
    return data
