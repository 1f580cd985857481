"""Reminder emails through a real SMTP server on loopback, read as received: headers,
alternatives, links and subjects; a display name can never add a recipient or break the
run; an owner with no address is a warning with its own exit status."""

import re
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, update

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import User
from riskkit.services import teams
from tests.factories import gen_person, gen_register, gen_risk
from tests.test_overdue import smtp  # noqa: F401  (the SMTP server fixture)

CHRIS = "chris.mckenzie@example.gov.uk"
# Carl Griffiths as a member of the ASCH Divisional Directors, who own AH0011.
EVERYONE = {CHRIS, "helen.gillivan@example.gov.uk", "kerena.hunter@example.gov.uk",
            "richard.smith@example.gov.uk", "carl.griffiths@example.gov.uk"}


def _rename(email: str, name: str, check: bool = True) -> None:
    if check:  # through the model, as the web, the CLI and the import do
        db.session.scalar(select(User).where(User.email == email)).name = name
    else:  # a name stored before names were checked
        db.session.execute(update(User).where(User.email == email).values(name=name))
    db.session.commit()


def _send(runner, *extra):
    return runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email", *extra])


def test_a_display_name_cannot_add_a_recipient(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _rename(CHRIS, "Chris <evil@example.org>, McKenzie")
    _send(runner)
    recipients = {address for to, _ in server.messages for address in to}
    assert recipients == EVERYONE
    chris = next(message for to, message in server.messages if to == [CHRIS])
    addresses = chris["To"].addresses
    assert addresses == (Address("Chris <evil@example.org>, McKenzie", addr_spec=CHRIS),)


def test_a_name_in_another_script_is_encoded_and_reads_back(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _rename(CHRIS, "Siân Ó Briain-Łukasz")
    _send(runner)
    chris = next(message for to, message in server.messages if to == [CHRIS])
    assert chris["To"].addresses[0].display_name == "Siân Ó Briain-Łukasz"
    assert chris["To"].addresses[0].addr_spec == CHRIS


def test_one_unwritable_recipient_is_reported_and_the_rest_still_get_theirs(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _rename(CHRIS, "Chris\r\nBcc: evil@example.org", check=False)
    result = _send(runner)
    assert result.exit_code == 1
    assert f"Error: {CHRIS}: cannot be written as an email" in result.stderr
    assert "Traceback" not in result.output
    assert {to[0] for to, _ in server.messages} == EVERYONE - {CHRIS}
    headers = [value for _, message in server.messages for value in message.values()]
    assert headers and not any("evil" in value for value in headers)


def test_a_dry_run_reports_an_unwritable_recipient_too(demo, runner, smtp):  # noqa: F811
    smtp()
    _rename(CHRIS, "Chris\nMcKenzie", check=False)
    result = _send(runner, "--dry-run")
    assert result.exit_code == 1
    assert f"Error: {CHRIS}: cannot be written as an email" in result.stderr
    assert "To: Helen Gillivan <helen.gillivan@example.gov.uk>" in result.stdout


# --- the message as received ------------------------------------------------------------


def test_a_reminder_is_a_standards_complete_message(demo, runner, smtp):  # noqa: F811
    server = smtp()
    result = _send(runner)
    assert result.exit_code == 0, result.stderr
    messages = {to[0]: message for to, message in server.messages}
    ids = [message["Message-ID"] for message in messages.values()]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"<[^<>@\s]+@risk\.example>", i) for i in ids)
    for message in messages.values():
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None  # RFC 5322, with its zone
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    helen = messages["helen.gillivan@example.gov.uk"]
    plain = helen.get_body(("plain",)).get_content()
    html = helen.get_body(("html",)).get_content()
    assert "    https://risk.example/risks/AH0037\r\n" in plain
    assert "Open the register: https://risk.example/" in plain
    links = re.findall(r'<a style="[^"]+" href="([^"]+)">', html)
    assert {"https://risk.example/risks/AH0037", "https://risk.example/risks/AH0011"} <= set(links)
    assert all(link.startswith("https://risk.example/") for link in links)
    assert '<html lang="en">' in html and "<style" not in html  # styles inline, as mail programs need
    assert re.search(r'<th scope="col" style="[^"]*border:1px solid', html)


def test_subjects_name_only_what_there_is(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _send(runner, "--due-within", "10")
    subjects = {to[0]: message["Subject"] for to, message in server.messages}
    assert subjects["helen.gillivan@example.gov.uk"] == "Risk register: 3 overdue (29/09/2021)"
    assert subjects["richard.smith@example.gov.uk"] == "Risk register: 3 overdue, 1 due soon (29/09/2021)"
    assert not any(re.search(r"\b0 ", subject) for subject in subjects.values())
    server.messages.clear()
    runner.invoke(args=["overdue", "--as-of", "2021-09-21", "--email", "--due-within", "20",
                        "--owner", "Richard Smith"])
    [(_, soon)] = server.messages
    assert soon["Subject"] == "Risk register: 1 due soon (21/09/2021)"


@pytest.fixture
def unreachable_team(demo):
    """A team none of whose members has an email address, owning an overdue review."""
    with clock.frozen(datetime(2021, 1, 4, 9, tzinfo=UTC)):  # before the day reported on
        team = teams.add_team(None, "Nobody Team")
        teams.set_members(None, team, [gen_person("Sam Lee")])
        gen_risk(gen_register("NOB"), team, as_of=date(2021, 1, 4))
        db.session.commit()
    return team


def test_an_owner_with_no_address_is_a_warning_and_exit_4_not_a_failure(unreachable_team, runner, smtp):  # noqa: F811
    server = smtp()
    result = _send(runner)
    assert result.exit_code == 4, result.output
    assert result.stderr.splitlines() == [
        "Warning: Nobody Team is a team with nobody to remind (no member has an email address):"
        " 1 item not sent"]
    assert {to[0] for to, _ in server.messages} == EVERYONE
    dry = _send(runner, "--dry-run")
    assert dry.exit_code == 4 and "Warning: Nobody Team" in dry.stderr


def test_a_failure_outranks_an_undeliverable_owner(unreachable_team, runner, smtp):  # noqa: F811
    smtp(refuse={CHRIS})
    result = _send(runner, "--fail-if-any")
    assert result.exit_code == 1
    assert f"Error: {CHRIS}: refused by the mail server" in result.stderr
    assert "Warning: Nobody Team" in result.stderr
