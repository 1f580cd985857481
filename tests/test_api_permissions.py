"""Every API route x every role x each token scope (and no token): a token does exactly
what its person may (riskkit.permissions), and a read token changes nothing."""

import pytest

from riskkit.services.people import find_person
from tests.conftest import FreshContextClient
from tests.factories import gen_token
from tests.web_helpers import EMAILS

OWNED = "AH0033"  # the owner role's risk
OTHER = "AH0005"  # someone else's
READS = {
    ("GET", "/api/v1/registers"): "/api/v1/registers",
    ("GET", "/api/v1/registers/{code}/heatmap"): "/api/v1/registers/AH/heatmap",
    ("GET", "/api/v1/risks"): "/api/v1/risks?register=AH",
    ("GET", "/api/v1/risks/{reference}"): f"/api/v1/risks/{OWNED}",
    ("GET", "/api/v1/overdue"): "/api/v1/overdue?as_of=2021-09-29",
}
REVIEW = ("POST", "/api/v1/risks/{reference}/reviews")
ACTION = ("PATCH", "/api/v1/risks/{reference}/actions/{action_id}")
CONTROL = ("PATCH", "/api/v1/risks/{reference}/controls/{control_id}")
#: The demo's action and control on each risk, owned by neither the risk's owner nor any role.
ITEMS = {OWNED: {ACTION: 2, CONTROL: 6}, OTHER: {ACTION: 1, CONTROL: 1}}
#: What each role may change with a read-write token: a manager or admin anything; an owner
#: reviews their own risk and updates the progress of its controls and actions.
MAY = {"admin": {OWNED, OTHER}, "manager": {OWNED, OTHER}, "resilience": set(),
       "owner": {OWNED}, "viewer": set()}


@pytest.fixture
def client(demo):
    demo.test_client_class = FreshContextClient
    return demo.test_client()


def test_the_matrix_covers_every_route_in_the_description(client):
    spec = client.get("/api/v1/openapi.json").json
    described = {(method.upper(), path) for path, item in spec["paths"].items()
                 for method in item if method in ("get", "post", "put", "patch", "delete")}
    assert described == set(READS) | {REVIEW, ACTION, CONTROL}


def _writes(client, headers, reference):
    """Each write route once on the risk, with the versions just read: (route, answer)."""
    risk = client.get(f"/api/v1/risks/{reference}", headers=headers).json
    body = {"reviewed_on": "2021-10-01", "likelihood": risk["current"]["likelihood"],
            "impact": risk["current"]["impact"], "comment": "No change", "version": risk["version"]}
    yield REVIEW, client.post(f"/api/v1/risks/{reference}/reviews", headers=headers, json=body)
    action = next(a for a in risk["actions"] if a["id"] == ITEMS[reference][ACTION])
    yield ACTION, client.patch(f"/api/v1/risks/{reference}/actions/{action['id']}", headers=headers,
                               json={"status": "in_progress", "version": action["version"]})
    control = next(c for c in risk["controls"] if c["id"] == ITEMS[reference][CONTROL])
    yield CONTROL, client.patch(f"/api/v1/risks/{reference}/controls/{control['id']}", headers=headers,
                                json={"effectiveness": "effective", "version": control["version"]})


@pytest.mark.parametrize("scope", ["read", "read-write"])
@pytest.mark.parametrize("role", list(EMAILS))
def test_each_role_and_scope(client, role, scope):
    headers = {"Authorization": f"Bearer {gen_token(find_person(EMAILS[role]), scope)}"}
    for route, url in READS.items():
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (route, answer.json)
    for reference in (OWNED, OTHER):
        allowed = scope == "read-write" and reference in MAY[role]
        for route, answer in _writes(client, headers, reference):
            expected = (201 if route == REVIEW else 200) if allowed else 403
            assert answer.status_code == expected, (route, reference, answer.json)
            if not allowed:
                assert answer.content_type == "application/problem+json"


def test_no_token_reaches_nothing(client):
    for url in list(READS.values()):
        assert client.get(url).status_code == 401
    for answer in (client.post(f"/api/v1/risks/{OWNED}/reviews", json={}),
                   client.patch(f"/api/v1/risks/{OWNED}/actions/2", json={}),
                   client.patch(f"/api/v1/risks/{OWNED}/controls/6", json={})):
        assert answer.status_code == 401 and answer.content_type == "application/problem+json"
