"""Sign-in, CSRF, rate limiting and headers, with CSRF protection switched on. The
people and the risk are made by the factories."""

import re

import pytest

from riskkit.extensions import db
from tests.conftest import FreshContextClient
from tests.factories import PASSWORD, gen_risk, gen_user

NAMES = {"admin": "Ada Admin", "manager": "Mo Manager", "viewer": "Val Viewer"}
EMAILS = {role: f"{name.lower().replace(' ', '.')}@example.gov.uk" for role, name in NAMES.items()}


@pytest.fixture
def people(app):
    """One person of each role these tests sign in as, each with PASSWORD."""
    made = {role: gen_user(name, role, EMAILS[role]) for role, name in NAMES.items()}
    db.session.commit()
    return made


@pytest.fixture
def risk(people):
    return gen_risk(owner=people["manager"], title="Information governance")


@pytest.fixture
def secure(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def visitor(site, people):
    """A browser not yet signed in, CSRF checks off."""
    return site.test_client()


@pytest.fixture
def another_app(app):
    """Builds another app on this test's database (after the test changes the
    environment), and closes its connections afterwards."""
    from riskkit import create_app
    from riskkit.extensions import db

    made = []

    def make(**config):
        made.append(create_app({"TESTING": True, **config,
                                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}))
        made[-1].test_client_class = FreshContextClient
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            db.engine.dispose()


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


def test_a_change_without_a_token_is_refused_and_changes_nothing(secure, risk):
    from riskkit.services.risks import get_risk

    _sign_in(secure)
    response = secure.post(f"/risks/{risk.reference}/close", data={"version": risk.version})
    assert response.status_code == 400
    assert "did not come from riskkit" in response.get_data(as_text=True)
    assert get_risk(risk.reference).status == "open"


def test_a_change_with_the_page_token_goes_through(secure, risk):
    from riskkit.services.risks import get_risk

    _sign_in(secure)
    page = secure.get(f"/risks/{risk.reference}/close").get_data(as_text=True)
    response = secure.post(f"/risks/{risk.reference}/close", data={
        "version": risk.version, "reason": "Merged into another risk", "csrf_token": _token(page)})
    assert response.status_code == 302
    assert get_risk(risk.reference).status == "closed"


def test_every_form_on_every_page_carries_a_token(secure, risk):
    _sign_in(secure, "admin")
    ref = risk.reference
    for url in ("/", "/risks", f"/risks/{ref}", f"/risks/{ref}/edit", f"/risks/{ref}/review",
                f"/risks/{ref}/close", "/risks/new", "/admin/users/new", "/admin/matrices/1"):
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


def test_pages_load_nothing_from_elsewhere(secure, risk):
    _sign_in(secure)
    response = secure.get(f"/risks/{risk.reference}")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_passwords_are_hashed(people):
    from sqlalchemy import select

    from riskkit.extensions import db
    from riskkit.models import User

    user = db.session.scalar(select(User).where(User.email == EMAILS["viewer"]))
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


# Open redirects: `next` is followed only to a path on this site.

@pytest.mark.parametrize("target", [
    "/%09/evil.example", "/\t/evil.example", "%2F%2Fevil.example", "/%2F/evil.example",
    "/\\evil.example", "\\\\evil.example", " //evil.example", "/\n/evil.example",
    "https://evil.example/", "javascript:alert(1)", "//evil.example", "///evil.example",
    "%252F%252Fevil.example", "/%0d/evil.example",
])
def test_next_never_leaves_the_site(visitor, target):
    response = visitor.post("/login", query_string={"next": target}, data={
        "email": EMAILS["viewer"], "password": PASSWORD})
    if any(ord(c) < 32 for c in target):
        # A control character in any query parameter is refused before the view runs.
        assert (response.status_code, response.location) == (400, None)
    else:
        assert (response.status_code, response.location) == (302, "/")


def test_next_follows_a_path_on_this_site(visitor, risk):
    response = visitor.get(f"/risks/{risk.reference}?tab=history")
    assert response.status_code == 302
    signed_in = visitor.post(response.location, data={"email": EMAILS["viewer"], "password": PASSWORD})
    assert signed_in.location == f"/risks/{risk.reference}?tab=history"


# Sessions: a copied cookie stops working when its owner's sessions are ended.

def _signed_in_client(site, role):
    client = site.test_client()
    response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD})
    assert response.status_code == 302
    return client


def _copy(site, client):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = site.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_session_works_until_its_owner_signs_out(site, people):
    owner = _signed_in_client(site, "viewer")
    thief = _copy(site, owner)
    assert thief.get("/").status_code == 200
    assert owner.post("/logout").status_code == 302
    assert thief.get("/").status_code == 302
    assert thief.get("/").location.startswith("/login")


def _edit_user(admin, email, **changes):
    """Save the admin form for this user with CHANGES (None leaves a box unticked)."""
    user = db_user(email)
    data = {"name": user.name, "email": user.email, "role": user.role, "active": "y", **changes}
    response = admin.post(f"/admin/users/{user.id}",
                          data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def db_user(email):
    from sqlalchemy import select

    from riskkit.extensions import db
    from riskkit.models import User

    return db.session.scalar(select(User).where(User.email == email))


def test_a_password_reset_ends_every_session_of_that_user(site, people):
    viewer = _signed_in_client(site, "viewer")
    other_browser = _signed_in_client(site, "viewer")
    admin = _signed_in_client(site, "admin")
    _edit_user(admin, EMAILS["viewer"], password="a brand new password")
    assert viewer.get("/").status_code == 302
    assert other_browser.get("/").status_code == 302
    assert admin.get("/").status_code == 200  # only that user's sessions end


def test_disabling_a_user_ends_their_sessions(site, people):
    viewer = _signed_in_client(site, "viewer")
    admin = _signed_in_client(site, "admin")
    _edit_user(admin, EMAILS["viewer"], active=None)
    assert viewer.get("/").status_code == 302
    assert not db_user(EMAILS["viewer"]).is_active


def test_an_admin_changing_their_own_password_stays_signed_in_there_only(site, people):
    admin = _signed_in_client(site, "admin")
    elsewhere = _copy(site, admin)
    _edit_user(admin, EMAILS["admin"], password="a brand new password")
    assert admin.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def _age_session(client, **minutes_ago):
    import time

    with client.session_transaction() as session:
        for key, minutes in minutes_ago.items():
            session[key] = time.time() - minutes * 60


def test_a_session_left_idle_too_long_ends(site, people):
    client = _signed_in_client(site, "viewer")
    site.config["SESSION_IDLE_MINUTES"] = 30
    _age_session(client, seen_at=29)
    assert client.get("/").status_code == 200  # and being seen restarts the idle clock
    _age_session(client, seen_at=31)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "Your session has ended" in client.get(response.location).get_data(as_text=True)
    assert client.get("/").status_code == 302  # the session itself was ended


def test_a_session_ends_after_its_absolute_lifetime_however_busy(site, people):
    client = _signed_in_client(site, "viewer")
    site.config["SESSION_MAX_HOURS"] = 12
    _age_session(client, signed_in_at=11 * 60 + 59)
    assert client.get("/").status_code == 200
    _age_session(client, signed_in_at=12 * 60 + 1)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("name,value", [
    ("RISKKIT_SESSION_IDLE_MINUTES", "soon"), ("RISKKIT_SESSION_MAX_HOURS", "0"),
    ("RISKKIT_SECURE_COOKIES", "perhaps"),
])
def test_a_bad_session_setting_is_one_line_naming_it(app, name, value):
    import os
    import subprocess

    from tests.live_server import RISKKIT, ROOT

    env = {**os.environ, name: value, "RISKKIT_SECRET_KEY": "x",
           "RISKKIT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    result = subprocess.run([str(RISKKIT), "users", "list"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2  # a setting riskkit cannot start with, as for any setting
    assert result.stderr.startswith(f"Error: {name}")
    assert "Traceback" not in result.stderr


# Cookies and headers, read from the real responses.

def _set_cookie_headers(response):
    return response.headers.getlist("Set-Cookie")


def test_the_session_cookie_is_samesite_lax_and_httponly(secure):
    page = secure.get("/login")
    cookies = _set_cookie_headers(page)  # the CSRF token starts the session
    assert cookies and all("SameSite=Lax" in c and "HttpOnly" in c for c in cookies)
    token = _token(page.get_data(as_text=True))
    signed_in = secure.post("/login", data={"email": EMAILS["viewer"], "password": PASSWORD,
                                            "csrf_token": token})
    cookies = _set_cookie_headers(signed_in)
    assert cookies and all("SameSite=Lax" in c and "HttpOnly" in c for c in cookies)
    assert not any("Secure" in c for c in cookies)  # served over plain http here
    assert "Strict-Transport-Security" not in signed_in.headers


def test_over_https_cookies_are_secure_and_hsts_is_sent(people, monkeypatch, another_app):
    monkeypatch.setenv("RISKKIT_BASE_URL", "https://risk.example")
    client = another_app(SECRET_KEY="test-only", WTF_CSRF_ENABLED=False).test_client()
    response = client.post("/login", data={"email": EMAILS["viewer"], "password": PASSWORD},
                           base_url="https://localhost")
    cookies = _set_cookie_headers(response)
    assert cookies and all("Secure" in c and "SameSite=Lax" in c for c in cookies)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    monkeypatch.setenv("RISKKIT_SECURE_COOKIES", "no")  # the setting wins over the URL
    response = another_app(SECRET_KEY="test-only").test_client().get("/login")
    assert not any("Secure" in c for c in _set_cookie_headers(response))
    assert "Strict-Transport-Security" not in response.headers


def test_pages_behind_the_login_are_not_stored_but_assets_are(visitor, site, risk):
    assert visitor.get("/").headers.get("Cache-Control") == "no-store"  # the redirect too
    client = _signed_in_client(site, "admin")
    for url in ("/", f"/risks/{risk.reference}", "/admin/users", "/overdue.csv", "/export.xlsx",
                "/no-such-page"):
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url
    asset = client.get("/assets/app.css")
    assert asset.status_code == 200
    assert "no-store" not in asset.headers.get("Cache-Control", "")
    asset.close()


# Names cannot carry line breaks or control characters into emails and headers.

@pytest.mark.parametrize("name", ["Chris\nBcc: evil@example.org", "Chris\rMcKenzie",
                                  "Chris\x00McKenzie", "Chris\u2028McKenzie", "Chris\tMcKenzie"])
def test_a_name_with_a_line_break_or_control_character_is_refused_beside_the_field(site, people, name):
    from tests.web_helpers import error_messages

    client = _signed_in_client(site, "admin")
    response = client.post("/admin/users/new", data={
        "name": name, "email": "new.person@example.gov.uk", "role": "viewer", "active": "y",
        "password": "a long enough password"})
    assert response.status_code == 400
    # The form's own text rules answer first (every one-line box), naming the field; the
    # User model refuses the same names wherever else they come from (CLI, import).
    [message] = error_messages(response)
    assert message.startswith("Full name must ") or message == (
        "A name cannot contain line breaks or control characters"), message
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert db_user("new.person@example.gov.uk") is None


def test_a_name_with_a_line_break_is_refused_by_the_cli(runner):
    result = runner.invoke(args=["users", "add", "new.person@example.gov.uk", "--name",
                                 "Chris\nMcKenzie", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 1
    assert result.stderr == "Error: Invalid value for --name: it contains a control character\n"
    assert db_user("new.person@example.gov.uk") is None


def test_a_name_with_a_line_break_is_refused_on_import_and_nothing_is_added(app, runner, tmp_path):
    import shutil

    from sqlalchemy import func, select

    from riskkit.extensions import db
    from riskkit.models import User

    seed = tmp_path / "seed"
    shutil.copytree(app.config["SEED_DATA_DIR"], seed)
    people = seed / "people.yaml"
    people.write_text(people.read_text().replace("name: Chris McKenzie", 'name: "Chris\\nMcKenzie"'))
    app.config["SEED_DATA_DIR"] = str(seed)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert result.stderr == "Error: A name cannot contain line breaks or control characters\n"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


# Secret key: one per data folder, kept owner-only, shared by every process.

def test_without_a_key_one_is_generated_kept_and_shared(another_app, monkeypatch, tmp_path, caplog):
    import logging


    monkeypatch.delenv("RISKKIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("RISKKIT_DATA_DIR", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="riskkit"):
        first, second = another_app(), another_app()
    key = tmp_path / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 64
    assert key.stat().st_mode & 0o777 == 0o600
    said = [r.getMessage() for r in caplog.records if "secret key" in r.getMessage().lower()]
    assert len(said) == 1 and str(key) in said[0]
    # a session started by one process is good in the other
    one = first.test_client()
    one.get("/login")  # the form's CSRF token starts a session
    two = second.test_client()
    two.set_cookie("session", one.get_cookie("session").value)
    with two.session_transaction() as session:
        assert "csrf_token" in session


def test_processes_starting_together_share_one_key(tmp_path):
    import os
    import subprocess
    import sys

    from tests.live_server import ROOT

    script = ("import sys, pathlib; from riskkit.config import stored_secret_key;"
              " print(stored_secret_key(pathlib.Path(sys.argv[1])))")
    env = {k: v for k, v in os.environ.items() if k != "RISKKIT_SECRET_KEY"}
    started = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for _ in range(6)]
    keys = {p.communicate(timeout=60)[0].strip() for p in started}
    assert len(keys) == 1 and keys == {(tmp_path / "secret_key").read_text().strip()}


def test_a_key_file_that_cannot_be_used_is_one_line_naming_it(tmp_path):
    from riskkit.config import stored_secret_key
    from riskkit.errors import SettingError

    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(SettingError, match=r"The secret key in .*secret_key is too short"):
        stored_secret_key(tmp_path)
    with pytest.raises(SettingError, match=r"Cannot keep a secret key in .*missing.*set RISKKIT_SECRET_KEY"):
        stored_secret_key(tmp_path / "missing")
