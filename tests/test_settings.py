"""Settings are read once and checked at start (a bad one is one line naming it, exit 2),
`riskkit check` reports what is in force and what answers, and riskkit runs as several
processes on one database (gunicorn workers, or servers side by side) with nothing kept
in one process that another needs."""

import dataclasses
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import request

from riskkit import create_app
from riskkit.config import from_environment
from tests.factories import gen_person, gen_risk
from tests.live_server import LiveServer, free_port, hidden_fields

RISKKIT = Path(sys.executable).with_name("riskkit")


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RISKKIT), *args], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("RISKKIT_SMTP_PORT", "abc", "RISKKIT_SMTP_PORT must be a whole number from 1 to 65535, not 'abc'"),
    ("RISKKIT_SMTP_PORT", "\u00b2", "RISKKIT_SMTP_PORT must be a whole number from 1 to 65535, not '\u00b2'"),
    ("RISKKIT_DATABASE_URL", "postgres//oops", "RISKKIT_DATABASE_URL is not a database URL"),
    ("RISKKIT_DATABASE_URL", "mysql://u@h/db", "RISKKIT_DATABASE_URL must be a sqlite:// or postgresql:// URL"),
    ("RISKKIT_EXERCISES", "/no/such/folder", "RISKKIT_EXERCISES is '/no/such/folder', which is not a folder"),
    ("RISKKIT_SMTP_TLS", "maybe", "RISKKIT_SMTP_TLS must be one of none, starttls, ssl, not 'maybe'"),
    ("RISKKIT_BASE_URL", "risk.council.example", "RISKKIT_BASE_URL must be the address people open"),
    ("RISKKIT_SECURE_COOKIES", "perhaps", "RISKKIT_SECURE_COOKIES must be yes or no, not 'perhaps'"),
    ("RISKKIT_PROXY_HOPS", "-1", "RISKKIT_PROXY_HOPS must be a whole number from 0 to 5"),
    ("RISKKIT_ORGANISATION", "Example\nCouncil", "RISKKIT_ORGANISATION must not hold control characters"),
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(tmp_path, setting, value, message):
    result = run({"RISKKIT_DATA_DIR": str(tmp_path), setting: value}, "overdue")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"Error: {message}")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_settings_are_typed_and_defaulted_from_the_environment(tmp_path):
    settings = from_environment({"RISKKIT_DATA_DIR": str(tmp_path), "RISKKIT_SMTP_PORT": "587",
                                 "RISKKIT_BASE_URL": "https://risk.council.example/",
                                 "RISKKIT_LOG_LEVEL": "warning"})
    assert settings.smtp.port == 587 and settings.secure_cookies is True
    assert settings.base_url == "https://risk.council.example" and settings.log_level == "WARNING"
    assert settings.database_url == f"sqlite:///{tmp_path / 'riskkit.sqlite'}"


def test_check_prints_the_settings_with_secrets_hidden_and_what_answers(demo, runner):
    port = free_port()
    controller = Controller(object(), hostname="127.0.0.1", port=port)  # answers, keeps nothing
    controller.start()
    try:
        demo.config["SETTINGS"] = dataclasses.replace(
            demo.config["SETTINGS"], secret_key="s3cret-key-value", base_url="https://risk.example",
            smtp=dataclasses.replace(demo.config["SETTINGS"].smtp, host="127.0.0.1", port=port))
        result = runner.invoke(args=["check"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert re.search(r"RISKKIT_SECRET_KEY\s+set \(hidden\)", result.stdout)
    assert "s3cret" not in result.output
    assert "OK: Database answers, schema" in result.stdout
    assert f"OK: Mail server 127.0.0.1:{port} answers" in result.stdout


def test_check_fails_naming_each_problem(demo, runner):
    demo.config["SETTINGS"] = dataclasses.replace(
        demo.config["SETTINGS"], base_url="",
        smtp=dataclasses.replace(demo.config["SETTINGS"].smtp, host="127.0.0.1", port=free_port()))
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "Problem: RISKKIT_BASE_URL is not set" in result.stderr
    assert "Problem: Mail server 127.0.0.1:" in result.stderr


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run({"RISKKIT_DATA_DIR": str(tmp_path), "RISKKIT_SECRET_KEY": "k" * 64},
                     "serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"Error: Cannot listen on 127.0.0.1:{port} (--host, --port):"
                                     " Address already in use")


def test_behind_a_proxy_the_client_address_and_scheme_come_from_its_headers(monkeypatch, app):
    monkeypatch.setenv("RISKKIT_PROXY_HOPS", "1")
    proxied = create_app({"TESTING": True, "SECRET_KEY": "test-only",
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    proxied.add_url_rule("/_seen", "seen", lambda: f"{request.scheme} {request.remote_addr}")
    from riskkit.web import PUBLIC_ENDPOINTS
    monkeypatch.setattr("riskkit.web.PUBLIC_ENDPOINTS", PUBLIC_ENDPOINTS | {"seen"})
    seen = proxied.test_client().get("/_seen", headers={
        "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen.get_data(as_text=True) == "https 203.0.113.9"
    monkeypatch.delenv("RISKKIT_PROXY_HOPS")
    direct = create_app({"TESTING": True, "SECRET_KEY": "test-only",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    direct.add_url_rule("/_seen", "seen", lambda: f"{request.scheme} {request.remote_addr}")
    seen = direct.test_client().get("/_seen", headers={
        "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen.get_data(as_text=True) == "http 127.0.0.1"  # no proxy trusted by default


def test_two_servers_on_one_database_share_sign_ins_and_saves(app, tmp_path):
    """Signed in on one process, saving on another, read back on the first: nothing is
    kept in one process's memory that another needs."""
    owner = gen_person(email="pat@example.gov.uk", password="a-long-password", role="manager")
    risk = gen_risk(owner=owner)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first = LiveServer(url, _folder(tmp_path, "first")).start()
    second = LiveServer(url, _folder(tmp_path, "second"), serve_args=("--workers", "2")).start()
    try:
        client = first.session("pat@example.gov.uk", "a-long-password")
        form = client.get(f"{second.url}/risks/{risk.reference}/review", timeout=30)
        assert form.status_code == 200, "the sign-in made on the first server works on the second"
        fields = hidden_fields(form.text)
        saved = client.post(f"{second.url}/risks/{risk.reference}/review", timeout=30, data={
            **fields, "reviewed_on": ["5", "1", "2026"], "likelihood": "3", "impact": "4",
            "comment": "Reviewed on the second server", "no_change": "Reviewed: no change"},
            allow_redirects=False)
        assert saved.status_code == 302, re.findall(r"govuk-error-message.{0,300}|<h1.{0,200}", saved.text, re.S)
        page = client.get(f"{first.url}/risks/{risk.reference}", timeout=30)
        assert "Reviewed on the second server" in page.text  # read back by the first server
        assert "gunicorn" in client.get(f"{second.url}/healthz", timeout=30).headers["Server"]
    finally:
        first.stop()
        second.stop()


def _folder(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return folder
