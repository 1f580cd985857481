"""Lessons: the list (soonest due first, a page at a time, filtered as the web list is)
and one whole, with its status, the evidence that it was learned, and the risks,
controls and actions it bears on (services.lessons)."""

from flask_smorest import Blueprint
from marshmallow import RAISE

from riskkit.api import event_schemas, paging
from riskkit.api.auth import authenticate
from riskkit.api.described import lesson_summary, lesson_whole
from riskkit.api.params import path_id, person
from riskkit.services.lessons import get_lesson, lesson_page

blp = Blueprint("api_lessons", __name__, description="Lessons from exercises and incidents")
blp.before_request(authenticate)  # every route: a token, or a 401


@blp.get("/lessons")
@blp.arguments(event_schemas.LessonQuery, location="query", unknown=RAISE)
@blp.response(200, event_schemas.LessonPage)
def list_lessons(query):
    """Lessons, soonest due first, a page at a time: follow `next` until it is null."""
    lessons, next_key = lesson_page(query.get("status"), person(query.get("owner")), query["open"],
                                    paging.key(query.get("after")), query["limit"])
    return paging.page([lesson_summary(lesson) for lesson in lessons], next_key)


@blp.route("/lessons/<int:lesson_id>", methods=["GET"],
           parameters=[path_id("lesson_id", "Its id (L0012 is 12)")])
@blp.response(200, event_schemas.Lesson)
def show_lesson(lesson_id):
    """One lesson whole: its status and evidence, and what it bears on."""
    return lesson_whole(get_lesson(lesson_id))
