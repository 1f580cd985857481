"""Lost updates. Many clients at once against a real `riskkit serve` (the live_server
fixture): a lost race is a 409 conflict page, never a 5xx, and references are handed out
once each. And a post that leaves out the version it was read at is refused."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import func, select

from riskkit.extensions import db
from riskkit.models import Action, Control, Lesson, Review, Risk
from riskkit.services.debriefs import add_observation, record_debrief
from riskkit.web.forms import MISSING_VERSION
from tests.conftest import FreshContextClient
from tests.factories import gen_event, gen_lesson, gen_person, gen_plan, gen_register, gen_risk
from tests.live_server import csrf_token

EMAIL, PASSWORD = "ada@example.gov.uk", "a-long-password"
SAVERS = 20  # clients saving the same record with the same version
CREATORS = 10  # clients adding to the same register at once
BLANK_DATE = ["", "", ""]


@pytest.fixture
def world(app):
    """An admin (who may change anything) and one of each versioned record."""
    admin = gen_person("Ada Admin", role="admin", email=EMAIL, password=PASSWORD)
    register = gen_register("PAY")
    risk = gen_risk(register, owner=admin)
    control = Control(risk=risk, description="Backup payroll run", owner=admin)
    action = Action(risk=risk, description="Test the backup run", owner=admin, status="planned")
    db.session.add_all([control, action])
    db.session.commit()
    event = gen_event(risks=[risk])
    return SimpleNamespace(admin=admin, register=register, risk=risk, control=control,
                           action=action, event=event, lesson=gen_lesson(event, owner=admin),
                           plan=gen_plan(owner=admin))


def _clients(server, page: str, count: int) -> tuple[list[requests.Session], str]:
    """`count` clients signed in as the admin (one sign-in, its cookie copied to each, like
    tabs of one browser), and the CSRF token of the form on `page`."""
    first = server.session(EMAIL, PASSWORD)
    answer = first.get(server.url + page, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    clients = []
    for _ in range(count):
        client = requests.Session()
        client.cookies.update(first.cookies)
        clients.append(client)
    return clients, csrf_token(answer.text)


def _race(server, path: str, forms: list[dict]) -> list[int]:
    """Post each form from its own client and thread, all released at once; the statuses."""
    clients, token = _clients(server, path, len(forms))
    start = threading.Barrier(len(forms))

    def post(number: int) -> int:
        start.wait(timeout=120)
        return clients[number].post(server.url + path, data={**forms[number], "csrf_token": token},
                                    allow_redirects=False, timeout=120).status_code

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(post, range(len(forms))))


def _one_saved_rest_conflict(statuses: list[int], server) -> None:
    assert sorted(statuses) == [302] + [409] * (len(statuses) - 1), (Counter(statuses),
                                                                     server.log[-4000:])


def _forms(version: int, **fields) -> list[dict]:
    """SAVERS forms read at the same version, each changing `fields` to its own value
    (a {number} in a value is the client's number)."""
    return [{**{k: v.format(number=n) if isinstance(v, str) else v for k, v in fields.items()},
             "version": str(version), "opened_at": ""} for n in range(SAVERS)]


def test_twenty_reviews_of_one_risk_at_once_save_one_and_refuse_the_rest(world, live_server):
    risk, version = world.risk, world.risk.version
    statuses = _race(live_server, f"/risks/{risk.reference}/review", _forms(
        version, reviewed_on=["1", "3", "2026"], likelihood="3", impact="4",
        comment="Reviewed by client {number}", next_review_date=BLANK_DATE,
        next_review_reason=""))
    _one_saved_rest_conflict(statuses, live_server)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Review.id))) == 1
    assert db.session.get(Risk, risk.id).version == version + 1


def test_twenty_edits_of_one_risk_at_once(world, live_server):
    risk = world.risk
    statuses = _race(live_server, f"/risks/{risk.reference}/edit", _forms(
        risk.version, title="Payroll, as client {number} sees it", description="", cause="",
        consequence="", category="", owner=str(world.admin.id),
        target_likelihood="3", target_impact="4", target_date=BLANK_DATE,
        inherent_likelihood="", inherent_impact="", response="treat"))
    _one_saved_rest_conflict(statuses, live_server)


@pytest.mark.parametrize("kind", ["control", "action"])
def test_twenty_edits_of_one_control_or_action_at_once(world, live_server, kind):
    item = getattr(world, kind)
    fields = {"control": {"effectiveness": "not_tested", "last_tested": BLANK_DATE},
              "action": {"status": "planned", "target_date": BLANK_DATE}}[kind]
    statuses = _race(live_server, f"/risks/{world.risk.reference}/{kind}s/{item.id}", _forms(
        item.version, description=f"The {kind} as client {{number}} wrote it",
        owner=str(world.admin.id), **fields))
    _one_saved_rest_conflict(statuses, live_server)


def test_twenty_edits_of_one_exercise_at_once(world, live_server):
    event = world.event
    statuses = _race(live_server, f"/exercises/{event.id}/edit", _forms(
        event.version, name="Exercise Oak {number}", event_type="tabletop",
        start_date=["10", "2", "2026"], end_date=BLANK_DATE, lead="", participants="",
        scenario="Payroll fails on pay day.", objectives="Pay staff on time",
        risks=[str(world.risk.id)]))
    _one_saved_rest_conflict(statuses, live_server)


def test_twenty_edits_of_one_lesson_at_once(world, live_server):
    lesson = world.lesson
    statuses = _race(live_server, f"/lessons/{lesson.id}/edit", _forms(
        lesson.version, statement="Contacts were out of date ({number})", recommendation="",
        owner=str(world.admin.id), due_date=BLANK_DATE, priority="medium"))
    _one_saved_rest_conflict(statuses, live_server)


def test_twenty_edits_of_one_plan_at_once(world, live_server):
    plan = world.plan
    statuses = _race(live_server, f"/plans/{plan.id}/edit", _forms(
        plan.version, service="Payroll {number}", owner=str(world.admin.id),
        last_reviewed=BLANK_DATE, next_review=BLANK_DATE))
    _one_saved_rest_conflict(statuses, live_server)


def test_twenty_reviews_or_resolutions_of_one_issue_at_once(world, live_server):
    """The first of each race is saved; the rest are told someone got there first. A review
    after the issue is resolved is a conflict too, never a 500."""
    from riskkit.models import Issue, IssueReview
    from tests.factories import gen_issue

    issue = gen_issue(world.register, owner=world.admin, severity=3, raised_on=date(2026, 2, 2))
    statuses = _race(live_server, f"/issues/{issue.reference}/review", _forms(
        issue.version, reviewed_on=["1", "3", "2026"], severity="4",
        comment="Reviewed by client {number}"))
    _one_saved_rest_conflict(statuses, live_server)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(IssueReview.id))) == 1
    version = db.session.get(Issue, issue.id).version
    statuses = _race(live_server, f"/issues/{issue.reference}/resolve", _forms(
        version, resolution="Resolved, says client {number}"))
    _one_saved_rest_conflict(statuses, live_server)
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).status == "resolved"


def test_ten_risks_added_to_one_register_at_once_get_ten_new_references(world, live_server):
    register = world.register
    already = set(db.session.scalars(select(Risk.reference)))
    forms = [{"register": str(register.id), "title": f"Risk from client {n}",
              "owner": str(world.admin.id), "likelihood": "2", "impact": "3",
              "target_likelihood": "2", "target_impact": "3", "target_date": BLANK_DATE,
              "inherent_likelihood": "", "inherent_impact": "", "response": "treat",
              "version": "", "opened_at": ""} for n in range(CREATORS)]
    statuses = _race(live_server, "/risks/new", forms)
    assert statuses == [302] * CREATORS, (Counter(statuses), live_server.log[-4000:])
    db.session.expire_all()
    made = set(db.session.scalars(select(Risk.reference))) - already
    assert made == {register.reference(n) for n in range(2, 2 + CREATORS)}
    assert db.session.get(type(register), register.id).next_number == 2 + CREATORS


def test_ten_lessons_from_one_observation_at_once_make_one_lesson(world, live_server):
    """One observation makes one lesson: of ten people turning it into a lesson at once,
    one succeeds and nine get the conflict page, whoever commits first."""
    event = world.event
    event.status = "held"
    debrief = record_debrief(event, None, kind="hot", held_on=date(2026, 2, 10))
    observation = add_observation(debrief, None, prompt="did_not_go_well", kind="improvement",
                                  text="Nobody had the supplier's number", themes=[])
    db.session.commit()
    forms = [{"statement": f"Lesson from client {n}", "recommendation": "",
              "owner": str(world.admin.id), "due_date": BLANK_DATE, "priority": "medium",
              "version": "", "opened_at": ""} for n in range(CREATORS)]
    statuses = _race(live_server, f"/observations/{observation.id}/lesson", forms)
    assert Counter(statuses) == {302: 1, 409: CREATORS - 1}, (
        Counter(statuses), live_server.log[-4000:])
    db.session.expire_all()
    made = db.session.scalars(select(Lesson).where(Lesson.observation_id == observation.id))
    assert len(made.all()) == 1


# --- a post without its version ---------------------------------------------------------------

#: Each versioned form: its path, the record whose version it carries, and a valid post.
VERSIONED_FORMS = {
    "risk": (lambda w: f"/risks/{w.risk.reference}/edit", "risk", lambda w: {
        "title": "Payroll fails", "description": "", "cause": "", "consequence": "",
        "category": "", "owner": str(w.admin.id), "target_likelihood": "3",
        "target_impact": "4", "target_date": BLANK_DATE, "inherent_likelihood": "",
        "inherent_impact": "", "response": "treat"}),
    "review": (lambda w: f"/risks/{w.risk.reference}/review", "risk", lambda w: {
        "reviewed_on": ["1", "3", "2026"], "likelihood": "3", "impact": "4",
        "comment": "Reviewed", "next_review_date": BLANK_DATE, "next_review_reason": ""}),
    "control": (lambda w: f"/risks/{w.risk.reference}/controls/{w.control.id}", "control",
                lambda w: {"description": "Backup payroll run, weekly", "owner": str(w.admin.id),
                           "effectiveness": "effective", "last_tested": BLANK_DATE}),
    "action": (lambda w: f"/risks/{w.risk.reference}/actions/{w.action.id}", "action",
               lambda w: {"description": "Test the backup run monthly", "owner": str(w.admin.id),
                          "status": "in_progress", "target_date": BLANK_DATE}),
    "close risk": (lambda w: f"/risks/{w.risk.reference}/close", "risk",
                   lambda w: {"reason": "Payroll outsourced"}),
    "remove control": (lambda w: f"/risks/{w.risk.reference}/controls/{w.control.id}/remove",
                       "control", lambda w: {}),
    "action done": (lambda w: f"/risks/{w.risk.reference}/actions/{w.action.id}/done", "action",
                    lambda w: {"reason": "Backup run tested in March"}),
    "exercise": (lambda w: f"/exercises/{w.event.id}/edit", "event", lambda w: {
        "name": "Exercise Ash", "event_type": "tabletop", "start_date": ["10", "2", "2026"],
        "end_date": BLANK_DATE, "lead": "", "participants": "", "scenario": "",
        "objectives": "", "risks": [str(w.risk.id)]}),
    "exercise status": (lambda w: f"/exercises/{w.event.id}/status", "event",
                        lambda w: {"status": "held"}),
    "exercise outcome": (lambda w: f"/exercises/{w.event.id}/outcome", "event", lambda w: {}),
    "lesson": (lambda w: f"/lessons/{w.lesson.id}/edit", "lesson", lambda w: {
        "statement": "Contacts were a year old", "recommendation": "", "owner": str(w.admin.id),
        "due_date": BLANK_DATE, "priority": "high"}),
    "lesson status": (lambda w: f"/lessons/{w.lesson.id}/status", "lesson", lambda w: {
        "status": "action_planned", "evidence_event": "", "evidence_note": ""}),
    "plan": (lambda w: f"/plans/{w.plan.id}/edit", "plan", lambda w: {
        "service": "Payroll and pensions", "owner": str(w.admin.id), "last_reviewed": BLANK_DATE,
        "next_review": BLANK_DATE}),
}


@pytest.mark.parametrize("version", [None, "", "two"], ids=["left out", "blank", "not a number"])
@pytest.mark.parametrize("name", VERSIONED_FORMS)
def test_a_versioned_form_without_its_version_is_refused_and_changes_nothing(
        app, world, name, version):
    path, whose, fields = VERSIONED_FORMS[name]
    record = getattr(world, whose)
    if name == "exercise outcome":
        world.event.status = "held"
        db.session.commit()
    model, record_id, before = type(record), record.id, record.version

    def version_now():
        return db.session.scalar(select(model.version).where(model.id == record_id))

    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    client = app.test_client()
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    post = fields(world) | ({} if version is None else {"version": version})
    refused = client.post(path(world), data=post)
    assert refused.status_code == 400
    assert MISSING_VERSION.rstrip(".") in refused.get_data(as_text=True)
    assert version_now() == before
    # The same post with the version saves: the version was all that was wrong.
    client.post(path(world), data=post | {"version": str(before)})
    assert version_now() in (None, before + 1)  # removed, or saved


@pytest.mark.parametrize("kind", ["lesson", "exercise"])
def test_a_save_that_changes_only_links_moves_the_version_on(app, world, kind):
    """Ticking a risk on a lesson or an exercise is a change like any other: a second
    form read at the same version is then stale, instead of overwriting it unchecked."""
    path, whose, fields = VERSIONED_FORMS[kind]
    record = getattr(world, whose)
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    client = app.test_client()
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    same = ({"name": record.name} if kind == "exercise"
            else {"statement": record.statement, "priority": record.priority})
    post = fields(world) | same | {"version": str(record.version), "opened_at": ""}
    linked = post | {"risks": [str(world.risk.id)]}
    unlinked = post | {"risks": []}
    first, second = (unlinked, linked) if kind == "exercise" else (linked, unlinked)
    assert client.post(path(world), data=first).status_code == 302
    assert client.post(path(world), data=second).status_code == 409


def test_ten_plans_for_one_service_added_at_once_save_one_and_refuse_the_rest(world, live_server):
    """The service's name is unique: whoever is second is told, never given a 500."""
    forms = [{"service": "Waste collection", "owner": str(world.admin.id),
              "last_reviewed": BLANK_DATE, "next_review": BLANK_DATE, "version": "",
              "opened_at": ""} for _ in range(CREATORS)]
    statuses = _race(live_server, "/plans/new", forms)
    assert statuses.count(302) == 1, (Counter(statuses), live_server.log[-4000:])
    assert set(statuses) <= {302, 400, 409}, (Counter(statuses), live_server.log[-4000:])
