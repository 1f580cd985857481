"""Error pages: every HTTP error in the GOV.UK layout with a plain-English message; a 500
with a reference that is also in the log line with the traceback."""

import re

import pytest
from flask import abort
from sqlalchemy import select, text

from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.models import User
from tests.factories import gen_user

TITLES = {
    400: "There is a problem with this request",
    403: "You do not have permission to do that",
    404: "Page not found",
    405: "This page cannot be used that way",
    409: "Someone else changed this at the same time",
    413: "What you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with riskkit",
    503: "Sorry, riskkit is unavailable",
}


def _raise(error):
    raise error


def _broken_save():
    # A failure no check before the database can foresee: a row whose id is taken.
    taken = db.session.scalar(select(User.id).limit(1))
    db.session.execute(text("INSERT INTO users (id, name, role, active) VALUES (:id, 'Second', 'owner', true)"),
                       {"id": taken})


@pytest.fixture
def failing(site, login):
    """Routes that fail in the ways the real views can, added before the first request."""
    site.add_url_rule("/test/abort/<int:code>", "abort", lambda code: abort(code))
    site.add_url_rule("/test/described", "described",
                     lambda: abort(400, description="Unknown register ZZ: known registers AH, OPS"))
    site.add_url_rule("/test/refused", "refused",
                     lambda: _raise(ValidationError("The review date is in the future", "reviewed_on")))
    site.add_url_rule("/test/conflict", "conflict",
                     lambda: _raise(Conflict("AH0005 was changed by someone else")))
    site.add_url_rule("/test/crash", "crash", lambda: _raise(RuntimeError("internal detail 42")))
    site.add_url_rule("/test/broken-save", "broken_save", _broken_save)
    return login(gen_user("Mo Manager", role="manager"))


def page(response) -> dict:
    html = response.get_data(as_text=True)
    heading = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', html, re.S)
    return {
        "html": html,
        "heading": heading.group(1).strip() if heading else None,
        "layout": 'class="govuk-footer"' in html and "govuk-service-navigation" in html,
        "signed_in": "rk-signed-in" in html,
        "reference": (re.findall(r'class="rk-reference">([0-9a-f]{8})<', html) or [None])[0],
    }


@pytest.mark.parametrize("code", sorted(TITLES))
def test_every_error_status_renders_in_the_site_layout(failing, code):
    response = failing.get(f"/test/abort/{code}")
    shown = page(response)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert shown["layout"] and shown["signed_in"]
    assert shown["heading"] == TITLES[code]
    assert "Werkzeug" not in shown["html"] and "Traceback" not in shown["html"]
    assert (shown["reference"] is not None) == (code >= 500)


def test_real_405_413_and_404_pages(failing, site):
    wrong_method = failing.get("/logout")
    assert wrong_method.status_code == 405
    assert page(wrong_method)["heading"] == TITLES[405]
    assert set(wrong_method.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}

    unknown = failing.get("/no/such/page")
    assert unknown.status_code == 404 and page(unknown)["heading"] == TITLES[404]

    # Signed out: a form field larger than Flask reads into memory (500,000 bytes; kept
    # under the test client's own 512 kB spill-to-file size).
    signed_out = site.test_client()
    too_large = signed_out.post("/login", data={"email": "x" * 505_000, "password": "p"},
                                content_type="multipart/form-data")
    assert too_large.status_code == 413
    shown = page(too_large)
    assert shown["heading"] == TITLES[413] and shown["layout"] and not shown["signed_in"]


def test_a_signed_out_visitor_gets_the_page_in_the_layout(site):
    response = site.test_client().get("/calendar/no-such-secret.ics")
    shown = page(response)
    assert response.status_code == 404
    assert shown["layout"] and not shown["signed_in"]
    assert "There is no calendar feed at this address" in shown["html"]


def test_a_description_given_in_the_code_is_shown(failing):
    response = failing.get("/test/described")
    assert response.status_code == 400
    assert "Unknown register ZZ: known registers AH, OPS." in page(response)["html"]


def test_a_user_error_a_view_let_through_is_a_4xx_with_its_message(failing):
    refused = failing.get("/test/refused")
    assert refused.status_code == 400
    assert "The review date is in the future." in page(refused)["html"]
    conflict = failing.get("/test/conflict")
    assert conflict.status_code == 409
    assert page(conflict)["heading"] == TITLES[409]
    assert "AH0005 was changed by someone else." in page(conflict)["html"]


def test_a_500_shows_a_reference_that_is_in_the_log_with_the_traceback(failing, capsys):
    capsys.readouterr()
    response = failing.get("/test/crash")
    shown = page(response)
    log = capsys.readouterr().err
    assert response.status_code == 500 and shown["layout"]
    assert shown["heading"] == TITLES[500]
    assert "internal detail 42" not in shown["html"]  # the detail is for the log only
    reference = shown["reference"]
    assert reference is not None
    error_line = next(line for line in log.splitlines() if f"reference {reference}" in line)
    assert "ERROR" in error_line and "GET /test/crash" in error_line
    traceback = log.split(error_line, 1)[1]
    assert "Traceback (most recent call last)" in traceback
    assert "RuntimeError: internal detail 42" in traceback
    request_line = next(line for line in log.splitlines() if "riskkit.request" in line)
    assert f" {reference} " in request_line and " 500 " in request_line


def test_a_failed_save_gives_the_500_page_with_the_signed_in_layout(failing):
    """The session is rolled back before the page is drawn, so the layout can still read
    who is signed in."""
    response = failing.get("/test/broken-save")
    shown = page(response)
    assert response.status_code == 500
    assert shown["signed_in"] and shown["reference"]
    # and the next request works as usual
    assert failing.get("/").status_code == 200
