"""Personal access tokens: made, listed and revoked by their person, by admins and by
the CLI; kept only as a hash; in the history."""

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import ApiToken, HistoryEntry
from riskkit.models.base import utcnow
from riskkit.services.people import find_person
from riskkit.services.tokens import RateLimiter, authenticate, create_token
from tests.factories import gen_person
from tests.web_helpers import EMAILS, sign_in

TODAY = date.today()


def test_only_the_hash_of_the_secret_is_kept(app):
    person = gen_person("Pat", password="long enough password", email="pat@example.gov.uk")
    token, secret = create_token(person, person, name="Power BI", scope="read",
                                 expires_on=None, today=TODAY)
    db.session.commit()
    assert secret.startswith("rk_") and len(secret) > 40
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_on == TODAY + timedelta(days=90)
    stored = db.session.execute(select(ApiToken.__table__)).one()._asdict()
    assert secret not in [str(value) for value in stored.values()]
    assert authenticate(secret, utcnow()) == token
    assert authenticate(secret + "x", utcnow()) is None


@pytest.mark.parametrize("expires, message", [
    (TODAY, "in the future"), (TODAY - timedelta(days=3), "in the future"),
    (TODAY + timedelta(days=400), "at most 366 days")])
def test_an_expiry_not_in_the_coming_year_is_refused(app, expires, message):
    person = gen_person(password="long enough password", email="pat@example.gov.uk")
    with pytest.raises(ValidationError, match=message) as refused:
        create_token(person, person, name="x", scope="read", expires_on=expires, today=TODAY)
    assert refused.value.field == "expires_on"


def test_a_person_makes_only_their_own_tokens_and_an_admin_anyones(app):
    pat = gen_person("Pat", password="long enough password", email="pat@example.gov.uk")
    sam = gen_person("Sam", role="manager", password="long enough password", email="sam@example.gov.uk")
    boss = gen_person("Boss", role="admin")
    with pytest.raises(PermissionDenied):
        create_token(sam, pat, name="x", scope="read-write", expires_on=None, today=TODAY)
    token, _ = create_token(boss, pat, name="x", scope="read-write", expires_on=None, today=TODAY)
    assert token.user == pat
    team = gen_person("Payroll team", role="owner")
    team.is_team = True
    with pytest.raises(ValidationError, match="cannot sign in"):
        create_token(None, team, name="x", scope="read", expires_on=None, today=TODAY)
    with pytest.raises(ValidationError, match="Scope must be one of read, read-write"):
        create_token(None, pat, name="x", scope="write", expires_on=None, today=TODAY)


def test_an_expired_revoked_or_signed_out_persons_token_does_not_work(app):
    pat = gen_person("Pat", password="long enough password", email="pat@example.gov.uk")
    token, secret = create_token(None, pat, name="x", scope="read", expires_on=TODAY + timedelta(days=1),
                                 today=TODAY)
    db.session.commit()
    assert authenticate(secret, utcnow() + timedelta(days=2)) is None
    pat.active = False
    db.session.commit()
    assert authenticate(secret, utcnow()) is None


def test_the_rate_limit_counts_a_sliding_minute_per_token():
    limiter = RateLimiter(2)
    assert limiter.allow(1, now=0.0) is None
    assert limiter.allow(1, now=10.0) is None
    assert limiter.allow(1, now=20.0) == pytest.approx(40.0)
    assert limiter.allow(2, now=20.0) is None  # another token has its own count
    assert limiter.allow(1, now=60.5) is None  # the first request left the minute


def test_cli_makes_lists_and_revokes_a_token(demo, runner):
    made = runner.invoke(args=["tokens", "create", "--user", EMAILS["owner"], "--name", "Power BI",
                               "--scope", "read-write"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("rk_") and "shown only now" in made.stderr
    token = authenticate(secret, utcnow())
    assert token.user.email == EMAILS["owner"] and token.scope == "read-write"
    listed = runner.invoke(args=["tokens", "list", "--user", EMAILS["owner"]])
    assert "Power BI" in listed.stdout and "active" in listed.stdout
    assert runner.invoke(args=["tokens", "revoke", str(token.id)]).exit_code == 0
    assert authenticate(secret, utcnow()) is None
    assert "revoked" in runner.invoke(args=["tokens", "list"]).stdout
    again = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert "already revoked" in again.stdout
    missing = runner.invoke(args=["tokens", "create", "--user", "Nobody", "--name", "x"])
    assert missing.exit_code == 1 and "Nobody" in missing.stderr


def test_making_and_revoking_a_token_is_in_the_history_without_the_hash(demo, runner):
    runner.invoke(args=["tokens", "create", "--user", EMAILS["viewer"], "--name", "Partner feed"])
    token = db.session.scalar(select(ApiToken))
    runner.invoke(args=["tokens", "revoke", str(token.id)])
    entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "token")).all()
    fields = {(e.change, e.field) for e in entries}
    assert {("create", "name"), ("create", "scope"), ("update", "revoked_at")} <= fields
    assert all(e.field != "secret_hash" for e in entries)
    assert all(e.actor.startswith("command line") for e in entries)


def test_account_page_makes_shows_once_and_revokes_a_token(client):
    sign_in(client, "owner")
    page = client.post("/account", data={"name": "My dashboard", "scope": "read"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Token made" in html
    secret = html.split('id="token-secret" type="text" value="', 1)[1].split('"', 1)[0]
    token = authenticate(secret, utcnow())
    assert token.name == "My dashboard" and token.user.email == EMAILS["owner"]
    again = client.get("/account").get_data(as_text=True)
    assert secret not in again and "My dashboard" in again
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert authenticate(secret, utcnow()) is None


def test_account_page_names_a_refused_field(client):
    sign_in(client, "owner")
    page = client.post("/account", data={"name": "", "scope": "read"})
    assert page.status_code == 400 and "Enter a name for the token" in page.get_data(as_text=True)
    late = client.post("/account", data={"name": "x", "scope": "read", "expires_on": ["1", "1", str(TODAY.year + 3)]})
    assert late.status_code == 400 and "at most 366 days" in late.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_only_an_admin_revokes_or_lists_someone_elses_tokens(client):
    owner = find_person(EMAILS["owner"])
    token, secret = create_token(None, owner, name="Theirs", scope="read", expires_on=None, today=TODAY)
    db.session.commit()
    sign_in(client, "manager")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 403
    assert client.get("/admin/tokens").status_code == 403
    assert "Theirs" not in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, "admin")
    listing = client.get("/admin/tokens")
    assert listing.status_code == 200 and "Theirs" in listing.get_data(as_text=True)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert authenticate(secret, utcnow()) is None


def test_an_admin_sees_when_each_persons_token_was_last_used(client):
    owner = find_person(EMAILS["owner"])
    token, secret = create_token(None, owner, name="Theirs", scope="read", expires_on=None, today=TODAY)
    db.session.commit()
    sign_in(client, "admin")

    def row() -> str:
        page = client.get("/admin/tokens").get_data(as_text=True)
        return page.split('<td class="govuk-table__cell">Theirs</td>', 1)[1].split("</tr>", 1)[0]

    assert "Never" in row()
    assert client.get("/api/v1/registers", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    db.session.refresh(token)
    assert f"{token.last_used_at:%d/%m/%Y}" in row() and "Never" not in row()
