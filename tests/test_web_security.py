"""Sign-in, CSRF, rate limiting and headers, with CSRF protection switched on."""

import re

import pytest

from tests.conftest import FreshContextClient
from tests.web_helpers import EMAILS, PASSWORD


@pytest.fixture
def secure(demo):
    demo.config["WTF_CSRF_ENABLED"] = True
    demo.test_client_class = FreshContextClient
    return demo.test_client()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _sign_in(client, role="manager"):
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def test_login_form_without_a_token_is_refused(secure):
    response = secure.post("/login", data={"email": EMAILS["manager"], "password": PASSWORD})
    assert response.status_code == 400
    assert secure.get("/").status_code == 302  # not signed in


def test_a_change_without_a_token_is_refused_and_changes_nothing(secure):
    from riskkit.services.risks import get_risk

    _sign_in(secure)
    version = get_risk("AH0038").version
    response = secure.post("/risks/AH0038/close", data={"version": version})
    assert response.status_code == 400
    assert "did not come from riskkit" in response.get_data(as_text=True)
    assert get_risk("AH0038").status == "open"


def test_a_change_with_the_page_token_goes_through(secure):
    from riskkit.services.risks import get_risk

    _sign_in(secure)
    page = secure.get("/risks/AH0038").get_data(as_text=True)
    version = get_risk("AH0038").version
    response = secure.post("/risks/AH0038/close", data={"version": version,
                                                         "csrf_token": _token(page)})
    assert response.status_code == 302
    assert get_risk("AH0038").status == "closed"


def test_every_form_on_every_page_carries_a_token(secure):
    _sign_in(secure, "admin")
    for url in ("/", "/risks", "/risks/AH0038", "/risks/AH0038/edit", "/risks/AH0038/review",
                "/risks/new", "/admin/users/new", "/admin/matrices/1"):
        html = secure.get(url).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*>.*?</form>", html, re.S):
            if 'method="get"' in form:
                continue
            assert 'name="csrf_token"' in form, (url, form[:200])


def test_failed_sign_ins_are_rate_limited(secure):
    for _ in range(5):
        token = _token(secure.get("/login").get_data(as_text=True))
        bad = secure.post("/login", data={"email": EMAILS["viewer"], "password": "wrong password",
                                          "csrf_token": token})
        assert bad.status_code == 400
        assert "The email address or password is not right" in bad.get_data(as_text=True)
    token = _token(secure.get("/login").get_data(as_text=True))
    locked = secure.post("/login", data={"email": EMAILS["viewer"], "password": PASSWORD,
                                         "csrf_token": token})
    assert locked.status_code == 400
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert secure.get("/").status_code == 302
    _sign_in(secure, "manager")  # other users are not locked out


def test_next_only_follows_local_paths(secure):
    token = _token(secure.get("/login").get_data(as_text=True))
    response = secure.post("/login?next=https://evil.example/", data={
        "email": EMAILS["viewer"], "password": PASSWORD, "csrf_token": token})
    assert response.location == "/"


def test_pages_load_nothing_from_elsewhere(secure):
    _sign_in(secure)
    response = secure.get("/risks/AH0005")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_passwords_are_hashed(demo):
    from sqlalchemy import select

    from riskkit.extensions import db
    from riskkit.models import User

    user = db.session.scalar(select(User).where(User.email == EMAILS["viewer"]))
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
