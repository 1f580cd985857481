"""Who gets 200, 302 or 403 on each route and method: the permission matrix."""

import pytest

from riskkit.services.risks import get_risk
from tests.web_helpers import sign_in

ROLES = ["anonymous", "viewer", "owner", "resilience", "manager", "admin"]
# AH0033 is the owner's own risk (Chris McKenzie); AH0005 belongs to the manager.
GET_MATRIX = {
    #  route                                anonymous viewer owner resilience manager admin
    "/":                                   (302, 200, 200, 200, 200, 200),
    "/risks":                              (302, 200, 200, 200, 200, 200),
    "/risks?register=AH&rating=High":      (302, 200, 200, 200, 200, 200),
    "/risks/AH0033":                       (302, 200, 200, 200, 200, 200),
    "/risks/new":                          (302, 403, 403, 403, 200, 200),
    "/risks/AH0033/edit":                  (302, 403, 200, 403, 200, 200),
    "/risks/AH0005/edit":                  (302, 403, 403, 403, 200, 200),
    "/risks/AH0033/review":                (302, 403, 200, 403, 200, 200),
    "/risks/AH0005/review":                (302, 403, 403, 403, 200, 200),
    "/risks/AH0033/controls/new":          (302, 403, 200, 403, 200, 200),
    "/risks/AH0005/controls/new":          (302, 403, 403, 403, 200, 200),
    "/risks/AH0033/actions/new":           (302, 403, 200, 403, 200, 200),
    "/risks/AH0005/actions/new":           (302, 403, 403, 403, 200, 200),
    "/admin/users":                        (302, 403, 403, 403, 403, 200),
    "/admin/users/new":                    (302, 403, 403, 403, 403, 200),
    "/admin/registers":                    (302, 403, 403, 403, 403, 200),
    "/admin/registers/new":                (302, 403, 403, 403, 403, 200),
    "/admin/matrices":                     (302, 403, 403, 403, 403, 200),
    "/login":                              (200, 302, 302, 302, 302, 302),
}


def _client(web, role):
    client = web.test_client()
    return client if role == "anonymous" else sign_in(client, role)


@pytest.mark.parametrize("route, expected", GET_MATRIX.items(), ids=list(GET_MATRIX))
def test_get_permission_matrix(web, route, expected):
    for role, status in zip(ROLES, expected, strict=True):
        response = _client(web, role).get(route)
        assert response.status_code == status, f"{role} GET {route}"
        if status == 302 and role == "anonymous":
            assert response.location.startswith("/login")
        if status == 403:
            assert "You do not have permission to do that" in response.get_data(as_text=True)


def _post_routes():
    ah33, ah05 = get_risk("AH0033"), get_risk("AH0005")
    return {
        # route: (data, anonymous viewer owner resilience manager admin)
        "/risks/AH0033/close": ({"version": ah33.version, "reason": "Market stable"},
                                (302, 403, 403, 403, 302, 302)),
        "/risks/AH0033/escalate": ({"version": ah33.version, "reason": "Needs the board"},
                                   (302, 403, 403, 403, 302, 302)),
        f"/risks/AH0033/actions/{ah33.actions[0].id}/done":
            ({"version": ah33.actions[0].version, "reason": "Done"}, (302, 403, 302, 403, 302, 302)),
        f"/risks/AH0005/actions/{ah05.actions[0].id}/done":
            ({"version": ah05.actions[0].version, "reason": "Done"}, (302, 403, 403, 403, 302, 302)),
        f"/risks/AH0005/controls/{ah05.controls[0].id}/remove":
            ({"version": ah05.controls[0].version}, (302, 403, 403, 403, 302, 302)),
    }


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_post_permission_matrix(web, role_index, role):
    """Each role on a fresh demo database, so one role's change does not affect the next."""
    for route in list(_post_routes()):
        data, expected = _post_routes()[route]  # the versions as they are now
        response = _client(web, role).post(route, data=data)
        assert response.status_code == expected[role_index], f"{role} POST {route}"
        if expected[role_index] == 302 and role != "anonymous":
            assert "/login" not in response.location
        # undo a successful close/escalate so later routes see the same risk state
        if role in ("manager", "admin") and route.endswith(("/close", "/escalate")):
            undo = "reopen" if route.endswith("/close") else "de_escalate"
            risk = get_risk("AH0033")
            _client(web, "manager").post(f"/risks/AH0033/{undo}", data={"version": risk.version})


def test_signed_out_after_logout(client):
    sign_in(client, "viewer")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_static_assets_need_no_login(web):
    response = web.test_client().get("/assets/riskkit.min.css")
    assert response.status_code == 200 and b"arial" in response.data
    response.close()


# The resilience pages. {event} is Exercise Lemur, {lesson} its first lesson; the ids are
# read from the demo data so the matrix does not depend on load order.
RESILIENCE_GET = {
    #  route                                      anonymous viewer owner resilience manager admin
    "/exercises":                                (302, 200, 200, 200, 200, 200),
    "/exercises/{event}":                        (302, 200, 200, 200, 200, 200),
    "/exercises/{event}/report.pdf":             (302, 200, 200, 200, 200, 200),
    "/improvement-plan.xlsx":                    (302, 200, 200, 200, 200, 200),
    "/debriefs/{debrief}":                       (302, 200, 200, 200, 200, 200),
    "/lessons":                                  (302, 200, 200, 200, 200, 200),
    "/lessons/{lesson}":                         (302, 200, 200, 200, 200, 200),
    "/programme":                                (302, 200, 200, 200, 200, 200),
    "/plans":                                    (302, 200, 200, 200, 200, 200),
    "/themes":                                   (302, 200, 200, 200, 200, 200),
    "/themes/cross-reference":                   (302, 200, 200, 200, 200, 200),
    "/themes/cross-reference.csv":               (302, 200, 200, 200, 200, 200),
    "/exercises/new":                            (302, 403, 403, 200, 200, 200),
    "/exercises/new?pack=power-outage":          (302, 403, 403, 200, 200, 200),
    "/incidents/new":                            (302, 403, 403, 200, 200, 200),
    "/exercises/{event}/edit":                   (302, 403, 403, 200, 200, 200),
    "/exercises/{event}/outcome":                (302, 403, 403, 200, 200, 200),
    "/exercises/{event}/debriefs/new":           (302, 403, 403, 200, 200, 200),
    "/observations/{observation}/lesson":        (302, 403, 403, 200, 200, 200),
    "/lessons/{lesson}/edit":                    (302, 403, 403, 200, 200, 200),
    "/lessons/{lesson}/actions/new":             (302, 403, 403, 200, 200, 200),
    "/programme/rules/new":                      (302, 403, 403, 200, 200, 200),
    "/programme/rules/{rule}/edit":              (302, 403, 403, 200, 200, 200),
    "/plans/new":                                (302, 403, 403, 200, 200, 200),
    "/plans/{plan}/edit":                        (302, 403, 403, 200, 200, 200),
    "/themes/{theme}/edit":                      (302, 403, 403, 200, 200, 200),
}


def _ids() -> dict[str, int]:
    from riskkit.services import events, plans, programme, themes

    lemur = events.find_event("Exercise Lemur")
    debrief = lemur.debriefs[-1]
    return {"event": lemur.id, "debrief": debrief.id, "observation": debrief.observations[0].id,
            "lesson": lemur.lessons[0].id, "rule": programme.list_rules()[0].id,
            "plan": plans.list_plans()[0].id, "theme": themes.list_themes()[0].id}


@pytest.mark.parametrize("route, expected", RESILIENCE_GET.items(), ids=list(RESILIENCE_GET))
def test_resilience_get_permission_matrix(web, route, expected):
    path = route.format(**_ids())
    for role, status in zip(ROLES, expected, strict=True):
        response = _client(web, role).get(path)
        assert response.status_code == status, f"{role} GET {path}"
        if status == 403:
            assert "You do not have permission to do that" in response.get_data(as_text=True)


def test_resilience_post_permission_matrix(web):
    """Viewers and owners may change nothing on the resilience side; a lesson's owner
    may move it on, but not someone else's."""
    from riskkit.extensions import db
    from riskkit.services import events, lessons
    from riskkit.services.people import find_person

    ids = _ids()
    lemur = events.find_event("Exercise Lemur")
    mine = lessons.save_lesson(None, None, event=lemur, statement="Owner's own lesson",
                               owner=find_person("Chris McKenzie"), due_date=None)
    db.session.commit()
    refused = {
        f"/exercises/{ids['event']}/status": {"status": "closed", "version": lemur.version},
        f"/debriefs/{ids['debrief']}/observations": {"prompt": "went_well", "kind": "strength",
                                                     "text": "x"},
        f"/lessons/{ids['lesson']}/status": {"status": "closed"},
        "/themes": {"name": "Weather"},
        f"/lessons/{mine.id}/edit": {"statement": "changed"},
    }
    for role in ("viewer", "owner"):
        for route, data in refused.items():
            response = _client(web, role).post(route, data=data)
            assert response.status_code == 403, f"{role} POST {route}"
    assert _client(web, "anonymous").post("/themes", data={"name": "Weather"}).status_code == 302
    moved = _client(web, "owner").post(f"/lessons/{mine.id}/status",
                                       data={"status": "action_planned", "version": mine.version})
    assert moved.status_code == 302
    db.session.expire_all()
    assert lessons.get_lesson(mine.id).status == "action_planned"
    added = _client(web, "resilience").post("/themes", data={"name": "Weather"})
    assert added.status_code == 302


# --- owners of controls and actions, and teams: built with the factories -----------------

PEOPLE = ["anonymous", "viewer", "item owner", "risk owner", "member", "resilience", "manager",
          "admin"]
PASSWORD = "a-long-test-password"


@pytest.fixture
def world(app):
    """Risk A is Rita's (risk owner), with a control and an action that are Olive's (item
    owner) and an action of the team's; risk B and a lesson are the team's. The team's
    members are Tess (member), Rex (the resilience lead, who raised the lesson's action on
    B) and Vic (a viewer, who still only reads)."""
    from datetime import date

    from riskkit.extensions import db
    from riskkit.services import lessons, lifecycle, teams
    from tests.factories import gen_lesson, gen_person, gen_register, gen_risk

    app.config["WTF_CSRF_ENABLED"] = False
    from tests.conftest import FreshContextClient

    app.test_client_class = FreshContextClient
    roles = {"viewer": "viewer", "item owner": "owner", "risk owner": "owner", "member": "owner",
             "resilience": "resilience", "manager": "manager", "admin": "admin"}
    people = {key: gen_person(f"{key.title()} Person", role, email=f"{key.replace(' ', '.')}@x.gov.uk",
                              password=PASSWORD) for key, role in roles.items()}
    team = teams.add_team(None, "Public Health Commissioning")
    teams.set_members(None, team, [people["member"], people["resilience"], people["viewer"]])
    register = gen_register("PH")
    a = gen_risk(register, owner=people["risk owner"], title="Loss of the sexual health contract")
    b = gen_risk(register, owner=team, title="Drug and alcohol service re-procurement")
    as_of = date(2026, 1, 5)
    control = lifecycle.save_control(a, people["manager"], None, description="Contract monitoring",
                                     owner=people["item owner"], effectiveness="partly_effective",
                                     last_tested=None)
    action = lifecycle.save_action(a, people["manager"], None, description="Re-tender by March",
                                   owner=people["item owner"], target_date=as_of, status="planned",
                                   as_of=as_of)
    team_action = lifecycle.save_action(a, people["manager"], None, description="Needs assessment",
                                        owner=team, target_date=as_of, status="planned", as_of=as_of)
    lesson = gen_lesson(owner=team, statement="Provider contacts were out of date")
    raised = lessons.raise_action(lesson, people["resilience"], risk=b,
                                  description="Refresh provider contacts", owner=team,
                                  target_date=as_of)
    db.session.commit()
    return {"people": people, "A": a.reference, "B": b.reference, "control": control.id,
            "action": action.id, "team_action": team_action.id, "lesson": lesson.id,
            "raised": raised.id, "team": team.id}


def _as(app, who, people):
    client = app.test_client()
    if who != "anonymous":
        response = client.post("/login", data={"email": people[who].email, "password": PASSWORD})
        assert response.status_code == 302
    return client


OWNERS_GET = {
    #  route                               anon viewer item  risk member resil manager admin
    "/risks/{A}/controls/{control}":      (302, 403, 200, 200, 403, 403, 200, 200),
    "/risks/{A}/actions/{action}":        (302, 403, 200, 200, 403, 403, 200, 200),
    "/risks/{A}/actions/{team_action}":   (302, 403, 403, 200, 200, 200, 200, 200),
    "/risks/{A}/controls/new":            (302, 403, 403, 200, 403, 403, 200, 200),
    "/risks/{A}/actions/new":             (302, 403, 403, 200, 403, 403, 200, 200),
    "/risks/{A}/edit":                    (302, 403, 403, 200, 403, 403, 200, 200),
    "/risks/{B}/edit":                    (302, 403, 403, 403, 200, 200, 200, 200),
    "/risks/{B}/review":                  (302, 403, 403, 403, 200, 200, 200, 200),
    "/risks/{B}/actions/new":             (302, 403, 403, 403, 200, 200, 200, 200),
    "/risks/{B}/actions/{raised}":        (302, 403, 403, 403, 200, 200, 200, 200),
    "/admin/teams":                       (302, 403, 403, 403, 403, 403, 403, 200),
    "/admin/teams/new":                   (302, 403, 403, 403, 403, 403, 403, 200),
    "/admin/teams/{team}":                (302, 403, 403, 403, 403, 403, 403, 200),
    "/admin/appetite":                    (302, 403, 403, 403, 403, 403, 403, 200),
    "/admin/appetite/new":                (302, 403, 403, 403, 403, 403, 403, 200),
}


def test_owners_and_team_members_get_permission_matrix(world):
    from flask import current_app

    for route, expected in OWNERS_GET.items():
        path = route.format(**world)
        for who, status in zip(PEOPLE, expected, strict=True):
            response = _as(current_app, who, world["people"]).get(path)
            assert response.status_code == status, f"{who} GET {path}"


def _owners_posts(world):
    """The routes and what each person gets, with the records' versions as they are now
    (each save moves one on; a removed record's routes are not asked again)."""
    from riskkit.extensions import db
    from riskkit.models import Action, Control, Lesson

    db.session.expire_all()
    lesson = db.session.get(Lesson, world["lesson"])
    control, action = db.session.get(Control, world["control"]), db.session.get(Action, world["action"])
    team_action = db.session.get(Action, world["team_action"])
    a = "/risks/" + world["A"]
    posts = {"lesson": {
        f"/lessons/{world['lesson']}/status": ({"status": "in_progress", "version": lesson.version},
                                               (302, 403, 403, 403, 302, 302, 302, 302))}}
    if control is not None:
        posts["control"] = {
            f"{a}/controls/{control.id}": (
                {"version": control.version, "description": control.description,
                 "owner": control.owner_id, "effectiveness": "effective",
                 "last_tested": ["20", "1", "2026"]},
                (302, 403, 302, 302, 403, 403, 302, 302)),
            f"{a}/controls/{control.id}/remove": ({"version": control.version},
                                                  (302, 403, 403, 302, 403, 403, 302, 302))}
    if action is not None:
        posts["action"] = {
            f"{a}/actions/{action.id}": (
                {"version": action.version, "description": action.description,
                 "owner": action.owner_id, "status": "in_progress",
                 "target_date": ["31", "3", "2026"]},
                (302, 403, 302, 302, 403, 403, 302, 302)),
            f"{a}/actions/{action.id}/done": ({"version": action.version, "reason": "Finished"},
                                              (302, 403, 302, 302, 403, 403, 302, 302)),
            f"{a}/actions/{action.id}/remove": ({"version": action.version},
                                                (302, 403, 403, 302, 403, 403, 302, 302))}
    if team_action is not None:
        posts["team action"] = {
            f"{a}/actions/{team_action.id}/done": ({"version": team_action.version,
                                                    "reason": "Finished"},
                                                   (302, 403, 403, 302, 302, 302, 302, 302))}
    return {route: post for group in posts.values() for route, post in group.items()}


ORDER = ("controls/{control}", "actions/{action}", "actions/{action}/done",
         "actions/{team_action}/done", "actions/{action}/remove", "controls/{control}/remove",
         "lessons")


@pytest.mark.parametrize("who", PEOPLE)
def test_owners_and_team_members_post_permission_matrix(world, who):
    """Each person on a fresh world (the fixture is built per test), so one person's save
    does not change what the next one sees."""
    from flask import current_app

    column = PEOPLE.index(who)
    for step in ORDER:
        suffix = step.format(**world)
        posts = _owners_posts(world)
        route = next(r for r in posts if r.endswith(suffix) or (step == "lessons" and "/lessons/" in r))
        data, expected = posts[route]
        response = _as(current_app, who, world["people"]).post(route, data=data)
        assert response.status_code == expected[column], f"{who} POST {route}"
        if expected[column] == 302 and who != "anonymous":
            assert "/login" not in response.location
