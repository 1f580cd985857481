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
