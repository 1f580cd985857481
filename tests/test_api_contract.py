"""The API against its own OpenAPI description (schemathesis): for every route, requests
generated from the description, valid and not, answered without a 5xx, with a status,
content type, headers and body the description allows, and invalid ones refused. Runs on
SQLite, and on PostgreSQL when RISKKIT_TEST_DATABASE_URL is set, like the rest.

Each route gets a modest number of generated requests so the suite stays quick; set
RISKKIT_TEST_API_EXAMPLES for a longer search."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from riskkit import create_app
from riskkit.extensions import db
from riskkit.services.people import find_person
from tests.factories import gen_token
from tests.web_helpers import EMAILS

EXAMPLES = int(os.environ.get("RISKKIT_TEST_API_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]


class FreshContext:
    """The app as a server runs it: each request in its own app context (its own
    database session and `g`), although the test holds one open."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return list(self.app(environ, start_response))


def _description() -> dict:
    """The description as the app serves it (made without a database: it is code)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "contract", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_client().get("/api/v1/openapi.json").json


@pytest.fixture
def admin_token(demo):
    secret = gen_token(find_person(EMAILS["admin"]), "read-write")
    demo.config["API_RATE_LIMIT"] = 100_000  # the generated requests come fast
    db.session.commit()
    return secret


schema = schemathesis.openapi.from_dict(_description())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_route_keeps_to_the_description(case, demo, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS,
                           app=FreshContext(demo))
