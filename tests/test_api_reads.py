"""The API's reads of exercises, incidents, lessons and the change history, through the
test client with a token, on records built with the factories."""

from datetime import date

import pytest
from sqlalchemy import event as sql_event

from riskkit.extensions import db
from riskkit.services import debriefs, events, lessons, lifecycle
from tests.conftest import FreshContextClient
from tests.factories import (
    gen_control,
    gen_event,
    gen_lesson,
    gen_person,
    gen_register,
    gen_risk,
    gen_token,
)

PROBLEM = "application/problem+json"


@pytest.fixture
def api(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def reader():
    person = gen_person("Rae Reader", role="viewer", email="rae@x.gov.uk", password="long enough password")
    return {"Authorization": f"Bearer {gen_token(person)}"}


def every_page(api, headers, url) -> list[dict]:
    items = []
    while url:
        answer = api.get(url, headers=headers)
        assert answer.status_code == 200, answer.json
        items += answer.json["items"]
        url = answer.json["next"]
    return items


def test_exercises_and_incidents_are_listed_apart_newest_first_page_by_page(api, reader):
    made = [gen_event(f"Exercise {n}", start_date=date(2026, 1 + n % 3, 1)) for n in range(7)]
    incident = gen_event("Flood at the depot", kind="incident", event_type="weather",
                         start_date=date(2026, 3, 3))
    whole = api.get("/api/v1/exercises?limit=500", headers=reader).json["items"]
    assert [e["start_date"] for e in whole] == sorted((e["start_date"] for e in whole), reverse=True)
    paged = every_page(api, reader, "/api/v1/exercises?limit=2")
    assert [e["id"] for e in paged] == [e["id"] for e in whole]
    assert sorted(e["id"] for e in paged) == sorted(e.id for e in made)
    assert [e["name"] for e in every_page(api, reader, "/api/v1/incidents")] == ["Flood at the depot"]
    held = api.get("/api/v1/incidents?status=held", headers=reader).json["items"]
    assert [e["id"] for e in held] == [incident.id]
    assert api.get("/api/v1/exercises?status=planned&limit=3", headers=reader).json["next"]
    refused = api.get("/api/v1/exercises?status=over", headers=reader)
    assert refused.status_code == 422 and refused.json["field"] == "status"
    wrong = api.get(f"/api/v1/exercises/{incident.id}", headers=reader)
    assert wrong.status_code == 404 and f"/incidents/{incident.id}" in wrong.json["detail"]


def test_one_exercise_whole(api, reader):
    risk = gen_risk(gen_register(), title="Loss of the sexual health contract")
    control = gen_control(risk, "Contract monitoring")
    exercise = gen_event("Exercise Oak", risks=[risk], controls=[control])
    events.set_status(exercise, None, "held", as_of=date(2026, 2, 10))
    debrief = debriefs.record_debrief(exercise, None, kind="hot", held_on=date(2026, 2, 10))
    observation = debriefs.add_observation(debrief, None, prompt="did_not_go_well", kind="improvement",
                                           text="Contacts were out of date", themes=[])
    lesson = gen_lesson(exercise, statement="Provider contacts need a yearly check", risks=[risk])
    lesson.observation = observation
    db.session.commit()
    answer = api.get(f"/api/v1/exercises/{exercise.id}", headers=reader)
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["name"], body["kind"], body["status"]) == ("Exercise Oak", "exercise", "held")
    assert body["risks"] == [{"reference": risk.reference, "title": risk.title}]
    assert body["controls"] == [{"id": control.id, "description": "Contract monitoring",
                                 "risk": risk.reference}]
    [debriefed] = body["debriefs"]
    assert debriefed["held_on"] == "2026-02-10"
    assert debriefed["observations"][0]["lessons"] == [lesson.reference]
    assert [entry["id"] for entry in body["lessons"]] == [lesson.id]
    assert api.get("/api/v1/exercises/999999", headers=reader).status_code == 404
    # The risk it tested names it, and the lesson from it.
    linked = api.get(f"/api/v1/risks/{risk.reference}", headers=reader).json
    assert [(e["id"], e["kind"]) for e in linked["events"]] == [(exercise.id, "exercise")]
    assert [entry["reference"] for entry in linked["lessons"]] == [lesson.reference]


def test_a_lesson_with_its_status_and_evidence(api, reader):
    risk = gen_risk(gen_register())
    first = gen_event("Exercise Oak", start_date=date(2026, 2, 10))
    later = gen_event("Exercise Ash", start_date=date(2026, 5, 10))
    for held in (first, later):
        events.set_status(held, None, "held", as_of=held.start_date)
    lesson = gen_lesson(first, risks=[risk])
    action = lessons.raise_action(lesson, None, risk=risk, description="Refresh the contacts",
                                  owner=risk.owner, target_date=date(2026, 4, 1))
    lifecycle.save_action(risk, gen_person("Mo Manager", role="manager"), action,
                          description=action.description, owner=action.owner,
                          target_date=action.target_date, status="done",
                          completed_date=date(2026, 4, 1), as_of=date(2026, 4, 1))
    for step in ("in_progress", "implemented"):
        lessons.move_lesson(lesson, None, step)
    lessons.move_lesson(lesson, None, "validated", evidence_event=later,
                        evidence_note="Everyone was reached in the cascade")
    db.session.commit()
    body = api.get(f"/api/v1/lessons/{lesson.id}", headers=reader).json
    assert (body["reference"], body["status"]) == (lesson.reference, "validated")
    assert body["evidence_event"] == {"id": later.id, "kind": "exercise", "name": "Exercise Ash",
                                      "start_date": "2026-05-10"}
    assert body["evidence_note"] == "Everyone was reached in the cascade"
    assert body["event"]["id"] == first.id and body["risks"][0]["reference"] == risk.reference
    assert [(a["id"], a["status"]) for a in body["actions"]] == [(action.id, "done")]
    listed = api.get("/api/v1/lessons?status=validated", headers=reader).json["items"]
    assert [(item["id"], item["evidence_event"]["id"]) for item in listed] == [(lesson.id, later.id)]
    assert api.get("/api/v1/lessons?open=true", headers=reader).json["items"] == []
    # One risk carries its lessons (with the id to read each) and the events that tested it.
    linked = api.get(f"/api/v1/risks/{risk.reference}", headers=reader).json
    assert [item["id"] for item in linked["lessons"]] == [lesson.id]
    assert api.get("/api/v1/lessons/999999", headers=reader).status_code == 404


def test_lessons_page_by_due_date_and_filter_by_owner(api, reader):
    exercise = gen_event()
    lee, kim = gen_person("Lee Lesson"), gen_person("Kim Lesson")
    made = []
    for n in range(7):
        lesson = gen_lesson(exercise, owner=lee if n % 2 else kim, statement=f"Lesson {n}")
        lesson.due_date = None if n % 3 == 0 else date(2026, 6, 1 + n % 2)
        made.append(lesson.id)
    db.session.commit()
    whole = api.get("/api/v1/lessons?limit=500", headers=reader).json["items"]
    assert [item["id"] for item in every_page(api, reader, "/api/v1/lessons?limit=2")] == [
        item["id"] for item in whole]
    assert sorted(item["id"] for item in whole) == made
    dated = [item["due_date"] for item in whole if item["due_date"]]
    assert dated == sorted(dated) and whole[-1]["due_date"] is None
    kims = every_page(api, reader, "/api/v1/lessons?owner=Kim%20Lesson&limit=1")
    assert {item["owner"] for item in kims} == {"Kim Lesson"} and len(kims) == 4
    for query, field in (("owner=Nobody", "owner"), ("status=learnt", "status"),
                         ("after=WyIyMDI2LTEzLTAxIiwgMV0", "after")):
        refused = api.get(f"/api/v1/lessons?{query}", headers=reader)
        assert refused.status_code == 422 and refused.json["field"] == field, refused.json


def test_a_page_of_lessons_takes_the_same_statements_however_many(api, reader):
    exercise = gen_event()

    def statements(count: int) -> int:
        while len(exercise.lessons) < count:
            gen_lesson(exercise, owner=gen_person(f"Owner {len(exercise.lessons)}"),
                       statement=f"Lesson {len(exercise.lessons)}")
            db.session.refresh(exercise)
        api.get("/api/v1/lessons", headers=reader)  # the token's last use is written once
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sql_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert len(api.get("/api/v1/lessons", headers=reader).json["items"]) == count
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(3) == statements(30)


def test_the_history_of_a_risk_and_of_one_record(api, reader):
    manager = gen_person("Mo Manager", role="manager")
    risk = gen_risk(gen_register())
    control = gen_control(risk, "Contract monitoring", by=manager)
    lifecycle.save_control(risk, manager, control, description=control.description,
                           owner=control.owner, effectiveness="effective",
                           last_tested=date(2026, 1, 20), expected_version=control.version)
    lifecycle.remove(risk, manager, control, control.version)
    db.session.commit()
    rows = every_page(api, reader, f"/api/v1/risks/{risk.reference}/history?limit=3")
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)
    assert {row["record"] for row in rows} == {"risk", "control"}
    change = next(row for row in rows if row["field"] == "effectiveness" and row["change"] == "update")
    assert (change["actor"], change["old"], change["new"], change["label"]) == (
        "Mo Manager", "not_tested", "effective", "Effectiveness")
    # A removed control's history is still there to read, removal and all.
    own = every_page(api, reader, f"/api/v1/history/control/{control.id}")
    assert {row["change"] for row in own} == {"create", "update", "delete"}
    assert {row["record_id"] for row in own} == {control.id}
    assert api.get("/api/v1/history/control/999999", headers=reader).status_code == 404
    assert api.get("/api/v1/risks/XX9999/history", headers=reader).status_code == 404
    for record in ("person", "risk"):  # a risk's history is under its reference
        refused = api.get(f"/api/v1/history/{record}/{risk.id}", headers=reader)
        assert refused.status_code == 422 and refused.json["field"] == "record", refused.json


def test_the_history_of_a_register_is_the_administrators(api, reader):
    register = gen_register()
    admin = gen_person("Ada Admin", role="admin", email="ada@x.gov.uk", password="long enough password")
    admin_token = gen_token(admin)
    url = f"/api/v1/history/register/{register.id}"
    refused = api.get(url, headers=reader)
    assert refused.status_code == 403 and refused.content_type == PROBLEM
    answer = api.get(url, headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code == 200 and answer.json["items"][0]["record"] == "register"
