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
        "/risks/AH0033/close": ({"version": ah33.version}, (302, 403, 403, 403, 302, 302)),
        "/risks/AH0033/escalate": ({"version": ah33.version}, (302, 403, 403, 403, 302, 302)),
        f"/risks/AH0033/actions/{ah33.actions[0].id}/done":
            ({"version": ah33.actions[0].version}, (302, 403, 302, 403, 302, 302)),
        f"/risks/AH0005/actions/{ah05.actions[0].id}/done":
            ({"version": ah05.actions[0].version}, (302, 403, 403, 403, 302, 302)),
        f"/risks/AH0005/controls/{ah05.controls[0].id}/remove":
            ({"version": ah05.controls[0].version}, (302, 403, 403, 403, 302, 302)),
    }


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_post_permission_matrix(web, role_index, role):
    """Each role on a fresh demo database, so one role's change does not affect the next."""
    for route, (data, expected) in _post_routes().items():
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
