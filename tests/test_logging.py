"""Logging: one line per request (time, reference, user id, method, route, status,
duration) and nothing else about the person, to stderr at RISKKIT_LOG_LEVEL."""

import re
import subprocess

import pytest
import requests

from riskkit import create_app
from tests.factories import gen_person, gen_register, gen_risk, gen_user
from tests.live_server import RISKKIT, ROOT, LiveServer

LINE = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) INFO riskkit\.request: "
                  r"(?P<reference>[0-9a-f]{8}) user=(?P<user>\d+|-) (?P<method>[A-Z]+) "
                  r"(?P<route>\S+) (?P<status>\d{3}) (?P<ms>\d+)ms$")


def request_lines(text: str) -> list[dict]:
    return [m.groupdict() for m in map(LINE.match, text.splitlines()) if m]


def test_a_request_line_names_the_route_not_the_path_and_no_personal_data(login, capsys):
    owner = gen_user("Chris McKenzie")
    risk = gen_risk(gen_register("AH"), owner, title="Care market failure")
    client = login(owner)
    capsys.readouterr()
    response = client.get(f"/risks/{risk.reference}?owner={owner.id}&note=chris.mckenzie")
    err = capsys.readouterr().err
    lines = request_lines(err)
    assert response.status_code == 200
    assert len(lines) == 1, err
    line = lines[0]
    assert (line["user"], line["method"], line["route"], line["status"]) == (
        str(owner.id), "GET", "/risks/<reference>", "200")
    for personal in (risk.reference, risk.title, owner.name, owner.email, "chris.mckenzie"):
        assert personal not in err


def test_a_signed_out_request_logs_no_user(site, capsys):
    capsys.readouterr()
    site.test_client().get("/login")
    [line] = request_lines(capsys.readouterr().err)
    assert (line["user"], line["route"], line["status"]) == ("-", "/login", "200")


def test_the_log_level_is_a_setting(site, monkeypatch, capsys):
    monkeypatch.setenv("RISKKIT_LOG_LEVEL", "warning")
    quiet = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": site.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "test-only"})
    assert quiet.config["LOG_LEVEL"] == "WARNING"
    capsys.readouterr()
    quiet.test_client().get("/login")
    assert request_lines(capsys.readouterr().err) == []


def test_a_bad_log_level_is_one_error_naming_the_setting(tmp_path):
    result = subprocess.run([str(RISKKIT), "risks"], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "RISKKIT_LOG_LEVEL": "LOUD",
                                 "RISKKIT_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: RISKKIT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'LOUD'"]


#: gunicorn's own notices (a worker booting): about processes, never about a request.
GUNICORN_NOTICE = re.compile(r"^\[[^]]+\] \[\d+\] \[INFO\] ")


@pytest.mark.parametrize("serve_args", [(), ("--workers", "2")], ids=["waitress", "gunicorn"])
def test_riskkit_serve_writes_exactly_one_line_per_request(app, tmp_path, serve_args):
    owner = gen_person(email="pat@example.gov.uk", password="a-long-password")
    risk = gen_risk(owner=owner)
    live_server = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                             serve_args=serve_args).start()
    try:
        _one_line_per_request(live_server, owner, risk)
    finally:
        live_server.stop()


def _one_line_per_request(live_server, owner, risk):
    before = len(live_server.log.splitlines())
    client = live_server.session("pat@example.gov.uk", "a-long-password")  # GET and POST /login
    expected = [("GET", "/login", "200", "-"), ("POST", "/login", "302", str(owner.id)),
                ("GET", "/", "200", str(owner.id))]  # the sign-in's redirect to the dashboard
    # Assets are served without looking up who is signed in, so their lines name no user.
    for path, route, status, user in (
            (f"/risks/{risk.reference}", "/risks/<reference>", "200", str(owner.id)),
            ("/assets/app.css", "/assets/<path:filename>", "200", "-"),
            ("/no/such/page", "-", "404", str(owner.id)),
            ("/logout", "-", "405", str(owner.id))):
        assert str(client.get(live_server.url + path, timeout=10).status_code) == status
        expected.append(("GET", route, status, user))
    assert requests.get(live_server.url + "/login", timeout=10).status_code == 200
    expected.append(("GET", "/login", "200", "-"))

    new = [line for line in live_server.log.splitlines()[before:] if not GUNICORN_NOTICE.match(line)]
    lines = request_lines("\n".join(new))
    assert len(lines) == len(new), "a line that is not a request line:\n" + "\n".join(new)
    assert [(x["method"], x["route"], x["status"], x["user"]) for x in lines] == expected
    assert len({x["reference"] for x in lines}) == len(lines)
