"""The exercise, incident, debrief, observation and lesson pages: a whole exercise from
scenario pack to validated lesson, form errors, who may do what, and the earlier
observations shown while recording. Each test builds its people, risks and events with
the factories (the `world` fixture); the pages that read back the demo's recorded events
and lessons (seed_data/resilience.yaml) use the `demo` fixture for that."""

import html
import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from riskkit.extensions import db
from riskkit.models import Action, Control, Event, HistoryEntry, Lesson, Observation, Theme, User
from riskkit.services.events import find_event, record_outcome, save_event
from riskkit.services.lessons import allowed_moves, save_lesson
from riskkit.services.packs import get_pack
from riskkit.services.risks import get_risk
from tests.factories import (
    PASSWORD,
    gen_action,
    gen_control,
    gen_debrief,
    gen_event,
    gen_lesson,
    gen_observation,
    gen_register,
    gen_risk,
    gen_user,
)
from tests.web_helpers import error_messages, sign_in

ROLES = ["anonymous", "viewer", "owner", "resilience", "manager", "admin"]
NAMES = {"viewer": "Val Viewer", "owner": "Chris McKenzie", "resilience": "Wayne Gough",
         "manager": "Mo Manager", "admin": "Ada Admin"}


@pytest.fixture
def world(site):
    """One person of each role (world.resilience is Wayne Gough, world.owner Chris
    McKenzie); Chris's risks on AH: `service` with the control "Resilience plans in
    place" (last tested 19/07/2023) and `finance` with "Emergency client report is
    produced overnight"; Exercise Lemur, held on 16/11/2022 (objectives partly met and
    not met), its cold debrief and an observation on Premises and Power and utilities,
    and Wayne's lesson `lesson` from it, on `service`; and an exercise still planned."""
    people = {role: gen_user(name, role) for role, name in NAMES.items()}
    ah = gen_register("AH")
    service = gen_risk(ah, people["owner"], title="Loss of key services")
    plans = gen_control(service, "Resilience plans in place", last_tested=date(2023, 7, 19))
    finance = gen_risk(ah, people["owner"], title="Client finance records")
    gen_control(finance, "Emergency client report is produced overnight")
    lemur = save_event(None, None, kind="exercise", name="Exercise Lemur", event_type="tabletop",
                       start_date=date(2022, 11, 16), objectives=["To test the call tree",
                                                                  "To test the generator plan"])
    first, second = lemur.objectives
    record_outcome(lemur, None, ratings={first.id: ("partly_met", ""), second.id: ("not_met", "")},
                   control_results={})
    debrief = gen_debrief(lemur, kind="cold", held_on=date(2022, 12, 1))
    gen_observation(debrief, "Some homes did not know whether they had a generator connection point",
                    themes=[_theme("Premises"), _theme("Power and utilities")])
    lesson = gen_lesson(lemur, owner=people["resilience"], statement="Generator points are unknown",
                        risks=[service])
    planned = gen_event("Service fuel supply disruption exercise programme",
                        start_date=date(2023, 11, 20))
    return SimpleNamespace(**people, service=service, plans=plans, finance=finance, lemur=lemur,
                           debrief=debrief, lesson=lesson, planned=planned)


# --- helpers -----------------------------------------------------------------------------


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _errors(response) -> dict[str, str]:
    """The error summary as {field id the link goes to: message}."""
    page = response.get_data(as_text=True)
    body = page.split("govuk-error-summary__list", 1)[-1].split("</ul>", 1)[0]
    return {href: html.unescape(re.sub(r"\s+", " ", text).strip())
            for href, text in re.findall(r'<a href="#([^"]*)">(.*?)</a>', body, re.S)}


def _section(response, element_id: str) -> str:
    """The words inside the element with this id (to its first closing tag of that kind)."""
    page = response.get_data(as_text=True)
    start = page.index(f'id="{element_id}"')
    tag = page.rfind("<", 0, start)
    name = re.match(r"<(\w+)", page[tag:]).group(1)
    fragment = page[start:page.index(f"</{name}>", start)]
    fragment = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", fragment, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment.split(">", 1)[1])))


def _day(value: date) -> list[str]:
    """A date as GovDateInput posts it: day, month and year under one name."""
    return [str(value.day), str(value.month), str(value.year)]


BLANK_DATE = ["", "", ""]


def _person(name: str) -> User:
    return db.session.scalar(select(User).where(User.name == name))


def _theme(name: str) -> Theme:
    return db.session.scalar(select(Theme).where(Theme.name == name))


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _exercise(**changes) -> dict:
    data = {"name": "Exercise Beech", "event_type": "tabletop", "start_date": _day(date(2024, 1, 16)),
            "end_date": BLANK_DATE, "lead": str(_person("Wayne Gough").id),
            "scenario": "Overnight power cut at Beech Lodge.",
            "objectives": "To test escalation out of hours\nTo test the service plan",
            "participants": "Beech Lodge staff; on-call managers", "version": ""}
    data.update(changes)
    return data


def _incident(**changes) -> dict:
    data = {"name": "Power cut at Beech Lodge", "event_type": "power",
            "start_date": _day(date(2024, 3, 5)), "end_date": BLANK_DATE,
            "lead": str(_person("Wayne Gough").id),
            "description": "Mains power was lost for six hours after a substation fault.",
            "services_affected": "Beech Lodge", "version": ""}
    data.update(changes)
    return data


def _client(world, login, role):
    return login(None if role == "anonymous" else getattr(world, role))


# --- the whole journey ---------------------------------------------------------------------


def test_an_exercise_from_pack_to_validated_lesson(world, login):
    """Plan from the power outage pack, record the outcome, debrief, observe, turn an
    observation into a lesson, raise an action on a risk and see the lesson validated."""
    client = login(world.resilience)
    ah11, plans_control = world.service, world.plans
    assert plans_control.effectiveness == "not_tested"

    # Choose the pack: the chooser lists it, and the form is filled from it.
    chooser = client.get("/exercises/new")
    assert chooser.status_code == 200
    assert "Power outage at a residential service" in _page(chooser)
    assert "Start from scratch" in _page(chooser)
    form = client.get("/exercises/new?pack=power-outage")
    assert form.status_code == 200
    assert '<option value="tabletop" selected>' in form.get_data(as_text=True)
    assert "Oakfield House is an in-house residential service" in _page(form)
    assert "To test escalation out of hours from the service to the on-call manager" in _page(form)

    pack = get_pack(client.application.config["EXERCISE_PACKS_DIR"], "power-outage")
    response = client.post("/exercises/new?pack=power-outage", data=_exercise(
        scenario=pack.scenario, objectives="\n".join(pack.objectives[:2]),
        risks=[str(ah11.id)], controls=[str(plans_control.id)]))
    assert response.status_code == 302, error_messages(response)
    event = find_event("Exercise Beech")
    assert response.location == f"/exercises/{event.id}"
    assert (event.pack, event.status, event.kind) == ("power-outage", "planned", "exercise")
    assert [o.text for o in event.objectives] == list(pack.objectives[:2])
    assert event.risks == [ah11] and event.controls == [plans_control]

    # The event page shows the pack's injects and questions, and the report link.
    page = client.get(f"/exercises/{event.id}")
    assert page.status_code == 200
    assert "Power fails at 02:10" in _page(page)
    assert "Who do they call first, and how, with no landline?" in _page(page)
    assert f'href="/exercises/{event.id}/report.pdf"' in page.get_data(as_text=True)
    assert f'href="/risks/{ah11.reference}"' in page.get_data(as_text=True)

    # Outcome: ratings, and the control's effectiveness, with its history.
    first, second = event.objectives
    assert client.get(f"/exercises/{event.id}/outcome").status_code == 200
    response = client.post(f"/exercises/{event.id}/outcome", data={
        f"rating_{first.id}": "met", f"note_{first.id}": "On-call manager reached in 10 minutes.",
        f"rating_{second.id}": "not_met", f"control_{plans_control.id}": "partly_effective",
        "version": str(event.version)})
    assert response.status_code == 302, error_messages(response)
    assert (first.rating, first.note, second.rating) == (
        "met", "On-call manager reached in 10 minutes.", "not_met")
    assert event.status == "held"
    control = db.session.get(Control, plans_control.id)
    assert (control.effectiveness, control.last_tested, control.tested_by_event_id) == (
        "partly_effective", date(2024, 1, 16), event.id)
    history = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "control", HistoryEntry.entity_id == control.id,
        HistoryEntry.field == "effectiveness")).all()
    assert [(h.actor, h.old_value, h.new_value) for h in history][-1] == (
        "Wayne Gough", "not_tested", "partly_effective")

    # A cold debrief makes it debriefed and leads to the debrief page.
    response = client.post(f"/exercises/{event.id}/debriefs/new", data={
        "kind": "cold", "held_on": _day(date(2024, 2, 6)), "facilitator": "Wayne Gough",
        "attendees": "Beech Lodge managers"})
    assert response.status_code == 302, error_messages(response)
    debrief = event.debriefs[0]
    assert response.location == f"/debriefs/{debrief.id}"
    assert event.status == "debriefed"

    # Two observations.
    for prompt, kind, text, themes in (
            ("went_well", "strength", "Night staff found the plan by torchlight.", ["Communications"]),
            ("did_not_go_well", "improvement", "No one knew who would bring a generator.",
             ["Power and utilities", "Premises"])):
        response = client.post(f"/debriefs/{debrief.id}/observations", data={
            "prompt": prompt, "kind": kind, "text": text,
            "themes": [str(_theme(t).id) for t in themes], "submit": "y"})
        assert response.status_code == 302, error_messages(response)
    good, bad = debrief.observations
    page = client.get(f"/debriefs/{debrief.id}")
    went_well = _page(page).split("What went well", 1)[1].split("What did not go well", 1)
    assert "Night staff found the plan by torchlight." in went_well[0]
    assert "No one knew who would bring a generator." in went_well[1]
    # The earlier observations are for the last one's themes, from other events only.
    earlier = _section(page, "earlier")
    assert "Themes: Power and utilities, Premises." in earlier
    assert "Some homes did not know whether they had a generator connection point" in earlier
    assert "No one knew who would bring a generator." not in earlier
    assert f'href="/observations/{bad.id}/lesson"' in page.get_data(as_text=True)

    # A lesson from the second observation.
    form = client.get(f"/observations/{bad.id}/lesson")
    assert form.status_code == 200
    assert ">No one knew who would bring a generator.</textarea>" in _page(form)
    response = client.post(f"/observations/{bad.id}/lesson", data={
        "statement": "Generator supply for Beech Lodge is not arranged.",
        "recommendation": "Agree a generator call-off with KCC property.",
        "owner": str(_person("Wayne Gough").id), "due_date": _day(date(2024, 4, 30)),
        "priority": "high", "risks": [str(ah11.id)], "version": ""})
    assert response.status_code == 302, error_messages(response)
    lesson = db.session.scalar(select(Lesson).where(Lesson.observation_id == bad.id))
    assert response.location == f"/lessons/{lesson.id}"
    assert (lesson.status, lesson.event_id, lesson.priority) == ("identified", event.id, "high")

    # Raise an action on the risk: it is on the risk's page, saying where it came from.
    form = client.get(f"/lessons/{lesson.id}/actions/new")
    assert ">Agree a generator call-off with KCC property.</textarea>" in _page(form)
    response = client.post(f"/lessons/{lesson.id}/actions/new", data={
        "risk": str(ah11.id), "description": "Generator call-off agreed for Beech Lodge.",
        "owner": str(_person("Wayne Gough").id), "target_date": _day(date(2024, 4, 30))})
    assert response.status_code == 302, error_messages(response)
    assert response.location == f"/lessons/{lesson.id}"
    banner = client.get(response.location)
    assert f"Action raised on {ah11.reference}, answering {lesson.reference}." in _page(banner)
    action = lesson.actions[0]
    assert (action.risk_id, action.status, lesson.status) == (ah11.id, "planned", "action_planned")
    risk_page = _page(client.get(f"/risks/{ah11.reference}"))
    assert "Generator call-off agreed for Beech Lodge." in risk_page
    assert f"From lesson {lesson.reference}" in re.sub(r"<[^>]+>", "", risk_page)

    # Moves, one step at a time.
    for status in ("in_progress", "implemented"):
        response = client.post(f"/lessons/{lesson.id}/status",
                               data={"status": status, "version": str(lesson.version)})
        assert response.status_code == 302, error_messages(response)
        assert lesson.status == status

    # A later held event to be the evidence.
    response = client.post("/incidents/new", data=_incident())
    assert response.status_code == 302, error_messages(response)
    later = find_event("Power cut at Beech Lodge")
    assert (later.kind, later.status) == ("incident", "held")

    # Refused while the action is open: on the status field.
    response = client.post(f"/lessons/{lesson.id}/status", data={
        "status": "validated", "evidence_event": str(later.id), "version": str(lesson.version)})
    assert response.status_code == 400
    assert _errors(response) == {"status": f"{lesson.reference} cannot be validated while 1 of"
                                           " its actions is not done"}
    assert lesson.status == "implemented"

    # The action is done (a manager marks it on the risk); then refused without evidence.
    manager = login(world.manager)
    assert manager.post(f"/risks/{ah11.reference}/actions/{action.id}/done",
                        data={"version": str(action.version),
                              "reason": "Generator tested"}).status_code == 302
    assert db.session.get(Action, action.id).status == "done"
    response = client.post(f"/lessons/{lesson.id}/status", data={
        "status": "validated", "evidence_event": "", "version": str(lesson.version)})
    assert response.status_code == 400
    assert _errors(response) == {"evidence_event": "Choose the later exercise or incident that"
                                                   " showed the change worked"}
    # The event itself is no evidence for its own lesson.
    response = client.post(f"/lessons/{lesson.id}/status", data={
        "status": "validated", "evidence_event": str(event.id), "version": str(lesson.version)})
    assert list(_errors(response)) == ["evidence_event"]

    # Accepted with the later incident.
    response = client.post(f"/lessons/{lesson.id}/status", data={
        "status": "validated", "evidence_event": str(later.id),
        "evidence_note": "The call-off generator arrived within four hours.",
        "version": str(lesson.version)})
    assert response.status_code == 302, error_messages(response)
    assert (lesson.status, lesson.evidence_event_id) == ("validated", later.id)
    page = client.get(f"/lessons/{lesson.id}")
    assert "Power cut at Beech Lodge" in _section(page, "evidence")
    assert "The call-off generator arrived within four hours." in _section(page, "evidence")
    history = _page(page).split('id="history"', 1)[1]
    # Newest first, in the words the forms use.
    assert history.index("Status changed from Implemented to Validated") < history.index(
        "to In progress")


# --- form errors -----------------------------------------------------------------------------


def test_an_end_date_before_the_start_is_refused_on_the_end_date_and_nothing_is_saved(world, login):
    client = login(world.resilience)
    before = _count(Event)
    response = client.post("/exercises/new?pack=scratch", data=_exercise(
        end_date=_day(date(2024, 1, 15))))
    assert response.status_code == 400
    assert _errors(response) == {
        "end_date": "The end date must be the same as or after the start date"}
    assert 'govuk-input--error" id="end_date-day"' in _page(response)
    assert 'govuk-input--error" id="start_date-day"' not in _page(response)
    assert _count(Event) == before
    assert "<title>Error: Plan an exercise – riskkit</title>" in _page(response)


def test_a_missing_name_is_refused_and_nothing_is_saved(world, login):
    client = login(world.resilience)
    before = _count(Event)
    response = client.post("/exercises/new?pack=scratch", data=_exercise(name=""))
    assert response.status_code == 400
    assert _errors(response) == {"name": "Enter a name for the exercise"}
    response = client.post("/incidents/new", data=_incident(name="  ", event_type=""))
    assert response.status_code == 400
    assert _errors(response) == {"name": "Enter a name for the incident",
                                 "event_type": "Choose the type of incident"}
    assert _count(Event) == before


def test_the_chooser_asks_for_a_choice_and_an_unknown_pack_is_named(world, login):
    client = login(world.resilience)
    response = client.get("/exercises/new?chosen=1")
    assert response.status_code == 400
    assert error_messages(response) == ["Choose a scenario pack, or start from scratch"]
    response = client.get("/exercises/new?pack=no-such-pack")
    assert response.status_code == 404
    assert _errors(response)["pack"].startswith("No scenario pack called 'no-such-pack'")


def test_the_outcome_of_a_future_planned_exercise_is_refused_with_the_reason(world, login):
    client = login(world.resilience)
    control = world.plans
    event = save_event(None, None, kind="exercise", name="Exercise Hazel", event_type="drill",
                       start_date=date(2099, 5, 1), objectives=["To test the drill"],
                       risks=[control.risk], controls=[control])
    db.session.commit()
    objective = event.objectives[0]
    response = client.post(f"/exercises/{event.id}/outcome", data={
        f"rating_{objective.id}": "met", "version": str(event.version)})
    assert response.status_code == 400
    assert _errors(response) == {"event-status": "Exercise Hazel is planned for 01/05/2099:"
                                                 " record its outcome once it has been held"}
    assert (event.status, objective.rating) == ("planned", None)
    assert db.session.get(Control, control.id).last_tested == date(2023, 7, 19)


def test_a_debrief_of_a_planned_exercise_is_refused_and_a_bad_date_named(world, login):
    client = login(world.resilience)
    planned = world.planned
    response = client.post(f"/exercises/{planned.id}/debriefs/new", data={
        "kind": "hot", "held_on": _day(date(2023, 11, 21))})
    assert response.status_code == 400
    assert list(_errors(response)) == ["event-status"]
    assert "mark it held" in _errors(response)["event-status"]
    lemur = world.lemur
    response = client.post(f"/exercises/{lemur.id}/debriefs/new", data={
        "kind": "cold", "held_on": _day(date(2022, 11, 1))})
    assert _errors(response) == {"held_on": "The debrief date must be on or after the event's"
                                            " start date (16/11/2022)"}
    assert lemur.debriefs == [world.debrief]


def test_editing_keeps_rated_objectives_and_a_stale_version_is_a_conflict(world, login):
    client = login(world.resilience)
    lemur = world.lemur
    form = client.get(f"/exercises/{lemur.id}/edit")
    assert form.status_code == 200
    assert 'value="Exercise Lemur"' in form.get_data(as_text=True)
    version = lemur.version
    data = _exercise(name="Exercise Lemur", start_date=_day(lemur.start_date),
                     objectives="\n".join(o.text for o in lemur.objectives),
                     participants="Kent Resilience Forum partners",
                     risks=[str(r.id) for r in lemur.risks],
                     controls=[str(c.id) for c in lemur.controls],
                     plans=[str(p.id) for p in lemur.plans], multi_agency="y",
                     improvement_plan_agreed=_day(date(2023, 1, 10)), version=str(version))
    response = client.post(f"/exercises/{lemur.id}/edit", data=data)
    assert response.status_code == 302, error_messages(response)
    assert lemur.participants == "Kent Resilience Forum partners"
    assert [o.rating for o in lemur.objectives] == ["partly_met", "not_met"]
    stale = client.post(f"/exercises/{lemur.id}/edit", data=dict(data, participants="Others"))
    assert stale.status_code == 409
    assert "Someone else changed this while you were editing" in _page(stale)
    assert lemur.participants == "Kent Resilience Forum partners"


def test_a_control_of_an_unticked_risk_is_refused(world, login):
    client = login(world.resilience)
    response = client.post("/exercises/new?pack=scratch", data=_exercise(
        risks=[str(world.finance.id)], controls=[str(world.plans.id)]))
    assert response.status_code == 400
    assert list(_errors(response)) == ["controls"]
    # "Show the controls" re-shows the form with the ticked risk's controls, saving nothing.
    response = client.post("/exercises/new?pack=scratch", data=_exercise(
        risks=[str(world.finance.id)], refresh="y"))
    assert response.status_code == 200
    assert "Emergency client report is produced overnight" in _page(response)
    assert db.session.scalar(select(Event).where(Event.name == "Exercise Beech")) is None


# --- the pages -------------------------------------------------------------------------------


def test_the_list_filters_by_kind_and_status_in_the_url(client):
    sign_in(client, "viewer")
    everything = client.get("/exercises")
    assert everything.status_code == 200
    names = re.findall(r'<a class="govuk-link" href="/exercises/\d+">(.*?)</a>',
                       everything.get_data(as_text=True))
    assert names[0] == "Service fuel supply disruption exercise programme"  # newest first
    assert names[-1] == "ICT outages 2021" and len(names) == 11
    assert "Plan an exercise" not in _page(everything)  # a viewer cannot plan
    incidents = client.get("/exercises?kind=incident&status=debriefed")
    names = re.findall(r'href="/exercises/\d+">(.*?)</a>', incidents.get_data(as_text=True))
    assert names == ["Care home evacuation 2023", "Fuel supply disruption September 2021"]
    bad = client.get("/exercises?kind=drill")
    assert bad.status_code == 400
    assert _errors(bad) == {"kind": "'drill' is not a kind: choose exercise or incident"}
    resilience = sign_in(client.application.test_client(), "resilience")
    page = _page(resilience.get("/exercises"))
    assert "Plan an exercise" in page and "Record an incident" in page


def test_the_incident_page_shows_what_happened_its_debriefs_and_lessons(client):
    sign_in(client, "viewer")
    care = find_event("Care home evacuation 2023")
    response = client.get(f"/exercises/{care.id}")
    assert response.status_code == 200
    page = _page(response)
    assert "<title>Care home evacuation 2023 – riskkit</title>" in page
    assert "An in-house residential care home was evacuated after a burst pipe" in page
    summary = _section(response, "summary")
    assert "Incident" in summary and "Evacuation" in summary and "19/07/2023" in summary
    assert "One in-house residential care home" in summary
    debriefs = page.split('id="debriefs"', 1)[1].split('id="lessons"', 1)[0]
    assert "Hot debrief, 19/07/2023" in debriefs and "Cold debrief, 06/09/2023" in debriefs
    cold = debriefs.split("Cold debrief", 1)[1]
    assert cold.index("What did not go well") < cold.index("Residents' medication and care")
    assert "Information sharing" in cold and "Area for improvement" in cold
    lessons = _section(response, "lessons")
    for lesson in care.lessons:
        assert lesson.reference in lessons
    assert "There is no agreed way to tell families quickly" in lessons
    assert "Incident debrief report (PDF)" in page
    # Neither edit buttons, a status form nor lesson links for a viewer.
    assert f"/exercises/{care.id}/edit" not in page and "Change status" not in page
    assert "Turn into a lesson" not in page


def test_an_event_whose_pack_is_gone_says_so(world, login):
    client = login(world.viewer)
    event = save_event(None, None, kind="exercise", name="Exercise Alder", event_type="tabletop",
                       start_date=date(2024, 2, 1), pack="retired-pack")
    db.session.commit()
    page = _page(client.get(f"/exercises/{event.id}"))
    assert "The scenario pack “retired-pack” it was made from is no longer in the packs folder" \
        in page


def test_the_status_form_marks_an_exercise_held_but_not_before_it_starts(world, login):
    client = login(world.resilience)
    planned = world.planned
    response = client.post(f"/exercises/{planned.id}/status",
                           data={"status": "held", "version": str(planned.version)})
    assert response.status_code == 302
    assert planned.status == "held"
    future = save_event(None, None, kind="exercise", name="Exercise Rowan", event_type="drill",
                        start_date=date(2099, 1, 1))
    db.session.commit()
    response = client.post(f"/exercises/{future.id}/status",
                           data={"status": "held", "version": str(future.version)})
    assert response.status_code == 400
    assert _errors(response) == {
        "status": "Exercise Rowan has not happened yet (it starts on 01/01/2099)"}
    assert future.status == "planned"


def test_the_earlier_observations_for_the_ticked_themes_leave_out_this_event(client):
    sign_in(client, "resilience")
    fuel = find_event("Fuel supply disruption September 2021")
    debrief = fuel.debriefs[0]
    before = _count(Observation)
    response = client.post(f"/debriefs/{debrief.id}/observations", data={
        "themes": [str(_theme("Fuel and transport").id)], "check": "y"})
    assert response.status_code == 200 and not _errors(response)
    earlier = _section(response, "earlier")
    assert "Themes: Fuel and transport." in earlier
    assert "Rotas assumed staff could travel to work" in earlier  # Mighty Oak
    assert "Priority access to fuel for care workers" not in earlier  # this event's own
    assert _count(Observation) == before
    # Re-shown after an error, the ticked themes still give the list.
    response = client.post(f"/debriefs/{debrief.id}/observations", data={
        "prompt": "went_well", "kind": "strength", "text": "",
        "themes": [str(_theme("Premises").id)], "submit": "y"})
    assert response.status_code == 400
    assert _errors(response) == {"text": "Enter the observation"}
    assert "Some homes did not know whether they had a generator connection point" in \
        _section(response, "earlier")
    assert 'value="{}" checked'.format(_theme("Premises").id) in response.get_data(as_text=True)
    assert _count(Observation) == before


def test_the_lessons_list_filters_and_a_risk_owner_sees_their_own_first(client):
    sign_in(client, "viewer")
    validated = client.get("/lessons?status=validated")
    assert re.findall(r'href="/lessons/\d+">(L\d+)</a>', validated.get_data(as_text=True)) == [
        "L0006"]
    open_only = _page(client.get("/lessons?open=yes"))
    assert "L0011" in open_only and "L0006" not in open_only and "L0001" not in open_only
    assert "Lessons on my risks or owned by me" not in _page(client.get("/lessons"))
    assert client.get("/lessons?owner=nobody").status_code == 400

    owner = sign_in(client.application.test_client(), "owner")
    chris = _person("Chris McKenzie")
    lesson = save_lesson(None, None, event=find_event("Exercise Mighty Oak"),
                         statement="Agency staff are not in the call-out list.",
                         owner=_person("Wayne Gough"), due_date=date(2024, 6, 30),
                         risks=[get_risk("AH0033")])
    db.session.commit()
    page = owner.get("/lessons")
    mine = _section(page, "mine")
    assert f"{lesson.reference}" in mine and "Agency staff are not in the call-out list." in mine
    assert "L0006" not in mine
    assert _page(page).index('id="mine"') < _page(page).index('id="lessons"')
    filtered = owner.get(f"/lessons?owner={chris.id}")
    assert "No lessons match the filters." in _page(filtered)


def test_the_lesson_page_shows_its_actions_evidence_and_history(client):
    sign_in(client, "viewer")
    lesson = db.session.get(Lesson, 6)
    response = client.get("/lessons/6")
    assert response.status_code == 200
    page = _page(response)
    assert "In-house residential services have no fallback means of communication" in page
    assert "Agree fallback communications for each in-house residential service" in page
    actions = _section(response, "actions")
    assert "AH0011" in actions and "Fallback communications for in-house residential" in actions
    assert "Done" in actions
    assert "Service power outage exercise programme" in _section(response, "evidence")
    assert f'href="/exercises/{lesson.event_id}"' in response.get_data(as_text=True)
    assert "Validated" in _section(response, "lesson-status")
    assert "Change history" in page
    # A viewer gets neither the move form nor the action forms.
    assert 'id="move"' not in page and 'id="link-action"' not in page


def test_an_existing_action_can_be_linked_to_a_lesson(world, login):
    client = login(world.resilience)
    families = world.lesson
    assert (families.status, families.actions) == ("identified", [])
    packs = gen_action(world.service, "Debrief report and action plan for each exercise")
    page = client.get(f"/lessons/{families.id}")
    assert f'<option value="{packs.id}">' in page.get_data(as_text=True)
    response = client.post(f"/lessons/{families.id}/actions/link", data={"action": str(packs.id)})
    assert response.status_code == 302, error_messages(response)
    assert families.actions == [packs] and families.status == "action_planned"
    assert packs.lessons == [families]
    refused = client.post(f"/lessons/{families.id}/actions/link", data={"action": ""})
    assert refused.status_code == 400
    assert _errors(refused) == {"action": "Choose the action"}


def test_editing_a_lesson_and_a_stale_version(world, login):
    client = login(world.resilience)
    lesson = world.lesson
    form = client.get(f"/lessons/{lesson.id}/edit")
    assert form.status_code == 200
    data = {"statement": lesson.statement, "recommendation": "Name a family liaison lead.",
            "owner": str(lesson.owner_id), "due_date": _day(date(2023, 12, 15)),
            "priority": "high", "risks": [str(r.id) for r in lesson.risks],
            "version": str(lesson.version)}
    response = client.post(f"/lessons/{lesson.id}/edit", data=data)
    assert response.status_code == 302, error_messages(response)
    assert (lesson.recommendation, lesson.due_date, lesson.priority) == (
        "Name a family liaison lead.", date(2023, 12, 15), "high")
    assert client.post(f"/lessons/{lesson.id}/edit", data=data).status_code == 409
    response = client.post(f"/lessons/{lesson.id}/edit", data=dict(
        data, statement="", version=str(lesson.version)))
    assert _errors(response) == {"statement": "Enter the lesson"}


# --- who may do what -------------------------------------------------------------------------


def _ids(world):
    return {"event": world.lemur.id, "debrief": world.debrief.id,
            "observation": world.debrief.observations[0].id, "lesson": world.lesson.id}


EDIT_PAGES = ["/exercises/new", "/exercises/new?pack=power-outage", "/incidents/new",
              "/exercises/{event}/edit", "/exercises/{event}/outcome",
              "/exercises/{event}/debriefs/new", "/observations/{observation}/lesson",
              "/lessons/{lesson}/edit", "/lessons/{lesson}/actions/new"]
READ_PAGES = ["/exercises", "/exercises/{event}", "/debriefs/{debrief}", "/lessons",
              "/lessons/{lesson}"]


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_get_permissions(world, login, role_index, role):
    ids, client = _ids(world), _client(world, login, role)
    for route in READ_PAGES + EDIT_PAGES:
        url = route.format(**ids)
        expected = ((302, 200, 200, 200, 200, 200) if route in READ_PAGES
                    else (302, 403, 403, 200, 200, 200))[role_index]
        response = client.get(url)
        assert response.status_code == expected, f"{role} GET {url}"
        if expected == 302:
            assert response.location.startswith("/login")


POSTS = {
    "/exercises/new?pack=scratch": {"name": "Exercise Yew"},
    "/incidents/new": {"name": "Incident Yew"},
    "/exercises/{event}/edit": {"name": "Exercise Lemur renamed"},
    "/exercises/{event}/outcome": {},
    "/exercises/{event}/status": {"status": "held"},
    "/exercises/{event}/debriefs/new": {"kind": "hot"},
    "/debriefs/{debrief}/observations": {"prompt": "went_well", "kind": "strength", "text": "x"},
    "/observations/{observation}/lesson": {"statement": "x"},
    "/lessons/{lesson}/edit": {"statement": "x"},
    "/lessons/{lesson}/actions/new": {"description": "x"},
    "/lessons/{lesson}/actions/link": {"action": "1"},
    "/lessons/{lesson}/status": {"status": "implemented"},
}


@pytest.mark.parametrize("role", ["anonymous", "viewer", "owner"])
def test_post_permissions_for_those_who_may_not(world, login, role):
    ids, client = _ids(world), _client(world, login, role)
    before = (_count(Event), _count(Observation), _count(Lesson), _count(Action))
    for route, data in POSTS.items():
        response = client.post(route.format(**ids), data=data)
        assert response.status_code == (302 if role == "anonymous" else 403), f"{role} {route}"
        if role == "anonymous":
            assert response.location.startswith("/login")
    assert (_count(Event), _count(Observation), _count(Lesson), _count(Action)) == before
    assert find_event("Exercise Lemur").status == "debriefed"
    assert db.session.get(Lesson, world.lesson.id).status == "identified"


def test_a_lesson_owner_may_move_their_own_lesson_but_not_edit_it(world, login):
    chris = world.owner
    theirs = save_lesson(None, None, event=world.lemur,
                         statement="Agency staff are not in the call-out list.", owner=chris,
                         due_date=date(2024, 6, 30), risks=[world.service])
    db.session.commit()
    owner = _client(world, login, "owner")
    page = owner.get(f"/lessons/{theirs.id}")
    assert 'id="move"' in page.get_data(as_text=True)
    assert f"/lessons/{theirs.id}/edit" not in page.get_data(as_text=True)
    response = owner.post(f"/lessons/{theirs.id}/status",
                          data={"status": "action_planned", "version": str(theirs.version)})
    assert response.status_code == 302
    assert theirs.status == "action_planned"
    # Skipping a step is refused on the status field.
    response = owner.post(f"/lessons/{theirs.id}/status",
                          data={"status": "implemented", "version": str(theirs.version)})
    assert response.status_code == 400 and list(_errors(response)) == ["status"]
    # Not someone else's lesson, and not the editing pages.
    other = world.lesson  # Wayne's
    assert 'id="move"' not in owner.get(f"/lessons/{other.id}").get_data(as_text=True)
    assert owner.post(f"/lessons/{other.id}/status",
                      data={"status": "action_planned"}).status_code == 403
    assert owner.get(f"/lessons/{theirs.id}/edit").status_code == 403
    assert db.session.get(Lesson, other.id).status == "identified"


def test_every_form_carries_a_csrf_token_and_a_change_without_one_is_refused(world, site):
    site.config["WTF_CSRF_ENABLED"] = True
    client = site.test_client()
    token = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
    login = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"email": world.resilience.email, "password": PASSWORD,
                                       "csrf_token": token.search(login).group(1)}
                       ).status_code == 302
    ids = _ids(world)
    for route in READ_PAGES + EDIT_PAGES:
        page = client.get(route.format(**ids)).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S):
            if 'method="get"' not in form:
                assert 'name="csrf_token"' in form, (route, form[:200])
    lemur = world.lemur
    refused = client.post(f"/exercises/{lemur.id}/status",
                          data={"status": "closed", "version": str(lemur.version)})
    assert refused.status_code == 400 and lemur.status == "debriefed"
    page = client.get(f"/lessons/{ids['lesson']}").get_data(as_text=True)
    move = page.split('id="move"', 1)[1]
    [step] = allowed_moves(world.lesson)
    response = client.post(f"/lessons/{ids['lesson']}/status", data={
        "status": step, "version": str(world.lesson.version),
        "csrf_token": token.search(move).group(1)})
    assert response.status_code == 302
    assert db.session.get(Lesson, world.lesson.id).status == step
