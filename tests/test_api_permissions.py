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
WRITES = {("POST", "/api/v1/risks/{reference}/reviews"): "/api/v1/risks/{}/reviews"}
#: Who may record a review with a read-write token: a manager or admin any risk, an owner
#: their own.
REVIEWS = {"admin": {OWNED, OTHER}, "manager": {OWNED, OTHER}, "resilience": set(),
           "owner": {OWNED}, "viewer": set()}


@pytest.fixture
def client(demo):
    demo.test_client_class = FreshContextClient
    return demo.test_client()


def test_the_matrix_covers_every_route_in_the_description(client):
    spec = client.get("/api/v1/openapi.json").json
    described = {(method.upper(), path) for path, item in spec["paths"].items()
                 for method in item if method in ("get", "post", "put", "patch", "delete")}
    assert described == set(READS) | set(WRITES)


def _review(client, headers, reference):
    risk = client.get(f"/api/v1/risks/{reference}", headers=headers).json
    body = {"reviewed_on": "2021-10-01", "likelihood": risk["current"]["likelihood"],
            "impact": risk["current"]["impact"], "comment": "No change", "version": risk["version"]}
    return client.post(WRITES[("POST", "/api/v1/risks/{reference}/reviews")].format(reference),
                       headers=headers, json=body)


@pytest.mark.parametrize("scope", ["read", "read-write"])
@pytest.mark.parametrize("role", list(EMAILS))
def test_each_role_and_scope(client, role, scope):
    headers = {"Authorization": f"Bearer {gen_token(find_person(EMAILS[role]), scope)}"}
    for route, url in READS.items():
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (route, answer.json)
    for reference in (OWNED, OTHER):
        allowed = scope == "read-write" and reference in REVIEWS[role]
        answer = _review(client, headers, reference)
        assert answer.status_code == (201 if allowed else 403), (reference, answer.json)
        if not allowed:
            assert answer.content_type == "application/problem+json"


def test_no_token_reaches_nothing(client):
    for url in list(READS.values()):
        assert client.get(url).status_code == 401
    answer = client.post(f"/api/v1/risks/{OWNED}/reviews", json={})
    assert answer.status_code == 401 and answer.content_type == "application/problem+json"
