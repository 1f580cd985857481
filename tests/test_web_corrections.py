"""The smaller things found reading the register: a new risk's score is chosen, not
defaulted; Enter saves a lesson; a tested control is never "not yet tested"; one
observation makes one lesson; debriefs and observations can be corrected and removed."""

import re
from datetime import date

from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import Debrief, HistoryEntry, Lesson, Observation
from riskkit.models.risks import NOT_ASSESSED
from riskkit.services import debriefs as debrief_service
from riskkit.services.lessons import save_lesson
from tests.factories import gen_control, gen_observation, gen_person, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages


def _selected(html: str, field: str) -> str:
    select_html = html.split(f'id="{field}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select_html)
    return found[1] if found else re.search(r'<option value="([^"]*)"', select_html)[1]


def _lead():
    return gen_user("Wayne Gough", role="resilience")


def test_a_new_risk_asks_for_its_likelihood_and_impact(login):
    manager = gen_user("Mo Manager", role="manager")
    gen_register("AH", owner=manager)
    client = login(manager)
    html = client.get("/risks/new").get_data(as_text=True)
    for field in ("likelihood", "impact", "target_likelihood", "target_impact"):
        assert _selected(html, field) == "", field
    assert "Choose the likelihood" in html and "Choose the impact" in html
    response = client.post("/risks/new", data={"title": "Unscored", "owner": str(manager.id),
                                               "response": "treat", "version": ""})
    assert response.status_code == 400
    messages = error_messages(response)
    assert "Choose the current likelihood" in messages and "Choose the current impact" in messages


def test_enter_on_the_lesson_form_saves_it(login):
    """A browser submits with the first submit button when Enter is pressed in a box."""
    observation = gen_observation()
    client = login(_lead())
    html = client.get(f"/observations/{observation.id}/lesson").get_data(as_text=True)
    form = html.split("<main", 1)[1].split('<form method="post"', 1)[1].split("</form>", 1)[0]
    buttons = re.findall(r'<(?:button|input)[^>]*type="submit"[^>]*|<button[^>]*>', form)
    buttons = [re.search(r'\bname="(\w+)"', b)[1] for b in buttons if 'name="' in b]
    assert buttons[0] == "submit", buttons


def test_a_tested_control_without_an_effectiveness_is_not_untested(login):
    risk = gen_risk(owner=gen_user("Pat Owner"))
    gen_control(risk, "Generator on site", last_tested=date(2026, 2, 10))
    gen_control(risk, "Second supplier", last_tested=None)
    client = login(risk.owner)
    html = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    rows = html.split('id="controls-table"', 1)[1].split("</table>", 1)[0].split("<tr")[2:]
    generator = next(r for r in rows if "Generator on site" in r)
    assert NOT_ASSESSED in generator and "10/02/2026" in generator
    assert "Not yet tested" not in generator
    assert "Not yet tested" in next(r for r in rows if "Second supplier" in r)


def _lesson_form(observation, owner):
    return {"statement": observation.text, "owner": str(owner.id), "priority": "medium",
            "version": "", "opened_at": ""}


def test_one_observation_makes_one_lesson(login):
    observation = gen_observation()
    owner = gen_person("Lee Lesson")
    client = login(_lead())
    first = client.post(f"/observations/{observation.id}/lesson",
                        data=_lesson_form(observation, owner))
    assert first.status_code == 302
    again = client.post(f"/observations/{observation.id}/lesson",
                        data=_lesson_form(observation, owner))
    assert again.status_code == 409
    lesson = db.session.scalars(select(Lesson).where(
        Lesson.observation_id == observation.id)).one()
    assert f"This observation is already lesson {lesson.reference}" in again.get_data(as_text=True)
    # The debrief no longer offers to make it a lesson.
    page = client.get(f"/debriefs/{observation.debrief_id}").get_data(as_text=True)
    assert f"/observations/{observation.id}/lesson" not in page


def test_the_resilience_lead_corrects_a_debrief_and_an_observation(login):
    observation = gen_observation()
    debrief = observation.debrief
    client = login(_lead())
    response = client.post(f"/debriefs/{debrief.id}/edit", data={
        "kind": "cold", "held_on": ["20", "3", "2026"], "facilitator": "Wayne Gough",
        "attendees": "Estates, care home manager", "version": str(debrief.version),
        "opened_at": ""})
    assert response.status_code == 302, error_messages(response)
    assert (debrief.kind, debrief.held_on, debrief.event.status) == (
        "cold", date(2026, 3, 20), "debriefed")

    response = client.post(f"/observations/{observation.id}/edit", data={
        "prompt": "do_differently", "kind": "improvement",
        "text": "Call the generator supplier at the first sign of an outage",
        "version": str(observation.version), "opened_at": ""})
    assert response.status_code == 302, error_messages(response)
    assert observation.text == "Call the generator supplier at the first sign of an outage"

    changes = {(h.entity, h.field, h.old_value, h.new_value, h.actor) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.change == "update"))}
    assert ("debrief", "kind", "hot", "cold", "Wayne Gough") in changes
    assert ("observation", "text", "The generator took four hours to arrive",
            "Call the generator supplier at the first sign of an outage", "Wayne Gough") in changes


def test_a_stale_correction_is_a_conflict(login):
    observation = gen_observation()
    version = observation.version
    debrief_service.update_observation(observation, None, prompt="went_well", kind="strength",
                                       text="Changed meanwhile", themes=[])
    client = login(_lead())
    response = client.post(f"/observations/{observation.id}/edit", data={
        "prompt": "do_differently", "kind": "improvement", "text": "Mine",
        "version": str(version), "opened_at": ""})
    assert response.status_code == 409
    assert db.session.get(Observation, observation.id).text == "Changed meanwhile"
    response = client.post(f"/observations/{observation.id}/remove",
                           data={"version": str(version)})
    assert response.status_code == 409
    assert db.session.get(Observation, observation.id) is not None


def test_removing_an_observation_and_a_debrief_keeps_their_history(login):
    observation = gen_observation()
    debrief = observation.debrief
    observation_id, debrief_id, event_id = observation.id, debrief.id, debrief.event_id
    client = login(_lead())
    response = client.post(f"/observations/{observation_id}/remove",
                           data={"version": str(observation.version)})
    assert response.status_code == 302
    assert db.session.get(Observation, observation_id) is None
    response = client.post(f"/debriefs/{debrief_id}/remove", data={"version": str(debrief.version)})
    assert response.status_code == 302 and response.location == f"/exercises/{event_id}"
    assert db.session.get(Debrief, debrief_id) is None
    removed = {(h.entity, h.field, h.old_value) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.change == "delete"))}
    assert ("observation", "text", "The generator took four hours to arrive") in removed
    assert ("debrief", "kind", "hot") in removed


def test_an_observation_that_became_a_lesson_stays(login):
    observation = gen_observation()
    save_lesson(None, None, event=observation.debrief.event, observation=observation,
                statement=observation.text, owner=gen_person("Lee Lesson"), due_date=None)
    client = login(_lead())
    response = client.post(f"/observations/{observation.id}/remove",
                           data={"version": str(observation.version)})
    assert response.status_code == 400
    assert "it stays as the lesson&#39;s source" in response.get_data(as_text=True)
    response = client.post(f"/debriefs/{observation.debrief_id}/remove",
                           data={"version": str(observation.debrief.version)})
    assert response.status_code == 400
    assert db.session.get(Observation, observation.id) is not None


def test_only_those_who_run_exercises_correct_debriefs(login):
    observation = gen_observation()
    for role in ("viewer", "owner"):
        client = login(gen_user(f"A {role.title()}", role=role))
        for path in (f"/debriefs/{observation.debrief_id}/edit",
                     f"/observations/{observation.id}/edit"):
            assert client.get(path).status_code == 403, (role, path)
        assert client.post(f"/observations/{observation.id}/remove",
                           data={"version": str(observation.version)}).status_code == 403
    assert login(_lead()).get(f"/observations/{observation.id}/edit").status_code == 200
