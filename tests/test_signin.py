"""Signing in: failed attempts slow down by account and by client address with growing
delays, are counted atomically, and an unknown email costs what a wrong password does."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.services import signin
from tests.factories import gen_person
from tests.live_server import csrf_token

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RIGHT = "the right password"
WRONG_MESSAGE = "The email address or password is not right"


@pytest.fixture
def pat(app):
    person = gen_person(name="Pat Target", role="viewer", email="pat@example.gov.uk", password=RIGHT)
    db.session.commit()
    return person


def _try(password, at, email="pat@example.gov.uk", address="10.0.0.1"):
    """The outcome of one attempt: 'in', 'wrong' or the wait the user is told."""
    try:
        signin.sign_in(email, password, address, at)
        return "in"
    except ValidationError as refusal:
        assert refusal.field == "email"
        if str(refusal) == WRONG_MESSAGE:
            return "wrong"
        return str(refusal)


def test_five_free_tries_then_growing_delays(pat):
    assert [_try("guess", NOW) for _ in range(5)] == ["wrong"] * 5
    wait = "Too many failed attempts to sign in from here. Wait 30 seconds and try again."
    assert _try(RIGHT, NOW) == wait  # even the right password waits
    assert _try("guess", NOW + timedelta(seconds=29)) == \
        "Too many failed attempts to sign in from here. Wait 1 second and try again."
    at = NOW + timedelta(seconds=30)
    assert _try("guess", at) == "wrong"
    assert _try("guess", at) == "Too many failed attempts to sign in from here. Wait 1 minute and try again."
    at += timedelta(minutes=1)
    assert _try("guess", at) == "wrong"
    assert _try("guess", at) == "Too many failed attempts to sign in from here. Wait 2 minutes and try again."
    for _ in range(6):  # doubling, up to a quarter of an hour
        at += timedelta(minutes=15)
        assert _try("guess", at) == "wrong"
    assert _try("guess", at).endswith("Wait 15 minutes and try again.")
    at += timedelta(minutes=15)
    assert _try(RIGHT, at) == "in"
    assert [_try("guess", at) for _ in range(5)] == ["wrong"] * 5  # a success starts afresh


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(pat):
    for _ in range(20):
        _try("guess", NOW, address="203.0.113.9")
    assert _try("guess", NOW, address="203.0.113.9").startswith("Too many")
    assert _try(RIGHT, NOW, address="10.0.0.1") == "in"


def test_failures_are_forgotten_after_an_hour_of_quiet(pat):
    for _ in range(5):
        _try("guess", NOW)
    assert _try("guess", NOW + timedelta(minutes=59)) == "wrong"
    later = NOW + timedelta(minutes=59, hours=1)
    assert [_try("guess", later) for _ in range(5)] == ["wrong"] * 5


def test_forgotten_counters_are_removed(app):
    from sqlalchemy import func, select

    from riskkit.models import SignInThrottle

    for n in range(10):
        _try("guess", NOW, email=f"made.up.{n}@example.org")
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 11
    _try("guess", NOW + timedelta(hours=1, seconds=1), email="made.up.0@example.org")
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 2


def test_one_address_guessing_many_accounts_is_slowed_down(app):
    answers = [_try("guess", NOW, email=f"person{n}@example.gov.uk") for n in range(31)]
    assert answers[:30] == ["wrong"] * 30
    assert answers[30].startswith("Too many")
    assert _try("guess", NOW, email="someone@example.gov.uk", address="10.0.0.2") == "wrong"


def test_unknown_and_inactive_accounts_cost_one_password_check_like_a_wrong_password(
        pat, site, monkeypatch):
    from riskkit.models import people

    checks = []
    real = people.check_password_hash
    monkeypatch.setattr(people, "check_password_hash",
                        lambda stored, given: checks.append(stored) or real(stored, given))
    gen_person(name="Gone Away", role="viewer", email="gone@example.gov.uk", password=RIGHT).active = False
    gen_person(name="A Team", role="owner", email="team@example.gov.uk")  # no password: cannot sign in
    db.session.commit()
    client = site.test_client()
    for email, password in [("pat@example.gov.uk", "wrong password"), ("nobody@example.gov.uk", "x"),
                            ("gone@example.gov.uk", RIGHT), ("team@example.gov.uk", "x")]:
        checks.clear()
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 400
        assert WRONG_MESSAGE in response.get_data(as_text=True)
        assert len(checks) == 1, email
        assert checks[0].startswith("scrypt:"), email  # as costly as a real one


def test_the_web_form_shows_the_wait_beside_the_email(pat, site):
    client = site.test_client()
    for _ in range(5):
        client.post("/login", data={"email": "pat@example.gov.uk", "password": "wrong password"},
                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    refused = client.post("/login", data={"email": "pat@example.gov.uk", "password": RIGHT},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert refused.status_code == 400
    assert "Too many failed attempts to sign in from here" in refused.get_data(as_text=True)
    assert 'id="email-error"' in refused.get_data(as_text=True)
    mine = client.post("/login", data={"email": "pat@example.gov.uk", "password": RIGHT})
    assert mine.status_code == 302


def test_parallel_guesses_get_exactly_the_allowed_tries(app, live_server):
    gen_person(name="Pat Target", role="viewer", email="pat@example.gov.uk", password=RIGHT)
    db.session.commit()
    guessers = 20
    clients = [requests.Session() for _ in range(guessers)]
    tokens = [csrf_token(c.get(f"{live_server.url}/login", timeout=10).text) for c in clients]
    start = threading.Barrier(guessers)

    def guess(n):
        start.wait()
        answer = clients[n].post(f"{live_server.url}/login", timeout=60, data={
            "csrf_token": tokens[n], "email": "pat@example.gov.uk", "password": f"guess {n}"})
        return answer.status_code, answer.text

    with ThreadPoolExecutor(guessers) as pool:
        answers = list(pool.map(guess, range(guessers)))
    assert [status for status, _ in answers] == [400] * guessers
    checked = sum(WRONG_MESSAGE in text for _, text in answers)
    refused = sum("Too many failed attempts" in text for _, text in answers)
    assert (checked, refused) == (signin.ACCOUNT_FREE_TRIES, guessers - signin.ACCOUNT_FREE_TRIES)
